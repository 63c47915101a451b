// Shared setup for tests that run `wirewatch once` against a scripted HTTP server: a temp
// state dir, a config naming the server's feeds, and helpers to run the binary and read the
// directory sink.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "child_process.hpp"
#include "http_test_server.hpp"

namespace wirewatch::testing {

namespace fs = std::filesystem;

/// A small RSS document with the given items (guid, title) and optional extra channel XML.
inline std::string rss(const std::vector<std::pair<std::string, std::string>>& items,
                       const std::string& channel_extra = {}) {
  std::string xml =
      "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Test feed</title>"
      "<link>http://example.org/</link>" +
      channel_extra;
  for (const auto& [guid, title] : items) {
    xml += "<item><guid>" + guid + "</guid><title>" + title + "</title><link>http://example.org/" +
           guid + "</link><description>About " + title + ".</description></item>";
  }
  return xml + "</channel></rss>";
}

class OnceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("wirewatch-once-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  /// Writes the config: every path given is a feed on the test server (id = path without '/').
  void write_config(const std::vector<std::string>& paths, const std::string& extra_defaults = {},
                    const std::string& extra_feed_keys = {}) {
    std::ofstream out(config_path());
    out << "state_dir: " << (directory_ / "state").string() << "\n"
        << "defaults:\n  interval: 1m\n  min_interval: 1s\n  timeout: 5s\n"
        << "  connect_timeout: 2s\n  max_body: 64KiB\n"
        << extra_defaults << "feeds:\n";
    for (const auto& path : paths) {
      std::string id = path.substr(1);
      std::replace(id.begin(), id.end(), '/', '-');
      std::replace(id.begin(), id.end(), '.', '-');
      out << "  - id: " << id << "\n    url: " << server_.url(path) << "\n" << extra_feed_keys;
    }
    out << "sinks:\n  - type: directory\n    path: " << (directory_ / "records").string() << "\n";
  }

  fs::path config_path() const { return directory_ / "wirewatch.yaml"; }

  test_support::ProcessResult once() {
    return test_support::run_process({WIREWATCH_BINARY, "once", "--config", config_path()});
  }

  /// Every line the directory sink holds, byte for byte, in file order.
  std::vector<std::string> record_lines() const {
    std::vector<std::string> out;
    if (!fs::exists(directory_ / "records")) return out;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(directory_ / "records")) {
      files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::ifstream in(file);
      for (std::string line; std::getline(in, line);) out.push_back(line);
    }
    return out;
  }

  /// Every record the directory sink holds, in file order.
  std::vector<nlohmann::json> records() const {
    std::vector<nlohmann::json> out;
    for (const auto& line : record_lines()) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  /// The summary line of a feed in `once`'s stderr.
  static std::string summary_line(const std::string& err, const std::string& feed_id) {
    std::istringstream lines(err);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.starts_with(feed_id + " ")) return line;
    }
    return {};
  }

  /// The whitespace-separated columns of a feed's summary line: id, result, http, entries, new,
  /// updated, flagged, then the note's words.
  static std::vector<std::string> columns(const std::string& err, const std::string& feed_id) {
    std::istringstream words(summary_line(err, feed_id));
    std::vector<std::string> out;
    for (std::string word; words >> word;) out.push_back(word);
    out.resize(std::max<std::size_t>(out.size(), 7));
    return out;
  }

  fs::path directory_;
  test_support::HttpTestServer server_;
};

}  // namespace wirewatch::testing
