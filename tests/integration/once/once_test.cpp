// `wirewatch once` end to end: the real binary against a scripted HTTP server on 127.0.0.1.
// Each test asserts what the server saw, what the sinks got and the summary line a user reads.
#include <atomic>
#include <set>

#include "once_fixture.hpp"

namespace wirewatch::testing {
namespace {

using test_support::ReceivedRequest;
using test_support::ScriptedResponse;

TEST_F(OnceTest, FirstRunStoresEveryEntryAndASecondRunGets304AndNothingNew) {
  const std::string body = rss({{"a1", "First"}, {"a2", "Second"}, {"a3", "Third"}});
  server_.route("/feed.xml", [&](const ReceivedRequest& request) {
    if (request.header("If-None-Match") == "\"v1\"") return ScriptedResponse(304);
    return ScriptedResponse(200, {{"ETag", "\"v1\""}, {"Content-Type", "application/rss+xml"}},
                            body);
  });
  write_config({"/feed.xml"});
  auto first = once();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(summary_line(first.err, "feed-xml").find("changed"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("1 feeds: 3 new, 0 updated"), std::string::npos) << first.err;
  auto stored = records();
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0]["seq"], 1);
  EXPECT_EQ(stored[2]["seq"], 3);
  EXPECT_EQ(stored[1]["title"], "Second");
  EXPECT_EQ(stored[1]["event"], "new");

  auto second = once();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(columns(second.err, "feed-xml")[1], "unchanged") << second.err;
  EXPECT_EQ(columns(second.err, "feed-xml")[2], "304") << second.err;
  EXPECT_NE(second.err.find("0 new, 0 updated"), std::string::npos);
  EXPECT_EQ(records().size(), 3u);
  const auto requests = server_.requests("/feed.xml");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[0].header("If-None-Match"));
  EXPECT_EQ(requests[1].header("If-None-Match"), "\"v1\"");  // byte for byte
  EXPECT_NE(requests[0].header("User-Agent").value_or("").find("wirewatch/"), std::string::npos);
}

TEST_F(OnceTest, LastModifiedIsSentBackAsIfModifiedSince) {
  const std::string stamp = "Thu, 09 Nov 2023 10:00:00 GMT";
  server_.route("/lm.xml", [&](const ReceivedRequest& request) {
    if (request.header("If-Modified-Since") == stamp) return ScriptedResponse(304);
    return ScriptedResponse(200, {{"Last-Modified", stamp}}, rss({{"b1", "One"}}));
  });
  write_config({"/lm.xml"});
  ASSERT_EQ(once().exit_code, 0);
  ASSERT_EQ(once().exit_code, 0);
  EXPECT_EQ(server_.requests("/lm.xml")[1].header("If-Modified-Since"), stamp);
  EXPECT_EQ(records().size(), 1u);
}

TEST_F(OnceTest, SameBodyWithoutValidatorsIsUnchanged) {
  server_.route("/plain.xml", 200, rss({{"c1", "One"}, {"c2", "Two"}}));
  write_config({"/plain.xml"});
  ASSERT_EQ(once().exit_code, 0);
  auto second = once();
  EXPECT_EQ(columns(second.err, "plain-xml")[1], "unchanged") << second.err;
  EXPECT_EQ(columns(second.err, "plain-xml")[2], "200") << second.err;
  EXPECT_EQ(records().size(), 2u);
}

TEST_F(OnceTest, AChangedEntryIsEmittedAgainAsAnUpdate) {
  std::atomic<int> version{1};
  server_.route("/edit.xml", [&](const ReceivedRequest&) {
    return ScriptedResponse(
        200, {}, rss({{"d1", version == 1 ? "Draft title" : "Final title"}, {"d2", "Untouched"}}));
  });
  write_config({"/edit.xml"});
  ASSERT_EQ(once().exit_code, 0);
  version = 2;
  auto second = once();
  EXPECT_NE(second.err.find("0 new, 1 updated"), std::string::npos) << second.err;
  auto stored = records();
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[2]["event"], "update");
  EXPECT_EQ(stored[2]["title"], "Final title");
  EXPECT_EQ(stored[2]["id"], stored[0]["id"]);  // same entry, same id
}

