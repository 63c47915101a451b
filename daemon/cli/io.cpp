#include "cli/io.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace wirewatch::cli {

std::optional<std::string> read_input(const std::string& path, std::size_t max_bytes,
                                      std::string& error) {
  const bool use_stdin = path == "-";
  std::unique_ptr<FILE, int (*)(FILE*)> file{use_stdin ? stdin : std::fopen(path.c_str(), "rb"),
                                             use_stdin ? [](FILE*) { return 0; } : &std::fclose};
  if (!file) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  std::string data;
  char buffer[1 << 16];
  while (true) {
    const std::size_t got = std::fread(buffer, 1, sizeof buffer, file.get());
    if (got > 0) {
      if (data.size() + got > max_bytes) {
        error = "larger than " + std::to_string(max_bytes >> 20) + " MiB";
        return std::nullopt;
      }
      data.append(buffer, got);
    }
    if (got < sizeof buffer) {
      if (std::ferror(file.get())) {
        error = std::strerror(errno);
        return std::nullopt;
      }
      break;
    }
  }
  return data;
}

bool write_line(std::string_view line) {
  static const bool buffered = [] {
    static char buffer[1 << 16];
    return std::setvbuf(stdout, buffer, _IOFBF, sizeof buffer) == 0;
  }();
  (void)buffered;
  if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size()) return false;
  return std::fputc('\n', stdout) != EOF;
}

bool flush_output() {
  return std::fflush(stdout) == 0;
}

void print_error(std::string_view message) {
  std::fprintf(stderr, "wirewatch: %.*s\n", static_cast<int>(message.size()), message.data());
}

}  // namespace wirewatch::cli
