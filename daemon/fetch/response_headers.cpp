#include "fetch/response_headers.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace wirewatch::fetch {
namespace {

// A hostile server may send thousands of distinct fields; we keep the first ones only, so
// reading headers stays linear. No real response comes near this.
constexpr std::size_t max_fields = 128;

// RFC 9111 §1.2.2: a delta-seconds too large to represent is taken as 2^31.
constexpr std::int64_t max_delta_seconds = 2147483648;

std::string_view trim(std::string_view text) {
  constexpr std::string_view space = " \t\r\n";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(space);
  return text.substr(first, last - first + 1);
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::optional<std::int64_t> parse_delta_seconds(std::string_view text) {
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range || value > max_delta_seconds)
    return max_delta_seconds;
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

void ResponseHeaders::add_line(std::string_view line) {
  line = trim(line);
  if (line.empty()) return;  // the blank line that ends a header block
  if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
    // A new response (a redirect hop, a 1xx interim answer): forget the previous one.
    fields_.clear();
    status_ = 0;
    const auto space = line.find(' ');
    if (space != std::string_view::npos) {
      auto code = line.substr(space + 1, 3);
      long value = 0;
      const auto [end, error] = std::from_chars(code.data(), code.data() + code.size(), value);
      if (error == std::errc{} && end == code.data() + code.size()) status_ = value;
    }
    return;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return;  // obsolete folding or junk
  std::string name(trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(), lower);
  const auto value = trim(line.substr(colon + 1));
  for (auto& field : fields_) {
    if (field.first == name) {
      field.second.append(", ").append(value);
      return;
    }
  }
  if (fields_.size() < max_fields) fields_.emplace_back(std::move(name), std::string(value));
}

const std::string* ResponseHeaders::find(std::string_view lower_name) const {
  for (const auto& field : fields_)
    if (field.first == lower_name) return &field.second;
  return nullptr;
}

std::string ResponseHeaders::value(std::string_view lower_name) const {
  const auto* found = find(lower_name);
  return found ? *found : std::string();
}

std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control) {
  while (!cache_control.empty()) {
    const auto comma = cache_control.find(',');
    auto directive = trim(cache_control.substr(0, comma));
    cache_control =
        comma == std::string_view::npos ? std::string_view{} : cache_control.substr(comma + 1);
    const auto equals = directive.find('=');
    if (equals == std::string_view::npos || !iequals(trim(directive.substr(0, equals)), "max-age"))
      continue;
    auto argument = trim(directive.substr(equals + 1));
    if (argument.size() >= 2 && argument.front() == '"' && argument.back() == '"')
      argument = argument.substr(1, argument.size() - 2);
    if (auto seconds = parse_delta_seconds(argument)) return std::chrono::seconds(*seconds);
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  const std::string copy(trim(text));
  if (copy.empty()) return std::nullopt;
  const time_t parsed = curl_getdate(copy.c_str(), nullptr);
  if (parsed == -1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(parsed);
}

std::optional<std::chrono::seconds> parse_retry_after(
    std::string_view text, std::chrono::system_clock::time_point reference) {
  text = trim(text);
  if (auto seconds = parse_delta_seconds(text)) return std::chrono::seconds(*seconds);
  const auto date = parse_http_date(text);
  if (!date) return std::nullopt;
  if (*date <= reference) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(*date - reference);
}

std::string_view reason_phrase(long status) {
  switch (status) {
    case 200:
      return "OK";
    case 203:
      return "Non-Authoritative Information";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 414:
      return "URI Too Long";
    case 418:
      return "I'm a teapot";
    case 425:
      return "Too Early";
    case 429:
      return "Too Many Requests";
    case 451:
      return "Unavailable For Legal Reasons";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 520:
      return "Unknown Error";
    case 521:
      return "Web Server Is Down";
    case 522:
      return "Connection Timed Out";
    case 523:
      return "Origin Is Unreachable";
    case 524:
      return "A Timeout Occurred";
    default:
      return "";
  }
}

}  // namespace wirewatch::fetch
