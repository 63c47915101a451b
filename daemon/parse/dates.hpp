// Feed dates → UTC. Accepts RFC 822/1123 and their wild variants, RFC 3339 / ISO 8601 /
// W3CDTF, and asctime. Anything else is nullopt: a made-up date is worse than none.
#pragma once

#include <optional>
#include <string_view>

#include "core/record.hpp"

namespace wirewatch::parse {

/// Parses a feed date. A date written without a zone is taken to be default_offset_minutes
/// east of UTC (the feed's configured `timezone`; 0 is UTC).
std::optional<core::Timestamp> parse_date(std::string_view text, int default_offset_minutes = 0);

}  // namespace wirewatch::parse
