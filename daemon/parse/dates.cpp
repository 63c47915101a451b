#include "parse/dates.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <string>

#include "core/time.hpp"

namespace wirewatch::parse {
namespace {

using core::Timestamp;

/// A cursor over the date text with the small lexing steps every form needs.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool done() const { return position_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[position_]; }
  void advance() { ++position_; }
  std::size_t position() const { return position_; }
  void reset(std::size_t position) { position_ = position; }

  void skip_spaces() {
    while (!done() && std::isspace(static_cast<unsigned char>(peek()))) advance();
  }
  /// Skips spaces, commas and dots that separate tokens in RFC 822 dates.
  void skip_separators() {
    while (!done() &&
           (std::isspace(static_cast<unsigned char>(peek())) || peek() == ',' || peek() == '.')) {
      advance();
    }
  }
  bool accept(char c) {
    if (peek() != c) return false;
    advance();
    return true;
  }
  /// Reads between min and max digits; returns the count read (0 when fewer than min).
  int digits(int& value, int min, int max) {
    const std::size_t start = position_;
    value = 0;
    int count = 0;
    while (count < max && !done() && std::isdigit(static_cast<unsigned char>(peek()))) {
      value = value * 10 + (peek() - '0');
      advance();
      ++count;
    }
    if (count < min) {
      position_ = start;
      return 0;
    }
    return count;
  }
  std::string word() {
    std::string out;
    while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(peek())));
      advance();
    }
    return out;
  }
  std::string_view rest() const { return done() ? std::string_view{} : text_.substr(position_); }

 private:
  std::string_view text_;
  std::size_t position_ = 0;
};

