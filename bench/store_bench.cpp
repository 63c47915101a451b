// store_bench: what commit_batch costs per feed, for the batches the pipeline commits.
//   BM_Commit304/sync:      200 feeds answered 304: feed state only
//   BM_CommitChanged/sync:  200 feeds with a new document each: 20 new entries + 30 known
//   BM_RecordToJsonLine:    core::to_json_line of one such record, for scale
// sync: 0 = WAL + synchronous=NORMAL, 1 = WAL + synchronous=FULL. The state dir is under
// $TMPDIR (or /tmp): run it on the disk the daemon will use. "per_feed" is real time per feed.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/record_json.hpp"
#include "store/store.hpp"

namespace {

using wirewatch::store::FeedOutcome;
using wirewatch::store::Store;
using wirewatch::store::StoreOptions;
using wirewatch::store::Synchronous;

constexpr int kFeeds = 200;
constexpr int kNewPerFeed = 20;
constexpr int kKnownPerFeed = 30;

const wirewatch::core::Timestamp kStart{std::chrono::seconds{1'700'000'000}};

class StateDir {
 public:
  StateDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "wirewatch-store-bench-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~StateDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  StateDir(const StateDir&) = delete;
  StateDir& operator=(const StateDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

Store open_store(const StateDir& dir, benchmark::State& state) {
  StoreOptions options;
  options.synchronous = state.range(0) == 0 ? Synchronous::normal : Synchronous::full;
  auto store = Store::open(dir.path(), options);
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    std::abort();
  }
  return std::move(*store);
}

FeedOutcome outcome(int feed, bool parsed) {
  FeedOutcome outcome;
  outcome.state.feed_id = "feed-" + std::to_string(feed);
  outcome.state.url =
      "https://host" + std::to_string(feed % 50) + ".example/feed/" + std::to_string(feed) + ".xml";
  outcome.state.etag = "\"5f3a-" + std::to_string(feed) + "\"";
  outcome.state.last_modified = "Thu, 09 Nov 2023 10:00:00 GMT";
  outcome.state.last_status = parsed ? 200 : 304;
  outcome.state.health = "ok";
  outcome.parsed = parsed;
  return outcome;
}

// A realistic record: ~1.5 KB of text, like the corpus entries.
wirewatch::core::Record make_record(const std::string& feed, const std::string& id) {
  wirewatch::core::Record record;
  record.id = id;
  record.feed.id = feed;
  record.feed.url = "https://example.org/" + feed + ".xml";
  record.feed.title = "Feed " + feed;
  record.guid = "urn:uuid:" + id;
  record.url = "https://example.org/news/" + id + "?utm_source=rss";
  record.title = "US and Chinese climate envoys meet ahead of COP28 (" + id + ")";
  record.summary = std::string(400, 's');
  record.content = std::string(1000, 'c');
  record.categories = {"World", "Climate"};
  record.fetched = kStart;
  record.labels = {"climate_diplomacy"};
  record.scores = {{"climate_diplomacy", 0.93}};
  return record;
}

void BM_Commit304(benchmark::State& state) {
  StateDir dir;
  Store store = open_store(dir, state);
  std::vector<FeedOutcome> batch;
  for (int feed = 0; feed < kFeeds; ++feed) batch.push_back(outcome(feed, false));
  auto now = kStart;
  for (auto _ : state) {
    now += std::chrono::seconds{1};
    for (auto& item : batch) item.state.next_due = now + std::chrono::minutes{15};
    auto result = store.commit_batch(batch, now);
    if (!result) state.SkipWithError(result.error().message.c_str());
    benchmark::DoNotOptimize(result);
  }
  state.counters["per_feed"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kFeeds,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_CommitChanged(benchmark::State& state) {
  StateDir dir;
  Store store = open_store(dir, state);
  std::vector<FeedOutcome> batch;
  for (int feed = 0; feed < kFeeds; ++feed) {
    batch.push_back(outcome(feed, true));
    for (int i = 0; i < kNewPerFeed + kKnownPerFeed; ++i) {
      batch.back().records.push_back(wirewatch::store::prepare_record(
          make_record(batch.back().state.feed_id, std::to_string(feed) + "-" + std::to_string(i))));
    }
  }
  auto now = kStart;
  (void)store.commit_batch(batch, now);  // the known entries, and warm in-memory indexes
  long round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ++round;
    now += std::chrono::minutes{15};
    // Slide every document: the oldest 20 drop out, 20 new ones come in on top.
    for (int feed = 0; feed < kFeeds; ++feed) {
      auto& records = batch[static_cast<std::size_t>(feed)].records;
      for (int i = 0; i < kNewPerFeed; ++i) {
        auto& record = records[static_cast<std::size_t>((round * kNewPerFeed + i) %
                                                        (kNewPerFeed + kKnownPerFeed))];
        auto fresh = make_record(
            batch[static_cast<std::size_t>(feed)].state.feed_id,
            std::to_string(feed) + "-r" + std::to_string(round) + "-" + std::to_string(i));
        fresh.url = "https://example.org/news/" + fresh.id;
        record = wirewatch::store::prepare_record(fresh);
      }
    }
    state.ResumeTiming();
    auto result = store.commit_batch(batch, now);
    if (!result) state.SkipWithError(result.error().message.c_str());
    benchmark::DoNotOptimize(result);
  }
  state.counters["per_feed"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kFeeds,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// For scale: serializing one of the records above (prepare_record does it on a worker).
void BM_RecordToJsonLine(benchmark::State& state) {
  const auto record = make_record("feed-1", "1-1");
  for (auto _ : state) benchmark::DoNotOptimize(wirewatch::core::to_json_line(record));
}

BENCHMARK(BM_RecordToJsonLine)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Commit304)
    ->ArgName("sync")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_CommitChanged)
    ->ArgName("sync")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
