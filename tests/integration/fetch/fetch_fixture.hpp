// Shared fixture for the fetcher's integration tests: a scripted server on 127.0.0.1, an
// io_context, and helpers that run fetches to completion.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "fetch/fetcher.hpp"
#include "http_test_server.hpp"

namespace wirewatch::fetch {

class FetchTest : public ::testing::Test {
 protected:
  // A request for a path on the test server with generous deadlines: tests assert outcome
  // classes, never durations, so a loaded machine must not turn a pass into a timeout.
  FetchRequest request_for(std::string_view path) const {
    FetchRequest request;
    request.feed_id = "test";
    request.url = server_.url(path);
    request.timeouts.connect = std::chrono::seconds(20);
    request.timeouts.total = std::chrono::seconds(60);
    return request;
  }

  // Runs the io_context until every given request has its result.
  std::vector<FetchResult> fetch_all(Fetcher& fetcher, std::vector<FetchRequest> requests) {
    std::vector<std::optional<FetchResult>> results(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
      fetcher.fetch(std::move(requests[i]),
                    [&results, i](FetchResult result) { results[i] = std::move(result); });
    }
    auto done = [&] {
      for (const auto& result : results)
        if (!result) return false;
      return true;
    };
    io_.restart();
    while (!done() && io_.run_one() > 0) {
    }
    std::vector<FetchResult> finished;
    for (auto& result : results) {
      EXPECT_TRUE(result.has_value()) << "a fetch never reported";
      finished.push_back(result ? std::move(*result) : FetchResult{});
    }
    return finished;
  }

  // One fetch with a fresh Fetcher.
  FetchResult fetch(FetchRequest request, FetcherLimits limits = {}) {
    Fetcher fetcher(io_, std::move(limits));
    return std::move(fetch_all(fetcher, {std::move(request)}).front());
  }

  boost::asio::io_context io_;
  test_support::HttpTestServer server_;
};

}  // namespace wirewatch::fetch
