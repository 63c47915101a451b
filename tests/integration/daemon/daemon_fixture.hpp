// Shared setup for tests that run the real `wirewatch run` daemon against a scripted HTTP
// server whose feeds keep growing: a publisher thread adds entries while the daemon polls, is
// killed, reloaded and restarted. Helpers read what a user would read: the directory sink's
// segment files and the output of `wirewatch tail --follow`. Every wait has a deadline; no
// fixed sleep is an assertion.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "http_test_server.hpp"

namespace wirewatch::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_support::ReceivedRequest;
using test_support::ScriptedResponse;

/// Feeds on the test server that grow while the daemon runs. Each feed path serves every
/// entry published to it so far (RSS, newest first) with ETag "<count>", and answers 304 to a
/// matching If-None-Match, like a real CMS.
class FeedPublisher {
 public:
  explicit FeedPublisher(test_support::HttpTestServer& server) : server_(server) {}
  ~FeedPublisher() { stop(); }
  FeedPublisher(const FeedPublisher&) = delete;
  FeedPublisher& operator=(const FeedPublisher&) = delete;

  /// Routes path (e.g. "/a.xml") on the server. Feeds start empty.
  void add_feed(const std::string& path) {
    {
      std::lock_guard lock(mutex_);
      feeds_[path];
    }
    server_.route(path,
                  [this, path](const ReceivedRequest& request) { return serve(path, request); });
  }

  /// Appends one entry to the feed at path and returns its title (unique across feeds).
  std::string publish(const std::string& path) {
    std::lock_guard lock(mutex_);
    auto& entries = feeds_[path];
    std::string name = path.substr(1, path.find('.') - 1);
    const std::string title = name + " entry " + std::to_string(entries.size() + 1);
    entries.push_back(title);
    published_.push_back(title);
    return title;
  }

  /// Publishes one entry every `every`, round robin over paths, until stop().
  void start(std::vector<std::string> paths, std::chrono::milliseconds every) {
    stop();
    running_ = true;
    thread_ = std::thread([this, paths = std::move(paths), every] {
      std::size_t next = 0;
      std::unique_lock lock(stop_mutex_);
      while (running_) {
        publish(paths[next++ % paths.size()]);
        stop_signal_.wait_for(lock, every, [this] { return !running_; });
      }
    });
  }

  /// Stops publishing (idempotent). What was published stays served.
  void stop() {
    {
      std::lock_guard lock(stop_mutex_);
      running_ = false;
    }
    stop_signal_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  /// Every title published so far, in order.
  std::vector<std::string> published() const {
    std::lock_guard lock(mutex_);
    return published_;
  }

  /// The titles published to one feed.
  std::vector<std::string> published(const std::string& path) const {
    std::lock_guard lock(mutex_);
    auto it = feeds_.find(path);
    return it == feeds_.end() ? std::vector<std::string>{} : it->second;
  }

  /// 200 responses served with a body, per path (304s not counted).
  std::size_t bodies_served(const std::string& path) const {
    std::lock_guard lock(mutex_);
    auto it = served_.find(path);
    return it == served_.end() ? 0 : it->second;
  }

 private:
  ScriptedResponse serve(const std::string& path, const ReceivedRequest& request) {
    std::lock_guard lock(mutex_);
    const auto& entries = feeds_[path];
    const std::string etag = "\"" + std::to_string(entries.size()) + "\"";
    if (request.header("If-None-Match") == etag) return ScriptedResponse(304, {{"ETag", etag}});
    ++served_[path];
    std::string xml = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>" +
                      path.substr(1) + "</title><link>http://example.org/</link>";
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      std::string guid = *it;
      std::replace(guid.begin(), guid.end(), ' ', '-');
      xml += "<item><guid>" + guid + "</guid><title>" + *it + "</title><link>http://example.org/" +
             guid + "</link><description>Story " + *it + ".</description></item>";
    }
    xml += "</channel></rss>";
    return ScriptedResponse(200, {{"ETag", etag}, {"Content-Type", "application/rss+xml"}}, xml);
  }

  test_support::HttpTestServer& server_;
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<std::string>> feeds_;
  std::map<std::string, std::size_t> served_;
  std::vector<std::string> published_;
  std::thread thread_;
  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool running_ = false;
};

/// What a directory sink holds, read the way a consumer would.
struct SinkContents {
  std::vector<nlohmann::json> records;  // complete lines, segment order then line order
  std::size_t torn_lines = 0;           // lines that are not a JSON record with a seq
  bool unterminated_tail = false;       // the newest segment ends without '\n'
};

