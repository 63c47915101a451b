#include "fetch/transfer.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>

#include "fetch/fetcher.hpp"

namespace wirewatch::fetch {
namespace {

constexpr const char* default_accept =
    "Accept: application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, "
    "*/*;q=0.5";

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  return text;
}

// A header that would smuggle a second line into the request is dropped, never sent.
bool header_safe(const std::string& text) {
  return text.find_first_of("\r\n") == std::string::npos;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (transfer.body.size() + bytes > transfer.request.max_body) {
    transfer.over_cap = true;
    return 0;  // curl aborts the transfer with CURLE_WRITE_ERROR
  }
  if (transfer.body.empty()) {
    // One allocation for a body whose length the server announced (within the cap), instead
    // of the string doubling its way there and copying what it holds each time.
    curl_off_t announced = -1;
    if (curl_easy_getinfo(transfer.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) ==
            CURLE_OK &&
        announced > 0 && static_cast<std::uint64_t>(announced) <= transfer.request.max_body) {
      transfer.body.reserve(static_cast<std::size_t>(announced));
    }
  }
  transfer.body.append(data, bytes);
  return bytes;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  transfer.headers.add_line(std::string_view(data, bytes));
  return bytes;
}

void append(curl_slist*& list, const std::string& name, const std::string& value) {
  if (!header_safe(name) || !header_safe(value) || name.empty()) return;
  // "Name;" is curl's way of sending a header with an empty value.
  const std::string line = value.empty() ? name + ";" : name + ": " + value;
  if (auto* grown = curl_slist_append(list, line.c_str())) list = grown;
}

curl_slist* request_headers(const Transfer& transfer) {
  const auto& request = transfer.request;
  curl_slist* list = nullptr;
  bool has_accept = false;
  const bool same_host = transfer.host == transfer.origin_host;
  for (const auto& [name, value] : request.headers) {
    const auto key = lower(name);
    // Like curl's own redirect rule: credentials go to the feed's host only.
    if (!same_host && (key == "authorization" || key == "cookie")) continue;
    has_accept = has_accept || key == "accept";
    append(list, name, value);
  }
  if (!has_accept) {
    if (auto* grown = curl_slist_append(list, default_accept)) list = grown;
  }
  if (!request.etag.empty()) append(list, "If-None-Match", request.etag);
  if (!request.last_modified.empty()) append(list, "If-Modified-Since", request.last_modified);
  return list;
}

}  // namespace

std::optional<UrlParts> split_url(const std::string& url, std::string& error) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), &curl_url_cleanup);
  if (!handle) {
    error = "out of memory";
    return std::nullopt;
  }
  if (const auto code = curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0)) {
    error = curl_url_strerror(code);
    return std::nullopt;
  }
  UrlParts parts;
  char* text = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_SCHEME, &text, 0) == CURLUE_OK) {
    parts.scheme = lower(text);
    curl_free(text);
  }
  text = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_HOST, &text, 0) == CURLUE_OK) {
    parts.host = lower(text);
    curl_free(text);
  }
  return parts;
}

Transfer::~Transfer() {
  if (easy) curl_easy_cleanup(easy);
  if (header_list) curl_slist_free_all(header_list);
}

bool prepare_hop(Transfer& transfer, const FetcherLimits& limits,
                 std::chrono::milliseconds remaining, std::string& error) {
  if (!transfer.easy) {
    transfer.easy = curl_easy_init();
    if (!transfer.easy) {
      error = "curl_easy_init failed";
      return false;
    }
  } else {
    curl_easy_reset(transfer.easy);
  }
  if (transfer.header_list) curl_slist_free_all(transfer.header_list);
  transfer.header_list = request_headers(transfer);
  transfer.headers = {};
  transfer.body.clear();
  transfer.over_cap = false;
  transfer.error_buffer[0] = '\0';

  const auto& request = transfer.request;
  const auto& timeouts = request.timeouts;
  // file:// only for the feed's own URL when it opted in; never as a redirect target.
  const bool first_hop = transfer.result.redirects.empty();
  const char* protocols = request.allow_file && first_hop ? "http,https,file" : "http,https";
  CURL* easy = transfer.easy;
  CURLcode code = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (code == CURLE_OK) code = curl_easy_setopt(easy, option, value);
  };
  set(CURLOPT_URL, transfer.hop_url.c_str());
  set(CURLOPT_PRIVATE, static_cast<void*>(&transfer));
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_PROTOCOLS_STR, protocols);
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);  // followed by hand, one hop at a time
  set(CURLOPT_USERAGENT, limits.user_agent.c_str());
  set(CURLOPT_HTTPHEADER, transfer.header_list);
  if (limits.inflate_with_libdeflate) {
    set(CURLOPT_ACCEPT_ENCODING, "gzip, deflate, br");
    set(CURLOPT_HTTP_CONTENT_DECODING, 0L);  // we inflate the buffered body ourselves
  } else {
    set(CURLOPT_ACCEPT_ENCODING, "");  // everything curl can decode, decoded by curl
  }
  if (!limits.ca_file.empty()) set(CURLOPT_CAINFO, limits.ca_file.c_str());
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  // Over TLS, ALPN says at once whether a connection multiplexes (HTTP/2), so waiting for it
  // beats opening a second one; over plain HTTP/1.1 waiting would serialize a host's fetches.
  if (transfer.hop_url.rfind("https:", 0) == 0) set(CURLOPT_PIPEWAIT, 1L);
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts.connect.count()));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(1, remaining.count())));
  set(CURLOPT_LOW_SPEED_LIMIT, timeouts.low_speed_bytes_per_second);
  set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(timeouts.low_speed_time.count()));
  set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_body));
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
  set(CURLOPT_HEADERFUNCTION, &on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&transfer));
  set(CURLOPT_ERRORBUFFER, transfer.error_buffer.data());
  if (code != CURLE_OK) {
    error = curl_easy_strerror(code);
    return false;
  }
  return true;
}

}  // namespace wirewatch::fetch
