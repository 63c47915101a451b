// Durations ("90s", "15m", "1h30m") and sizes ("20MiB") as they are written in the config file.
// Parsing returns a value or a one-line reason, never throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace wirewatch::config {

/// Every duration in the config, at millisecond resolution so timeouts can be "500ms".
using Duration = std::chrono::milliseconds;

/// A parsed value, or the reason the text is not one ("unknown unit 'x' in '15x' …").
template <class T>
using Parsed = std::variant<T, std::string>;

/// Parses whole numbers with units ms, s, m, h, d, optionally chained largest first
/// ("1h30m"). Rejects a bare number, fractions ("1.5h"), signs, unknown units and values that
/// overflow (more than about 292 million years).
Parsed<Duration> parse_duration(std::string_view text);

/// Parses a byte count: a bare whole number is bytes, or a whole number with B, KB, MB, GB,
/// TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024). Units are case-sensitive
/// ("Mb" would be megabits): a near miss gets a suggestion.
Parsed<std::uint64_t> parse_size(std::string_view text);

/// The shortest text parse_duration reads back as duration: "15m", "1h30m", "500ms", "0s".
std::string format_duration(Duration duration);

/// The shortest exact text parse_size reads back as bytes: "20MiB", "1500", "0".
std::string format_size(std::uint64_t bytes);

}  // namespace wirewatch::config
