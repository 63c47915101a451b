// SinkSet::deliver: records just committed reach a sink from memory when it is right behind
// them, and from the outbox otherwise; either way each sink ends with every record once, in
// seq order.
#include "pipeline/sink_set.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "store/store_test_support.hpp"

namespace wirewatch::pipeline {
namespace {

using store::test_support::document;
using store::test_support::kNow;
using store::test_support::record;
using store::test_support::TempDir;

config::SinkConfig directory_sink(const std::filesystem::path& path) {
  config::SinkConfig sink;
  sink.type = config::SinkType::directory;
  sink.name = "directory:" + path.string();
  config::DirectorySinkConfig settings;
  settings.path = path;
  settings.fsync = config::DirectorySinkConfig::Fsync::none;
  sink.settings = settings;
  return sink;
}

std::vector<std::int64_t> seqs_in(const std::filesystem::path& directory) {
  std::vector<std::int64_t> seqs;
  for (const auto& file : std::filesystem::directory_iterator(directory)) {
    std::ifstream in(file.path());
    for (std::string line; std::getline(in, line);) {
      seqs.push_back(nlohmann::json::parse(line).at("seq").get<std::int64_t>());
    }
  }
  std::sort(seqs.begin(), seqs.end());  // one daily segment here, so already in order
  return seqs;
}

// Commits n records of feed and returns what the engine hands deliver().
std::vector<sinks::OutboxRecord> commit(store::Store& store, const std::string& feed, int first,
                                        int n) {
  std::vector<core::Record> records;
  for (int i = first; i < first + n; ++i) {
    records.push_back(record(feed, feed + std::to_string(i),
                             "https://" + feed + ".example/" + std::to_string(i)));
  }
  std::vector<store::FeedOutcome> batch{document(feed, records)};
  auto committed = store.commit_batch(batch, kNow);
  EXPECT_TRUE(committed) << committed.error().message;
  std::vector<sinks::OutboxRecord> fresh;
  for (auto& entry : committed->emitted) fresh.push_back({entry.seq, entry.labels, entry.json});
  return fresh;
}

TEST(SinkSet, FreshRecordsFromMemoryAndALaggingSinkFromTheOutbox) {
  TempDir dir;
  auto opened = store::Store::open(dir.path() / "state");
  ASSERT_TRUE(opened) << opened.error().message;
  store::Store& store = *opened;
  boost::asio::io_context io;
  const auto first_dir = dir.path() / "first";
  const auto late_dir = dir.path() / "late";

  {
    SinkSet sinks(io, store);
    ASSERT_TRUE(sinks.open({directory_sink(first_dir)}, {}).empty());
    sinks.deliver(commit(store, "un", 0, 3));  // seq 1-3, from memory
    sinks.close();
  }
  // Three more records while no sink runs; then a second sink that has seen nothing.
  commit(store, "un", 3, 3);  // seq 4-6, only in the outbox
  SinkSet sinks(io, store);
  ASSERT_TRUE(sinks.open({directory_sink(first_dir), directory_sink(late_dir)}, {}).empty());
  EXPECT_EQ(sinks.deliver(commit(store, "un", 6, 2)), 0);  // seq 7-8
  sinks.close();

  const std::vector<std::int64_t> all{1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(seqs_in(first_dir), all);
  EXPECT_EQ(seqs_in(late_dir), all);
  EXPECT_EQ(*store.sink_cursor("directory:" + late_dir.string()), 8);
}

TEST(SinkSet, FreshRecordsThatAreNotTheTailAreReadFromTheOutbox) {
  TempDir dir;
  auto opened = store::Store::open(dir.path() / "state");
  ASSERT_TRUE(opened) << opened.error().message;
  store::Store& store = *opened;
  boost::asio::io_context io;
  SinkSet sinks(io, store);
  ASSERT_TRUE(sinks.open({directory_sink(dir.path() / "out")}, {}).empty());
  auto stale = commit(store, "un", 0, 2);  // seq 1-2
  commit(store, "un", 2, 2);               // seq 3-4: stale is no longer the tail
  sinks.deliver(stale);
  sinks.close();
  EXPECT_EQ(seqs_in(dir.path() / "out"), (std::vector<std::int64_t>{1, 2, 3, 4}));
}

// The engine delivers a batch while the store thread already commits the next one: it passes
// the head as of the delivered commit and takes the cursors itself (it queues them behind that
// commit). The sink gets exactly the delivered batch from memory, each cursor move goes to the
// writer in order and never past what the sink holds, and the store is not written meanwhile.
TEST(SinkSet, WithAKnownHeadAndACursorWriterTheNextCommitIsLeftAlone) {
  TempDir dir;
  auto opened = store::Store::open(dir.path() / "state");
  ASSERT_TRUE(opened) << opened.error().message;
  store::Store& store = *opened;
  boost::asio::io_context io;
  std::vector<std::pair<std::string, std::int64_t>> saved;
  SinkSet sinks(io, store, -1,
                [&](const std::string& name, std::int64_t seq) { saved.emplace_back(name, seq); });
  const auto out = dir.path() / "out";
  const std::string name = "directory:" + out.string();
  ASSERT_TRUE(sinks.open({directory_sink(out)}, {}).empty());
  auto first = commit(store, "un", 0, 3);  // seq 1-3, being delivered
  commit(store, "un", 3, 2);               // seq 4-5: the next commit, not delivered yet
  EXPECT_EQ(sinks.deliver(first, 3), 0);   // caught up with the head it was told
  EXPECT_EQ(seqs_in(out), (std::vector<std::int64_t>{1, 2, 3}));
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0], std::make_pair(name, std::int64_t{3}));
  EXPECT_EQ(*store.sink_cursor(name), 0);  // the writer's job, not deliver's

  // The next delivery continues from memory where the first stopped.
  sinks.deliver(commit(store, "un", 5, 1), 6);  // seq 6: seq 4-5 come from the outbox
  sinks.close();
  EXPECT_EQ(seqs_in(out), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
  ASSERT_EQ(saved.size(), 2u);
  EXPECT_EQ(saved[1], std::make_pair(name, std::int64_t{6}));
}

}  // namespace
}  // namespace wirewatch::pipeline
