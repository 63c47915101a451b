#include "core/time.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <random>

namespace wirewatch::core {
namespace {

TEST(Time, FormatsRfc3339InUtc) {
  auto time = make_utc(2023, 11, 9, 10, 0, 0);
  ASSERT_TRUE(time);
  EXPECT_EQ(format_rfc3339(*time), "2023-11-09T10:00:00Z");
}

TEST(Time, RejectsImpossibleCalendarDates) {
  EXPECT_FALSE(make_utc(2023, 2, 29, 0, 0, 0));
  EXPECT_TRUE(make_utc(2024, 2, 29, 0, 0, 0));
  EXPECT_FALSE(make_utc(2023, 4, 31, 0, 0, 0));
  EXPECT_FALSE(make_utc(2023, 13, 1, 0, 0, 0));
  EXPECT_FALSE(make_utc(2023, 1, 1, 24, 30, 0));
}

TEST(Time, MidnightAsHour24RollsToNextDay) {
  EXPECT_EQ(format_rfc3339(*make_utc(2023, 12, 31, 24, 0, 0)), "2024-01-01T00:00:00Z");
}

TEST(Time, RoundTripsThroughParse) {
  auto parsed = parse_rfc3339_utc("1999-12-31T23:59:59Z");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(format_rfc3339(*parsed), "1999-12-31T23:59:59Z");
  EXPECT_FALSE(parse_rfc3339_utc("1999-12-31T23:59:59+01:00"));
}

TEST(Time, FormatsEveryTimeAsStrftimeDoes) {
  // The digits are written by hand; gmtime_r + strftime are the reference, over random times
  // from year 1 to 9999 (before 1970 included) and the edges of that range.
  std::mt19937_64 random(20261129);
  const std::int64_t first = -62135596800;  // 0001-01-01T00:00:00Z
  const std::int64_t last = 253402300799;   // 9999-12-31T23:59:59Z
  std::uniform_int_distribution<std::int64_t> any(first, last);
  std::vector<std::int64_t> seconds{first, last, -1, 0, 1, 951782400, 4107542400};
  for (int i = 0; i < 20000; ++i) seconds.push_back(any(random));
  for (const std::int64_t s : seconds) {
    const std::time_t t = s;
    std::tm parts{};
    ASSERT_NE(gmtime_r(&t, &parts), nullptr);
    char expected[40];
    ASSERT_GT(std::strftime(expected, sizeof expected, "%Y-%m-%dT%H:%M:%SZ", &parts), 0u);
    std::string want = expected;
    if (parts.tm_year + 1900 < 1000)
      want.insert(0, 4 - std::to_string(parts.tm_year + 1900).size(), '0');
    EXPECT_EQ(format_rfc3339(Timestamp{std::chrono::seconds{s}}), want) << s;
  }
}

}  // namespace
}  // namespace wirewatch::core
