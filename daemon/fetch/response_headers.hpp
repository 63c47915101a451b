// Reading the headers of HTTP responses: one response per redirect hop, reset at every
// status line, and the few header values the scheduler needs turned into durations and times.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wirewatch::fetch {

/// The headers of one HTTP response; names lower-cased, values kept byte-for-byte apart from
/// surrounding whitespace, repeated fields joined with ", ".
class ResponseHeaders {
 public:
  /// Feeds one raw header line as curl delivers it; a status line starts a fresh response.
  void add_line(std::string_view line);

  /// The status code of the last status line seen, 0 before any.
  long status() const { return status_; }

  /// The value of a field (name in lower case), or nullptr when absent.
  const std::string* find(std::string_view lower_name) const;

  /// The value of a field, or an empty string when absent.
  std::string value(std::string_view lower_name) const;

 private:
  long status_ = 0;
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// The max-age directive of a Cache-Control value ("public, max-age=300" → 300 s).
std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control);

/// An HTTP date (IMF-fixdate, RFC 850 or asctime), as curl_getdate reads it.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// Retry-After as a delay: delta-seconds, or an HTTP date measured from `reference` (the
/// response's Date when present, so a skewed server clock does not matter). Never negative.
std::optional<std::chrono::seconds> parse_retry_after(
    std::string_view text, std::chrono::system_clock::time_point reference);

/// The standard reason phrase of a status code ("Service Unavailable"), or "" when unknown;
/// HTTP/2 responses carry none, so messages use this table.
std::string_view reason_phrase(long status);

}  // namespace wirewatch::fetch
