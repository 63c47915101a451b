#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace wirewatch::test_support {
namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::filesystem::path make_directory() {
  static std::atomic<int> counter{0};
  auto path = std::filesystem::temp_directory_path() /
              ("wirewatch-child-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(path);
  return path;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string stdin_text)
    : directory_(make_directory()) {
  { std::ofstream(directory_ / "stdin", std::ios::binary) << stdin_text; }
  const auto in_path = directory_ / "stdin";
  const auto out_path = directory_ / "stdout";
  const auto err_path = directory_ / "stderr";
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::setpgid(0, 0);
    const int in = ::open(in_path.c_str(), O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (!result_) {
    ::kill(-pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

void ChildProcess::signal(int number) const {
  ::kill(pid_, number);
}

std::optional<ProcessResult> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (result_) return result_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      ProcessResult result;
      if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
      result.out = slurp(directory_ / "stdout");
      result.err = slurp(directory_ / "stderr");
      result_ = result;
      return result_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
}

std::string ChildProcess::out_so_far() const {
  return slurp(directory_ / "stdout");
}
std::string ChildProcess::err_so_far() const {
  return slurp(directory_ / "stderr");
}

ProcessResult run_process(std::vector<std::string> argv, std::string stdin_text,
                          std::chrono::milliseconds timeout) {
  ChildProcess child(std::move(argv), std::move(stdin_text));
  if (auto result = child.wait(timeout)) return *result;
  child.signal(SIGKILL);
  auto result = child.wait(std::chrono::seconds{10}).value_or(ProcessResult{});
  result.err += "\n[test: killed after timeout]";
  return result;
}

}  // namespace wirewatch::test_support
