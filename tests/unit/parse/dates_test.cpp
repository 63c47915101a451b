#include "parse/dates.hpp"

#include <gtest/gtest.h>

#include "core/time.hpp"

namespace wirewatch::parse {
namespace {

std::string utc(std::string_view text) {
  auto time = parse_date(text);
  return time ? core::format_rfc3339(*time) : "null";
}

TEST(Dates, Rfc822AndItsWildVariants) {
  EXPECT_EQ(utc("Thu, 09 Nov 2023 10:00:00 GMT"), "2023-11-09T10:00:00Z");
  EXPECT_EQ(utc("Thu, 09 Nov 2023 10:00:00 +0100"), "2023-11-09T09:00:00Z");
  EXPECT_EQ(utc("9 Nov 2023 10:00 EST"), "2023-11-09T15:00:00Z");           // no seconds, weekday
  EXPECT_EQ(utc("Mon, 09 Nov 2023 10:00:00 GMT"), "2023-11-09T10:00:00Z");  // wrong weekday
  EXPECT_EQ(utc("Thu, 09 Nov 23 10:00:00 GMT"), "2023-11-09T10:00:00Z");    // 2-digit year
  EXPECT_EQ(utc("Sun, 06 Nov 94 08:49:37 GMT"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(utc("Thu, 09 Nov 2023 10:00:00 GMT+8"), "2023-11-09T02:00:00Z");
  EXPECT_EQ(utc("Thu, 09 Nov 2023 10:00:00 UTC-05:30"), "2023-11-09T15:30:00Z");
  EXPECT_EQ(utc("Thursday, 09 November 2023 10:00:00 PST"), "2023-11-09T18:00:00Z");
  EXPECT_EQ(utc("Thu, 09 Nov 2023 10:00:00"), "2023-11-09T10:00:00Z");  // no zone: UTC
  EXPECT_EQ(utc("Thu, 09 Nov 2023 10:00:00 Z"), "2023-11-09T10:00:00Z");
  EXPECT_EQ(utc("Thu, 09 Nov 2023 10:00:00 A"), "2023-11-09T11:00:00Z");  // military, RFC 822
  EXPECT_EQ(utc("Thu, 09-Nov-2023 10:00:00 GMT"), "2023-11-09T10:00:00Z");
  EXPECT_EQ(utc("Nov 09 2023 10:00:00 GMT"), "2023-11-09T10:00:00Z");
  EXPECT_EQ(utc("Thu, 09 Nov 2023 10:00:00 +0000 (UTC)"), "2023-11-09T10:00:00Z");
}

TEST(Dates, Iso8601AndW3cdtf) {
  EXPECT_EQ(utc("2023-11-09T10:00:00Z"), "2023-11-09T10:00:00Z");
  EXPECT_EQ(utc("2023-11-09T10:00:00+01:00"), "2023-11-09T09:00:00Z");
  EXPECT_EQ(utc("2023-11-09T10:00:00+0100"), "2023-11-09T09:00:00Z");  // no colon
  EXPECT_EQ(utc("2023-11-09T10:00:00.123456-05:00"), "2023-11-09T15:00:00Z");
  EXPECT_EQ(utc("2023-11-09"), "2023-11-09T00:00:00Z");
  EXPECT_EQ(utc("2023-11"), "2023-11-01T00:00:00Z");
  EXPECT_EQ(utc("2023-11-09T10:00"), "2023-11-09T10:00:00Z");
  EXPECT_EQ(utc("2023-11-09 10:00:00"), "2023-11-09T10:00:00Z");
  EXPECT_EQ(utc("20231109T100000Z"), "2023-11-09T10:00:00Z");
}

TEST(Dates, Asctime) {
  EXPECT_EQ(utc("Sun Nov  6 08:49:37 1994"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(utc("Thu Nov 9 10:00:00 EST 2023"), "2023-11-09T15:00:00Z");
}

TEST(Dates, UnparseableIsNullNeverNow) {
  EXPECT_EQ(utc(""), "null");
  EXPECT_EQ(utc("yesterday"), "null");
  EXPECT_EQ(utc("2023-13-45T99:99:99Z"), "null");
  EXPECT_EQ(utc("Thu, 31 Feb 2023 10:00:00 GMT"), "null");
  EXPECT_EQ(utc("Thu, 09 Nov 2023 10:00:00 XYZ"), "null");
  EXPECT_EQ(utc(std::string(500, '1')), "null");
}

// A feed configured with `timezone: -05:00` (or +08:00) writes local times without a zone:
// only those move; a date that names its zone, UTC included, is left alone.
TEST(Dates, ZonelessDatesTakeTheFeedsConfiguredZone) {
  auto in = [](std::string_view text, int minutes) {
    auto time = parse_date(text, minutes);
    return time ? core::format_rfc3339(*time) : "null";
  };
  EXPECT_EQ(in("2023-11-09T10:00:00", -300), "2023-11-09T15:00:00Z");
  EXPECT_EQ(in("2023-11-09 10:00", 480), "2023-11-09T02:00:00Z");
  EXPECT_EQ(in("2023-11-09", 480), "2023-11-08T16:00:00Z");  // local midnight
  EXPECT_EQ(in("Thu, 09 Nov 2023 10:00:00", -300), "2023-11-09T15:00:00Z");
  EXPECT_EQ(in("Thu Nov  9 10:00:00 2023", 60), "2023-11-09T09:00:00Z");
  EXPECT_EQ(in("2023-11-09T10:00:00Z", -300), "2023-11-09T10:00:00Z");
  EXPECT_EQ(in("2023-11-09T10:00:00+01:00", -300), "2023-11-09T09:00:00Z");
  EXPECT_EQ(in("Thu, 09 Nov 2023 10:00:00 GMT", -300), "2023-11-09T10:00:00Z");
  EXPECT_EQ(in("Thu, 09 Nov 2023 10:00:00 EST", 480), "2023-11-09T15:00:00Z");
}

}  // namespace
}  // namespace wirewatch::parse
