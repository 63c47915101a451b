#include "config/units.hpp"

#include <array>
#include <limits>

namespace wirewatch::config {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t factor;
};

// Largest first: format_duration walks them in this order.
constexpr std::array<Unit, 5> kDurationUnits{{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

constexpr std::array<Unit, 10> kSizeUnits{{
    {"TiB", std::int64_t{1} << 40},
    {"TB", 1'000'000'000'000},
    {"GiB", std::int64_t{1} << 30},
    {"GB", 1'000'000'000},
    {"MiB", std::int64_t{1} << 20},
    {"MB", 1'000'000},
    {"KiB", std::int64_t{1} << 10},
    {"KB", 1'000},
    {"B", 1},
    {"", 1},
}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// Case-insensitive equality, for "did you mean" on unit typos.
bool same_letters(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Reads one run of digits into value; false on overflow of uint64.
bool read_number(std::string_view& rest, std::uint64_t& value) {
  value = 0;
  while (!rest.empty() && is_digit(rest.front())) {
    const auto digit = static_cast<std::uint64_t>(rest.front() - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
    rest.remove_prefix(1);
  }
  return true;
}

// A common complaint about the text as a whole (empty, sign, fraction), or "".
std::string shape_problem(std::string_view text, std::string_view example) {
  if (text.empty()) return "is empty (write e.g. " + std::string(example) + ")";
  if (text.front() == '-') return quoted(text) + " is negative";
  if (text.front() == '+') return quoted(text) + ": write it without a sign";
  if (text.find_first_of(".,") != std::string_view::npos) {
    return quoted(text) + ": use whole numbers (write 90m, not 1.5h; 1536KiB, not 1.5MiB)";
  }
  if (text.find_first_of(" \t") != std::string_view::npos) {
    return quoted(text) + ": remove the spaces";
  }
  if (!is_digit(text.front())) return quoted(text) + " does not start with a number";
  return {};
}

}  // namespace

Parsed<Duration> parse_duration(std::string_view text) {
  if (auto problem = shape_problem(text, "90s, 15m, 6h"); !problem.empty()) return problem;
  std::string_view rest = text;
  std::int64_t total = 0;
  std::size_t last_unit = 0;  // index into kDurationUnits; units must shrink left to right
  bool first = true;
  while (!rest.empty()) {
    std::uint64_t number = 0;
    if (!is_digit(rest.front())) return quoted(text) + " is not a duration (e.g. 90s, 15m, 1h30m)";
    if (!read_number(rest, number)) return quoted(text) + " is too large";
    std::size_t unit_length = 0;
    while (unit_length < rest.size() && is_alpha(rest[unit_length])) ++unit_length;
    const std::string_view unit = rest.substr(0, unit_length);
    rest.remove_prefix(unit_length);
    if (unit.empty()) {
      return quoted(text) + " has no unit (write " + std::to_string(number) +
             "s for seconds; units are ms, s, m, h, d)";
    }
    std::size_t index = kDurationUnits.size();
    for (std::size_t i = 0; i < kDurationUnits.size(); ++i) {
      if (kDurationUnits[i].name == unit) index = i;
    }
    if (index == kDurationUnits.size()) {
      std::string hint;
      for (const auto& known : kDurationUnits) {
        if (same_letters(known.name, unit))
          hint = " (did you mean '" + std::string(known.name) + "'?)";
      }
      if (hint.empty() &&
          (unit == "sec" || unit == "secs" || unit == "second" || unit == "seconds"))
        hint = " (did you mean 's'?)";
      if (hint.empty() &&
          (unit == "min" || unit == "mins" || unit == "minute" || unit == "minutes"))
        hint = " (did you mean 'm'?)";
      if (hint.empty() && (unit == "hr" || unit == "hrs" || unit == "hour" || unit == "hours"))
        hint = " (did you mean 'h'?)";
      if (hint.empty() && (unit == "day" || unit == "days")) hint = " (did you mean 'd'?)";
      return "unknown unit " + quoted(unit) + " in " + quoted(text) + hint +
             "; units are ms, s, m, h, d";
    }
    if (!first && index <= last_unit) {
      return quoted(text) + ": write each unit once, largest first (e.g. 1h30m)";
    }
    first = false;
    last_unit = index;
    const auto factor = static_cast<std::uint64_t>(kDurationUnits[index].factor);
    const auto limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (number > limit / factor || number * factor > limit - static_cast<std::uint64_t>(total)) {
      return quoted(text) + " is too large";
    }
    total += static_cast<std::int64_t>(number * factor);
  }
  return Duration{total};
}

Parsed<std::uint64_t> parse_size(std::string_view text) {
  if (auto problem = shape_problem(text, "20MiB"); !problem.empty()) return problem;
  std::string_view rest = text;
  std::uint64_t number = 0;
  if (!read_number(rest, number)) return quoted(text) + " is too large";
  const std::string_view unit = rest;
  for (const auto& known : kSizeUnits) {
    if (known.name != unit) continue;
    const auto factor = static_cast<std::uint64_t>(known.factor);
    if (number > std::numeric_limits<std::uint64_t>::max() / factor) {
      return quoted(text) + " is too large";
    }
    return number * factor;
  }
  std::string hint;
  for (const auto& known : kSizeUnits) {
    if (!known.name.empty() && same_letters(known.name, unit)) {
      hint = " (did you mean '" + std::string(known.name) + "'?)";
    }
  }
  if (hint.empty() && (unit == "K" || unit == "k")) hint = " (did you mean 'KiB'?)";
  if (hint.empty() && unit == "M") hint = " (did you mean 'MiB'?)";
  if (hint.empty() && unit == "G") hint = " (did you mean 'GiB'?)";
  return "unknown unit " + quoted(unit) + " in " + quoted(text) + hint +
         "; units are B, KB, MB, GB, TB, KiB, MiB, GiB, TiB";
}

std::string format_duration(Duration duration) {
  std::int64_t rest = duration.count();
  if (rest <= 0) return rest == 0 ? "0s" : std::to_string(rest) + "ms";
  std::string text;
  for (const auto& unit : kDurationUnits) {
    if (rest >= unit.factor) {
      text += std::to_string(rest / unit.factor) + std::string(unit.name);
      rest %= unit.factor;
    }
  }
  return text;
}

std::string format_size(std::uint64_t bytes) {
  if (bytes == 0) return "0";
  for (const auto& unit : kSizeUnits) {
    const auto factor = static_cast<std::uint64_t>(unit.factor);
    if (!unit.name.empty() && unit.name != "B" && bytes % factor == 0) {
      return std::to_string(bytes / factor) + std::string(unit.name);
    }
  }
  return std::to_string(bytes);
}

}  // namespace wirewatch::config
