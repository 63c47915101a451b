#include "store/state_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace wirewatch::store::detail {
namespace {

std::string read_pid(int fd) {
  char buffer[32] = {};
  const ssize_t size = pread(fd, buffer, sizeof buffer - 1, 0);
  if (size <= 0) return "unknown";
  std::string pid(buffer, static_cast<std::size_t>(size));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

Result<StateLock> StateLock::acquire(const std::filesystem::path& state_dir) {
  const std::string path = (state_dir / "lock").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error{"cannot open " + path + ": " + std::strerror(errno)};
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    std::string message = error == EWOULDBLOCK
                              ? "another wirewatch is running (pid " + read_pid(fd) +
                                    ") with state dir " + state_dir.string()
                              : "cannot lock " + path + ": " + std::strerror(error);
    ::close(fd);
    return Error{std::move(message)};
  }
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    const std::string message = "cannot write " + path + ": " + std::strerror(errno);
    ::close(fd);
    return Error{message};
  }
  return StateLock(fd);
}

StateLock::StateLock(StateLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

StateLock& StateLock::operator=(StateLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace wirewatch::store::detail
