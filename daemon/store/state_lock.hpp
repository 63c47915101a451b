// Internal: the single-instance lock, an flock on state_dir/lock holding the owner's pid.
#pragma once

#include <filesystem>

#include "store/types.hpp"

namespace wirewatch::store::detail {

/// Held for the lifetime of a Store; released when destroyed (or when the process dies,
/// however it dies: the kernel drops flock locks with the descriptor).
class StateLock {
 public:
  /// Takes the lock without waiting. Fails with "another wirewatch is running (pid N) with
  /// state dir DIR" when another process (or another Store in this one) holds it.
  static Result<StateLock> acquire(const std::filesystem::path& state_dir);

  /// No lock at all, for read-only openers that must work while the daemon runs.
  static StateLock none() { return StateLock(-1); }

  StateLock(StateLock&& other) noexcept;
  StateLock& operator=(StateLock&& other) noexcept;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace wirewatch::store::detail
