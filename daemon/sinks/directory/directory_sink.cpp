#include "sinks/directory/directory_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <nlohmann/json.hpp>

namespace wirewatch::sinks {
namespace {

namespace fs = std::filesystem;

std::string errno_text(const fs::path& path, std::string_view what) {
  return path.string() + ": " + std::string(what) + ": " + std::strerror(errno);
}

/// Writes all of data, retrying short writes and EINTR.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

/// Writes every byte the iovecs point at (their bases and lengths are used up), in calls of at
/// most IOV_MAX entries, going on after short writes and EINTR.
bool write_all(int fd, std::vector<iovec>& parts) {
  std::size_t next = 0;
  while (next < parts.size()) {
    const auto count = static_cast<int>(std::min<std::size_t>(parts.size() - next, IOV_MAX));
    const ssize_t written = ::writev(fd, parts.data() + next, count);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    auto left = static_cast<std::size_t>(written);
    while (next < parts.size() && left >= parts[next].iov_len) left -= parts[next++].iov_len;
    if (left > 0) {  // a short write ended inside this part
      parts[next].iov_base = static_cast<char*>(parts[next].iov_base) + left;
      parts[next].iov_len -= left;
    }
  }
  return true;
}

bool fsync_directory(const fs::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::string daily_name(std::chrono::system_clock::time_point now) {
  const auto day = std::chrono::floor<std::chrono::days>(now);
  const std::chrono::year_month_day date{day};
  char name[40];
  std::snprintf(name, sizeof name, "records-%04d-%02u-%02u.jsonl", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return name;
}

std::string numbered_name(unsigned number) {
  char name[40];
  std::snprintf(name, sizeof name, "records-%06u.jsonl", number);
  return name;
}

bool is_segment_name(const std::string& name) {
  return name.starts_with("records-") && name.ends_with(".jsonl");
}

std::optional<std::int64_t> seq_of_line(std::string_view line) {
  const auto json = nlohmann::json::parse(line, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  auto it = json.find("seq");
  if (it == json.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

DirectorySink::DirectorySink(DirectorySinkOptions options)
    : options_(std::move(options)), name_("directory:" + options_.path.string()) {}

DirectorySink::~DirectorySink() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::int64_t> DirectorySink::recover_last_seq(const fs::path& segment,
                                                            std::string& error) {
  const int fd = ::open(segment.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) error = errno_text(segment, "cannot open");
    return std::nullopt;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size <= 0) return std::nullopt;
  // Read backwards in chunks, collecting the tail until it holds two newlines (or the start).
  std::string tail;
  off_t position = size;
  constexpr off_t kChunk = 64 * 1024;
  auto newline_count = [&] { return std::count(tail.begin(), tail.end(), '\n'); };
  while (position > 0 && newline_count() < 2) {
    const off_t start = std::max<off_t>(0, position - kChunk);
    std::string chunk(static_cast<std::size_t>(position - start), '\0');
    if (::pread(fd, chunk.data(), chunk.size(), start) != static_cast<ssize_t>(chunk.size())) {
      error = errno_text(segment, "cannot read");
      return std::nullopt;
    }
    tail.insert(0, chunk);
    position = start;
  }
  // A crash mid-write leaves a last line without its newline: cut it off.
  if (tail.back() != '\n') {
    const auto last_newline = tail.rfind('\n');
    const off_t keep = last_newline == std::string::npos
                           ? position
                           : position + static_cast<off_t>(last_newline) + 1;
    if (::ftruncate(fd, keep) != 0 || ::fsync(fd) != 0) {
      error = errno_text(segment, "cannot repair torn last line");
      return std::nullopt;
    }
    tail.resize(static_cast<std::size_t>(keep - position));
  }
  // Walk complete lines from the end; the first with a seq is the last record on disk.
  while (!tail.empty()) {
    tail.pop_back();  // the newline
    const auto start = tail.rfind('\n');
    const std::string_view line = start == std::string::npos
                                      ? std::string_view(tail)
                                      : std::string_view(tail).substr(start + 1);
    if (auto seq = seq_of_line(line)) return seq;
    tail.resize(start == std::string::npos ? 0 : start + 1);
  }
  return std::nullopt;
}

fs::path DirectorySink::newest_segment() const {
  fs::path newest;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(options_.path, ignored)) {
    const std::string name = entry.path().filename().string();
    if (is_segment_name(name) && (newest.empty() || name > newest.filename().string())) {
      newest = entry.path();
    }
  }
  return newest;
}

WriteResult DirectorySink::open(std::optional<std::int64_t> stored_cursor) {
  std::error_code error;
  fs::create_directories(options_.path, error);
  if (options_.layout == DirectorySinkOptions::Layout::file_per_record) {
    fs::create_directories(options_.path / "tmp", error);
    fs::create_directories(options_.path / "new", error);
    // Leftovers in tmp/ were never renamed into new/: they were never delivered.
    for (const auto& entry : fs::directory_iterator(options_.path / "tmp", error)) {
      fs::remove(entry.path(), error);
    }
  }
  if (error) {
    return {WriteStatus::error, std::nullopt,
            options_.path.string() + ": cannot create directory: " + error.message()};
  }
  durable_through_ = stored_cursor;
  if (options_.layout != DirectorySinkOptions::Layout::file_per_record) {
    if (fs::path segment = newest_segment(); !segment.empty()) {
      std::string problem;
      auto on_disk = recover_last_seq(segment, problem);
      if (!problem.empty()) return {WriteStatus::retry, std::nullopt, problem};
      if (on_disk && (!durable_through_ || *on_disk > *durable_through_))
        durable_through_ = on_disk;
    }
  }
  written_through_ = durable_through_;
  return {WriteStatus::ok, durable_through_, {}};
}

bool DirectorySink::open_segment_for(std::chrono::system_clock::time_point now,
                                     bool start_new_segment, std::string& error) {
  fs::path wanted;
  if (options_.layout == DirectorySinkOptions::Layout::daily) {
    wanted = options_.path / daily_name(now);
  } else {
    fs::path current = segment_.empty() ? newest_segment() : segment_;
    unsigned number = 1;
    if (!current.empty()) {
      number = static_cast<unsigned>(std::strtoul(current.filename().c_str() + 8, nullptr, 10));
      std::error_code ignored;
      const auto size = fs::file_size(current, ignored);
      if (start_new_segment || (!ignored && size >= options_.max_segment_bytes)) ++number;
    }
    wanted = options_.path / numbered_name(std::max(number, 1u));
  }
  if (wanted == segment_ && fd_ >= 0) return true;
  if (fd_ >= 0) {
    if (!sync(error)) return false;
    ::close(fd_);
    fd_ = -1;
  }
  const bool existed = fs::exists(wanted);
  fd_ = ::open(wanted.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    error = errno_text(wanted, "cannot open");
    return false;
  }
  if (!existed) fsync_directory(options_.path);
  segment_ = wanted;
  struct stat info {};
  segment_bytes_ = ::fstat(fd_, &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
  return true;
}

bool DirectorySink::sync(std::string& error) {
  if (fd_ >= 0 && ::fsync(fd_) != 0) {
    error = errno_text(segment_, "fsync failed");
    return false;
  }
  last_sync_ = options_.now();
  durable_through_ = written_through_;
  return true;
}

WriteResult DirectorySink::write(std::span<const OutboxRecord* const> records) {
  if (options_.layout == DirectorySinkOptions::Layout::file_per_record) {
    return write_files(records);
  }
  return write_segments(records);
}

WriteResult DirectorySink::write_segments(std::span<const OutboxRecord* const> records) {
  std::string error;
  const auto now = options_.now();
  if (!open_segment_for(now, false, error)) return {WriteStatus::retry, durable_through_, error};
  // One pass per segment: with rotate: size a batch may fill one segment and go on in the
  // next. All of it is written in this call, because `ok` tells the caller that every record
  // handed over is written (it never hands the rest over again).
  // The lines are handed to writev where they lie (each record's JSON, then a newline), not
  // copied into one buffer first.
  static const char kNewline = '\n';
  for (bool first_pass = true;; first_pass = false) {
    std::vector<iovec>& parts = parts_;
    parts.clear();
    std::size_t bytes = 0;
    std::optional<std::int64_t> batch_through = written_through_;
    bool start_new_segment = false;
    for (const OutboxRecord* record : records) {
      if (batch_through && record->seq <= *batch_through) continue;  // already on disk
      if (options_.layout == DirectorySinkOptions::Layout::size &&
          segment_bytes_ + bytes + record->json.size() + 1 > options_.max_segment_bytes) {
        if (bytes != 0) break;  // the rest goes to the next segment in the next pass
        start_new_segment = segment_bytes_ > 0;
      }
      parts.push_back({const_cast<char*>(record->json.data()), record->json.size()});
      parts.push_back({const_cast<char*>(&kNewline), 1});
      bytes += record->json.size() + 1;
      batch_through = record->seq;
    }
    if (bytes == 0) {
      if (first_pass) return flush();
      break;
    }
    if (start_new_segment && !open_segment_for(now, true, error)) {
      return {WriteStatus::retry, durable_through_, error};
    }
    const off_t before = static_cast<off_t>(segment_bytes_);
    if (!write_all(fd_, parts)) {
      error = errno_text(segment_, "write failed");
      // Never leave a torn line behind: cut the file back to where this pass began.
      if (::ftruncate(fd_, before) != 0) error += " (and could not truncate)";
      return {WriteStatus::retry, durable_through_, error};
    }
    segment_bytes_ += bytes;
    written_through_ = batch_through;
  }
  if (options_.fsync == DirectorySinkOptions::Fsync::batch ||
      (options_.fsync == DirectorySinkOptions::Fsync::interval &&
       now - last_sync_ >= options_.fsync_interval)) {
    if (!sync(error)) return {WriteStatus::retry, durable_through_, error};
  } else if (options_.fsync == DirectorySinkOptions::Fsync::never) {
    durable_through_ = written_through_;
  }
  return {WriteStatus::ok, durable_through_, {}};
}

WriteResult DirectorySink::write_files(std::span<const OutboxRecord* const> records) {
  for (const OutboxRecord* record : records) {
    if (written_through_ && record->seq <= *written_through_) continue;
    const std::string name = std::to_string(record->seq) + ".json";
    const fs::path temporary = options_.path / "tmp" / name;
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return {WriteStatus::retry, durable_through_, errno_text(temporary, "cannot open")};
    const bool ok = write_all(fd, record->json) && write_all(fd, "\n") &&
                    (options_.fsync == DirectorySinkOptions::Fsync::never || ::fsync(fd) == 0);
    ::close(fd);
    if (!ok) return {WriteStatus::retry, durable_through_, errno_text(temporary, "write failed")};
    const fs::path final_path = options_.path / "new" / name;
    if (::rename(temporary.c_str(), final_path.c_str()) != 0) {
      return {WriteStatus::retry, durable_through_, errno_text(final_path, "rename failed")};
    }
    written_through_ = record->seq;
  }
  if (options_.fsync != DirectorySinkOptions::Fsync::never) fsync_directory(options_.path / "new");
  durable_through_ = written_through_;
  return {WriteStatus::ok, durable_through_, {}};
}

WriteResult DirectorySink::flush() {
  std::string error;
  if (written_through_ != durable_through_ && !sync(error)) {
    return {WriteStatus::retry, durable_through_, error};
  }
  return {WriteStatus::ok, durable_through_, {}};
}

}  // namespace wirewatch::sinks