TEST_F(OnceTest, RetryAfterIsHonouredAndShown) {
  server_.route("/busy.xml", 429, "slow down", {{"Retry-After", "120"}});
  server_.route("/ok.xml", 200, rss({{"e1", "One"}}));
  write_config({"/busy.xml", "/ok.xml"});
  auto result = once();
  EXPECT_EQ(result.exit_code, 0) << result.err;  // one feed failing is not a failed run
  EXPECT_EQ(columns(result.err, "busy-xml")[1], "rate_limited") << result.err;
  EXPECT_EQ(columns(result.err, "busy-xml")[2], "429") << result.err;
  EXPECT_NE(result.err.find("retry after 120s"), std::string::npos) << result.err;
  // Run again at once: the server asked for two minutes, so it is not asked again yet.
  auto again = once();
  EXPECT_EQ(columns(again.err, "busy-xml")[1], "deferred") << again.err;
  EXPECT_EQ(server_.requests("/busy.xml").size(), 1u);
  EXPECT_EQ(server_.requests("/ok.xml").size(), 2u);
}

TEST_F(OnceTest, ServerErrorsAndMissingFeedsGetTheirClassAndAOneLineError) {
  server_.route("/down.xml", 503, "maintenance");
  server_.route("/gone.xml", 410, "gone");
  server_.route("/forbidden.xml", 403, "no bots");
  write_config({"/down.xml", "/gone.xml", "/forbidden.xml", "/missing.xml"});
  auto result = once();
  EXPECT_EQ(result.exit_code, 69) << result.err;  // every feed failed
  EXPECT_NE(summary_line(result.err, "down-xml").find("transient"), std::string::npos);
  EXPECT_NE(summary_line(result.err, "gone-xml").find("gone"), std::string::npos);
  EXPECT_NE(summary_line(result.err, "forbidden-xml").find("blocked"), std::string::npos);
  EXPECT_NE(summary_line(result.err, "missing-xml").find("gone"), std::string::npos);
  EXPECT_NE(summary_line(result.err, "down-xml").find(server_.url("/down.xml")), std::string::npos)
      << "the error names the URL: " << result.err;
}

TEST_F(OnceTest, AnHtmlPageInsteadOfAFeedIsBrokenWithAClearError) {
  server_.route("/page.xml", 200, "<!DOCTYPE html><html><body>Login</body></html>",
                {{"Content-Type", "text/html"}});
  write_config({"/page.xml"});
  auto result = once();
  const std::string line = summary_line(result.err, "page-xml");
  EXPECT_NE(line.find("broken"), std::string::npos) << result.err;
  EXPECT_NE(line.find("an HTML page, not a feed"), std::string::npos) << result.err;
  EXPECT_TRUE(records().empty());
}

TEST_F(OnceTest, PermanentRedirectSeenTwiceMovesTheFeedTemporaryNever) {
  server_.route("/old.xml", 301, "", {{"Location", "/new.xml"}});
  server_.route("/new.xml", 200, rss({{"f1", "One"}}));
  server_.route("/temp.xml", 302, "", {{"Location", "/new2.xml"}});
  server_.route("/new2.xml", 200, rss({{"g1", "One"}}));
  write_config({"/old.xml", "/temp.xml"});
  for (int run = 0; run < 3; ++run) ASSERT_EQ(once().exit_code, 0);
  // Runs 1 and 2 saw the 301; run 3 went straight to the new URL.
  EXPECT_EQ(server_.requests("/old.xml").size(), 2u);
  EXPECT_EQ(server_.requests("/new.xml").size(), 3u);
  EXPECT_EQ(server_.requests("/temp.xml").size(), 3u);
  EXPECT_EQ(records().size(), 2u);
}

