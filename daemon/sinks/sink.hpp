// The sink contract: a sink is a cursor over the store's outbox. It is handed records in seq
// order and says how far they are durable; the pipeline advances the sink's cursor only that
// far (docs/sinks.md). The base owns label filtering so each sink implements only its write.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::sinks {

/// One outbox record as sinks see it: its seq, its labels (for filtering) and its JSON line.
struct OutboxRecord {
  std::int64_t seq = 0;
  std::vector<std::string> labels;
  std::string json;  // one line, no trailing newline
};

/// Which records a sink wants.
struct LabelFilter {
  enum class Mode {
    every,   // no filter configured: every record
    any,     // `any`: records with at least one label
    all,     // `all`: records with every label the classifier knows
    listed,  // `[a, b]`: records with at least one of the listed labels
  };
  Mode mode = Mode::every;
  std::vector<std::string> labels;  // for `listed`; for `all`, the classifier's labels

  bool accepts(const std::vector<std::string>& record_labels) const;
};

/// The three answers a write can give (Fluent Bit's OK / RETRY / ERROR).
enum class WriteStatus {
  ok,     // everything handed over is durable
  retry,  // a temporary failure (disk full, server away): the core retries later
  error,  // a permanent failure of this sink's configuration: stop it, log why
};

/// A write's outcome. `durable_through` is the highest seq now durable (may be below the last
/// record on partial success, e.g. interval fsync), so the cursor never passes unwritten data.
struct WriteResult {
  WriteStatus status = WriteStatus::ok;
  std::optional<std::int64_t> durable_through;
  std::string error;  // one line, when not ok
};

/// A destination for records.
class Sink {
 public:
  virtual ~Sink() = default;

  /// The sink's name in logs, metrics and the cursor table ("directory:/var/lib/…").
  virtual const std::string& name() const = 0;

  /// Called once before the first write with the cursor stored for this sink. Returns the seq
  /// the sink is really durable through (a directory sink reads its last line, which may be
  /// ahead of the stored cursor after a crash), or an error.
  virtual WriteResult open(std::optional<std::int64_t> stored_cursor) = 0;

  /// Writes records (seq ascending, all after the cursor, already filtered).
  virtual WriteResult write(std::span<const OutboxRecord* const> records) = 0;

  /// Makes everything written so far durable (interval fsync); returns how far that is.
  virtual WriteResult flush() = 0;
};

/// Filters records through filter and hands the survivors to sink.write. Records that are
/// filtered out count as delivered: the cursor may pass them.
WriteResult write_filtered(Sink& sink, const LabelFilter& filter,
                           std::span<const OutboxRecord> records);

}  // namespace wirewatch::sinks
