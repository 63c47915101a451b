// The store's vocabulary: what the pipeline hands to commit_batch (FeedOutcome) and what it
// gets back (OutboxEntry), plus the Result type of every store call. Only core types.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/record.hpp"

namespace wirewatch::store {

/// Why a store call failed: one line naming the operation ("commit: disk I/O error").
struct Error {
  std::string message;
};

/// A value, or the Error that prevented it.
template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  /// True when the call succeeded.
  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  /// The value; only when ok().
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  /// The error; only when !ok().
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

/// Success or an Error, for calls without a value.
using Status = Result<std::monostate>;

/// Everything the store keeps about a feed between polls. The pipeline owns the values: it
/// reads them with load_feed_states() and hands back the whole state after each poll.
struct FeedState {
  std::string feed_id;
  std::string url;            // the URL to poll; differs from the config after a 301/308
  std::string etag;           // validators for the next conditional GET, as the server sent
  std::string last_modified;  //   them
  std::string body_hash;      // hash of the last body, to skip parsing an identical 200
  std::string title;          // the feed's title, for status
  int last_status = 0;        // HTTP status of the last attempt; 0 when none arrived
  std::string health;         // scheduler health ("ok", "failing", "dormant", …)
  std::string error_class;    // poll class of the last failure ("transient"); "" when ok
  std::string error_message;  // one line; "" when ok
  int failures = 0;           // consecutive failures
  std::optional<core::Timestamp> next_due;
  std::optional<core::Timestamp> last_attempt;
  std::optional<core::Timestamp> last_success;
  std::optional<core::Timestamp> last_document;  // the last time a document was parsed
  std::string config_url;    // the config's URL when this state was stored (detects edits)
  std::string redirect_url;  // a permanent redirect target seen but not yet confirmed
  int redirect_seen = 0;     // consecutive polls that saw redirect_url

  bool operator==(const FeedState&) const = default;
};

/// A record as the store needs it: prepare_record computes this on a worker thread, so the
/// commit (on the I/O thread) neither canonicalizes URLs, hashes nor serializes.
struct PreparedRecord {
  std::string id;  // the record's stable id (normalize::record_id)
  std::string feed_id;
  std::string link;          // normalize::canonical_url of its url; "" when it has none
  std::string content_hash;  // what a reader sees: title, canonical link, summary, content,
                             // enclosure URLs
  std::vector<std::string> labels;
  std::string fields_json;  // core::to_json_fields: the JSON line minus seq, id and event
};

/// The result of one poll of one feed, as the store needs it.
struct FeedOutcome {
  FeedState state;
  /// True when a document was parsed: records then holds every entry of it, and an entry
  /// missing from it has left the feed (its seen row ages towards seen_retention). False
  /// for a 304, an identical body or a failure; records is then empty.
  bool parsed = false;
  std::vector<PreparedRecord> records;  // normalized, classified and prepared; no seq yet
};

/// A record that entered the outbox: what sinks write.
struct OutboxEntry {
  std::int64_t seq = 0;
  std::string id;  // the record id it went out under
  std::string feed_id;
  core::Event event = core::Event::new_entry;
  std::vector<std::string> labels;
  std::string json;  // core::to_json_line of the record with seq and event, no newline

  bool operator==(const OutboxEntry&) const = default;
};

/// What commit_batch did.
struct BatchResult {
  std::vector<OutboxEntry> emitted;  // in seq order
  std::size_t new_entries = 0;
  std::size_t updates = 0;
  std::size_t unchanged = 0;  // seen before with the same content (or updates not emitted)
};

/// A sink's position in the outbox.
struct SinkCursor {
  std::string name;
  std::int64_t seq = 0;  // the last seq the sink has made durable
};

/// What prune may delete.
struct RetentionPolicy {
  std::chrono::seconds outbox_retention{24 * 3600};  // keep delivered records this long
  std::chrono::seconds seen_retention{90 * 24 * 3600};
};

/// What prune deleted.
struct PruneResult {
  std::size_t outbox_records = 0;
  std::size_t seen_entries = 0;
};

}  // namespace wirewatch::store
