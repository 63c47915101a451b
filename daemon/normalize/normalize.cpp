#include "normalize/normalize.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>

#include "core/hash.hpp"
#include "core/time.hpp"
#include "parse/urls.hpp"

namespace wirewatch::normalize {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

CurlString get_part(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK) return CurlString{};
  return CurlString{value};
}

bool is_tracking_parameter(std::string_view name) {
  static constexpr std::array<std::string_view, 10> exact{
      "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga", "igshid", "yclid", "ocid"};
  if (name.starts_with("utm_")) return true;
  return std::find(exact.begin(), exact.end(), name) != exact.end();
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The pairs of a query that are not tracking parameters (and not empty), in order.
std::string kept_query(std::string_view query) {
  std::string kept;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty() || is_tracking_parameter(pair.substr(0, pair.find('=')))) continue;
    if (!kept.empty()) kept += '&';
    kept += pair;
  }
  return kept;
}

}  // namespace

std::string canonical_url(std::string_view url) {
  // Links the parser resolved are in curl's normal form already, and curl would give such a
  // URL back as it is: what is left is dropping the fragment and the tracking parameters,
  // exactly as canonical_url_with_curl does (a randomized test holds the two together).
  if (!parse::is_normalized_http_url(url)) return canonical_url_with_curl(url);
  const std::string_view kept = url.substr(0, url.find('#'));
  const auto question = kept.find('?');
  if (question == std::string_view::npos) return std::string(kept);
  std::string out(kept.substr(0, question));
  std::string query = kept_query(kept.substr(question + 1));
  if (!query.empty()) {
    // curl writes the escapes of a query it is given back in lowercase ("%e2").
    for (std::size_t at = query.find('%'); at != std::string::npos; at = query.find('%', at + 1)) {
      for (std::size_t i = at + 1; i < at + 3 && i < query.size(); ++i) {
        if (query[i] >= 'A' && query[i] <= 'F') query[i] = static_cast<char>(query[i] + 32);
      }
    }
    out += '?';
    out += query;
  }
  return out;
}

std::string canonical_url_with_curl(std::string_view url) {
  if (!url.starts_with("http://") && !url.starts_with("https://") && !url.starts_with("HTTP://") &&
      !url.starts_with("HTTPS://")) {
    return std::string(url);
  }
  std::unique_ptr<CURLU, UrlDeleter> handle{curl_url()};
  const std::string text(url);
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return text;
  }
  curl_url_set(handle.get(), CURLUPART_FRAGMENT, nullptr, 0);
  if (CurlString host = get_part(handle.get(), CURLUPART_HOST)) {
    curl_url_set(handle.get(), CURLUPART_HOST, lower(host.get()).c_str(), 0);
  }
  if (CurlString query = get_part(handle.get(), CURLUPART_QUERY)) {
    const std::string kept = kept_query(query.get());
    curl_url_set(handle.get(), CURLUPART_QUERY, kept.empty() ? nullptr : kept.c_str(), 0);
  }
  CurlString port = get_part(handle.get(), CURLUPART_PORT);
  CurlString scheme = get_part(handle.get(), CURLUPART_SCHEME);
  if (port && scheme) {
    const std::string_view p = port.get();
    const std::string_view s = scheme.get();
    if ((s == "http" && p == "80") || (s == "https" && p == "443")) {
      curl_url_set(handle.get(), CURLUPART_PORT, nullptr, 0);
    }
  }
  CurlString out = get_part(handle.get(), CURLUPART_URL);
  return out ? std::string(out.get()) : text;
}

std::string entry_key(const core::Entry& entry) {
  if (!entry.guid.empty()) return "guid:" + entry.guid;
  if (!entry.link.empty()) return "link:" + canonical_url(entry.link);
  // A podcast episode or an RSS 0.92 item may have nothing but its enclosure.
  if (!entry.enclosures.empty()) return "enclosure:" + canonical_url(entry.enclosures.front().url);
  std::string date = entry.published ? core::format_rfc3339(*entry.published) : entry.published_raw;
  if (!entry.title.empty()) return "title:" + entry.title + "\x1f" + date;
  // Untitled (RSS 0.92 made title optional): what it says is all that tells two apart.
  return "text:" + (entry.summary.empty() ? entry.content : entry.summary) + "\x1f" + date;
}

std::string record_id(std::string_view feed_id, const core::Entry& entry) {
  return core::hash_hex({feed_id, entry_key(entry)});
}

std::string content_hash(const core::Record& record) {
  std::string enclosures;
  for (const auto& enclosure : record.enclosures) enclosures += enclosure.url + '\n';
  return core::hash_hex({record.title, record.url, record.summary, record.content, enclosures});
}

std::string feed_id_from_url(std::string_view url) {
  std::string_view rest = url;
  if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
  }
  if (rest.starts_with("www.")) rest.remove_prefix(4);
  std::string id;
  bool dash = false;
  for (char c : rest) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.' || c == '_') {
      if (dash && !id.empty()) id += '-';
      dash = false;
      id += static_cast<char>(std::tolower(u));
    } else {
      dash = true;
    }
    if (id.size() >= 64) break;
  }
  return id.empty() ? "feed" : id;
}

core::Record to_record(const core::Entry& entry, const core::FeedRef& feed,
                       core::Timestamp fetched) {
  core::Record record;
  record.id = record_id(feed.id, entry);
  record.feed = feed;
  record.guid = entry.guid;
  record.url = entry.link;
  record.title = entry.title;
  record.summary = entry.summary;
  record.content = entry.content;
  record.authors = entry.authors;
  record.categories = entry.categories;
  record.language = entry.language;
  record.published = entry.published;
  record.updated = entry.updated;
  record.published_raw = entry.published_raw;
  record.updated_raw = entry.updated_raw;
  record.fetched = fetched;
  record.enclosures = entry.enclosures;
  return record;
}

}  // namespace wirewatch::normalize
