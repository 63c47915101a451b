#include "fetch/fetcher.hpp"

#include <boost/asio/post.hpp>
#include <deque>
#include <stdexcept>
#include <unordered_map>

#include "fetch/curl_multi.hpp"
#include "fetch/decode.hpp"
#include "fetch/outcome.hpp"
#include "fetch/transfer.hpp"

namespace wirewatch::fetch {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t max_redirects = 5;

void init_curl_once() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) throw std::runtime_error("curl_global_init failed");
}

bool is_redirect(long status) {
  return status == 300 || status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

std::chrono::microseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

std::string chain_text(const Transfer& transfer, const std::string& next) {
  std::string text;
  for (const auto& hop : transfer.result.redirects) text += hop.url + " -> ";
  return text + next;
}

}  // namespace

class Fetcher::Impl {
 public:
  Impl(asio::io_context& io, FetcherLimits limits)
      : io_(io),
        limits_(std::move(limits)),
        multi_(io, [this](CURL* easy, CURLcode code) { on_done(easy, code); }) {
    if (limits_.max_connections == 0) limits_.max_connections = 1;
    if (limits_.max_per_host == 0) limits_.max_per_host = 1;
    // Belt and braces: curl's own caps match ours, so it never opens more connections.
    curl_multi_setopt(multi_.handle(), CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(limits_.max_per_host));
    curl_multi_setopt(multi_.handle(), CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      static_cast<long>(limits_.max_connections));
  }

  ~Impl() { cancel_all(); }

  void fetch(FetchRequest request, Callback callback) {
    auto transfer = std::make_unique<Transfer>();
    transfer->queued_at = Clock::now();
    transfer->result.url = request.url;
    transfer->hop_url = request.url;
    transfer->request = std::move(request);
    transfer->callback = std::move(callback);
    std::string error;
    const auto parts = split_url(transfer->hop_url, error);
    if (!parts) return fail(std::move(transfer), Outcome::bad_url, "malformed URL (" + error + ")");
    const bool file_ok = parts->scheme == "file" && transfer->request.allow_file;
    if (parts->scheme != "http" && parts->scheme != "https" && !file_ok) {
      return fail(std::move(transfer), Outcome::bad_url,
                  parts->scheme == "file" ? "file:// URLs need the feed to opt in"
                                          : "scheme " + parts->scheme + " is not allowed");
    }
    transfer->host = parts->scheme == "file" ? "file://" : parts->host;
    transfer->origin_host = transfer->host;
    pending_.push_back(std::move(transfer));
    pump();
  }

