#include "pipeline/engine.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <set>
#include <thread>

#include "core/time.hpp"
#include "sinks/socket/socket_sink.hpp"

namespace wirewatch::pipeline {
namespace {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::seconds;

core::Timestamp now_utc() {
  return std::chrono::floor<seconds>(std::chrono::system_clock::now());
}

/// The host of a URL, for per-host politeness ("" when it has none).
std::string host_of(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle{curl_url(), &curl_url_cleanup};
  char* host = nullptr;
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
      curl_url_get(handle.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK) {
    return {};
  }
  std::string out(host);
  curl_free(host);
  return out;
}

scheduler::Cadence cadence_of(const config::FeedConfig& feed) {
  return {duration_cast<seconds>(feed.interval), duration_cast<seconds>(feed.min_interval),
          duration_cast<seconds>(feed.max_interval)};
}

/// How many consecutive polls must see the same permanent redirect before the URL changes.
constexpr int kRedirectConfirmations = 2;
/// Results committed together: at most this many feeds, or whatever arrived within kCommitDelay…
/// (a feed's state is small; each commit is an fsync, so a cycle of 304s wants few of them)
constexpr std::size_t kCommitBatch = 512;
/// …or as soon as this many records wait, so a batch's memory stays small.
constexpr std::size_t kCommitRecords = 1024;
/// No poll starts while this many records wait for the store (one batch is being committed).
constexpr std::size_t kMaxPendingRecords = kCommitRecords;
constexpr std::chrono::milliseconds kCommitDelay{200};
/// Interval-fsync sinks are flushed this often; the outbox and seen entries pruned less often.
constexpr std::chrono::seconds kHousekeepingEvery{1};
constexpr std::chrono::minutes kPruneEvery{10};

/// The config's URL wins unless the stored one came from a permanent redirect of it; a config
/// URL that changed since the state was stored makes the old validators meaningless.
void adopt_config_url(store::FeedState& state, const config::FeedConfig& feed) {
  if (!state.url.empty() && state.config_url == feed.url) return;
  if (!state.config_url.empty() && state.config_url != feed.url) {
    state.etag.clear();
    state.last_modified.clear();
    state.body_hash.clear();
  }
  state.url = feed.url;
  state.config_url = feed.url;
}

}  // namespace

struct Engine::FeedRuntime {
  config::FeedConfig config;
  store::FeedState state;
  bool in_flight = false;
  bool waiting = false;                      // due, waiting for a poll slot
  std::optional<core::Timestamp> queued_at;  // the key in due_, when queued
};

Engine::Engine(asio::io_context& io, config::Config config, ClassifierHandle classifier)
    : io_(io),
      config_(std::move(config)),
      classifier_(std::make_shared<const ClassifierHandle>(std::move(classifier))),
      workers_(std::max(1u, std::thread::hardware_concurrency())),
      wakeup_(io),
      commit_timer_(io),
      housekeeping_(io),
      max_in_flight_(std::max<std::size_t>(config_.defaults.max_concurrency, 1) +
                     2 * std::max(1u, std::thread::hardware_concurrency())) {}

Engine::~Engine() {
  workers_.join();
  store_thread_.join();  // a commit under way finishes (its result is durable; sinks resume)
}

std::vector<std::string> Engine::open() {
  std::vector<std::string> problems;
  auto opened = store::Store::open(config_.state_dir);
  if (!opened) return {opened.error().message};
  store_.emplace(std::move(*opened));
  auto states = store_->load_feed_states();
  if (!states) return {states.error().message};
  std::map<std::string, store::FeedState> by_id;
  for (auto& state : *states) by_id.emplace(state.feed_id, std::move(state));
  for (const auto& feed : config_.feeds) {
    auto runtime = std::make_unique<FeedRuntime>();
    runtime->config = feed;
    if (auto it = by_id.find(feed.id); it != by_id.end()) {
      runtime->state = std::move(it->second);
    } else {
      runtime->state.feed_id = feed.id;
      runtime->state.health = "ok";
    }
    adopt_config_url(runtime->state, feed);
    feed_order_.push_back(feed.id);
    feeds_.emplace(feed.id, std::move(runtime));
  }
  fetch::FetcherLimits limits;
  limits.max_connections = config_.defaults.max_concurrency;
  limits.max_per_host = config_.defaults.per_host_concurrency;
  limits.user_agent = config_.defaults.user_agent;
  limits.ca_file = config_.defaults.ca_file.string();
  fetcher_ = std::make_unique<fetch::Fetcher>(io_, limits);
  head_ = store_->last_seq();
  sinks_ = make_sink_set();
  for (auto& problem : sinks_->open(config_.sinks, classifier_->labels)) {
    problems.push_back(std::move(problem));
  }
  metrics_.last_seq = head_;
  return problems;
}

std::unique_ptr<SinkSet> Engine::make_sink_set() {
  // Delivery runs on the io thread while the store thread may be committing the next batch
  // (on_committed), so a cursor is not written from here, which would wait for that commit
  // and its fsync: it is queued behind it. The store thread runs its jobs in order, so a
  // cursor is saved after the records it points at and never ahead of what the sink made
  // durable; after a crash it may lag by one batch, which the sinks already handle (the
  // directory sink reads how far its files go, see docs/sinks.md).
  auto write_cursor = [this](const std::string& name, std::int64_t seq) {
    asio::post(store_thread_, [this, name, seq] {
      if (auto status = store_->advance_sink_cursor(name, seq); !status) {
        spdlog::error("Sink cursor not saved. sink={} error=\"{}\"", name, status.error().message);
      }
    });
  };
  return std::make_unique<SinkSet>(io_, *store_, inherited_socket_, std::move(write_cursor));
}

void Engine::sync_store_thread() {
  std::promise<void> reached;
  auto future = reached.get_future();
  asio::post(store_thread_, [&reached] { reached.set_value(); });
  future.wait();
}

fetch::FetchRequest Engine::request_for(const FeedRuntime& feed) const {
  fetch::FetchRequest request;
  request.feed_id = feed.config.id;
  request.url = feed.state.url;
  request.etag = feed.state.etag;
  request.last_modified = feed.state.last_modified;
  request.headers = feed.config.headers;
  request.allow_file = feed.config.allow_file;
  request.max_body = config_.defaults.max_body;
  request.timeouts.connect =
      duration_cast<std::chrono::milliseconds>(config_.defaults.connect_timeout);
  request.timeouts.total = duration_cast<std::chrono::milliseconds>(config_.defaults.timeout);
  request.timeouts.low_speed_bytes_per_second = static_cast<long>(config_.defaults.low_speed_limit);
  request.timeouts.low_speed_time = duration_cast<seconds>(config_.defaults.low_speed_time);
  return request;
}

void Engine::poll(FeedRuntime& feed) {
  if (feed.in_flight) return;
  // Backpressure: a poll holds its body from fetch until its records are committed, so only
  // so many may be under way, and no new one starts while records wait for the store thread;
  // the rest wait their turn (fetching outruns parsing, parsing can outrun the commits).
  if (in_flight_ >= max_in_flight_ || pending_records_ >= kMaxPendingRecords) {
    if (!feed.waiting) {
      feed.waiting = true;
      waiting_.push_back(feed.config.id);
    }
    return;
  }
  feed.waiting = false;
  feed.in_flight = true;
  ++in_flight_;
  fetcher_->fetch(request_for(feed), [this, id = feed.config.id](fetch::FetchResult result) {
    on_fetched(id, std::move(result));
  });
}

void Engine::on_fetched(const std::string& feed_id, fetch::FetchResult result) {
  auto it = feeds_.find(feed_id);
  metrics_.fetched_bytes += result.body.size();
  const FeedIdentity identity{feed_id, it != feeds_.end() ? it->second->state.url : result.url,
                              it != feeds_.end() ? it->second->config.timezone_minutes : 0};
  const std::string previous_hash = it != feeds_.end() ? it->second->state.body_hash : "";
  asio::post(workers_, [this, identity, previous_hash, classifier = classifier_,
                        result = std::move(result)]() mutable {
    Processed processed =
        process_fetch(identity, result, previous_hash, now_utc(), classifier->classify);
    result.body.clear();
    result.body.shrink_to_fit();
    asio::post(io_, [this, id = identity.id, result = std::move(result),
                     processed = std::move(processed)]() mutable {
      on_processed(id, std::move(result), std::move(processed));
    });
  });
}

void Engine::on_processed(const std::string& feed_id, fetch::FetchResult result,
                          Processed processed) {
  --in_flight_;
  auto it = feeds_.find(feed_id);
  if (it != feeds_.end()) {
    FeedRuntime& feed = *it->second;
    feed.in_flight = false;
    if (result.outcome != fetch::Outcome::cancelled) {
      const core::Timestamp now = now_utc();
      std::uniform_real_distribution<double> uniform(0.0, 1.0);
      const scheduler::Decision decision = scheduler::next_poll(
          cadence_of(feed.config), feed.state.failures, processed.outcome, now, uniform(random_));
      store::FeedState& state = feed.state;
      const auto poll_class = processed.outcome.poll_class;
      const bool succeeded = result.succeeded() && poll_class != scheduler::PollClass::broken;
      if (result.outcome == fetch::Outcome::ok) {
        state.etag = result.etag;
        state.last_modified = result.last_modified;
        if (!processed.body_hash.empty() || poll_class == scheduler::PollClass::broken) {
          state.body_hash = processed.body_hash;
        }
      }
      if (!processed.feed_title.empty()) state.title = processed.feed_title;
      state.last_status = static_cast<int>(result.status);
      state.health = scheduler::to_string(decision.health);
      state.error_class = succeeded ? "" : scheduler::to_string(poll_class);
      state.error_message = processed.message;
      state.failures = decision.consecutive_failures;
      state.next_due = decision.next_due;
      state.last_attempt = now;
      if (succeeded) state.last_success = now;
      const bool parsed = poll_class == scheduler::PollClass::changed;
      if (parsed) state.last_document = now;
      if (poll_class == scheduler::PollClass::rate_limited) {
        host_not_before_[host_of(state.url)] = decision.next_due;
      }
      // A permanent redirect seen on consecutive polls moves the feed; a temporary one never.
      if (result.permanent_redirect && succeeded && !result.final_url.empty()) {
        state.redirect_seen = state.redirect_url == result.final_url ? state.redirect_seen + 1 : 1;
        state.redirect_url = result.final_url;
        if (state.redirect_seen >= kRedirectConfirmations) {
          spdlog::info("Feed moved permanently. feed={} from={} to={}", feed_id, state.url,
                       result.final_url);
          state.url = result.final_url;
          state.redirect_seen = 0;
          state.redirect_url.clear();
        }
      } else if (!result.permanent_redirect) {
        state.redirect_seen = 0;
        state.redirect_url.clear();
      }
      ++metrics_.polls[scheduler::to_string(poll_class)];
      PollSummary& summary = summaries_[feed_id];
      summary = PollSummary{};
      summary.feed_id = feed_id;
      summary.poll_class = scheduler::to_string(poll_class);
      summary.http_status = result.status;
      summary.entries = processed.entries;
      summary.message = processed.message;
      summary.next = core::format_rfc3339(decision.next_due) + " (" + decision.reason + ")";
      if (!succeeded) {
        spdlog::warn("Poll failed. feed={} class={} failures={} next=\"{}\" error=\"{}\"", feed_id,
                     summary.poll_class, state.failures, decision.reason, processed.message);
      }
      pending_records_ += processed.records.size();
      pending_.push_back(store::FeedOutcome{state, parsed, std::move(processed.records)});
      if (running_ && !stopping_) {
        feed.queued_at = state.next_due;
        due_.emplace(*state.next_due, feed_id);
      }
    }
  }
  // Results are committed in batches in both modes, so memory stays bounded however many
  // feeds a `once` polls.
  schedule_commit();
  start_waiting();
  if (running_) schedule_next_wakeup();
  if (in_flight_ == 0 && waiting_.empty() && on_idle_) {  // held-back polls still to run
    auto idle = std::move(on_idle_);
    on_idle_ = nullptr;
    idle();
  }
}

void Engine::start_waiting() {
  while (in_flight_ < max_in_flight_ && pending_records_ < kMaxPendingRecords &&
         !waiting_.empty() && !stopping_) {
    const std::string next = std::move(waiting_.front());
    waiting_.pop_front();
    if (auto waiting = feeds_.find(next); waiting != feeds_.end() && waiting->second->waiting) {
      poll(*waiting->second);
    }
  }
}

void Engine::schedule_commit() {
  if (pending_.size() >= kCommitBatch || pending_records_ >= kCommitRecords) {
    commit_pending();
    return;
  }
  if (commit_scheduled_ || pending_.empty()) return;
  commit_scheduled_ = true;
  commit_timer_.expires_after(kCommitDelay);
  commit_timer_.async_wait([this](boost::system::error_code error) {
    commit_scheduled_ = false;
    if (!error) commit_pending();
  });
}

void Engine::commit_pending() {
  if (committing_ || pending_.empty() || !store_) return;
  // The batch goes to the store thread; the io thread keeps fetching and dispatching. One
  // batch at a time, so seqs and sink deliveries stay in commit order.
  committing_ = true;
  auto batch = std::make_shared<std::vector<store::FeedOutcome>>(std::move(pending_));
  pending_.clear();
  pending_records_ = 0;
  asio::post(store_thread_, [this, batch, now = now_utc()] {
    auto committed = store_->commit_batch(*batch, now);
    asio::post(io_, [this, batch, committed = std::move(committed)]() mutable {
      on_committed(std::move(*batch), std::move(committed));
    });
  });
}

void Engine::on_committed(std::vector<store::FeedOutcome> batch,
                          store::Result<store::BatchResult> committed) {
  committing_ = false;
  if (!committed) {
    // Nothing of the batch was stored: keep it, ahead of what arrived since, and try again
    // with the next commit.
    spdlog::error("Store commit failed; will retry. feeds={} error=\"{}\"", batch.size(),
                  committed.error().message);
    for (auto& outcome : pending_) batch.push_back(std::move(outcome));
    pending_ = std::move(batch);
    pending_records_ = 0;
    for (const auto& outcome : pending_) pending_records_ += outcome.records.size();
  } else {
    ++metrics_.store_commits;
    for (const auto& entry : committed->emitted) {
      ++metrics_.records[core::to_string(entry.event)];
      for (const auto& label : entry.labels) ++metrics_.flagged[label];
      auto summary = summaries_.find(entry.feed_id);
      if (summary == summaries_.end()) continue;
      if (entry.event == core::Event::update) {
        ++summary->second.updated;
      } else {
        ++summary->second.new_records;
      }
      if (!entry.labels.empty()) ++summary->second.flagged;
    }
    if (!committed->emitted.empty()) head_ = committed->emitted.back().seq;
    metrics_.last_seq = head_;
    std::vector<sinks::OutboxRecord> fresh;
    fresh.reserve(committed->emitted.size());
    for (auto& entry : committed->emitted) {
      fresh.push_back({entry.seq, std::move(entry.labels), std::move(entry.json)});
    }
    // The next batch goes to the store thread first, so the sinks are written (and fsynced)
    // while it commits instead of between two commits.
    if (drained_.empty()) {
      schedule_commit();
    } else if (!pending_.empty()) {
      commit_pending();  // draining: the rest now
    }
    if (sinks_) {
      sinks_->deliver(fresh, head_);
      for (const auto& slot : sinks_->slots()) {
        metrics_.sink_cursor[slot.name] = slot.durable_through;
      }
    }
    if (!drained_.empty()) {
      if (!committing_) run_drained();
      return;
    }
    start_waiting();  // polls held back while records waited for the store
    return;
  }
  // The commit failed.
  if (!drained_.empty()) {
    run_drained();
    return;
  }
  // Retry after the usual delay, not at once: a store that fails (disk full) would spin.
  if (!commit_scheduled_) {
    commit_scheduled_ = true;
    commit_timer_.expires_after(kCommitDelay);
    commit_timer_.async_wait([this](boost::system::error_code error) {
      commit_scheduled_ = false;
      if (!error) commit_pending();
    });
  }
}

void Engine::drain(std::function<void()> done) {
  drained_.push_back(std::move(done));
  if (committing_) return;  // on_committed goes on
  if (!pending_.empty() && store_) {
    commit_pending();
    return;
  }
  run_drained();
}

void Engine::run_drained() {
  auto callbacks = std::move(drained_);
  drained_.clear();
  for (auto& callback : callbacks) callback();
}

Metrics Engine::metrics() const {
  // Counted when asked rather than after every commit: a walk over every feed per commit cost
  // ~1.5% of a 10,000-feed first cycle.
  Metrics snapshot = metrics_;
  snapshot.feeds_by_health.clear();
  for (const auto& [id, feed] : feeds_) ++snapshot.feeds_by_health[feed->state.health];
  const SocketCounts sockets = socket_counts();
  snapshot.socket_clients = sockets.clients;
  snapshot.socket_dropped = socket_dropped_before_ + sockets.dropped;
  return snapshot;
}

Engine::SocketCounts Engine::socket_counts() const {
  SocketCounts counts;
  if (!sinks_) return counts;
  for (const auto& slot : sinks_->slots()) {
    if (const auto* socket = dynamic_cast<const sinks::SocketSink*>(slot.sink.get())) {
      counts.clients += static_cast<std::int64_t>(socket->client_count());
      counts.dropped += socket->dropped_clients();
    }
  }
  return counts;
}

std::vector<PollSummary> Engine::poll_all_once() {
  auto guard = asio::make_work_guard(io_);
  bool done = false;
  on_idle_ = [&] {
    commit_timer_.cancel();
    drain([&] {
      sinks_->flush();
      sync_store_thread();  // the cursors that flush queued are saved when this returns
      done = true;
      guard.reset();
    });
  };
  std::size_t started = 0;
  const core::Timestamp now = now_utc();
  for (const auto& id : feed_order_) {
    FeedRuntime& feed = *feeds_.at(id);
    if (!feed.config.enabled) continue;
    // A server that asked us to wait (429/503 Retry-After) is not asked again early, even by
    // a user running `once` by hand.
    if (feed.state.health == "rate_limited" && feed.state.next_due && *feed.state.next_due > now) {
      PollSummary& summary = summaries_[id];
      summary.feed_id = id;
      summary.poll_class = "deferred";
      summary.message = "rate limited by the server until " +
                        core::format_rfc3339(*feed.state.next_due) + "; not polled";
      continue;
    }
    poll(feed);
    ++started;
  }
  if (started == 0) on_idle_();
  while (!done) {
    io_.run();
    io_.restart();
  }
  std::vector<PollSummary> out;
  for (const auto& id : feed_order_) {
    if (auto it = summaries_.find(id); it != summaries_.end()) out.push_back(it->second);
  }
  return out;
}

void Engine::housekeeping() {
  if (!running_ || stopping_) return;
  sinks_->flush();  // interval-fsync sinks: make their writes durable, move their cursors
  for (const auto& slot : sinks_->slots()) metrics_.sink_cursor[slot.name] = slot.durable_through;
  const auto now = std::chrono::steady_clock::now();
  if (now >= next_prune_) {
    next_prune_ = now + kPruneEvery;
    store::RetentionPolicy policy;
    policy.outbox_retention = duration_cast<seconds>(config_.store.outbox_retention);
    policy.seen_retention = duration_cast<seconds>(config_.store.seen_retention);
    if (auto pruned = store_->prune(policy, now_utc()); !pruned) {
      spdlog::error("Prune failed. error=\"{}\"", pruned.error().message);
    } else if (pruned->outbox_records > 0 || pruned->seen_entries > 0) {
      spdlog::info("Pruned. outbox_records={} seen_entries={}", pruned->outbox_records,
                   pruned->seen_entries);
    }
  }
  housekeeping_.expires_after(kHousekeepingEvery);
  housekeeping_.async_wait([this](boost::system::error_code error) {
    if (!error) housekeeping();
  });
}

void Engine::start() {
  running_ = true;
  housekeeping();
  const core::Timestamp now = now_utc();
  std::uniform_int_distribution<int> spread(0, 29);
  for (const auto& id : feed_order_) {
    FeedRuntime& feed = *feeds_.at(id);
    if (!feed.config.enabled) continue;
    // Stored deadlines survive restarts, so a restart is not a burst; new feeds spread out.
    core::Timestamp due = feed.state.next_due.value_or(
        now + std::min(seconds{spread(random_)}, duration_cast<seconds>(feed.config.interval)));
    feed.queued_at = due;
    due_.emplace(due, id);
  }
  schedule_next_wakeup();
}

void Engine::schedule_next_wakeup() {
  if (!running_ || stopping_ || due_.empty()) return;
  const auto delay = due_.begin()->first - now_utc();
  wakeup_.expires_after(std::max(std::chrono::steady_clock::duration::zero(),
                                 duration_cast<std::chrono::steady_clock::duration>(delay)));
  wakeup_.async_wait([this](boost::system::error_code error) {
    if (!error) on_wakeup();
  });
}

void Engine::on_wakeup() {
  const core::Timestamp now = now_utc();
  while (!due_.empty() && due_.begin()->first <= now && !stopping_) {
    const auto [due, id] = *due_.begin();
    due_.erase(due_.begin());
    auto it = feeds_.find(id);
    if (it == feeds_.end() || it->second->queued_at != due) continue;  // stale entry
    FeedRuntime& feed = *it->second;
    feed.queued_at.reset();
    if (!feed.config.enabled) continue;
    const auto host = host_not_before_.find(host_of(feed.state.url));
    if (host != host_not_before_.end() && host->second > now) {
      feed.queued_at = host->second;  // the host asked everyone to slow down
      due_.emplace(host->second, id);
      continue;
    }
    poll(feed);
  }
  schedule_next_wakeup();
}

void Engine::stop(std::chrono::milliseconds grace, std::function<void()> done) {
  stopping_ = true;
  for (const auto& id : waiting_) {
    if (auto it = feeds_.find(id); it != feeds_.end()) it->second->waiting = false;
  }
  waiting_.clear();
  wakeup_.cancel();
  housekeeping_.cancel();
  auto finish = [this, done = std::move(done)] {
    commit_timer_.cancel();
    drain([this, done] {
      if (sinks_) sinks_->close();
      sync_store_thread();  // every sink cursor saved before done
      done();
    });
  };
  if (in_flight_ == 0) {
    finish();
    return;
  }
  on_idle_ = finish;
  auto grace_timer = std::make_shared<asio::steady_timer>(io_, grace);
  grace_timer->async_wait([this, grace_timer](boost::system::error_code error) {
    if (!error && in_flight_ > 0) {
      spdlog::warn("Grace period over; cancelling polls in flight. count={}", in_flight_);
      fetcher_->cancel_all();
    }
  });
}

std::vector<std::string> Engine::reload(config::Config config, ClassifierHandle classifier) {
  std::vector<std::string> problems;
  classifier_ = std::make_shared<const ClassifierHandle>(std::move(classifier));
  const core::Timestamp now = now_utc();
  std::map<std::string, std::unique_ptr<FeedRuntime>> kept;
  std::vector<std::string> order;
  std::optional<std::map<std::string, store::FeedState>> stored;  // loaded when a feed is added
  for (const auto& feed_config : config.feeds) {
    order.push_back(feed_config.id);
    auto it = feeds_.find(feed_config.id);
    std::unique_ptr<FeedRuntime> runtime;
    if (it != feeds_.end()) {
      runtime = std::move(it->second);
      feeds_.erase(it);
      if (runtime->config.url != feed_config.url) {
        // A new URL is a new document: forget what the old one's server said.
        spdlog::info("Feed URL changed. feed={} url={}", feed_config.id, feed_config.url);
        runtime->state.url = feed_config.url;
        runtime->state.config_url = feed_config.url;
        runtime->state.etag.clear();
        runtime->state.last_modified.clear();
        runtime->state.body_hash.clear();
        runtime->state.next_due = now;
      }
      runtime->config = feed_config;
    } else {
      spdlog::info("Feed added. feed={} url={}", feed_config.id, feed_config.url);
      runtime = std::make_unique<FeedRuntime>();
      runtime->config = feed_config;
      // A feed the store knows (removed by an earlier reload, or polled by an earlier run)
      // continues from its stored state, as after a restart: validators, failures, next due.
      if (!stored) {
        stored.emplace();
        if (auto states = store_->load_feed_states()) {
          for (auto& state : *states) stored->emplace(state.feed_id, std::move(state));
        }
      }
      if (auto it_stored = stored->find(feed_config.id); it_stored != stored->end()) {
        runtime->state = std::move(it_stored->second);
      } else {
        runtime->state.feed_id = feed_config.id;
        runtime->state.health = "ok";
        runtime->state.next_due = now;
      }
      adopt_config_url(runtime->state, feed_config);
    }
    if (running_ && runtime->config.enabled && !runtime->in_flight) {
      const core::Timestamp due = runtime->state.next_due.value_or(now);
      runtime->queued_at = due;
      due_.emplace(due, feed_config.id);
    } else if (!runtime->config.enabled) {
      runtime->queued_at.reset();
    }
    kept.emplace(feed_config.id, std::move(runtime));
  }
  for (const auto& [id, runtime] : feeds_) {
    // A poll still in flight for it completes and is dropped in on_processed.
    spdlog::info("Feed removed. feed={} (its state stays in the store)", id);
  }
  feeds_ = std::move(kept);
  feed_order_ = std::move(order);
  // Sinks: reopen all from their stored cursors (nothing is lost or written twice); drop the
  // cursors of sinks no longer configured so retention stops waiting for them. A commit on the
  // store thread meanwhile delivers to the new sinks when it completes (SinkSet::deliver reads
  // from the outbox whatever a sink's position says it lacks).
  commit_pending();
  socket_dropped_before_ += socket_counts().dropped;  // the counter goes on across reloads
  sinks_->close();
  // The old sinks' cursors, queued behind the commits, are saved before any is removed or
  // read back for the new sinks (a stdout sink reopened from a stale cursor would repeat
  // records).
  sync_store_thread();
  std::set<std::string> names;
  for (const auto& sink : config.sinks) names.insert(sink.name);
  for (const auto& slot : sinks_->slots()) {
    if (!names.contains(slot.name) && slot.durable_cursor) store_->remove_sink_cursor(slot.name);
  }
  sinks_ = make_sink_set();  // the socket sink gets systemd's listening socket again
  for (auto& problem : sinks_->open(config.sinks, classifier_->labels)) {
    problems.push_back(std::move(problem));
  }
  config_ = std::move(config);
  ++metrics_.reloads;
  schedule_next_wakeup();
  return problems;
}

}  // namespace wirewatch::pipeline
