// UTC calendar arithmetic and RFC 3339 text, without the C library's locale or time zone.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/record.hpp"

namespace wirewatch::core {

/// Seconds since the epoch for a civil UTC date and time; nullopt when a field is out of range
/// (month 13, day 31 in April, hour 24 except 24:00:00, second 61).
std::optional<Timestamp> make_utc(int year, int month, int day, int hour, int minute, int second);

/// "2023-11-09T10:00:00Z".
std::string format_rfc3339(Timestamp time);

/// Parses exactly the form format_rfc3339 writes (used when reading records back).
std::optional<Timestamp> parse_rfc3339_utc(std::string_view text);

}  // namespace wirewatch::core
