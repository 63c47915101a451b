// Internal: the state behind a Store (connection, prepared statements, in-memory seen index).
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/seen_index.hpp"
#include "store/sqlite.hpp"
#include "store/state_lock.hpp"
#include "store/store.hpp"

namespace wirewatch::store {

/// Every statement of store_sql.hpp, prepared once.
struct Statements {
  detail::Statement begin, commit, rollback;
  detail::Statement select_last_seq, update_last_seq;
  detail::Statement select_feeds, upsert_feed;
  detail::Statement select_seen_of_feed, select_seen_by_id, insert_seen, update_seen_content,
      touch_seen, prune_seen;
  detail::Statement insert_outbox, select_outbox_after, prune_outbox;
  detail::Statement select_cursor, insert_cursor, advance_cursor, select_cursors, select_min_cursor,
      delete_cursor;
};

struct Store::Impl {
  detail::StateLock lock;
  detail::Database database;
  Statements statements;
  StoreOptions options;
  std::filesystem::path database_path;
  std::int64_t last_seq = 0;
  /// Seen entries of recently committed feeds, loaded on first use; bounded by
  /// options.seen_cache_entries (trim_seen_cache).
  struct CachedIndex {
    detail::FeedIndex index;
    std::uint64_t last_use = 0;  // commit_batch call that used it last
    bool complete = false;       // every seen row of the feed is in index
  };
  std::unordered_map<std::string, CachedIndex> seen;
  std::uint64_t commits = 0;  // commit_batch calls so far (the cache's clock)

  /// The seen index of feed_id, loading its `want` most recently seen rows (at least 64) from
  /// the seen table the first time; rows not loaded are found by id (find_seen).
  Result<CachedIndex*> index_of(const std::string& feed_id, std::size_t want);

  /// Adds the seen row (feed_id, id) to cached when the table has it and cached lacks it.
  Status find_seen(const std::string& feed_id, const std::string& id, CachedIndex& cached);

  /// Drops the least recently used indexes (never one used by the current commit) until the
  /// cache holds at most half its budget, once it holds more than the budget.
  void trim_seen_cache();

  /// Seen rows held in the cache now.
  std::size_t seen_rows() const;

  /// Runs statement (a write), then resets it; an Error naming what on failure.
  Status run(detail::Statement& statement, std::string_view what);

  /// Held by every public Store method: the engine commits on a thread of its own while the
  /// I/O thread reads the outbox and moves sink cursors (one connection, one transaction at
  /// a time).
  mutable std::mutex mutex{};
};

/// Unix seconds of a timestamp.
inline std::int64_t unix_seconds(core::Timestamp time) {
  return time.time_since_epoch().count();
}

}  // namespace wirewatch::store
