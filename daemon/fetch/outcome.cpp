#include "fetch/outcome.hpp"

#include <string_view>

namespace wirewatch::fetch {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::not_modified:
      return "not_modified";
    case Outcome::rate_limited:
      return "rate_limited";
    case Outcome::transient:
      return "transient";
    case Outcome::gone:
      return "gone";
    case Outcome::blocked:
      return "blocked";
    case Outcome::too_large:
      return "too_large";
    case Outcome::redirect_error:
      return "redirect_error";
    case Outcome::bad_url:
      return "bad_url";
    case Outcome::cancelled:
      return "cancelled";
  }
  return "unknown";
}

Outcome outcome_for_status(long status, const ResponseHeaders& headers) {
  // Cloudflare marks its challenge pages; whatever the status, that is a bot wall.
  const auto* mitigated = headers.find("cf-mitigated");
  if (mitigated && *mitigated == "challenge") return Outcome::blocked;
  if (status >= 200 && status < 300) return Outcome::ok;
  if (status == 304) return Outcome::not_modified;
  if (status == 429) return Outcome::rate_limited;
  if (status == 503 && headers.find("retry-after")) return Outcome::rate_limited;
  if (status == 404 || status == 410) return Outcome::gone;
  if (status == 408 || status == 425) return Outcome::transient;
  if (status >= 400 && status < 500) return Outcome::blocked;
  return Outcome::transient;  // 5xx, and anything a server should not have sent
}

std::string describe_status(const std::string& url, long status,
                            std::optional<std::chrono::seconds> retry_after,
                            const std::string& final_url) {
  std::string message = url + ": HTTP " + std::to_string(status);
  if (const auto reason = reason_phrase(status); !reason.empty()) {
    message.append(" ").append(reason);
  }
  if (retry_after) message += ", retry after " + std::to_string(retry_after->count()) + "s";
  if (!final_url.empty() && final_url != url) message += " (after redirect to " + final_url + ")";
  return message;
}

Outcome outcome_for_curl_error(CURLcode code, bool over_cap) {
  if (over_cap || code == CURLE_FILESIZE_EXCEEDED) return Outcome::too_large;
  switch (code) {
    // Schemes are checked before curl sees a URL, so CURLE_UNSUPPORTED_PROTOCOL here means a
    // server answered with something that is not HTTP (an HTTP/0.9 reply): transient.
    case CURLE_URL_MALFORMAT:
      return Outcome::bad_url;
    case CURLE_ABORTED_BY_CALLBACK:
      return Outcome::cancelled;
    default:
      return Outcome::transient;  // DNS, connect, TLS, resets, timeouts, bad framing
  }
}

std::string describe_curl_error(const std::string& url, CURLcode code, const char* detail,
                                bool over_cap, std::size_t max_body) {
  if (over_cap || code == CURLE_FILESIZE_EXCEEDED) {
    return url + ": body exceeds the " + std::to_string(max_body) + "-byte cap";
  }
  std::string message = url + ": " + curl_easy_strerror(code);
  if (detail && *detail) {
    std::string_view text(detail);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    message.append(" (").append(text).append(")");
  }
  return message;
}

}  // namespace wirewatch::fetch
