#include "core/time.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace wirewatch::core
