// The store stage: SQLite (WAL) under state_dir holding feed state, the seen entries and the
// outbox of records in seq order. Records enter the outbox in the same transaction that marks
// them seen; every sink is a cursor over the outbox. See docs/store.md.
//
// One Store per state_dir (a lock file enforces it) and one thread at a time per Store.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "store/types.hpp"

namespace wirewatch::store {

/// How commits reach the disk (SQLite PRAGMA synchronous, in WAL mode).
enum class Synchronous {
  normal,  // "NORMAL": survives a crash of the process; a power cut may undo the last commits
  full,    // "FULL": every commit is on disk when commit_batch returns (the default)
};

/// How a Store behaves.
struct StoreOptions {
  Synchronous synchronous = Synchronous::full;
  bool emit_updates = true;  // a changed entry goes out again as "event":"update"
  /// How stale a seen entry's last_seen may get before a poll that still lists it rewrites
  /// it. Coarse on purpose: an unchanged 200 then writes nothing per entry.
  std::chrono::seconds last_seen_resolution{24 * 3600};
  /// Seen entries kept in memory across commits (the indexes of the feeds committed most
  /// recently); past it, the least recently committed feeds' indexes are dropped and read
  /// back from the seen table when those feeds next change. Bounds memory however many
  /// feeds and however long a retention (~0.8 KiB per row, docs/store.md).
  std::size_t seen_cache_entries = 10'000;
};

/// What commit_batch needs of a normalized, classified record (pure; thread-safe).
PreparedRecord prepare_record(const core::Record& record);

/// The newest schema this build knows; open refuses a state_dir with a newer one.
inline constexpr int kSchemaVersion = 2;

/// The SQLite store of one state_dir.
class Store {
 public:
  /// Opens (creating if needed) state_dir/wirewatch.db, taking the single-instance lock
  /// state_dir/lock first and migrating the schema. Fails with "another wirewatch is running
  /// (pid N) …" when the lock is held, and refuses a schema newer than kSchemaVersion.
  static Result<Store> open(const std::filesystem::path& state_dir,
                            const StoreOptions& options = {});

  /// Opens an existing state_dir for reading only, without the lock, so `wirewatch status`
  /// works while the daemon runs. Writing through it fails. Refuses a newer schema.
  static Result<Store> open_read_only(const std::filesystem::path& state_dir);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  /// Every stored feed state, by feed id.
  Result<std::vector<FeedState>> load_feed_states();

  /// Commits the outcomes of a batch of polls in ONE transaction: stores each feed's state,
  /// decides for each record whether it is new, an update or already seen (per feed: by id,
  /// then canonical link, then content hash), marks it seen and appends the new and updated
  /// ones to the outbox with the next seq. Returns those outbox entries in seq order. On
  /// failure nothing of the batch is stored.
  Result<BatchResult> commit_batch(std::span<const FeedOutcome> outcomes, core::Timestamp now);

  /// Up to limit outbox entries with seq > after_seq, in seq order.
  Result<std::vector<OutboxEntry>> read_outbox(std::int64_t after_seq, std::size_t limit);

  /// The highest seq ever assigned (0 before the first record); never goes back, even when
  /// the outbox is pruned empty.
  std::int64_t last_seq() const;

  /// Seen entries held in memory now (bounded by StoreOptions::seen_cache_entries).
  std::size_t cached_seen_entries() const;

  /// The last seq sink `name` has made durable. The first call for a name creates its cursor
  /// at 0, so the sink starts with the oldest record still retained and prune waits for it.
  Result<std::int64_t> sink_cursor(std::string_view name);

  /// Moves sink `name`'s cursor to seq once the sink's write is durable. A cursor never moves
  /// back (a lower seq is ignored); a seq beyond last_seq() is an error.
  Status advance_sink_cursor(std::string_view name, std::int64_t seq);

  /// Every sink cursor, by name.
  Result<std::vector<SinkCursor>> sink_cursors();

  /// Forgets the cursor of a sink that is no longer configured, so prune stops waiting for it.
  Status remove_sink_cursor(std::string_view name);

  /// Deletes outbox records every cursor has passed and that are older than
  /// outbox_retention, and seen entries that left their feed more than seen_retention ago.
  Result<PruneResult> prune(const RetentionPolicy& policy, core::Timestamp now);

  /// The database file (state_dir/wirewatch.db).
  const std::filesystem::path& database_path() const;

  /// The implementation (store_impl.hpp); not part of the API.
  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wirewatch::store
