#include "fetch/response_headers.hpp"

#include <gtest/gtest.h>

namespace wirewatch::fetch {
namespace {

using std::chrono::seconds;

TEST(ResponseHeaders, StatusLineStartsAFreshResponse) {
  ResponseHeaders headers;
  headers.add_line("HTTP/1.1 301 Moved Permanently\r\n");
  headers.add_line("Location: /new\r\n");
  headers.add_line("ETag: \"old\"\r\n");
  headers.add_line("\r\n");
  headers.add_line("HTTP/2 200\r\n");
  headers.add_line("content-type: application/rss+xml\r\n");
  EXPECT_EQ(headers.status(), 200);
  EXPECT_EQ(headers.find("etag"), nullptr);
  EXPECT_EQ(headers.value("content-type"), "application/rss+xml");
}

TEST(ResponseHeaders, KeepsValuesVerbatimAndJoinsRepeats) {
  ResponseHeaders headers;
  headers.add_line("HTTP/1.1 200 OK\r\n");
  headers.add_line("ETag:   W/\"a  b\"  \r\n");
  headers.add_line("Cache-Control: public\r\n");
  headers.add_line("cache-control: max-age=60\r\n");
  EXPECT_EQ(headers.value("etag"), "W/\"a  b\"");
  EXPECT_EQ(headers.value("cache-control"), "public, max-age=60");
}

TEST(ResponseHeaders, AFloodOfDistinctFieldsIsCutOff) {
  ResponseHeaders headers;
  headers.add_line("HTTP/1.1 200 OK\r\n");
  headers.add_line("ETag: \"first\"\r\n");
  for (int i = 0; i < 100000; ++i) headers.add_line("X-" + std::to_string(i) + ": y\r\n");
  EXPECT_EQ(headers.value("etag"), "\"first\"");
  EXPECT_EQ(headers.find("x-99999"), nullptr);
}

TEST(MaxAge, ReadsTheDirectiveAmongOthers) {
  EXPECT_EQ(parse_max_age("public, max-age=300"), seconds(300));
  EXPECT_EQ(parse_max_age("MAX-AGE=\"60\", must-revalidate"), seconds(60));
  EXPECT_EQ(parse_max_age("s-maxage=10, max-age=0"), seconds(0));
  EXPECT_FALSE(parse_max_age("no-cache"));
  EXPECT_FALSE(parse_max_age("max-age=-5"));
  EXPECT_FALSE(parse_max_age("max-age=soon"));
  EXPECT_EQ(parse_max_age("max-age=99999999999999999999999"), seconds(2147483648));
}

TEST(RetryAfter, AcceptsSecondsOrADateMeasuredFromTheReference) {
  const auto reference = *parse_http_date("Wed, 08 Nov 2023 10:00:00 GMT");
  EXPECT_EQ(parse_retry_after("120", reference), seconds(120));
  EXPECT_EQ(parse_retry_after(" 0 ", reference), seconds(0));
  EXPECT_EQ(parse_retry_after("Wed, 08 Nov 2023 10:02:00 GMT", reference), seconds(120));
  EXPECT_EQ(parse_retry_after("Wednesday, 08-Nov-23 10:00:30 GMT", reference), seconds(30));
  EXPECT_EQ(parse_retry_after("Wed, 08 Nov 2023 09:00:00 GMT", reference), seconds(0));
  EXPECT_FALSE(parse_retry_after("later", reference));
  EXPECT_FALSE(parse_retry_after("-1", reference));
}

TEST(ReasonPhrase, CoversTheStatusesFeedsAnswerWith) {
  EXPECT_EQ(reason_phrase(503), "Service Unavailable");
  EXPECT_EQ(reason_phrase(429), "Too Many Requests");
  EXPECT_EQ(reason_phrase(799), "");
}

}  // namespace
}  // namespace wirewatch::fetch
