// The fetcher against a real HTTP server: conditional GETs, response metadata, status classes.
#include <gmock/gmock.h>

#include <cstdio>
#include <fstream>

#include "fetch_fixture.hpp"

namespace wirewatch::fetch {
namespace {

using test_support::ReceivedRequest;
using test_support::ScriptedResponse;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST_F(FetchTest, OkReturnsBodyAndCachingMetadata) {
  server_.route("/feed", 200, "<rss/>",
                {{"Content-Type", "application/rss+xml; charset=ISO-8859-1"},
                 {"ETag", "\"v1\""},
                 {"Last-Modified", "Thu, 09 Nov 2023 10:00:00 GMT"},
                 {"Cache-Control", "public, max-age=300"},
                 {"Expires", "Thu, 09 Nov 2023 10:05:00 GMT"}});
  const auto result = fetch(request_for("/feed"));

  EXPECT_EQ(result.outcome, Outcome::ok);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "<rss/>");
  EXPECT_EQ(result.content_type, "application/rss+xml; charset=ISO-8859-1");
  EXPECT_EQ(result.etag, "\"v1\"");
  EXPECT_EQ(result.last_modified, "Thu, 09 Nov 2023 10:00:00 GMT");
  EXPECT_EQ(result.max_age, std::chrono::seconds(300));
  ASSERT_TRUE(result.expires);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*result.expires), 1699524300);
  EXPECT_EQ(result.final_url, server_.url("/feed"));
  EXPECT_TRUE(result.redirects.empty());
  EXPECT_FALSE(result.permanent_redirect);
  EXPECT_EQ(result.error, "");

  const auto seen = server_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/feed");
  EXPECT_FALSE(seen[0].header("If-None-Match"));
  EXPECT_FALSE(seen[0].header("If-Modified-Since"));
  EXPECT_THAT(seen[0].header("Accept").value_or(""), HasSubstr("application/rss+xml"));
}

TEST_F(FetchTest, SendsEtagBackByteForByteAndGetsNotModified) {
  // A weak, oddly spaced validator: it must come back exactly as the server sent it.
  const std::string etag = "W/\"a b\\\"c  \"";
  server_.route("/feed", [&](const ReceivedRequest& request) {
    if (request.header("If-None-Match") == etag) return ScriptedResponse{304, {{"ETag", etag}}};
    return ScriptedResponse{200, {{"ETag", etag}}, "<rss/>"};
  });
  const auto first = fetch(request_for("/feed"));
  ASSERT_EQ(first.outcome, Outcome::ok);
  EXPECT_EQ(first.etag, etag);

  auto again = request_for("/feed");
  again.etag = first.etag;
  const auto second = fetch(again);
  EXPECT_EQ(second.outcome, Outcome::not_modified);
  EXPECT_EQ(second.status, 304);
  EXPECT_TRUE(second.body.empty());
  EXPECT_EQ(second.error, "");
  const auto seen = server_.requests("/feed");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].header("If-None-Match"), etag);
}

TEST_F(FetchTest, SendsLastModifiedBackByteForByte) {
  // Not a well-formed HTTP date: still echoed verbatim, never reformatted.
  const std::string stamp = "Thu, 9 Nov 2023 10:00:00 +0000";
  server_.route("/feed", [&](const ReceivedRequest& request) {
    if (request.header("If-Modified-Since") == stamp) return ScriptedResponse{304};
    return ScriptedResponse{200, {{"Last-Modified", stamp}}, "<rss/>"};
  });
  auto request = request_for("/feed");
  request.last_modified = stamp;
  const auto result = fetch(request);
  EXPECT_EQ(result.outcome, Outcome::not_modified);
  EXPECT_EQ(server_.requests("/feed").at(0).header("If-Modified-Since"), stamp);
}

TEST_F(FetchTest, TooManyRequestsIsRateLimitedWithRetryAfterSeconds) {
  server_.route("/feed", 429, "slow down", {{"Retry-After", "120"}});
  const auto result = fetch(request_for("/feed"));
  EXPECT_EQ(result.outcome, Outcome::rate_limited);
  EXPECT_EQ(result.retry_after, std::chrono::seconds(120));
  EXPECT_TRUE(result.body.empty());
  EXPECT_EQ(result.error, server_.url("/feed") + ": HTTP 429 Too Many Requests, retry after 120s");
}

TEST_F(FetchTest, UnavailableWithRetryAfterDateIsRateLimitedRelativeToServerDate) {
  server_.route("/feed", 503, "maintenance",
                {{"Date", "Wed, 08 Nov 2023 10:00:00 GMT"},
                 {"Retry-After", "Wed, 08 Nov 2023 10:01:30 GMT"}});
  const auto result = fetch(request_for("/feed"));
  EXPECT_EQ(result.outcome, Outcome::rate_limited);
  EXPECT_EQ(result.retry_after, std::chrono::seconds(90));
  EXPECT_EQ(result.error, server_.url("/feed") + ": HTTP 503 Service Unavailable, retry after 90s");
}

TEST_F(FetchTest, UnavailableWithoutRetryAfterIsTransient) {
  server_.route("/feed", 503, "down");
  const auto result = fetch(request_for("/feed"));
  EXPECT_EQ(result.outcome, Outcome::transient);
  EXPECT_FALSE(result.retry_after);
  EXPECT_EQ(result.error, server_.url("/feed") + ": HTTP 503 Service Unavailable");
}

