// Content codings, body caps, timeouts, resets, concurrency caps and cancellation.
#include <gmock/gmock.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

#include "fetch_fixture.hpp"

namespace wirewatch::fetch {
namespace {

using test_support::ReceivedRequest;
using test_support::ScriptedResponse;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string sample_feed() {
  std::string feed = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>";
  for (int i = 0; i < 300; ++i) {
    feed += "<item><title>Climate envoys meet ahead of COP28, part " + std::to_string(i) +
            "</title><guid>urn:item:" + std::to_string(i) + "</guid></item>";
  }
  return feed + "</channel></rss>";
}

// Both ways of inflating (libdeflate on the buffered body, curl's streaming zlib) must agree.
class DecodingTest : public FetchTest, public ::testing::WithParamInterface<bool> {
 protected:
  FetcherLimits limits() const {
    FetcherLimits limits;
    limits.inflate_with_libdeflate = GetParam();
    return limits;
  }
};

TEST_P(DecodingTest, GzipDeflateAndBrotliBodiesArriveDecoded) {
  const auto feed = sample_feed();
  server_.route("/gzip", 200, test_support::gzip_compress(feed), {{"Content-Encoding", "gzip"}});
  server_.route("/deflate", 200, test_support::zlib_compress(feed),
                {{"Content-Encoding", "deflate"}});
  server_.route("/br", 200, test_support::brotli_compress(feed), {{"Content-Encoding", "br"}});
  for (const auto* path : {"/gzip", "/deflate", "/br"}) {
    const auto result = fetch(request_for(path), limits());
    EXPECT_EQ(result.outcome, Outcome::ok) << path << ": " << result.error;
    EXPECT_EQ(result.body, feed) << path;
  }
  const auto accepted = server_.requests("/gzip").at(0).header("Accept-Encoding").value_or("");
  EXPECT_THAT(accepted, HasSubstr("gzip"));
  EXPECT_THAT(accepted, HasSubstr("deflate"));
  EXPECT_THAT(accepted, HasSubstr("br"));
}

TEST_P(DecodingTest, GzipBombStopsAtTheCap) {
  // 64 MiB of zeros squeezes into about 64 KiB of gzip.
  static const std::string bomb = test_support::gzip_compress(std::string(64 << 20, '\0'));
  server_.route("/bomb", 200, bomb, {{"Content-Encoding", "gzip"}});
  auto request = request_for("/bomb");
  request.max_body = 1024 * 1024;
  const auto result = fetch(request, limits());
  EXPECT_EQ(result.outcome, Outcome::too_large);
  EXPECT_TRUE(result.body.empty());
  EXPECT_THAT(result.error, StartsWith(server_.url("/bomb") + ": "));
  EXPECT_THAT(result.error, HasSubstr("1048576"));
}

TEST_P(DecodingTest, CorruptGzipIsTransient) {
  using namespace std::string_literals;
  server_.route("/feed", 200, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03 not deflate data at all"s,
                {{"Content-Encoding", "gzip"}});
  const auto result = fetch(request_for("/feed"), limits());
  EXPECT_EQ(result.outcome, Outcome::transient);
  EXPECT_TRUE(result.body.empty());
  EXPECT_THAT(result.error, StartsWith(server_.url("/feed") + ": "));
}

INSTANTIATE_TEST_SUITE_P(Inflaters, DecodingTest, ::testing::Values(true, false),
                         [](const auto& param_info) {
                           return param_info.param ? "libdeflate" : "curl_zlib";
                         });

// libdeflate checks the gzip trailer (CRC-32 and length); curl 7.88's streaming inflate
// accepts a body cut off before it, which is one reason the fetcher inflates by itself.
TEST_F(FetchTest, TruncatedGzipIsTransient) {
  auto truncated = test_support::gzip_compress(sample_feed());
  truncated.resize(truncated.size() - 8);
  server_.route("/feed", 200, truncated, {{"Content-Encoding", "gzip"}});
  const auto result = fetch(request_for("/feed"));
  EXPECT_EQ(result.outcome, Outcome::transient);
  EXPECT_EQ(result.error, server_.url("/feed") + ": corrupt gzip data");
}

TEST_F(FetchTest, BodyOverTheCapIsTooLargeWithOrWithoutContentLength) {
  const std::string big(5000, 'x');
  server_.route("/sized", 200, big);
  server_.route("/chunked", [&](const ReceivedRequest&) {
    ScriptedResponse response{200, {}, big};
    response.chunked = true;
    return response;
  });
  for (const auto* path : {"/sized", "/chunked"}) {
    auto request = request_for(path);
    request.max_body = 1000;
    const auto result = fetch(request);
    EXPECT_EQ(result.outcome, Outcome::too_large) << path;
    EXPECT_TRUE(result.body.empty());
    EXPECT_EQ(result.error, server_.url(path) + ": body exceeds the 1000-byte cap");
  }
  auto exact = request_for("/sized");
  exact.max_body = 5000;
  EXPECT_EQ(fetch(exact).outcome, Outcome::ok) << "a body of exactly the cap is fine";
}

TEST_F(FetchTest, SlowDripHitsTheLowSpeedTimeout) {
  server_.route("/drip", [](const ReceivedRequest&) {
    ScriptedResponse response{200, {}, std::string(100000, 'x')};
    response.drip_interval = std::chrono::milliseconds(50);
    return response;
  });
  auto request = request_for("/drip");
  request.timeouts.low_speed_bytes_per_second = 1000;
  request.timeouts.low_speed_time = std::chrono::seconds(1);
  const auto result = fetch(request);
  EXPECT_EQ(result.outcome, Outcome::transient);
  EXPECT_THAT(result.error, StartsWith(server_.url("/drip") + ": Timeout was reached"));
}

TEST_F(FetchTest, TotalTimeoutCoversTheWholeTransfer) {
  server_.route("/drip", [](const ReceivedRequest&) {
    ScriptedResponse response{200, {}, std::string(100000, 'x')};
    response.drip_interval = std::chrono::milliseconds(10);
    return response;
  });
  auto request = request_for("/drip");
  request.timeouts.total = std::chrono::milliseconds(300);
  const auto result = fetch(request);
  EXPECT_EQ(result.outcome, Outcome::transient);
  EXPECT_THAT(result.error, StartsWith(server_.url("/drip") + ": Timeout was reached"));
}

TEST_F(FetchTest, ResetConnectionIsTransient) {
  server_.route("/reset", [](const ReceivedRequest&) {
    ScriptedResponse response;
    response.reset = true;
    return response;
  });
  const auto result = fetch(request_for("/reset"));
  EXPECT_EQ(result.outcome, Outcome::transient);
  EXPECT_EQ(result.status, 0);
  EXPECT_THAT(result.error, StartsWith(server_.url("/reset") + ": "));
  EXPECT_EQ(server_.requests("/reset").size(), 1u);
}

TEST_F(FetchTest, GarbageAndTruncatedResponsesAreTransient) {
  using namespace std::string_literals;
  server_.route("/garbage", [](const ReceivedRequest&) {
    ScriptedResponse response;
    response.raw = "\x00\xff not http at all\r\n\r\n"s;
    return response;
  });
  server_.route("/truncated", [](const ReceivedRequest&) {
    ScriptedResponse response;
    response.raw = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<rss>only a bit";
    return response;
  });
  server_.route("/headers", [](const ReceivedRequest&) {
    ScriptedResponse response;
    response.raw = "HTTP/1.1 200 OK\r\nX-Endless: " + std::string(1 << 20, 'a');
    return response;
  });
  for (const auto* path : {"/garbage", "/truncated", "/headers"}) {
    const auto result = fetch(request_for(path));
    EXPECT_EQ(result.outcome, Outcome::transient) << path << ": " << result.error;
    EXPECT_TRUE(result.body.empty()) << path;
    EXPECT_THAT(result.error, StartsWith(server_.url(path) + ": ")) << path;
  }
}

// Holds requests until `wanted` have been open at once (or a generous deadline passes), so the
// peak the server sees is the fetcher's cap, not an accident of scheduling.
test_support::Handler hold_until(const test_support::HttpTestServer& server, std::size_t wanted,
                                 std::chrono::milliseconds patience = std::chrono::seconds(10)) {
  return [&server, wanted, patience](const ReceivedRequest&) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (server.max_in_flight() < wanted && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return ScriptedResponse{200, {}, "<rss/>"};
  };
}

TEST_F(FetchTest, PerHostCapBoundsSimultaneousRequestsAndConnectionsAreReused) {
  server_.route("/feed", hold_until(server_, 2));
  FetcherLimits limits;
  limits.max_per_host = 2;
  Fetcher fetcher(io_, limits);
  std::vector<FetchRequest> requests(8, request_for("/feed"));
  const auto results = fetch_all(fetcher, requests);
  for (const auto& result : results) EXPECT_EQ(result.outcome, Outcome::ok) << result.error;
  EXPECT_EQ(server_.requests("/feed").size(), 8u);
  EXPECT_EQ(server_.max_in_flight(), 2u);
  EXPECT_LE(server_.connections(), 2u);
}

TEST_F(FetchTest, GlobalCapBoundsSimultaneousRequests) {
  // Each request is held a while, so a second one would overlap if the cap let it through.
  server_.route("/feed", hold_until(server_, 2, std::chrono::milliseconds(200)));
  FetcherLimits limits;
  limits.max_connections = 1;
  limits.max_per_host = 4;
  Fetcher fetcher(io_, limits);
  const auto results = fetch_all(fetcher, std::vector<FetchRequest>(3, request_for("/feed")));
  for (const auto& result : results) EXPECT_EQ(result.outcome, Outcome::ok);
  EXPECT_EQ(server_.max_in_flight(), 1u);
}

TEST_F(FetchTest, CancelAllReportsCancelledForRunningAndQueuedFetches) {
  server_.route("/drip", [](const ReceivedRequest&) {
    ScriptedResponse response{200, {}, std::string(1000, 'x')};
    response.drip_interval = std::chrono::milliseconds(20);
    return response;
  });
  FetcherLimits limits;
  limits.max_per_host = 1;
  Fetcher fetcher(io_, limits);
  std::vector<FetchResult> results;
  for (int i = 0; i < 3; ++i) {
    fetcher.fetch(request_for("/drip"),
                  [&](FetchResult result) { results.push_back(std::move(result)); });
  }
  EXPECT_EQ(fetcher.running(), 1u);
  EXPECT_EQ(fetcher.queued(), 2u);
  // Cancel once the server is dripping the first body, i.e. mid-transfer.
  boost::asio::steady_timer poll(io_);
  std::function<void()> wait_for_server = [&] {
    poll.expires_after(std::chrono::milliseconds(5));
    poll.async_wait([&](boost::system::error_code) {
      if (server_.in_flight() == 0) return wait_for_server();
      fetcher.cancel_all();
    });
  };
  wait_for_server();
  while (results.size() < 3 && io_.run_one() > 0) {
  }
  ASSERT_EQ(results.size(), 3u);
  for (const auto& result : results) {
    EXPECT_EQ(result.outcome, Outcome::cancelled);
    EXPECT_EQ(result.error, server_.url("/drip") + ": cancelled");
  }
  EXPECT_EQ(fetcher.running(), 0u);
  EXPECT_EQ(server_.requests("/drip").size(), 1u);
}

TEST_F(FetchTest, AsyncFetchWorksInACoroutine) {
  server_.route("/feed", 200, "<rss/>");
  Fetcher fetcher(io_);
  std::optional<FetchResult> result;
  boost::asio::co_spawn(
      io_,
      [&]() -> boost::asio::awaitable<void> {
        result = co_await fetcher.async_fetch(request_for("/feed"), boost::asio::use_awaitable);
      },
      boost::asio::detached);
  while (!result && io_.run_one() > 0) {
  }
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, Outcome::ok);
  EXPECT_EQ(result->body, "<rss/>");
}

TEST_F(FetchTest, DestroyingTheFetcherMidTransferIsSafe) {
  server_.route("/drip", [](const ReceivedRequest&) {
    ScriptedResponse response{200, {}, std::string(1000, 'x')};
    response.drip_interval = std::chrono::milliseconds(20);
    return response;
  });
  std::optional<FetchResult> result;
  std::optional<FetchResult> awaited;
  {
    Fetcher fetcher(io_);
    fetcher.fetch(request_for("/drip"), [&](FetchResult r) { result = std::move(r); });
    boost::asio::co_spawn(
        io_,
        [&]() -> boost::asio::awaitable<void> {
          awaited = co_await fetcher.async_fetch(request_for("/drip"), boost::asio::use_awaitable);
        },
        boost::asio::detached);
    while (server_.in_flight() < 2) io_.run_one_for(std::chrono::milliseconds(5));
  }
  io_.restart();
  while ((!result || !awaited) && io_.run_one() > 0) {
  }
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, Outcome::cancelled);
  ASSERT_TRUE(awaited);
  EXPECT_EQ(awaited->outcome, Outcome::cancelled);
}

}  // namespace
}  // namespace wirewatch::fetch