TEST_F(OnceTest, RedirectLoopsAndRedirectsToFilesAreRefused) {
  server_.route("/loop-a.xml", 301, "", {{"Location", "/loop-b.xml"}});
  server_.route("/loop-b.xml", 301, "", {{"Location", "/loop-a.xml"}});
  server_.route("/to-file.xml", 302, "", {{"Location", "file:///etc/passwd"}});
  write_config({"/loop-a.xml", "/to-file.xml"});
  auto result = once();
  EXPECT_NE(summary_line(result.err, "loop-a-xml").find("broken"), std::string::npos) << result.err;
  EXPECT_NE(summary_line(result.err, "to-file-xml").find("broken"), std::string::npos)
      << result.err;
  EXPECT_LE(server_.requests("/loop-a.xml").size(), 3u);
  EXPECT_TRUE(records().empty());
}

TEST_F(OnceTest, GzipIsDecodedAndBombsAndOversizedBodiesAreCut) {
  const std::string feed = rss({{"h1", "Compressed"}});
  server_.route("/gz.xml", 200, test_support::gzip_compress(feed), {{"Content-Encoding", "gzip"}});
  server_.route("/bomb.xml", 200, test_support::gzip_compress(std::string(50u << 20, ' ')),
                {{"Content-Encoding", "gzip"}});
  server_.route("/huge.xml", 200, std::string(200 * 1024, 'x'));
  write_config({"/gz.xml", "/bomb.xml", "/huge.xml"});
  auto result = once();
  EXPECT_NE(summary_line(result.err, "gz-xml").find("changed"), std::string::npos) << result.err;
  EXPECT_NE(summary_line(result.err, "bomb-xml").find("broken"), std::string::npos) << result.err;
  EXPECT_NE(summary_line(result.err, "huge-xml").find("broken"), std::string::npos) << result.err;
  EXPECT_EQ(server_.requests("/gz.xml")[0].header("Accept-Encoding").has_value(), true);
  ASSERT_EQ(records().size(), 1u);
  EXPECT_EQ(records()[0]["title"], "Compressed");
}

TEST_F(OnceTest, SlowDripsAndResetConnectionsAreTransient) {
  ScriptedResponse drip(200, {}, rss({{"i1", "Slow"}}));
  drip.drip_interval = std::chrono::milliseconds{400};
  server_.route("/drip.xml", [drip](const ReceivedRequest&) { return drip; });
  ScriptedResponse reset;
  reset.reset = true;
  server_.route("/reset.xml", [reset](const ReceivedRequest&) { return reset; });
  write_config({"/drip.xml", "/reset.xml"}, "  low_speed_limit: 100\n  low_speed_time: 1s\n");
  auto result = once();
  EXPECT_NE(summary_line(result.err, "drip-xml").find("transient"), std::string::npos)
      << result.err;
  EXPECT_NE(summary_line(result.err, "reset-xml").find("transient"), std::string::npos)
      << result.err;
}

TEST_F(OnceTest, ASecondInstanceIsRefusedWhileTheFirstHoldsTheLock) {
  server_.route("/slow.xml", [](const ReceivedRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds{1500});
    return ScriptedResponse(200, {}, rss({{"j1", "One"}}));
  });
  write_config({"/slow.xml"});
  test_support::ChildProcess first({WIREWATCH_BINARY, "once", "--config", config_path()});
  std::this_thread::sleep_for(std::chrono::milliseconds{500});
  auto second = once();
  EXPECT_EQ(second.exit_code, 75) << second.err;
  EXPECT_NE(second.err.find("another wirewatch is running"), std::string::npos) << second.err;
  ASSERT_TRUE(first.wait(std::chrono::seconds{30}));
  EXPECT_EQ(records().size(), 1u);
}

// `timezone` on a feed: its dates written without a zone are local times there.
TEST_F(OnceTest, AFeedsTimezoneAppliesToItsZonelessDates) {
  server_.route("/local.xml", 200,
                "<rss version=\"2.0\"><channel><title>Local</title>"
                "<item><guid>z1</guid><title>Zoneless</title>"
                "<pubDate>Thu, 09 Nov 2023 10:00:00</pubDate></item>"
                "<item><guid>z2</guid><title>Zoned</title>"
                "<pubDate>Thu, 09 Nov 2023 10:00:00 GMT</pubDate></item>"
                "</channel></rss>");
  write_config({"/local.xml"}, {}, "    timezone: \"-05:00\"\n");
  auto run = once();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto stored = records();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0]["published"], "2023-11-09T15:00:00Z");
  EXPECT_EQ(stored[1]["published"], "2023-11-09T10:00:00Z");
}

}  // namespace
}  // namespace wirewatch::testing