TEST_F(FetchTest, NotFoundAndGoneAreGone) {
  server_.route("/missing", 404, "nope");
  server_.route("/gone", 410, "bye");
  const auto missing = fetch(request_for("/missing"));
  const auto gone = fetch(request_for("/gone"));
  EXPECT_EQ(missing.outcome, Outcome::gone);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.error, server_.url("/missing") + ": HTTP 404 Not Found");
  EXPECT_EQ(gone.outcome, Outcome::gone);
  EXPECT_EQ(gone.status, 410);
  EXPECT_EQ(gone.error, server_.url("/gone") + ": HTTP 410 Gone");
}

TEST_F(FetchTest, ForbiddenUnauthorizedAndBotWallsAreBlocked) {
  server_.route("/forbidden", 403, "no");
  server_.route("/login", 401, "who are you", {{"WWW-Authenticate", "Basic realm=\"x\""}});
  server_.route("/challenge", 503, "<html>checking your browser</html>",
                {{"cf-mitigated", "challenge"}, {"Retry-After", "5"}});
  const auto forbidden = fetch(request_for("/forbidden"));
  EXPECT_EQ(forbidden.outcome, Outcome::blocked);
  EXPECT_EQ(forbidden.error, server_.url("/forbidden") + ": HTTP 403 Forbidden");
  EXPECT_EQ(fetch(request_for("/login")).outcome, Outcome::blocked);
  const auto challenge = fetch(request_for("/challenge"));
  EXPECT_EQ(challenge.outcome, Outcome::blocked);
  EXPECT_THAT(challenge.error, StartsWith(server_.url("/challenge") + ": HTTP 503"));
}

TEST_F(FetchTest, ServerErrorIsTransient) {
  server_.route("/feed", 500, "oops");
  const auto result = fetch(request_for("/feed"));
  EXPECT_EQ(result.outcome, Outcome::transient);
  EXPECT_EQ(result.error, server_.url("/feed") + ": HTTP 500 Internal Server Error");
}

TEST_F(FetchTest, HtmlInsteadOfAFeedIsReturnedForTheParserToJudge) {
  const std::string page = "<!doctype html><html><body>Welcome</body></html>";
  server_.route("/feed", 200, page, {{"Content-Type", "text/html; charset=utf-8"}});
  const auto result = fetch(request_for("/feed"));
  EXPECT_EQ(result.outcome, Outcome::ok);
  EXPECT_EQ(result.body, page);
  EXPECT_EQ(result.content_type, "text/html; charset=utf-8");
}

TEST_F(FetchTest, SendsDescriptiveUserAgentCustomHeadersAndNeverCookies) {
  server_.route("/feed", 200, "<rss/>", {{"Set-Cookie", "session=abc; Path=/"}});
  FetcherLimits limits;
  limits.user_agent = "wirewatch/9.9 (test; +https://example.invalid/bot)";
  Fetcher fetcher(io_, limits);
  auto with_header = request_for("/feed");
  with_header.headers["X-Api-Key"] = "k1";
  const auto results = fetch_all(fetcher, {request_for("/feed")});
  const auto again = fetch_all(fetcher, {with_header});
  EXPECT_EQ(results[0].outcome, Outcome::ok);
  EXPECT_EQ(again[0].outcome, Outcome::ok);

  const auto seen = server_.requests("/feed");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].header("User-Agent"), limits.user_agent);
  EXPECT_FALSE(seen[1].header("Cookie")) << "a Set-Cookie must never come back";
  EXPECT_EQ(seen[1].header("X-Api-Key"), "k1");
  EXPECT_EQ(server_.connections(), 1u) << "the second fetch should reuse the connection";
}

TEST_F(FetchTest, MalformedAndDisallowedUrlsAreBadUrls) {
  auto malformed = request_for("/");
  malformed.url = "http://[::1";
  auto ftp = request_for("/");
  ftp.url = "ftp://127.0.0.1/feed.xml";
  auto file = request_for("/");
  file.url = "file:///etc/hostname";
  EXPECT_EQ(fetch(malformed).outcome, Outcome::bad_url);
  const auto ftp_result = fetch(ftp);
  EXPECT_EQ(ftp_result.outcome, Outcome::bad_url);
  EXPECT_EQ(ftp_result.error, "ftp://127.0.0.1/feed.xml: scheme ftp is not allowed");
  const auto file_result = fetch(file);
  EXPECT_EQ(file_result.outcome, Outcome::bad_url);
  EXPECT_EQ(file_result.error, "file:///etc/hostname: file:// URLs need the feed to opt in");
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(FetchTest, FileUrlWorksWhenTheFeedOptsIn) {
  const std::string path = ::testing::TempDir() + "wirewatch_fetch_file_feed.xml";
  std::ofstream(path) << "<rss version=\"2.0\"/>";
  auto request = request_for("/");
  request.url = "file://" + path;
  request.allow_file = true;
  const auto result = fetch(request);
  std::remove(path.c_str());
  EXPECT_EQ(result.outcome, Outcome::ok) << result.error;
  EXPECT_EQ(result.body, "<rss version=\"2.0\"/>");
}

TEST_F(FetchTest, ConnectionRefusedIsTransient) {
  test_support::HttpTestServer closed;
  const auto url = closed.url("/feed");
  closed.stop();
  auto request = request_for("/feed");
  request.url = url;
  const auto result = fetch(request);
  EXPECT_EQ(result.outcome, Outcome::transient);
  EXPECT_THAT(result.error, StartsWith(url + ": Couldn't connect to server"));
}

}  // namespace
}  // namespace wirewatch::fetch
