#include "config/units.hpp"

#include <gtest/gtest.h>

namespace wirewatch::config {
namespace {

using namespace std::chrono_literals;

Duration duration(std::string_view text) {
  auto parsed = parse_duration(text);
  if (auto* problem = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << text << ": " << *problem;
    return Duration{-1};
  }
  return std::get<Duration>(parsed);
}

std::string duration_error(std::string_view text) {
  auto parsed = parse_duration(text);
  if (auto* problem = std::get_if<std::string>(&parsed)) return *problem;
  ADD_FAILURE() << text << " parsed as " << std::get<Duration>(parsed).count() << "ms";
  return {};
}

std::uint64_t bytes(std::string_view text) {
  auto parsed = parse_size(text);
  if (auto* problem = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << text << ": " << *problem;
    return 0;
  }
  return std::get<std::uint64_t>(parsed);
}

std::string size_error(std::string_view text) {
  auto parsed = parse_size(text);
  if (auto* problem = std::get_if<std::string>(&parsed)) return *problem;
  ADD_FAILURE() << text << " parsed as " << std::get<std::uint64_t>(parsed);
  return {};
}

TEST(Durations, EveryUnitAndCombinationsLargestFirst) {
  EXPECT_EQ(duration("90s"), 90s);
  EXPECT_EQ(duration("15m"), 15min);
  EXPECT_EQ(duration("6h"), 6h);
  EXPECT_EQ(duration("2d"), 48h);
  EXPECT_EQ(duration("500ms"), 500ms);
  EXPECT_EQ(duration("1h30m"), 90min);
  EXPECT_EQ(duration("1d2h3m4s5ms"), 24h + 2h + 3min + 4s + 5ms);
  EXPECT_EQ(duration("0s"), 0s);
  EXPECT_EQ(duration("0ms"), 0ms);
  EXPECT_EQ(duration("007s"), 7s);
}

TEST(Durations, MistakesSayWhatIsWrong) {
  EXPECT_EQ(duration_error(""), "is empty (write e.g. 90s, 15m, 6h)");
  EXPECT_EQ(duration_error("15"),
            "'15' has no unit (write 15s for seconds; units are ms, s, m, h, d)");
  EXPECT_EQ(duration_error("-5m"), "'-5m' is negative");
  EXPECT_EQ(duration_error("+5m"), "'+5m': write it without a sign");
  EXPECT_EQ(duration_error("1.5h"),
            "'1.5h': use whole numbers (write 90m, not 1.5h; 1536KiB, not 1.5MiB)");
  EXPECT_EQ(duration_error("15x"), "unknown unit 'x' in '15x'; units are ms, s, m, h, d");
  EXPECT_EQ(duration_error("15M"),
            "unknown unit 'M' in '15M' (did you mean 'm'?); units are ms, s, m, h, d");
  EXPECT_EQ(duration_error("10min"),
            "unknown unit 'min' in '10min' (did you mean 'm'?); units are ms, s, m, h, d");
  EXPECT_EQ(duration_error("2 hours"), "'2 hours': remove the spaces");
  EXPECT_EQ(duration_error("m5"), "'m5' does not start with a number");
  EXPECT_EQ(duration_error("30m1h"), "'30m1h': write each unit once, largest first (e.g. 1h30m)");
  EXPECT_EQ(duration_error("1m1m"), "'1m1m': write each unit once, largest first (e.g. 1h30m)");
  EXPECT_EQ(duration_error("1h30"),
            "'1h30' has no unit (write 30s for seconds; units are ms, s, m, h, d)");
}

TEST(Durations, OverflowIsAnErrorNotAWrap) {
  EXPECT_EQ(duration_error("99999999999999999999999s"), "'99999999999999999999999s' is too large");
  EXPECT_EQ(duration_error("9223372036854776d"), "'9223372036854776d' is too large");
  EXPECT_EQ(duration_error("106751991167d1d"),
            "'106751991167d1d': write each unit once, largest first (e.g. 1h30m)");
  EXPECT_EQ(duration_error("106751991167d23h"), "'106751991167d23h' is too large");
  EXPECT_EQ(duration("9223372036854775807ms").count(), 9223372036854775807);
}

TEST(Sizes, BinaryAndDecimalUnitsAndBareBytes) {
  EXPECT_EQ(bytes("20MiB"), 20u << 20);
  EXPECT_EQ(bytes("20MB"), 20'000'000u);
  EXPECT_EQ(bytes("1KiB"), 1024u);
  EXPECT_EQ(bytes("1KB"), 1000u);
  EXPECT_EQ(bytes("3GiB"), 3ull << 30);
  EXPECT_EQ(bytes("2TiB"), 2ull << 40);
  EXPECT_EQ(bytes("512B"), 512u);
  EXPECT_EQ(bytes("1500"), 1500u);
  EXPECT_EQ(bytes("0"), 0u);
}

TEST(Sizes, MistakesSayWhatIsWrong) {
  EXPECT_EQ(size_error("20Mb"),
            "unknown unit 'Mb' in '20Mb' (did you mean 'MB'?); units are B, KB, MB, GB, TB, KiB, "
            "MiB, GiB, TiB");
  EXPECT_EQ(size_error("20mib"),
            "unknown unit 'mib' in '20mib' (did you mean 'MiB'?); units are B, KB, MB, GB, TB, "
            "KiB, MiB, GiB, TiB");
  EXPECT_EQ(size_error("20M"),
            "unknown unit 'M' in '20M' (did you mean 'MiB'?); units are B, KB, MB, GB, TB, KiB, "
            "MiB, GiB, TiB");
  EXPECT_EQ(size_error("1.5MiB"),
            "'1.5MiB': use whole numbers (write 90m, not 1.5h; 1536KiB, not 1.5MiB)");
  EXPECT_EQ(size_error("-1"), "'-1' is negative");
  EXPECT_EQ(size_error("MiB"), "'MiB' does not start with a number");
  EXPECT_EQ(size_error("99999999999TiB"), "'99999999999TiB' is too large");
  EXPECT_EQ(size_error("18446744073709551616"), "'18446744073709551616' is too large");
  EXPECT_EQ(bytes("18446744073709551615"), 18446744073709551615ull);
}

TEST(Formatting, RoundTripsThroughTheParsers) {
  for (const Duration value : std::initializer_list<Duration>{0ms, 500ms, 1s, 90s, 15min, 90min, 6h,
                                                              24h, 90 * 24h, 1h + 1ms}) {
    EXPECT_EQ(duration(format_duration(value)), value) << format_duration(value);
  }
  EXPECT_EQ(format_duration(90min), "1h30m");
  EXPECT_EQ(format_duration(48h), "2d");
  for (const std::uint64_t value :
       {0ull, 1ull, 1000ull, 1024ull, 1500ull, 20ull << 20, 5ull << 40}) {
    EXPECT_EQ(bytes(format_size(value)), value) << format_size(value);
  }
  EXPECT_EQ(format_size(20u << 20), "20MiB");
  EXPECT_EQ(format_size(2'000'000), "2MB");
}

}  // namespace
}  // namespace wirewatch::config
