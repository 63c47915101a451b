// `wirewatch tail [--socket PATH] [--since N | -n N] [--label L]... [--follow]
//                 [--format json|text]`
// The socket sink's client: prints records as NDJSON (or one line per story) and, with
// --follow, follows live records, reconnecting and resuming from the last seq it printed.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.hpp"
#include "cli/io.hpp"

namespace wirewatch::cli {
namespace {

struct TailOptions {
  std::string socket = "/run/wirewatch/records.sock";
  std::optional<std::int64_t> since;
  std::int64_t lines = 10;
  std::vector<std::string> labels;
  bool follow = false;
  std::string format = "json";
};

/// A connected Unix stream socket, closed on scope exit.
class Connection {
 public:
  explicit Connection(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
      error_ = "socket path too long";
      return;
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      error_ = std::strerror(errno);
    }
  }
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& error() const { return error_; }
  bool send(std::string_view text) {
    while (!text.empty()) {
      const ssize_t sent = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;
      if (sent <= 0) return false;
      text.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }
  /// Reads the next line into line; false at EOF or error.
  bool read_line(std::string& line) {
    while (true) {
      if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
        line.assign(buffer_, 0, newline);
        buffer_.erase(0, newline + 1);
        return true;
      }
      char chunk[1 << 16];
      const ssize_t got = ::read(fd_, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
  }

 private:
  int fd_ = -1;
  std::string error_;
  std::string buffer_;
};

std::string text_line(const nlohmann::json& record) {
  auto field = [&](const char* key) {
    auto it = record.find(key);
    return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string labels;
  if (auto it = record.find("labels"); it != record.end() && it->is_array()) {
    for (const auto& label : *it) {
      if (label.is_string()) labels += (labels.empty() ? "" : ",") + label.get<std::string>();
    }
  }
  std::string seq = "-";
  if (auto it = record.find("seq"); it != record.end() && it->is_number_integer()) {
    seq = std::to_string(it->get<std::int64_t>());
  }
  std::string published = field("published");
  if (published.empty()) published = "-";
  return seq + "  " + published + "  [" + labels + "]  " + field("title") + "  " + field("url");
}

int run_tail(const TailOptions& options) {
  if (options.format != "json" && options.format != "text") {
    print_error("--format: expected json or text, got \"" + options.format + "\"");
    return kExitUsage;
  }
  std::optional<std::int64_t> last_printed;
  auto delay = std::chrono::milliseconds{250};
  bool first_attempt = true;
  while (true) {
    Connection connection(options.socket);
    if (!connection.error().empty()) {
      if (!options.follow || first_attempt) {
        print_error(options.socket + ": cannot connect: " + connection.error());
        return kExitNoInput;
      }
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds{5000});
      continue;
    }
    first_attempt = false;
    delay = std::chrono::milliseconds{250};
    nlohmann::json hello{{"follow", options.follow}};
    if (last_printed) {
      hello["since"] = *last_printed;
    } else if (options.since) {
      hello["since"] = *options.since;
    } else {
      hello["last"] = options.lines;
    }
    if (!options.labels.empty()) hello["labels"] = options.labels;
    if (!connection.send(hello.dump() + "\n")) continue;
    std::string line;
    while (connection.read_line(line)) {
      const auto record = nlohmann::json::parse(line, nullptr, false);
      if (record.is_object() && record.contains("error") && !record.contains("seq")) {
        print_error(options.socket + ": " + record["error"].dump());
        return kExitData;
      }
      if (record.is_object()) {
        if (auto seq = record.find("seq"); seq != record.end() && seq->is_number_integer()) {
          // After a reconnect the server resumes after last_printed: never print twice.
          if (last_printed && seq->get<std::int64_t>() <= *last_printed) continue;
          last_printed = seq->get<std::int64_t>();
        }
      }
      const bool written =
          write_line(options.format == "text" && record.is_object() ? text_line(record) : line);
      if (!written || !flush_output()) return kExitOk;  // the reader of our output went away
    }
    if (!options.follow) return kExitOk;
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace

void add_tail_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<TailOptions>();
  CLI::App* command = app.add_subcommand(
      "tail",
      "Print records from a running daemon's socket sink: the newest N (default 10), or all "
      "retained after --since; with --follow, keep printing new ones, reconnecting and "
      "resuming after the last seq printed.");
  command->add_option("--socket", options->socket, "The socket sink's path")->capture_default_str();
  command->add_option("--since", options->since, "Replay retained records with seq > N");
  command->add_option("-n,--lines", options->lines, "Without --since: the newest N records")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command->add_option("--label", options->labels,
                      "Only records with this label (repeatable: any of them)");
  command->add_flag("-f,--follow", options->follow, "Keep following new records");
  command->add_option("--format", options->format, "json (one record per line) or text")
      ->capture_default_str();
  command->callback([options, &exit_code] { exit_code = run_tail(*options); });
}

}  // namespace wirewatch::cli
