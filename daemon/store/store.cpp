// Opening (lock, pragmas, migrations, statements), feed states, the outbox and its cursors.
// commit_batch lives in commit.cpp.
#include "store/store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "store/store_impl.hpp"
#include "store/store_sql.hpp"

namespace wirewatch::store {
namespace {

using detail::Database;
using detail::Statement;

Status migrate(Database& database, const std::filesystem::path& path) {
  if (auto error = database.exec(sql::kCreateSchemaVersion); !error.empty()) {
    return Error{"cannot create schema_version in " + path.string() + ": " + error};
  }
  auto select = database.prepare(sql::kSelectSchemaVersion);
  if (!select) return select.error();
  std::string error;
  const std::int64_t current = select->step(error) ? select->column_int(0) : 0;
  select->reset();
  if (!error.empty()) return Error{"cannot read the schema version: " + error};
  if (current > kSchemaVersion) {
    return Error{path.string() + " has schema version " + std::to_string(current) +
                 ", newer than this wirewatch understands (" + std::to_string(kSchemaVersion) +
                 "); upgrade wirewatch or use another state_dir"};
  }
  auto insert = database.prepare(sql::kInsertSchemaVersion);
  if (!insert) return insert.error();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  for (const auto& migration : sql::kMigrations) {
    if (migration.version <= current) continue;
    std::string failure = database.exec("BEGIN IMMEDIATE");
    if (failure.empty()) failure = database.exec(migration.sql);
    if (failure.empty()) {
      insert->bind(1, std::int64_t{migration.version});
      insert->bind(2, std::int64_t{now});
      failure = insert->run();
    }
    if (failure.empty()) failure = database.exec("COMMIT");
    if (!failure.empty()) {
      database.exec("ROLLBACK");
      return Error{"cannot migrate " + path.string() + " to schema version " +
                   std::to_string(migration.version) + ": " + failure};
    }
  }
  return std::monostate{};
}

Status prepare_all(Database& database, Statements& s) {
  const std::pair<Statement*, std::string_view> all[] = {
      {&s.begin, sql::kBegin},
      {&s.commit, sql::kCommit},
      {&s.rollback, sql::kRollback},
      {&s.select_last_seq, sql::kSelectLastSeq},
      {&s.update_last_seq, sql::kUpdateLastSeq},
      {&s.select_feeds, sql::kSelectFeeds},
      {&s.upsert_feed, sql::kUpsertFeed},
      {&s.select_seen_of_feed, sql::kSelectSeenOfFeed},
      {&s.select_seen_by_id, sql::kSelectSeenById},
      {&s.insert_seen, sql::kInsertSeen},
      {&s.update_seen_content, sql::kUpdateSeenContent},
      {&s.touch_seen, sql::kTouchSeen},
      {&s.prune_seen, sql::kPruneSeen},
      {&s.insert_outbox, sql::kInsertOutbox},
      {&s.select_outbox_after, sql::kSelectOutboxAfter},
      {&s.prune_outbox, sql::kPruneOutbox},
      {&s.select_cursor, sql::kSelectCursor},
      {&s.insert_cursor, sql::kInsertCursor},
      {&s.advance_cursor, sql::kAdvanceCursor},
      {&s.select_cursors, sql::kSelectCursors},
      {&s.select_min_cursor, sql::kSelectMinCursor},
      {&s.delete_cursor, sql::kDeleteCursor},
  };
  for (const auto& [statement, text] : all) {
    auto prepared = database.prepare(text);
    if (!prepared) return Error{prepared.error().message + " (" + std::string(text) + ")"};
    *statement = std::move(*prepared);
  }
  return std::monostate{};
}

std::optional<core::Timestamp> timestamp(std::optional<std::int64_t> seconds) {
  if (!seconds) return std::nullopt;
  return core::Timestamp{std::chrono::seconds{*seconds}};
}

std::vector<std::string> split_labels(std::string_view text) {
  std::vector<std::string> labels;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    labels.emplace_back(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
  }
  return labels;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<Store::Impl::CachedIndex*> Store::Impl::index_of(const std::string& feed_id,
                                                        std::size_t want) {
  if (const auto found = seen.find(feed_id); found != seen.end()) {
    found->second.last_use = commits;
    return &found->second;
  }
  CachedIndex cached;
  cached.last_use = commits;
  cached.index.reserve(want);  // the document's entries and as many recent ones
  const std::size_t limit = std::max<std::size_t>(want, 64);
  auto& select = statements.select_seen_of_feed;
  select.bind(1, feed_id);
  select.bind(2, static_cast<std::int64_t>(limit));
  std::string error;
  std::size_t loaded = 0;
  while (select.step(error)) {
    cached.index.load(
        std::string(select.column_text(0)),
        detail::SeenEntry{std::string(select.column_text(1)), std::string(select.column_text(2)),
                          std::string(select.column_text(3)), select.column_int(4)});
    ++loaded;
  }
  select.reset();
  if (!error.empty()) return Error{"cannot load seen entries of feed " + feed_id + ": " + error};
  cached.complete = loaded < limit;
  return &seen.insert_or_assign(feed_id, std::move(cached)).first->second;
}

Status Store::Impl::find_seen(const std::string& feed_id, const std::string& id,
                              CachedIndex& cached) {
  if (cached.complete || cached.index.find(id) != nullptr) return std::monostate{};
  auto& select = statements.select_seen_by_id;
  select.bind(1, feed_id);
  select.bind(2, id);
  std::string error;
  if (select.step(error)) {
    cached.index.load(
        id,
        detail::SeenEntry{std::string(select.column_text(0)), std::string(select.column_text(1)),
                          std::string(select.column_text(2)), select.column_int(3)});
  }
  select.reset();
  if (!error.empty()) return Error{"cannot look up a seen entry of feed " + feed_id + ": " + error};
  return std::monostate{};
}

std::size_t Store::Impl::seen_rows() const {
  std::size_t held = 0;
  for (const auto& [feed, cached] : seen) held += cached.index.size();
  return held;
}

void Store::Impl::trim_seen_cache() {
  std::size_t held = seen_rows();
  if (held <= options.seen_cache_entries) return;
  std::vector<std::pair<std::uint64_t, const std::string*>> by_age;
  by_age.reserve(seen.size());
  for (const auto& [feed, cached] : seen) {
    if (cached.last_use < commits) by_age.emplace_back(cached.last_use, &feed);
  }
  std::sort(by_age.begin(), by_age.end());
  std::vector<std::string> dropped;
  for (const auto& [use, feed] : by_age) {
    if (held <= options.seen_cache_entries / 2) break;
    held -= seen.at(*feed).index.size();
    dropped.push_back(*feed);
  }
  for (const auto& feed : dropped) seen.erase(feed);
}

Status Store::Impl::run(detail::Statement& statement, std::string_view what) {
  if (auto error = statement.run(); !error.empty()) return Error{std::string(what) + ": " + error};
  return std::monostate{};
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Result<Store> Store::open(const std::filesystem::path& state_dir, const StoreOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  if (error) return Error{"cannot create state dir " + state_dir.string() + ": " + error.message()};
  auto lock = detail::StateLock::acquire(state_dir);
  if (!lock) return lock.error();
  // In place: Impl holds a mutex, so it cannot be moved.
  std::unique_ptr<Impl> impl(new Impl{std::move(*lock), {}, {}, options, {}, 0, {}});
  impl->database_path = state_dir / "wirewatch.db";
  auto database = Database::open(impl->database_path.string());
  if (!database) return database.error();
  impl->database = std::move(*database);
  const std::string synchronous = options.synchronous == Synchronous::full
                                      ? "PRAGMA synchronous = FULL"
                                      : "PRAGMA synchronous = NORMAL";
  for (const std::string_view pragma : {sql::kPragmas, std::string_view(synchronous)}) {
    if (auto failure = impl->database.exec(pragma); !failure.empty()) {
      return Error{impl->database_path.string() + ": " + failure};
    }
  }
  if (auto migrated = migrate(impl->database, impl->database_path); !migrated) {
    return migrated.error();
  }
  if (auto prepared = prepare_all(impl->database, impl->statements); !prepared) {
    return prepared.error();
  }
  auto& select = impl->statements.select_last_seq;
  std::string failure;
  if (select.step(failure)) impl->last_seq = select.column_int(0);
  select.reset();
  if (!failure.empty()) return Error{"cannot read last_seq: " + failure};
  return Store(std::move(impl));
}

Result<Store> Store::open_read_only(const std::filesystem::path& state_dir) {
  std::unique_ptr<Impl> impl(new Impl{detail::StateLock::none(), {}, {}, {}, {}, 0, {}});
  impl->database_path = state_dir / "wirewatch.db";
  std::error_code missing;
  if (!std::filesystem::exists(impl->database_path, missing)) {
    return Error{impl->database_path.string() + ": no store here yet (has wirewatch run?)"};
  }
  auto database = Database::open(impl->database_path.string(), true);
  if (!database) return database.error();
  impl->database = std::move(*database);
  if (auto failure = impl->database.exec("PRAGMA busy_timeout = 5000"); !failure.empty()) {
    return Error{impl->database_path.string() + ": " + failure};
  }
  auto select = impl->database.prepare(sql::kSelectSchemaVersion);
  if (!select) return select.error();
  std::string error;
  const std::int64_t version = select->step(error) ? select->column_int(0) : 0;
  select->reset();
  if (!error.empty()) return Error{"cannot read the schema version: " + error};
  if (version != kSchemaVersion) {
    return Error{impl->database_path.string() + " has schema version " + std::to_string(version) +
                 "; this wirewatch reads version " + std::to_string(kSchemaVersion)};
  }
  if (auto prepared = prepare_all(impl->database, impl->statements); !prepared) {
    return prepared.error();
  }
  auto& last = impl->statements.select_last_seq;
  if (last.step(error)) impl->last_seq = last.column_int(0);
  last.reset();
  if (!error.empty()) return Error{"cannot read last_seq: " + error};
  return Store(std::move(impl));
}

const std::filesystem::path& Store::database_path() const {
  return impl_->database_path;
}

std::int64_t Store::last_seq() const {
  const std::scoped_lock lock(impl_->mutex);
  return impl_->last_seq;
}

std::size_t Store::cached_seen_entries() const {
  const std::scoped_lock lock(impl_->mutex);
  return impl_->seen_rows();
}

Result<std::vector<FeedState>> Store::load_feed_states() {
  const std::scoped_lock lock(impl_->mutex);
  auto& select = impl_->statements.select_feeds;
  std::vector<FeedState> states;
  std::string error;
  while (select.step(error)) {
    FeedState state;
    state.feed_id = select.column_text(0);
    state.url = select.column_text(1);
    state.etag = select.column_text(2);
    state.last_modified = select.column_text(3);
    state.body_hash = select.column_text(4);
    state.title = select.column_text(5);
    state.last_status = static_cast<int>(select.column_int(6));
    state.health = select.column_text(7);
    state.error_class = select.column_text(8);
    state.error_message = select.column_text(9);
    state.failures = static_cast<int>(select.column_int(10));
    state.next_due = timestamp(select.column_optional_int(11));
    state.last_attempt = timestamp(select.column_optional_int(12));
    state.last_success = timestamp(select.column_optional_int(13));
    state.last_document = timestamp(select.column_optional_int(14));
    state.config_url = select.column_text(15);
    state.redirect_url = select.column_text(16);
    state.redirect_seen = static_cast<int>(select.column_int(17));
    states.push_back(std::move(state));
  }
  select.reset();
  if (!error.empty()) return Error{"cannot read feed states: " + error};
  return states;
}

Result<std::vector<OutboxEntry>> Store::read_outbox(std::int64_t after_seq, std::size_t limit) {
  const std::scoped_lock lock(impl_->mutex);
  auto& select = impl_->statements.select_outbox_after;
  select.bind(1, after_seq);
  select.bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<OutboxEntry> entries;
  std::string error;
  while (select.step(error)) {
    OutboxEntry entry;
    entry.seq = select.column_int(0);
    entry.id = select.column_text(1);
    entry.feed_id = select.column_text(2);
    entry.event = select.column_text(3) == "update" ? core::Event::update : core::Event::new_entry;
    entry.labels = split_labels(select.column_text(4));
    entry.json = select.column_text(5);
    entries.push_back(std::move(entry));
  }
  select.reset();
  if (!error.empty()) return Error{"cannot read the outbox: " + error};
  return entries;
}

Result<std::int64_t> Store::sink_cursor(std::string_view name) {
  const std::scoped_lock lock(impl_->mutex);
  auto& statements = impl_->statements;
  statements.insert_cursor.bind(1, name);
  statements.insert_cursor.bind(2, now_seconds());
  if (auto created = impl_->run(statements.insert_cursor, "cannot create sink cursor"); !created) {
    return created.error();
  }
  statements.select_cursor.bind(1, name);
  std::string error;
  const std::int64_t seq =
      statements.select_cursor.step(error) ? statements.select_cursor.column_int(0) : 0;
  statements.select_cursor.reset();
  if (!error.empty()) return Error{"cannot read sink cursor: " + error};
  return seq;
}

Status Store::advance_sink_cursor(std::string_view name, std::int64_t seq) {
  const std::scoped_lock lock(impl_->mutex);
  if (seq > impl_->last_seq || seq < 0) {
    return Error{"sink " + std::string(name) + " cannot advance to seq " + std::to_string(seq) +
                 ": the last seq is " + std::to_string(impl_->last_seq)};
  }
  auto& advance = impl_->statements.advance_cursor;
  advance.bind(1, name);
  advance.bind(2, seq);
  advance.bind(3, now_seconds());
  return impl_->run(advance, "cannot advance sink cursor " + std::string(name));
}

Result<std::vector<SinkCursor>> Store::sink_cursors() {
  const std::scoped_lock lock(impl_->mutex);
  auto& select = impl_->statements.select_cursors;
  std::vector<SinkCursor> cursors;
  std::string error;
  while (select.step(error)) {
    cursors.push_back({std::string(select.column_text(0)), select.column_int(1)});
  }
  select.reset();
  if (!error.empty()) return Error{"cannot read sink cursors: " + error};
  return cursors;
}

Status Store::remove_sink_cursor(std::string_view name) {
  const std::scoped_lock lock(impl_->mutex);
  impl_->statements.delete_cursor.bind(1, name);
  return impl_->run(impl_->statements.delete_cursor, "cannot remove sink cursor");
}

Result<PruneResult> Store::prune(const RetentionPolicy& policy, core::Timestamp now) {
  const std::scoped_lock lock(impl_->mutex);
  auto& s = impl_->statements;
  std::string error;
  // No cursor at all: nothing is waiting for records, so age alone decides.
  std::int64_t passed = impl_->last_seq;
  if (s.select_min_cursor.step(error)) {
    if (auto lowest = s.select_min_cursor.column_optional_int(0)) passed = *lowest;
  }
  s.select_min_cursor.reset();
  if (!error.empty()) return Error{"cannot read sink cursors: " + error};

  PruneResult result;
  const std::int64_t at = unix_seconds(now);
  s.prune_outbox.bind(1, at - policy.outbox_retention.count());
  s.prune_outbox.bind(2, passed);
  if (auto pruned = impl_->run(s.prune_outbox, "cannot prune the outbox"); !pruned) {
    return pruned.error();
  }
  result.outbox_records = static_cast<std::size_t>(impl_->database.changes());
  s.prune_seen.bind(1, at - policy.seen_retention.count());
  s.prune_seen.bind(2, static_cast<std::int64_t>(impl_->options.last_seen_resolution.count()));
  if (auto pruned = impl_->run(s.prune_seen, "cannot prune seen entries"); !pruned) {
    return pruned.error();
  }
  result.seen_entries = static_cast<std::size_t>(impl_->database.changes());
  if (result.seen_entries > 0) impl_->seen.clear();  // reloaded from the table on next use
  return result;
}

}  // namespace wirewatch::store
