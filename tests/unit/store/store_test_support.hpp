// Helpers for the store tests: a temporary state dir, records, and row counts read through a
// second SQLite connection (what a crash-and-restart would see).
#pragma once

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/time.hpp"
#include "store/store.hpp"

namespace wirewatch::store::test_support {

/// A fresh directory under /tmp, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "wirewatch-store-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline const core::Timestamp kNow = *core::make_utc(2023, 11, 9, 10, 0, 0);

/// A record of feed with the given id (standing in for normalize::record_id) and link.
inline core::Record record(const std::string& feed, const std::string& id, const std::string& url,
                           const std::string& title = "A title") {
  core::Record r;
  r.id = id;
  r.feed.id = feed;
  r.feed.url = "https://" + feed + ".example/rss";
  r.guid = id;
  r.url = url;
  r.title = title;
  r.summary = "Summary of " + title;
  r.fetched = kNow;
  return r;
}

/// A 200 with a parsed document holding records.
inline FeedOutcome document(const std::string& feed, const std::vector<core::Record>& records) {
  FeedOutcome outcome;
  outcome.state.feed_id = feed;
  outcome.state.url = "https://" + feed + ".example/rss";
  outcome.state.last_status = 200;
  outcome.state.health = "ok";
  outcome.state.next_due = kNow + std::chrono::minutes{15};
  outcome.state.last_attempt = kNow;
  outcome.state.last_success = kNow;
  outcome.parsed = true;
  for (const auto& record : records) outcome.records.push_back(prepare_record(record));
  return outcome;
}

/// A 304: state only.
inline FeedOutcome not_modified(const std::string& feed) {
  FeedOutcome outcome = document(feed, {});
  outcome.parsed = false;
  outcome.state.last_status = 304;
  outcome.state.etag = "\"v1\"";
  outcome.state.last_modified = "Thu, 09 Nov 2023 10:00:00 GMT";
  return outcome;
}

/// Runs one query returning one integer on a separate connection to the store's database.
inline std::int64_t query_int(const std::filesystem::path& database, const std::string& sql) {
  sqlite3* db = nullptr;
  std::int64_t value = -1;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      value = sqlite3_column_int64(statement, 0);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return value;
}

/// Runs statements on a separate connection; "" on success.
inline std::string execute(const std::filesystem::path& database, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string error;
  sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    error = message ? message : "error";
  }
  sqlite3_free(message);
  sqlite3_close(db);
  return error;
}

}  // namespace wirewatch::store::test_support