int month_from_name(std::string_view name) {
  static constexpr std::array<std::string_view, 12> months{
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (name.size() < 3) return 0;
  for (std::size_t i = 0; i < months.size(); ++i) {
    if (name.substr(0, 3) == months[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

bool is_weekday(std::string_view name) {
  static constexpr std::array<std::string_view, 7> days{"sun", "mon", "tue", "wed",
                                                        "thu", "fri", "sat"};
  if (name.size() < 3) return false;
  for (auto day : days) {
    if (name.substr(0, 3) == day) return true;
  }
  return false;
}

/// Offset in minutes of a named zone, or nullopt. Military letters follow RFC 822 as written
/// (A = -1h … M = -12h, N = +1h … Y = +12h), as feedparser does.
std::optional<int> named_zone_minutes(std::string_view name) {
  struct Zone {
    std::string_view name;
    int hours;
  };
  static constexpr std::array<Zone, 28> zones{{
      {"ut", 0},    {"utc", 0},  {"gmt", 0},  {"z", 0},    {"est", -5}, {"edt", -4},  {"cst", -6},
      {"cdt", -5},  {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}, {"akst", -9}, {"akdt", -8},
      {"hst", -10}, {"ast", -4}, {"adt", -3}, {"nst", -3}, {"bst", 1},  {"wet", 0},   {"west", 1},
      {"cet", 1},   {"cest", 2}, {"met", 1},  {"eet", 2},  {"eest", 3}, {"msk", 3},   {"jst", 9},
  }};
  for (const auto& zone : zones) {
    if (name == zone.name) return zone.hours * 60;
  }
  if (name == "ist") return 5 * 60 + 30;
  if (name == "hkt" || name == "sgt" || name == "awst") return 8 * 60;
  if (name == "kst") return 9 * 60;
  if (name == "aest") return 10 * 60;
  if (name == "aedt") return 11 * 60;
  if (name == "nzst") return 12 * 60;
  if (name == "nzdt") return 13 * 60;
  if (name.size() == 1) {
    const char c = name[0];
    if (c >= 'a' && c <= 'i') return -(c - 'a' + 1) * 60;
    if (c >= 'k' && c <= 'm') return -(c - 'k' + 10) * 60;
    if (c >= 'n' && c <= 'y') return (c - 'n' + 1) * 60;
  }
  return std::nullopt;
}

/// Reads "+0800", "+08:00", "+08", "-5"; returns minutes east of UTC.
std::optional<int> numeric_offset(Scanner& scanner) {
  const char sign = scanner.peek();
  if (sign != '+' && sign != '-') return std::nullopt;
  scanner.advance();
  int hours = 0, minutes = 0;
  const int count = scanner.digits(hours, 1, 4);
  if (count == 0) return std::nullopt;
  if (count >= 3) {  // "+800" or "+0800"
    minutes = hours % 100;
    hours /= 100;
  } else if (scanner.accept(':')) {
    if (scanner.digits(minutes, 2, 2) == 0) return std::nullopt;
  }
  if (hours > 14 || minutes > 59) return std::nullopt;
  const int total = hours * 60 + minutes;
  return sign == '-' ? -total : total;
}

/// A zone at the scanner: numeric, named, "GMT+8" style, or nothing (then the feed's default).
std::optional<int> zone_offset(Scanner& scanner, int default_offset) {
  scanner.skip_spaces();
  if (scanner.done()) return default_offset;
  if (auto offset = numeric_offset(scanner)) return offset;
  const std::string name = scanner.word();
  if (name.empty()) return std::nullopt;
  auto base = named_zone_minutes(name);
  if (!base) return std::nullopt;
  if ((name == "gmt" || name == "utc" || name == "ut") &&
      (scanner.peek() == '+' || scanner.peek() == '-')) {
    auto extra = numeric_offset(scanner);
    if (!extra) return std::nullopt;
    return *extra;
  }
  return base;
}

int expand_two_digit_year(int year, int digit_count) {
  if (digit_count > 2) return year;
  return year < 50 ? 2000 + year : 1900 + year;  // RFC 2822 section 4.3
}

/// Reads "HH:MM[:SS]" (also "HH.MM") into the out-parameters.
bool clock_time(Scanner& scanner, int& hour, int& minute, int& second) {
  if (scanner.digits(hour, 1, 2) == 0) return false;
  if (!scanner.accept(':') && !scanner.accept('.')) return false;
  if (scanner.digits(minute, 2, 2) == 0) return false;
  second = 0;
  if (scanner.accept(':')) {
    if (scanner.digits(second, 2, 2) == 0) return false;
    if (scanner.accept('.') || scanner.accept(',')) {  // fractional seconds: dropped
      int ignored = 0;
      scanner.digits(ignored, 1, 9);
      while (std::isdigit(static_cast<unsigned char>(scanner.peek()))) scanner.advance();
    }
  }
  return true;
}

std::optional<Timestamp> apply_offset(std::optional<Timestamp> local, int offset_minutes) {
  if (!local) return std::nullopt;
  return *local - std::chrono::minutes{offset_minutes};
}

/// RFC 822 / 1123 / 2822 and variants: "[Wkd,] DD Mon [YY]YY [HH:MM[:SS]] [zone]",
/// also "Mon DD YYYY …" and day names spelled out or wrong.
std::optional<Timestamp> parse_rfc822(std::string_view text, int default_offset) {
  Scanner scanner(text);
  scanner.skip_separators();
  std::size_t mark = scanner.position();
  if (std::string first = scanner.word(); !first.empty()) {
    if (!is_weekday(first)) scanner.reset(mark);
  }
  scanner.skip_separators();
  int day = 0, month = 0, year = 0;
  mark = scanner.position();
  if (scanner.digits(day, 1, 2) != 0) {
    scanner.accept('-');
    scanner.skip_separators();
    month = month_from_name(scanner.word());
    scanner.accept('-');
  } else {
    scanner.reset(mark);
    month = month_from_name(scanner.word());
    scanner.skip_separators();
    if (scanner.digits(day, 1, 2) == 0) return std::nullopt;
  }
  if (month == 0 || day == 0) return std::nullopt;
  scanner.skip_separators();
  const int year_digits = scanner.digits(year, 2, 4);
  if (year_digits == 0 || year_digits == 3) return std::nullopt;
  year = expand_two_digit_year(year, year_digits);
  scanner.skip_separators();
  int hour = 0, minute = 0, second = 0;
  if (!scanner.done() && std::isdigit(static_cast<unsigned char>(scanner.peek()))) {
    if (!clock_time(scanner, hour, minute, second)) return std::nullopt;
  }
  auto offset = zone_offset(scanner, default_offset);
  if (!offset) return std::nullopt;
  scanner.skip_spaces();
  // A trailing parenthesised comment such as "(EST)" or "(Coordinated Universal Time)".
  if (scanner.peek() == '(' && scanner.rest().back() == ')') scanner.reset(text.size());
  if (!scanner.done()) return std::nullopt;
  return apply_offset(core::make_utc(year, month, day, hour, minute, second), *offset);
}

/// asctime: "Sun Nov  6 08:49:37 1994" (optionally with a zone before the year).
std::optional<Timestamp> parse_asctime(std::string_view text, int default_offset) {
  Scanner scanner(text);
  scanner.skip_spaces();
  if (!is_weekday(scanner.word())) return std::nullopt;
  scanner.skip_spaces();
  const int month = month_from_name(scanner.word());
  if (month == 0) return std::nullopt;
  scanner.skip_spaces();
  int day = 0, hour = 0, minute = 0, second = 0, year = 0;
  if (scanner.digits(day, 1, 2) == 0) return std::nullopt;
  scanner.skip_spaces();
  if (!clock_time(scanner, hour, minute, second)) return std::nullopt;
  scanner.skip_spaces();
  int offset = default_offset;
  if (!std::isdigit(static_cast<unsigned char>(scanner.peek()))) {
    auto zone = zone_offset(scanner, default_offset);
    if (!zone) return std::nullopt;
    offset = *zone;
    scanner.skip_spaces();
  }
  if (scanner.digits(year, 4, 4) == 0) return std::nullopt;
  scanner.skip_spaces();
  if (!scanner.done()) return std::nullopt;
  return apply_offset(core::make_utc(year, month, day, hour, minute, second), offset);
}

/// RFC 3339 / ISO 8601 / W3CDTF: "YYYY[-MM[-DD]]", "YYYY-MM-DDTHH:MM[:SS[.f]][zone]",
/// a space instead of T, the basic form "YYYYMMDDTHHMMSSZ", and zones without a colon.
std::optional<Timestamp> parse_iso8601(std::string_view text, int default_offset) {
  Scanner scanner(text);
  scanner.skip_spaces();
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  const std::size_t start = scanner.position();
  int digit_count = scanner.digits(year, 4, 8);
  if (digit_count == 8) {  // basic form YYYYMMDD
    day = year % 100;
    month = (year / 100) % 100;
    year /= 10000;
  } else if (digit_count == 4) {
    if (scanner.accept('-')) {
      if (scanner.digits(month, 2, 2) == 0) return std::nullopt;
      if (scanner.accept('-') && scanner.digits(day, 2, 2) == 0) return std::nullopt;
    }
  } else {
    scanner.reset(start);
    return std::nullopt;
  }
  if (scanner.accept('T') || scanner.accept('t') ||
      (scanner.peek() == ' ' && scanner.rest().size() > 1 &&
       std::isdigit(static_cast<unsigned char>(scanner.rest()[1])) && (scanner.advance(), true))) {
    int packed = 0;
    const std::size_t time_start = scanner.position();
    const int count = scanner.digits(packed, 4, 6);
    if (count == 4 || count == 6) {  // basic form HHMM[SS]
      if (count == 6) {
        second = packed % 100;
        packed /= 100;
      }
      minute = packed % 100;
      hour = packed / 100;
    } else {
      scanner.reset(time_start);
      if (!clock_time(scanner, hour, minute, second)) return std::nullopt;
    }
    if (scanner.accept('.') || scanner.accept(',')) {
      while (std::isdigit(static_cast<unsigned char>(scanner.peek()))) scanner.advance();
    }
  }
  int offset = default_offset;
  scanner.skip_spaces();
  if (scanner.accept('Z') || scanner.accept('z')) {
    offset = 0;
  } else if (!scanner.done()) {
    auto zone = zone_offset(scanner, default_offset);
    if (!zone) return std::nullopt;
    offset = *zone;
  }
  scanner.skip_spaces();
  if (!scanner.done()) return std::nullopt;
  return apply_offset(core::make_utc(year, month, day, hour, minute, second), offset);
}

}  // namespace

std::optional<Timestamp> parse_date(std::string_view text, int default_offset_minutes) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.empty() || text.size() > 128) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(text[0]))) {
    if (auto time = parse_iso8601(text, default_offset_minutes)) return time;
  }
  if (auto time = parse_rfc822(text, default_offset_minutes)) return time;
  return parse_asctime(text, default_offset_minutes);
}

}  // namespace wirewatch::parse
