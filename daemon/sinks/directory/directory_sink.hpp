// The directory sink: append-only NDJSON segments that `tail -F` can follow, or one file per
// record (tmp/ then rename into new/) for inotify consumers. Exactly once across crashes: on
// open it reads the last seq actually on disk and repairs a torn last line.
#pragma once

#include <sys/uio.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "sinks/sink.hpp"

namespace wirewatch::sinks {

/// How the directory sink lays records out and when it fsyncs.
struct DirectorySinkOptions {
  std::filesystem::path path;
  enum class Layout {
    daily,            // records-YYYY-MM-DD.jsonl (UTC date of writing)
    size,             // records-NNNNNN.jsonl, a new segment past max_segment_bytes
    file_per_record,  // new/<seq>-<id>.json, written to tmp/ first
  } layout = Layout::daily;
  std::uint64_t max_segment_bytes = 64ull << 20;
  enum class Fsync {
    batch,     // fsync after every write: the cursor follows every batch
    interval,  // fsync at most every fsync_interval: fewer syncs, the cursor lags
    never,     // leave it to the kernel: survives a process crash, not a power cut
  } fsync = Fsync::batch;
  std::chrono::seconds fsync_interval{1};
  /// The clock (tests replace it): picks daily segments and paces interval fsyncs.
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
};

/// Appends records to segment files under a directory.
class DirectorySink final : public Sink {
 public:
  explicit DirectorySink(DirectorySinkOptions options);
  ~DirectorySink() override;
  DirectorySink(const DirectorySink&) = delete;
  DirectorySink& operator=(const DirectorySink&) = delete;

  const std::string& name() const override { return name_; }
  WriteResult open(std::optional<std::int64_t> stored_cursor) override;
  WriteResult write(std::span<const OutboxRecord* const> records) override;
  WriteResult flush() override;

  /// The seq of the last complete line of the newest segment, repairing a torn tail first.
  /// Exposed for `wirewatch status` and tests.
  static std::optional<std::int64_t> recover_last_seq(const std::filesystem::path& segment,
                                                      std::string& error);

 private:
  WriteResult write_segments(std::span<const OutboxRecord* const> records);
  WriteResult write_files(std::span<const OutboxRecord* const> records);
  bool open_segment_for(std::chrono::system_clock::time_point now, bool start_new_segment,
                        std::string& error);
  std::filesystem::path newest_segment() const;
  bool sync(std::string& error);

  DirectorySinkOptions options_;
  std::string name_;
  int fd_ = -1;
  std::filesystem::path segment_;
  std::uint64_t segment_bytes_ = 0;
  std::optional<std::int64_t> written_through_;
  std::optional<std::int64_t> durable_through_;
  std::chrono::system_clock::time_point last_sync_{};
  std::vector<iovec> parts_;  // write_segments' scratch: the lines of one writev pass
};

}  // namespace wirewatch::sinks
