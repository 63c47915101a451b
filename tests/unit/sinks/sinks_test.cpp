#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sinks/directory/directory_sink.hpp"
#include "sinks/sink.hpp"
#include "sinks/stdout/stdout_sink.hpp"

namespace wirewatch::sinks {
namespace {

namespace fs = std::filesystem;

OutboxRecord record(std::int64_t seq, std::vector<std::string> labels = {}) {
  return {seq, std::move(labels), "{\"v\":1,\"seq\":" + std::to_string(seq) + ",\"id\":\"x\"}"};
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class DirectorySinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("wirewatch-sink-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  DirectorySinkOptions options() {
    DirectorySinkOptions options;
    options.path = directory_;
    options.now = [this] { return now_; };
    return options;
  }

  fs::path directory_;
  std::chrono::system_clock::time_point now_ =
      std::chrono::sys_days{std::chrono::year{2023} / 11 / 9} + std::chrono::hours{10};
};

TEST(LabelFilter, SelectsByModeAndList) {
  LabelFilter every;
  EXPECT_TRUE(every.accepts({}));
  LabelFilter any{LabelFilter::Mode::any, {}};
  EXPECT_FALSE(any.accepts({}));
  EXPECT_TRUE(any.accepts({"summit"}));
  LabelFilter all{LabelFilter::Mode::all, {"climate_diplomacy", "summit"}};
  EXPECT_FALSE(all.accepts({"summit"}));
  EXPECT_TRUE(all.accepts({"summit", "climate_diplomacy"}));
  LabelFilter listed{LabelFilter::Mode::listed, {"summit"}};
  EXPECT_TRUE(listed.accepts({"climate_diplomacy", "summit"}));
  EXPECT_FALSE(listed.accepts({"climate_diplomacy"}));
}

TEST_F(DirectorySinkTest, AppendsLinesToADailySegmentAndReportsThemDurable) {
  DirectorySink sink(options());
  ASSERT_EQ(sink.open(std::nullopt).status, WriteStatus::ok);
  std::vector<OutboxRecord> batch{record(1), record(2)};
  auto result = write_filtered(sink, LabelFilter{}, batch);
  EXPECT_EQ(result.status, WriteStatus::ok);
  EXPECT_EQ(result.durable_through, 2);
  EXPECT_EQ(slurp(directory_ / "records-2023-11-09.jsonl"),
            batch[0].json + "\n" + batch[1].json + "\n");
  now_ += std::chrono::hours{24};
  std::vector<OutboxRecord> next{record(3)};
  write_filtered(sink, LabelFilter{}, next);
  EXPECT_EQ(slurp(directory_ / "records-2023-11-10.jsonl"), next[0].json + "\n");
}

// A commit's batch (up to 1,024 records, two iovecs each) needs more than one writev call
// (IOV_MAX is 1,024): every line still lands once, whole and in order.
TEST_F(DirectorySinkTest, ABatchLargerThanOneWritevCallIsWrittenWhole) {
  DirectorySink sink(options());
  ASSERT_EQ(sink.open(std::nullopt).status, WriteStatus::ok);
  std::vector<OutboxRecord> batch;
  std::string expected;
  for (std::int64_t seq = 1; seq <= 1500; ++seq) {
    batch.push_back(record(seq));
    batch.back().json += std::string(static_cast<std::size_t>(seq % 97), ' ');  // uneven sizes
    expected += batch.back().json + "\n";
  }
  auto result = write_filtered(sink, LabelFilter{}, batch);
  EXPECT_EQ(result.status, WriteStatus::ok);
  EXPECT_EQ(result.durable_through, 1500);
  EXPECT_EQ(slurp(directory_ / "records-2023-11-09.jsonl"), expected);
}

TEST_F(DirectorySinkTest, FilteredOutRecordsStillAdvanceTheCursor) {
  DirectorySink sink(options());
  sink.open(std::nullopt);
  std::vector<OutboxRecord> batch{record(1, {"summit"}), record(2), record(3)};
  auto result = write_filtered(sink, LabelFilter{LabelFilter::Mode::any, {}}, batch);
  EXPECT_EQ(result.durable_through, 3);
  EXPECT_EQ(slurp(directory_ / "records-2023-11-09.jsonl"), batch[0].json + "\n");
}

TEST_F(DirectorySinkTest, ResumesFromTheLastSeqOnDiskAndRepairsATornLine) {
  fs::create_directories(directory_);
  const auto segment = directory_ / "records-2023-11-09.jsonl";
  {
    std::ofstream out(segment, std::ios::binary);
    out << record(7).json << "\n"
        << record(8).json << "\n"
        << "{\"v\":1,\"seq\":9,\"id";
  }
  DirectorySink sink(options());
  // The store's cursor says 6 (the crash came before it was advanced): the disk says 8.
  auto opened = sink.open(6);
  EXPECT_EQ(opened.durable_through, 8);
  EXPECT_EQ(slurp(segment), record(7).json + "\n" + record(8).json + "\n");
  std::vector<OutboxRecord> replay{record(7), record(8), record(9)};
  EXPECT_EQ(write_filtered(sink, LabelFilter{}, replay).durable_through, 9);
  EXPECT_EQ(slurp(segment), record(7).json + "\n" + record(8).json + "\n" + record(9).json + "\n");
}

TEST_F(DirectorySinkTest, SizeRotationStartsANewNumberedSegment) {
  auto opts = options();
  opts.layout = DirectorySinkOptions::Layout::size;
  opts.max_segment_bytes = 64;
  DirectorySink sink(opts);
  sink.open(std::nullopt);
  std::vector<OutboxRecord> batch{record(1), record(2), record(3), record(4)};
  std::int64_t durable = 0;
  for (int round = 0; round < 4 && durable < 4; ++round) {
    durable = write_filtered(sink, LabelFilter{}, batch).durable_through.value_or(0);
  }
  EXPECT_EQ(durable, 4);
  EXPECT_TRUE(fs::exists(directory_ / "records-000001.jsonl"));
  EXPECT_TRUE(fs::exists(directory_ / "records-000002.jsonl"));
  EXPECT_LE(fs::file_size(directory_ / "records-000001.jsonl"), 64u);
}

// The pipeline hands a batch over once: an `ok` write must have written all of it, even when
// it spans several segments (it used to stop at the first full segment and lose the rest).
TEST_F(DirectorySinkTest, SizeRotationWritesAWholeBatchAcrossSegmentsInOneCall) {
  auto opts = options();
  opts.layout = DirectorySinkOptions::Layout::size;
  opts.max_segment_bytes = 64;
  DirectorySink sink(opts);
  sink.open(std::nullopt);
  std::vector<OutboxRecord> batch{record(1), record(2), record(3), record(4), record(5)};
  const auto result = write_filtered(sink, LabelFilter{}, batch);
  EXPECT_EQ(result.status, WriteStatus::ok);
  EXPECT_EQ(result.durable_through, 5);
  std::string all;
  for (const auto& name : {"records-000001.jsonl", "records-000002.jsonl", "records-000003.jsonl",
                           "records-000004.jsonl", "records-000005.jsonl"}) {
    if (fs::exists(directory_ / name)) {
      EXPECT_LE(fs::file_size(directory_ / name), 64u) << name;
      all += slurp(directory_ / name);
    }
  }
  std::string expected;
  for (const auto& r : batch) expected += r.json + "\n";
  EXPECT_EQ(all, expected);
}

TEST_F(DirectorySinkTest, FilePerRecordRenamesIntoNew) {
  auto opts = options();
  opts.layout = DirectorySinkOptions::Layout::file_per_record;
  DirectorySink sink(opts);
  sink.open(std::nullopt);
  std::vector<OutboxRecord> batch{record(1), record(2)};
  EXPECT_EQ(write_filtered(sink, LabelFilter{}, batch).durable_through, 2);
  EXPECT_EQ(slurp(directory_ / "new" / "2.json"), batch[1].json + "\n");
  EXPECT_TRUE(fs::is_empty(directory_ / "tmp"));
}

TEST_F(DirectorySinkTest, IntervalFsyncHoldsTheCursorUntilTheSync) {
  auto opts = options();
  opts.fsync = DirectorySinkOptions::Fsync::interval;
  opts.fsync_interval = std::chrono::seconds{10};
  DirectorySink sink(opts);
  sink.open(std::nullopt);
  std::vector<OutboxRecord> first{record(1)};
  EXPECT_EQ(write_filtered(sink, LabelFilter{}, first).durable_through, 1);  // first sync
  std::vector<OutboxRecord> second{record(2)};
  EXPECT_EQ(write_filtered(sink, LabelFilter{}, second).durable_through, 1);  // not yet
  EXPECT_EQ(sink.flush().durable_through, 2);
}

TEST(StdoutSink, WritesOneLinePerRecord) {
  std::FILE* stream = std::tmpfile();
  ASSERT_NE(stream, nullptr);
  StdoutSink sink(stream);
  sink.open(std::nullopt);
  std::vector<OutboxRecord> batch{record(1), record(2)};
  EXPECT_EQ(write_filtered(sink, LabelFilter{}, batch).durable_through, 2);
  std::rewind(stream);
  char buffer[256] = {};
  const auto got = std::fread(buffer, 1, sizeof buffer - 1, stream);
  EXPECT_EQ(std::string(buffer, got), batch[0].json + "\n" + batch[1].json + "\n");
  std::fclose(stream);
}

}  // namespace
}  // namespace wirewatch::sinks