/// Reads every records-*.jsonl under directory, in name order.
inline SinkContents read_directory_sink(const fs::path& directory) {
  SinkContents contents;
  std::vector<fs::path> files;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(directory, ignored)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("records-") && name.ends_with(".jsonl")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (std::size_t f = 0; f < files.size(); ++f) {
    std::ifstream in(files[f], std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    std::size_t start = 0;
    while (start < text.size()) {
      const auto end = text.find('\n', start);
      if (end == std::string::npos) {
        // A line still being written (daemon running) or torn (daemon killed): not a record.
        if (f + 1 == files.size()) {
          contents.unterminated_tail = true;
        } else {
          ++contents.torn_lines;
        }
        break;
      }
      auto json = nlohmann::json::parse(text.substr(start, end - start), nullptr, false);
      if (json.is_object() && json.contains("seq") && json["seq"].is_number_integer()) {
        contents.records.push_back(std::move(json));
      } else {
        ++contents.torn_lines;
      }
      start = end + 1;
    }
  }
  return contents;
}

/// The seqs of records printed one JSON object per line (`wirewatch tail` output).
inline std::vector<std::int64_t> printed_seqs(const std::string& output) {
  std::vector<std::int64_t> seqs;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_object() && json.contains("seq") && json["seq"].is_number_integer()) {
      seqs.push_back(json["seq"].get<std::int64_t>());
    }
  }
  return seqs;
}

/// The user-visible verdict over a directory sink (and optionally a socket client's output):
/// what a crash test prints and asserts.
struct DeliveryReport {
  std::size_t records = 0;
  std::size_t lost = 0;               // published titles missing from the sink
  std::size_t duplicated = 0;         // titles or seqs present more than once
  std::size_t out_of_order = 0;       // seqs not strictly greater than the one before
  std::size_t torn = 0;               // lines that are not complete records
  std::size_t client_missed = 0;      // sink seqs the socket client never printed
  std::size_t client_duplicated = 0;  // seqs the socket client printed more than once
  std::size_t client_extra = 0;       // seqs the client printed that the sink does not hold
  std::vector<std::string> examples;  // a few of the problems, for the failure message

  bool clean() const {
    return lost == 0 && duplicated == 0 && out_of_order == 0 && torn == 0 && client_missed == 0 &&
           client_duplicated == 0 && client_extra == 0;
  }
  std::string figures() const {
    std::ostringstream out;
    out << "records=" << records << " lost=" << lost << " duplicated=" << duplicated
        << " out_of_order=" << out_of_order << " torn=" << torn
        << " client_missed=" << client_missed << " client_duplicated=" << client_duplicated
        << " client_extra=" << client_extra;
    for (const auto& example : examples) out << "\n  " << example;
    return out.str();
  }
};

inline DeliveryReport check_delivery(const SinkContents& sink,
                                     const std::vector<std::string>& published,
                                     const std::vector<std::int64_t>* client = nullptr) {
  DeliveryReport report;
  auto note = [&](std::string text) {
    if (report.examples.size() < 10) report.examples.push_back(std::move(text));
  };
  report.records = sink.records.size();
  report.torn = sink.torn_lines + (sink.unterminated_tail ? 1 : 0);
  std::map<std::string, int> titles;
  std::set<std::int64_t> seqs;
  std::int64_t previous = 0;
  for (const auto& record : sink.records) {
    const auto seq = record["seq"].get<std::int64_t>();
    if (!seqs.insert(seq).second) {
      ++report.duplicated;
      note("seq " + std::to_string(seq) + " twice in the sink");
    }
    if (seq <= previous) {
      ++report.out_of_order;
      note("seq " + std::to_string(seq) + " after " + std::to_string(previous));
    }
    previous = seq;
    if (++titles[record.value("title", std::string())] == 2) {
      ++report.duplicated;
      note("\"" + record.value("title", std::string()) + "\" twice in the sink");
    }
  }
  for (const auto& title : published) {
    if (!titles.contains(title)) {
      ++report.lost;
      note("\"" + title + "\" published but not in the sink");
    }
  }
  if (client != nullptr) {
    std::map<std::int64_t, int> printed;
    for (auto seq : *client) {
      if (++printed[seq] == 2) {
        ++report.client_duplicated;
        note("client printed seq " + std::to_string(seq) + " twice");
      }
      if (!seqs.contains(seq)) ++report.client_extra;
    }
    for (auto seq : seqs) {
      if (!printed.contains(seq)) {
        ++report.client_missed;
        note("client never printed seq " + std::to_string(seq));
      }
    }
  }
  return report;
}