namespace wirewatch::testing {
namespace {

TEST_F(OnceTest, StatusShowsEachFeedsHealthAndTheSinksPosition) {
  server_.route("/good.xml", 200, rss({{"k1", "One"}, {"k2", "Two"}}));
  server_.route("/bad.xml", 503, "down");
  write_config({"/good.xml", "/bad.xml"});
  ASSERT_EQ(once().exit_code, 0);
  auto status =
      test_support::run_process({WIREWATCH_BINARY, "status", "--config", config_path(), "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto report = nlohmann::json::parse(status.out);
  EXPECT_EQ(report["last_seq"], 2);
  ASSERT_EQ(report["feeds"].size(), 2u);
  EXPECT_EQ(report["feeds"][0]["health"], "ok");
  EXPECT_EQ(report["feeds"][0]["http_status"], 200);
  EXPECT_EQ(report["feeds"][1]["health"], "failing");
  EXPECT_EQ(report["feeds"][1]["failures"], 1);
  EXPECT_NE(report["feeds"][1]["error"].get<std::string>().find("503"), std::string::npos);
  ASSERT_EQ(report["sinks"].size(), 1u);
  EXPECT_EQ(report["sinks"][0]["cursor"], 2);
  EXPECT_EQ(report["sinks"][0]["behind"], 0);
}

TEST_F(OnceTest, StatusBeforeAnyRunSaysSo) {
  write_config({"/nothing.xml"});
  auto status = test_support::run_process({WIREWATCH_BINARY, "status", "--config", config_path()});
  EXPECT_EQ(status.exit_code, 66);
  EXPECT_NE(status.err.find("no store here yet"), std::string::npos) << status.err;
}

// More records than the engine holds back for the store at once (its commits run on a thread
// of their own, and polls wait while records queue for it): every feed is still polled and
// every record stored exactly once, in seq order.
TEST_F(OnceTest, ManyFeedsWithManyEntriesAreAllPolledAndStoredOnce) {
  std::vector<std::string> paths;
  for (int feed = 0; feed < 40; ++feed) {
    std::vector<std::pair<std::string, std::string>> items;
    for (int item = 0; item < 120; ++item) {
      const std::string guid = "f" + std::to_string(feed) + "-" + std::to_string(item);
      items.emplace_back(guid, "Story " + guid);
    }
    const std::string path = "/many" + std::to_string(feed) + ".xml";
    server_.route(path, 200, rss(items));
    paths.push_back(path);
  }
  write_config(paths, "  max_concurrency: 8\n  per_host_concurrency: 8\n");
  auto run = once();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("40 feeds: 4800 new, 0 updated"), std::string::npos) << run.err;
  const auto stored = records();
  ASSERT_EQ(stored.size(), 4800u);
  std::set<std::string> guids;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(stored[i]["seq"], static_cast<std::int64_t>(i + 1));
    guids.insert(stored[i]["guid"].get<std::string>());
  }
  EXPECT_EQ(guids.size(), 4800u);
  for (const auto& path : paths) EXPECT_EQ(server_.requests(path).size(), 1u) << path;
  // Batches were delivered while the next ones committed; the sink's cursor, saved behind
  // them, still ends at the head before `once` exits.
  auto status =
      test_support::run_process({WIREWATCH_BINARY, "status", "--config", config_path(), "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto report = nlohmann::json::parse(status.out);
  EXPECT_EQ(report["last_seq"], 4800);
  ASSERT_EQ(report["sinks"].size(), 1u);
  EXPECT_EQ(report["sinks"][0]["cursor"], 4800);
  EXPECT_EQ(report["sinks"][0]["behind"], 0);
}

}  // namespace
}  // namespace wirewatch::testing
