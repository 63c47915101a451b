// Internal: the state behind a Store (connection, prepared statements, in-memory seen index).
#pragma once

#include <filesystem>
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
  detail::Statement select_seen_of_feed, insert_seen, update_seen_content, touch_seen, prune_seen;
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
  /// Seen entries of the feeds committed since open, loaded on first use.
  std::unordered_map<std::string, detail::FeedIndex> seen;

  /// The seen index of feed_id, loading it from the seen table the first time.
  Result<detail::FeedIndex*> index_of(const std::string& feed_id);

  /// Runs statement (a write), then resets it; an Error naming what on failure.
  Status run(detail::Statement& statement, std::string_view what);
};

/// Unix seconds of a timestamp.
inline std::int64_t unix_seconds(core::Timestamp time) {
  return time.time_since_epoch().count();
}

}  // namespace wirewatch::store