/// A temp directory with a config, the daemon as a child process, and a socket client.
class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    // Short: the socket path inside must fit in sun_path (108 bytes).
    directory_ = fs::temp_directory_path() /
                 ("wwd-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }

  void TearDown() override {
    publisher_.stop();
    tail_.reset();  // kills what is still running
    daemon_.reset();
    if (!::testing::Test::HasFailure()) fs::remove_all(directory_);
  }

  fs::path config_path() const { return directory_ / "wirewatch.yaml"; }
  fs::path records_dir(const std::string& name = "records") const { return directory_ / name; }
  fs::path socket_path() const { return directory_ / "s.sock"; }
  fs::path state_dir() const { return directory_ / "state"; }

  /// host:port the config's metrics endpoint listens on; empty turns metrics off.
  std::string metrics_listen_;

  /// Writes a config polling the given feed paths every second. sinks: YAML list items for
  /// `sinks:`; empty gives a directory sink at records_dir() and a socket sink.
  void write_config(const std::vector<std::string>& paths, std::string sinks = {},
                    const std::string& extra_defaults = {}) {
    if (sinks.empty()) sinks = directory_sink() + socket_sink();
    std::ofstream out(config_path().string() + ".tmp");
    out << "state_dir: " << state_dir().string() << "\n"
        << "defaults:\n  interval: 1s\n  min_interval: 1s\n  max_interval: 2s\n"
        << "  timeout: 20s\n  connect_timeout: 2s\n"
        << extra_defaults
        << (metrics_listen_.empty() ? std::string("metrics:\n  enabled: false\n")
                                    : "metrics:\n  listen: \"" + metrics_listen_ + "\"\n")
        << "feeds:\n";
    for (const auto& path : paths) {
      out << "  - id: " << path.substr(1, path.find('.') - 1) << "\n    url: " << server_.url(path)
          << "\n";
    }
    out << "sinks:\n" << sinks;
    out.close();
    fs::rename(config_path().string() + ".tmp", config_path());  // a reload never reads half
  }

  std::string directory_sink(const std::string& name = "records",
                             const std::string& extra = {}) const {
    return "  - type: directory\n    name: " + name + "\n    path: " + records_dir(name).string() +
           "\n" + extra;
  }
  std::string socket_sink() const {
    return "  - type: socket\n    path: " + socket_path().string() + "\n";
  }

  /// Starts `wirewatch run` (does not wait for it to be ready).
  void start_daemon(const std::string& grace = "10s") {
    daemon_ = std::make_unique<test_support::ChildProcess>(std::vector<std::string>{
        WIREWATCH_BINARY, "run", "--config", config_path().string(), "--grace", grace});
    ++daemon_starts_;
  }

  /// Starts the daemon and waits until it logged that it started.
  void start_daemon_and_wait(const std::string& grace = "10s") {
    start_daemon(grace);
    ASSERT_TRUE(wait_for([&] { return count(daemon_->err_so_far(), "Started. feeds=") >= 1; }, 20s))
        << daemon_->err_so_far();
  }

  /// SIGKILLs the daemon and reaps it.
  void kill_daemon() {
    daemon_->signal(SIGKILL);
    auto result = daemon_->wait(20s);
    ASSERT_TRUE(result.has_value()) << "the daemon did not die on SIGKILL";
    killed_logs_ += result->err;
    daemon_.reset();
  }

  /// SIGTERMs the daemon and returns how it ended (exit code -2 on timeout).
  test_support::ProcessResult stop_daemon(std::chrono::milliseconds timeout = 30s) {
    daemon_->signal(SIGTERM);
    auto result = daemon_->wait(timeout);
    if (!result) return {-2, 0, {}, daemon_->err_so_far()};
    return *result;
  }

  /// Starts `wirewatch tail --follow --since 0` on the daemon's socket.
  void start_tail() {
    tail_ = std::make_unique<test_support::ChildProcess>(std::vector<std::string>{
        WIREWATCH_BINARY, "tail", "--socket", socket_path().string(), "--since", "0", "--follow"});
  }

  /// Polls predicate every 20 ms until it holds or timeout passes.
  static bool wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (predicate()) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
  }

  static std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t found = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++found;
    }
    return found;
  }

  /// The titles in a directory sink.
  std::set<std::string> titles_in(const fs::path& directory) const {
    std::set<std::string> titles;
    for (const auto& record : read_directory_sink(directory).records) {
      titles.insert(record.value("title", std::string()));
    }
    return titles;
  }

  /// True when every title published so far (or the given ones) is in the directory sink.
  bool sink_has_all(const std::vector<std::string>& titles, const fs::path& directory) const {
    const auto held = titles_in(directory);
    return std::all_of(titles.begin(), titles.end(),
                       [&](const std::string& title) { return held.contains(title); });
  }

  fs::path directory_;
  test_support::HttpTestServer server_;
  FeedPublisher publisher_{server_};
  std::unique_ptr<test_support::ChildProcess> daemon_;
  std::unique_ptr<test_support::ChildProcess> tail_;
  int daemon_starts_ = 0;
  std::string killed_logs_;  // stderr of daemons that were killed, for failure messages
};

}  // namespace wirewatch::testing
