// Runs the real wirewatch binary (or any program) from a test: output captured to files so a
// chatty child can never block on a full pipe, a deadline on every wait, and kill for crash
// tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace wirewatch::test_support {

/// What a finished run printed and how it ended.
struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that ended it, or 0
  std::string out;     // standard output
  std::string err;     // standard error
};

/// A child process started in its own process group.
class ChildProcess {
 public:
  /// Starts argv[0] with the given arguments; stdin from stdin_text (empty: /dev/null).
  explicit ChildProcess(std::vector<std::string> argv, std::string stdin_text = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// Sends a signal to the child.
  void signal(int number) const;
  /// Waits up to timeout; nullopt when still running.
  std::optional<ProcessResult> wait(std::chrono::milliseconds timeout);
  /// Output so far (the child may still be running).
  std::string out_so_far() const;
  std::string err_so_far() const;

 private:
  pid_t pid_ = -1;
  std::filesystem::path directory_;
  std::optional<ProcessResult> result_;
};

/// Runs to completion (killed after timeout) and returns what happened.
ProcessResult run_process(std::vector<std::string> argv, std::string stdin_text = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds{60});

}  // namespace wirewatch::test_support
