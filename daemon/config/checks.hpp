// Internal: checks of single values (URLs, zones, addresses, names) and "did you mean".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::config::detail {

/// "a, b, c" from "a|b|c".
std::string choices_text(std::string_view choices);

/// The name in names closest to word (edit distance, ignoring case and '-' vs '_'), or ""
/// when none is close enough to be a likely typo.
std::string closest_name(std::string_view word, const std::vector<std::string_view>& names);

/// "" when url is an absolute URL with a scheme in schemes ("http|https") and a host (file
/// URLs need only a path); otherwise why not. Sets host (lowercase) when it has one.
std::string check_url(std::string_view url, std::string_view schemes, std::string& host);

/// True for hosts on this machine: localhost, 127.0.0.0/8, ::1, and file URLs (empty host).
bool is_local_host(std::string_view host);

/// "" when zone is "UTC", "Z" or ±HH:MM (up to ±14:00), otherwise why not.
std::string check_timezone(std::string_view zone);
/// Minutes east of UTC of a zone check_timezone accepted ("UTC" → 0, "-05:00" → -300).
int timezone_minutes(std::string_view zone);

/// "" when address is "host:port" or "[v6]:port" with a port of 1-65535, otherwise why not.
std::string check_listen(std::string_view address);

/// "" when name is an HTTP header name (RFC 9110 token) and value has no control characters.
std::string check_header(std::string_view name, std::string_view value);

/// "" when id is 1-128 characters of letters, digits, '.', '_' or '-'.
std::string check_feed_id(std::string_view id);

/// "" when text is a Unix permission mode of three or four octal digits ("0660", "660").
std::string parse_mode(std::string_view text, unsigned& mode);

}  // namespace wirewatch::config::detail
