// Every SQL statement of the store, by name (Fluent Bit's tail_sql.h). Statements are
// prepared once when the store opens and reused. Times are Unix seconds (UTC).
#pragma once

#include <array>
#include <string_view>

namespace wirewatch::store::sql {

// ---- connection setup ------------------------------------------------------------------
// journal_mode and synchronous are set by the opener; these hold for every connection.
// page_size applies only to a database created by this connection (it must precede WAL): 16 KiB
// pages hold several outbox records (~2 KiB each) and cut the write calls per record ~4× against
// the 4 KiB default (bench/poll_compare.sh; strace -c counted the pwrite64 calls).
// secure_delete: Debian builds SQLite with it on, zeroing every freed cell and every new page
// (~8% of a first-cycle commit's instructions); the store holds nothing that needs scrubbing and
// the WAL keeps old page images regardless (docs/store.md).
inline constexpr std::string_view kPragmas =
    "PRAGMA page_size = 16384;"
    "PRAGMA journal_mode = WAL;"
    "PRAGMA busy_timeout = 5000;"
    "PRAGMA foreign_keys = OFF;"
    "PRAGMA temp_store = MEMORY;"
    "PRAGMA journal_size_limit = 67108864;"
    "PRAGMA secure_delete = OFF;";

// ---- schema migrations -----------------------------------------------------------------
// Migration N brings the schema from version N-1 to N. Never edit a released one: append.
struct Migration {
  int version;
  std::string_view sql;
};

inline constexpr std::array<Migration, 2> kMigrations{{
    {1, R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('last_seq', 0);

CREATE TABLE feeds (
  feed_id       TEXT PRIMARY KEY,
  url           TEXT NOT NULL DEFAULT '',
  etag          TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  body_hash     TEXT NOT NULL DEFAULT '',
  title         TEXT NOT NULL DEFAULT '',
  last_status   INTEGER NOT NULL DEFAULT 0,
  health        TEXT NOT NULL DEFAULT '',
  error_class   TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  failures      INTEGER NOT NULL DEFAULT 0,
  next_due      INTEGER,
  last_attempt  INTEGER,
  last_success  INTEGER,
  last_document INTEGER,
  config_url    TEXT NOT NULL DEFAULT '',
  redirect_url  TEXT NOT NULL DEFAULT '',
  redirect_seen INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE seen (
  feed_id      TEXT NOT NULL,
  id           TEXT NOT NULL,
  emit_id      TEXT NOT NULL,
  link         TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  first_seen   INTEGER NOT NULL,
  last_seen    INTEGER NOT NULL,
  PRIMARY KEY (feed_id, id)
) WITHOUT ROWID;

CREATE TABLE outbox (
  seq     INTEGER PRIMARY KEY,
  id      TEXT NOT NULL,
  feed_id TEXT NOT NULL,
  event   TEXT NOT NULL,
  labels  TEXT NOT NULL,
  created INTEGER NOT NULL,
  line    TEXT NOT NULL
);

CREATE TABLE sink_cursors (
  name    TEXT PRIMARY KEY,
  seq     INTEGER NOT NULL,
  updated INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    // 2: a feed's most recently seen entries first, so a commit loads only those (the rest are
    // found by id when they come back) however long the feed's history is.
    {2, R"sql(
CREATE INDEX seen_recent ON seen (feed_id, last_seen);
)sql"},
}};

inline constexpr std::string_view kCreateSchemaVersion =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "  version    INTEGER PRIMARY KEY,"
    "  applied_at INTEGER NOT NULL)";
inline constexpr std::string_view kSelectSchemaVersion =
    "SELECT coalesce(max(version), 0) FROM schema_version";
inline constexpr std::string_view kInsertSchemaVersion =
    "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)";

// ---- transactions ----------------------------------------------------------------------
inline constexpr std::string_view kBegin = "BEGIN IMMEDIATE";
inline constexpr std::string_view kCommit = "COMMIT";
inline constexpr std::string_view kRollback = "ROLLBACK";

// ---- meta --------------------------------------------------------------------------------
inline constexpr std::string_view kSelectLastSeq = "SELECT value FROM meta WHERE key = 'last_seq'";
inline constexpr std::string_view kUpdateLastSeq =
    "UPDATE meta SET value = ?1 WHERE key = 'last_seq'";

// ---- feeds ---------------------------------------------------------------------------------
inline constexpr std::string_view kSelectFeeds =
    "SELECT feed_id, url, etag, last_modified, body_hash, title, last_status, health,"
    "       error_class, error_message, failures, next_due, last_attempt, last_success,"
    "       last_document, config_url, redirect_url, redirect_seen "
    "FROM feeds ORDER BY feed_id";
// ?15 is last_document; NULL keeps the stored one (no document this poll).
inline constexpr std::string_view kUpsertFeed =
    "INSERT INTO feeds (feed_id, url, etag, last_modified, body_hash, title, last_status,"
    "                   health, error_class, error_message, failures, next_due, last_attempt,"
    "                   last_success, last_document, config_url, redirect_url, redirect_seen) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) "
    "ON CONFLICT (feed_id) DO UPDATE SET url = ?2, etag = ?3, last_modified = ?4,"
    "  body_hash = ?5, title = ?6, last_status = ?7, health = ?8, error_class = ?9,"
    "  error_message = ?10, failures = ?11, next_due = ?12, last_attempt = ?13,"
    "  last_success = ?14, last_document = coalesce(?15, last_document), config_url = ?16,"
    "  redirect_url = ?17, redirect_seen = ?18";

// ---- seen ----------------------------------------------------------------------------------
// The ?2 most recently seen entries of a feed (migration 2's index), and one entry by id.
inline constexpr std::string_view kSelectSeenOfFeed =
    "SELECT id, emit_id, link, content_hash, last_seen FROM seen WHERE feed_id = ?1 "
    "ORDER BY last_seen DESC LIMIT ?2";
inline constexpr std::string_view kSelectSeenById =
    "SELECT emit_id, link, content_hash, last_seen FROM seen WHERE feed_id = ?1 AND id = ?2";
inline constexpr std::string_view kInsertSeen =
    "INSERT INTO seen (feed_id, id, emit_id, link, content_hash, first_seen, last_seen) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) "
    "ON CONFLICT (feed_id, id) DO UPDATE SET emit_id = ?3, link = ?4, content_hash = ?5,"
    "  last_seen = ?6";
inline constexpr std::string_view kUpdateSeenContent =
    "UPDATE seen SET link = ?3, content_hash = ?4, last_seen = ?5 "
    "WHERE feed_id = ?1 AND id = ?2";
inline constexpr std::string_view kTouchSeen =
    "UPDATE seen SET last_seen = ?3 WHERE feed_id = ?1 AND id = ?2";
// An entry has left its feed when a later document did not list it: its last_seen is older
// than that document by more than the refresh resolution (?2).
inline constexpr std::string_view kPruneSeen =
    "DELETE FROM seen WHERE last_seen < ?1 AND last_seen < ("
    "  SELECT coalesce(last_document, 0) - ?2 FROM feeds WHERE feeds.feed_id = seen.feed_id)";

// ---- outbox --------------------------------------------------------------------------------
inline constexpr std::string_view kInsertOutbox =
    "INSERT INTO outbox (seq, id, feed_id, event, labels, created, line) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
inline constexpr std::string_view kSelectOutboxAfter =
    "SELECT seq, id, feed_id, event, labels, line FROM outbox WHERE seq > ?1 "
    "ORDER BY seq LIMIT ?2";
// Records older than ?1 that every cursor (?2: the lowest) has passed.
inline constexpr std::string_view kPruneOutbox =
    "DELETE FROM outbox WHERE seq <= ?2 AND created < ?1";

// ---- sink cursors --------------------------------------------------------------------------
inline constexpr std::string_view kSelectCursor = "SELECT seq FROM sink_cursors WHERE name = ?1";
inline constexpr std::string_view kInsertCursor =
    "INSERT INTO sink_cursors (name, seq, updated) VALUES (?1, 0, ?2) "
    "ON CONFLICT (name) DO NOTHING";
inline constexpr std::string_view kAdvanceCursor =
    "INSERT INTO sink_cursors (name, seq, updated) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (name) DO UPDATE SET seq = max(seq, ?2), updated = ?3";
inline constexpr std::string_view kSelectCursors =
    "SELECT name, seq FROM sink_cursors ORDER BY name";
inline constexpr std::string_view kSelectMinCursor = "SELECT min(seq) FROM sink_cursors";
inline constexpr std::string_view kDeleteCursor = "DELETE FROM sink_cursors WHERE name = ?1";

}  // namespace wirewatch::store::sql
