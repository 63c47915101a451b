// The engine: the one place that knows every stage. It owns the store, the fetcher, the
// worker pool and the sinks, and runs polls through them: fetch (io thread) → parse, normalize,
// classify (worker pool) → store (io thread, one transaction per batch) → sinks.
// Used by `wirewatch once` (every feed once) and `wirewatch run` (the scheduler).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "fetch/fetcher.hpp"
#include "pipeline/metrics.hpp"
#include "pipeline/process.hpp"
#include "pipeline/sink_set.hpp"
#include "store/store.hpp"

namespace wirewatch::pipeline {

/// The classifier as the engine uses it: a function and the labels it can give.
struct ClassifierHandle {
  ClassifyFunction classify;
  std::vector<std::string> labels;
};

/// How one feed's poll went, for `wirewatch once` and `status`.
struct PollSummary {
  std::string feed_id;
  std::string poll_class;  // scheduler::to_string(PollClass)
  long http_status = 0;
  std::size_t entries = 0;
  std::size_t new_records = 0;
  std::size_t updated = 0;
  std::size_t flagged = 0;
  std::string message;  // the error or warning, one line
  std::string next;     // when the next poll is due and why
};

/// Polls feeds through every stage.
class Engine {
 public:
  Engine(boost::asio::io_context& io, config::Config config, ClassifierHandle classifier);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Opens the store (taking the state_dir lock), loads feed states and opens the sinks.
  /// Returns every problem, one line each; empty on success.
  std::vector<std::string> open();

  /// Polls every enabled feed now, commits, delivers, and returns one summary per feed in
  /// config order. Runs the io_context until done.
  std::vector<PollSummary> poll_all_once();

  /// Starts polling feeds when they are due, until stop(). The caller runs the io_context.
  void start();

  /// Stops scheduling; waits up to grace for polls in flight (then cancels them), commits,
  /// flushes the sinks and calls done on the io thread.
  void stop(std::chrono::milliseconds grace, std::function<void()> done);

  /// Applies a new, already validated config and classifier, keeping every feed's state.
  /// Returns one line per problem (an invalid sink keeps the old one running).
  std::vector<std::string> reload(config::Config config, ClassifierHandle classifier);

  /// Uses a listening socket inherited from systemd for the first socket sink (before open).
  void set_inherited_socket(int fd) { inherited_socket_ = fd; }
  /// Counts a SIGHUP whose config was rejected (metrics).
  void count_failed_reload() { ++metrics_.reload_failures; }
  std::size_t feed_count() const { return feeds_.size(); }
  const std::filesystem::path& state_dir() const { return config_.state_dir; }

  /// The current counters, with the feeds-by-health gauge counted now (io thread only).
  Metrics metrics() const;
  /// The store (io thread only), for status and tests.
  store::Store& store() { return *store_; }

 private:
  struct FeedRuntime;

  void schedule_next_wakeup();
  void on_wakeup();
  void poll(FeedRuntime& feed);
  void on_fetched(const std::string& feed_id, fetch::FetchResult result);
  void on_processed(const std::string& feed_id, fetch::FetchResult result, Processed processed);
  void commit_pending();
  void on_committed(std::vector<store::FeedOutcome> batch,
                    store::Result<store::BatchResult> committed);
  /// Commits everything pending (waiting for a commit under way first), then calls done on
  /// the io thread; done also runs when a commit fails (what failed stays pending).
  void drain(std::function<void()> done);
  void run_drained();  // calls (and clears) the drain() callbacks
  void schedule_commit();
  void start_waiting();
  fetch::FetchRequest request_for(const FeedRuntime& feed) const;
  void housekeeping();
  /// Clients connected to the socket sinks now, and clients they dropped as too slow.
  struct SocketCounts {
    std::int64_t clients = 0;
    std::uint64_t dropped = 0;
  };
  SocketCounts socket_counts() const;
  /// A SinkSet whose cursors are saved on the store thread, behind the commits.
  std::unique_ptr<SinkSet> make_sink_set();
  /// Waits (on the io thread) until the store thread has run everything posted to it: the
  /// commit under way and the sink cursors queued behind it.
  void sync_store_thread();

  boost::asio::io_context& io_;
  config::Config config_;
  std::shared_ptr<const ClassifierHandle> classifier_;
  std::optional<store::Store> store_;
  std::unique_ptr<fetch::Fetcher> fetcher_;
  std::unique_ptr<SinkSet> sinks_;
  boost::asio::thread_pool workers_;
  boost::asio::thread_pool store_thread_{1};  // commit_batch, off the io thread
  std::map<std::string, std::unique_ptr<FeedRuntime>> feeds_;
  std::vector<std::string> feed_order_;                     // config order, for summaries
  std::set<std::pair<core::Timestamp, std::string>> due_;   // (next due, feed id), earliest first
  std::map<std::string, core::Timestamp> host_not_before_;  // hosts that asked us to slow down
  std::vector<store::FeedOutcome> pending_;
  std::size_t pending_records_ = 0;
  std::map<std::string, PollSummary> summaries_;
  boost::asio::steady_timer wakeup_;
  boost::asio::steady_timer commit_timer_;
  boost::asio::steady_timer housekeeping_;
  std::chrono::steady_clock::time_point next_prune_{};
  bool commit_scheduled_ = false;
  bool committing_ = false;  // a batch is on the store thread
  std::int64_t head_ = 0;    // the outbox's last seq as of the last commit that completed
  std::uint64_t socket_dropped_before_ = 0;     // by socket sinks a reload replaced (metrics)
  std::vector<std::function<void()>> drained_;  // drain() callbacks waiting
  bool running_ = false;
  bool stopping_ = false;
  std::size_t in_flight_ = 0;        // polls fetching or processing
  std::size_t max_in_flight_ = 32;   // backpressure: fetch outruns parse and classify
  std::deque<std::string> waiting_;  // due feeds waiting for a slot, in order
  std::function<void()> on_idle_;    // called when nothing is in flight (once, stop)
  std::mt19937_64 random_{std::random_device{}()};
  Metrics metrics_;
  int inherited_socket_ = -1;
};

}  // namespace wirewatch::pipeline