  void cancel_all() {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& transfer : pending) fail(std::move(transfer), Outcome::cancelled, "cancelled");
    auto running = std::move(running_);
    running_.clear();
    for (auto& [easy, transfer] : running) {
      multi_.remove(easy);
      release_slot(transfer->host);
      fail(std::move(transfer), Outcome::cancelled, "cancelled");
    }
  }

  std::size_t running() const { return running_.size(); }
  std::size_t queued() const { return pending_.size(); }

 private:
  // Starts queued transfers, oldest first, while the global and per-host caps allow.
  void pump() {
    for (auto it = pending_.begin();
         it != pending_.end() && running_.size() < limits_.max_connections;) {
      const auto found = per_host_.find((*it)->host);
      if (found != per_host_.end() && found->second >= limits_.max_per_host) {
        ++it;
        continue;
      }
      auto transfer = std::move(*it);
      it = pending_.erase(it);
      start(std::move(transfer));
    }
  }

  void start(std::unique_ptr<Transfer> transfer) {
    const auto now = Clock::now();
    transfer->result.timings.queued +=
        std::chrono::duration_cast<std::chrono::microseconds>(now - transfer->queued_at);
    if (!transfer->first_started) transfer->first_started = now;
    const auto total = transfer->request.timeouts.total;
    const auto remaining = total - std::chrono::duration_cast<std::chrono::milliseconds>(
                                       now - *transfer->first_started);
    if (remaining.count() <= 0) {
      return fail(std::move(transfer), Outcome::transient,
                  "timed out after " + std::to_string(total.count()) + " ms");
    }
    std::string error;
    if (!prepare_hop(*transfer, limits_, remaining, error) || !multi_.add(transfer->easy)) {
      return fail(
          std::move(transfer), Outcome::transient,
          "cannot start transfer (" + (error.empty() ? "curl_multi_add_handle" : error) + ")");
    }
    ++per_host_[transfer->host];
    CURL* easy = transfer->easy;
    running_.emplace(easy, std::move(transfer));
  }

  void release_slot(const std::string& host) {
    const auto found = per_host_.find(host);
    if (found == per_host_.end()) return;
    if (--found->second == 0) per_host_.erase(found);
  }

  // A transfer (one hop) finished: follow a redirect, or conclude and report.
  void on_done(CURL* easy, CURLcode code) {
    const auto found = running_.find(easy);
    if (found == running_.end()) {
      multi_.remove(easy);
      return;
    }
    auto transfer = std::move(found->second);
    running_.erase(found);
    multi_.remove(easy);
    release_slot(transfer->host);
    curl_off_t micros = 0;
    if (curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &micros) == CURLE_OK) {
      transfer->result.timings.transfer += std::chrono::microseconds(micros);
    }
    conclude(std::move(transfer), code);
    pump();
  }

  void conclude(std::unique_ptr<Transfer> transfer, CURLcode code) {
    auto& request = transfer->request;
    if (code != CURLE_OK) {
      const auto outcome = outcome_for_curl_error(code, transfer->over_cap);
      auto message = describe_curl_error(request.url, code, transfer->error_buffer.data(),
                                         transfer->over_cap, request.max_body);
      return finish(std::move(transfer), outcome, std::move(message));
    }
    long status = 0;
    curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
    if (is_redirect(status)) return follow(std::move(transfer), status);
    auto& result = transfer->result;
    const auto& headers = transfer->headers;
    result.status = status;
    result.final_url = transfer->hop_url;
    result.content_type = headers.value("content-type");
    result.etag = headers.value("etag");
    result.last_modified = headers.value("last-modified");
    if (const auto* cache_control = headers.find("cache-control")) {
      result.max_age = parse_max_age(*cache_control);
    }
    if (const auto* expires = headers.find("expires")) result.expires = parse_http_date(*expires);
    if (const auto* retry_after = headers.find("retry-after")) {
      const auto date = parse_http_date(headers.value("date"));
      result.retry_after =
          parse_retry_after(*retry_after, date ? *date : std::chrono::system_clock::now());
    }
    const bool is_file = transfer->host == "file://";
    const auto outcome = is_file ? Outcome::ok : outcome_for_status(status, headers);
    if (outcome != Outcome::ok) {
      auto message =
          outcome == Outcome::not_modified
              ? std::string()
              : describe_status(request.url, status, result.retry_after, result.final_url);
      return finish(std::move(transfer), outcome, std::move(message));
    }
    if (limits_.inflate_with_libdeflate && !is_file) {
      const auto started = Clock::now();
      std::string error;
      const auto decoded =
          decode_body(headers.value("content-encoding"), transfer->body, request.max_body, error);
      result.timings.decode = since(started);
      if (decoded != DecodeStatus::ok) {
        const auto decode_outcome =
            decoded == DecodeStatus::too_large ? Outcome::too_large : Outcome::transient;
        auto message = request.url + ": " + error;
        return finish(std::move(transfer), decode_outcome, std::move(message));
      }
    }
    result.body = std::move(transfer->body);
    finish(std::move(transfer), Outcome::ok, {});
  }

  // Records a 3xx hop and queues the next one, refusing loops, long chains and bad schemes.
  void follow(std::unique_ptr<Transfer> transfer, long status) {
    auto& result = transfer->result;
    char* location = nullptr;
    curl_easy_getinfo(transfer->easy, CURLINFO_REDIRECT_URL, &location);
    const std::string next = location ? location : "";
    result.redirects.push_back({status, transfer->hop_url});
    result.status = status;
    result.final_url = transfer->hop_url;
    if (next.empty()) {
      return fail(std::move(transfer), Outcome::redirect_error,
                  "HTTP " + std::to_string(status) + " without a Location");
    }
    std::string error;
    const auto parts = split_url(next, error);
    if (!parts || (parts->scheme != "http" && parts->scheme != "https")) {
      const auto what = parts ? parts->scheme + ":// URL" : "malformed URL";
      const auto reason =
          "redirect to a " + what + " refused (" + chain_text(*transfer, next) + ")";
      return fail(std::move(transfer), Outcome::redirect_error, reason);
    }
    for (const auto& hop : result.redirects) {
      if (hop.url == next) {
        const auto reason = "redirect loop (" + chain_text(*transfer, next) + ")";
        return fail(std::move(transfer), Outcome::redirect_error, reason);
      }
    }
    if (result.redirects.size() >= max_redirects + 1) {
      const auto reason = "more than " + std::to_string(max_redirects) + " redirects (" +
                          chain_text(*transfer, next) + ")";
      return fail(std::move(transfer), Outcome::redirect_error, reason);
    }
    transfer->hop_url = next;
    transfer->host = parts->host;
    transfer->queued_at = Clock::now();
    pending_.push_front(std::move(transfer));  // a hop goes ahead of fetches not yet started
  }

  void fail(std::unique_ptr<Transfer> transfer, Outcome outcome, const std::string& reason) {
    auto message = transfer->request.url + ": " + reason;
    finish(std::move(transfer), outcome, std::move(message));
  }

  // Posts the result to the callback; the callback never runs inside fetch() or curl.
  void finish(std::unique_ptr<Transfer> transfer, Outcome outcome, std::string message) {
    auto& result = transfer->result;
    result.outcome = outcome;
    result.error = std::move(message);
    result.permanent_redirect = !result.redirects.empty();
    for (const auto& hop : result.redirects) {
      if (hop.status != 301 && hop.status != 308) result.permanent_redirect = false;
    }
    if (outcome != Outcome::ok) result.body.clear();
    asio::post(io_, [callback = std::move(transfer->callback),
                     result = std::move(transfer->result)]() mutable {
      if (callback) callback(std::move(result));
    });
  }

  asio::io_context& io_;
  FetcherLimits limits_;
  CurlMulti multi_;
  std::deque<std::unique_ptr<Transfer>> pending_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running_;
  std::unordered_map<std::string, std::size_t> per_host_;
};

Fetcher::Fetcher(asio::io_context& io, FetcherLimits limits) : io_(io) {
  init_curl_once();
  impl_ = std::make_unique<Impl>(io, std::move(limits));
}

Fetcher::~Fetcher() = default;

void Fetcher::fetch(FetchRequest request, Callback callback) {
  impl_->fetch(std::move(request), std::move(callback));
}

void Fetcher::cancel_all() {
  impl_->cancel_all();
}

std::size_t Fetcher::running() const {
  return impl_->running();
}

std::size_t Fetcher::queued() const {
  return impl_->queued();
}

}  // namespace wirewatch::fetch
