// Redirects: each hop recorded, permanence reported, loops, long chains and bad schemes refused.
#include <gmock/gmock.h>

#include "fetch_fixture.hpp"

namespace wirewatch::fetch {
namespace {

using test_support::ScriptedResponse;

class RedirectTest : public FetchTest {
 protected:
  void redirect(const std::string& from, unsigned status, const std::string& to) {
    server_.route(from, status, "", {{"Location", to}});
  }
  std::vector<std::string> targets_seen() const {
    std::vector<std::string> targets;
    for (const auto& request : server_.requests()) targets.push_back(request.target);
    return targets;
  }
};

TEST_F(RedirectTest, PermanentChainIsReportedHopByHop) {
  redirect("/old", 301, server_.url("/older"));
  redirect("/older", 308, "/feed");  // relative Location
  server_.route("/feed", 200, "<rss/>");
  const auto result = fetch(request_for("/old"));

  EXPECT_EQ(result.outcome, Outcome::ok);
  EXPECT_EQ(result.body, "<rss/>");
  EXPECT_EQ(result.final_url, server_.url("/feed"));
  ASSERT_EQ(result.redirects.size(), 2u);
  EXPECT_EQ(result.redirects[0].status, 301);
  EXPECT_EQ(result.redirects[0].url, server_.url("/old"));
  EXPECT_EQ(result.redirects[1].status, 308);
  EXPECT_EQ(result.redirects[1].url, server_.url("/older"));
  EXPECT_TRUE(result.permanent_redirect);
  EXPECT_EQ(targets_seen(), (std::vector<std::string>{"/old", "/older", "/feed"}));
}

TEST_F(RedirectTest, OneTemporaryHopMakesTheChainTemporary) {
  redirect("/a", 301, "/b");
  redirect("/b", 302, "/c");
  redirect("/c", 307, "/feed");
  server_.route("/feed", 200, "<rss/>");
  const auto result = fetch(request_for("/a"));
  EXPECT_EQ(result.outcome, Outcome::ok);
  ASSERT_EQ(result.redirects.size(), 3u);
  EXPECT_EQ(result.redirects[1].status, 302);
  EXPECT_EQ(result.redirects[2].status, 307);
  EXPECT_FALSE(result.permanent_redirect);
}

TEST_F(RedirectTest, ValidatorsAndCharsetComeFromTheFinalResponseOnly) {
  server_.route("/moved", 301, "<html>moved</html>",
                {{"Location", "/feed"},
                 {"ETag", "\"from-redirect\""},
                 {"Content-Type", "text/html; charset=utf-16"},
                 {"Cache-Control", "max-age=31536000"}});
  server_.route("/feed", 200, "<rss/>", {{"Content-Type", "application/xml"}});
  const auto result = fetch(request_for("/moved"));
  EXPECT_EQ(result.outcome, Outcome::ok);
  EXPECT_EQ(result.content_type, "application/xml");
  EXPECT_EQ(result.etag, "");
  EXPECT_FALSE(result.max_age);
}

TEST_F(RedirectTest, ErrorAfterARedirectNamesBothUrls) {
  redirect("/old", 301, "/feed");
  server_.route("/feed", 410, "");
  const auto result = fetch(request_for("/old"));
  EXPECT_EQ(result.outcome, Outcome::gone);
  EXPECT_TRUE(result.permanent_redirect);
  EXPECT_EQ(result.error, server_.url("/old") + ": HTTP 410 Gone (after redirect to " +
                              server_.url("/feed") + ")");
}

TEST_F(RedirectTest, LoopIsARedirectError) {
  redirect("/ping", 302, "/pong");
  redirect("/pong", 302, "/ping");
  const auto result = fetch(request_for("/ping"));
  EXPECT_EQ(result.outcome, Outcome::redirect_error);
  EXPECT_EQ(result.error, server_.url("/ping") + ": redirect loop (" + server_.url("/ping") +
                              " -> " + server_.url("/pong") + " -> " + server_.url("/ping") + ")");
  EXPECT_EQ(targets_seen(), (std::vector<std::string>{"/ping", "/pong"}));
}

TEST_F(RedirectTest, FiveHopsAreFollowedASixthIsRefused) {
  for (int hop = 1; hop <= 6; ++hop) {
    redirect("/r" + std::to_string(hop), 301, "/r" + std::to_string(hop + 1));
  }
  server_.route("/r7", 200, "<rss/>");
  redirect("/s1", 301, "/r3");  // s1 -> r3 -> r4 -> r5 -> r6 -> r7: five hops

  const auto too_many = fetch(request_for("/r1"));
  EXPECT_EQ(too_many.outcome, Outcome::redirect_error);
  EXPECT_THAT(too_many.error,
              ::testing::StartsWith(server_.url("/r1") + ": more than 5 redirects ("));
  EXPECT_EQ(server_.requests().size(), 6u);

  const auto five = fetch(request_for("/s1"));
  EXPECT_EQ(five.outcome, Outcome::ok);
  EXPECT_EQ(five.redirects.size(), 5u);
}

TEST_F(RedirectTest, RedirectToFileIsRefusedEvenForFeedsThatAllowFile) {
  redirect("/feed", 302, "file:///etc/passwd");
  auto request = request_for("/feed");
  request.allow_file = true;
  const auto result = fetch(request);
  EXPECT_EQ(result.outcome, Outcome::redirect_error);
  EXPECT_TRUE(result.body.empty());
  EXPECT_EQ(result.error, server_.url("/feed") + ": redirect to a file:// URL refused (" +
                              server_.url("/feed") + " -> file:///etc/passwd)");
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(RedirectTest, RedirectWithoutLocationIsARedirectError) {
  server_.route("/feed", 302, "");
  const auto result = fetch(request_for("/feed"));
  EXPECT_EQ(result.outcome, Outcome::redirect_error);
  EXPECT_EQ(result.error, server_.url("/feed") + ": HTTP 302 without a Location");
}

TEST_F(RedirectTest, ValidatorsFollowTheRedirect) {
  redirect("/old", 302, "/feed");
  server_.route("/feed", [](const test_support::ReceivedRequest& request) {
    return request.header("If-None-Match") == "\"v7\"" ? ScriptedResponse{304}
                                                       : ScriptedResponse{200, {}, "<rss/>"};
  });
  auto request = request_for("/old");
  request.etag = "\"v7\"";
  const auto result = fetch(request);
  EXPECT_EQ(result.outcome, Outcome::not_modified);
  EXPECT_EQ(result.redirects.size(), 1u);
}

}  // namespace
}  // namespace wirewatch::fetch
