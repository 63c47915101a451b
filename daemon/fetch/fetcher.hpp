// The fetch stage: FetchRequest → FetchResult over HTTP(S), many at once, on one io_context.
// Conditional GETs, redirects followed by hand (each hop recorded), global and per-host
// concurrency caps with a queue behind them, body caps, timeouts, results as values.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "fetch/fetch_types.hpp"

namespace wirewatch::fetch {

/// Limits shared by every fetch of one Fetcher.
struct FetcherLimits {
  std::size_t max_connections = 32;  // transfers in flight at once, all hosts together
  std::size_t max_per_host = 2;      // transfers in flight per host name
  std::string user_agent =
      "wirewatch/0.1 (RSS/Atom/JSON Feed poller; +https://github.com/wirewatch/wirewatch)";
  /// Inflate gzip/deflate with libdeflate on the buffered body (the measured faster way) rather
  /// than letting curl inflate with zlib while streaming; see docs/performance.md.
  bool inflate_with_libdeflate = true;
  /// PEM file of the certificate authorities to verify https servers against; empty: curl's
  /// default (the system's bundle).
  std::string ca_file;
};

/// Runs fetches on an io_context. Every member must be called on the io_context's thread
/// (or before it runs); results are delivered there too, never from inside fetch().
class Fetcher {
 public:
  /// Receives the result of one fetch, exactly once.
  using Callback = std::function<void(FetchResult)>;

  /// Sets up curl (its global init on first use); throws std::runtime_error if it cannot.
  Fetcher(boost::asio::io_context& io, FetcherLimits limits = {});
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;
  /// Cancels whatever is still queued or running (their callbacks get Outcome::cancelled).
  ~Fetcher();

  /// Starts a fetch now, or queues it while its host or the whole fetcher is at its cap.
  void fetch(FetchRequest request, Callback callback);

  /// fetch() as an asio operation: `co_await fetcher.async_fetch(request, use_awaitable)`.
  template <typename CompletionToken>
  auto async_fetch(FetchRequest request, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(FetchResult)>(
        [this](auto handler, FetchRequest initiated) {
          using Handler = decltype(handler);
          auto shared = std::make_shared<Handler>(std::move(handler));
          // The result may arrive after this Fetcher is gone (cancel_all in the destructor),
          // so the continuation holds the io_context, never `this`.
          auto* io = &io_;
          fetch(std::move(initiated), [io, shared](FetchResult result) {
            auto executor = boost::asio::get_associated_executor(*shared, io->get_executor());
            boost::asio::dispatch(executor, [shared, result = std::move(result)]() mutable {
              (*shared)(std::move(result));
            });
          });
        },
        token, std::move(request));
  }

  /// Stops every queued and running fetch; each callback gets Outcome::cancelled. For
  /// shutdown: stop calling fetch(), wait for callbacks to finish, or call this to cut short.
  void cancel_all();

  /// Fetches currently transferring.
  std::size_t running() const;

  /// Fetches waiting for a slot.
  std::size_t queued() const;

 private:
  class Impl;
  boost::asio::io_context& io_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wirewatch::fetch
