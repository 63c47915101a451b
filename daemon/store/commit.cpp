// commit_batch: one transaction for a whole batch of poll results. Feed states are upserted;
// each record is decided against the in-memory seen index, then written to seen and, when
// new or updated, to the outbox with the next seq. Memory is rolled back with the database.
#include "core/hash.hpp"
#include "core/record_json.hpp"
#include "normalize/normalize.hpp"
#include "store/store.hpp"
#include "store/store_impl.hpp"

namespace wirewatch::store {
namespace {

void join_labels(const std::vector<std::string>& labels, std::string& text) {
  text.clear();
  for (const auto& label : labels) {
    if (!text.empty()) text += '\n';
    text += label;
  }
}

// What a reader sees, as normalize::content_hash, but over the canonical link: a feed that
// rotates tracking parameters in its links does not turn every poll into updates.
std::string content_hash(const core::Record& record, const std::string& link) {
  std::string enclosures;
  for (const auto& enclosure : record.enclosures) enclosures += enclosure.url + '\n';
  return core::hash_hex(
      {record.title, link.empty() ? record.url : link, record.summary, record.content, enclosures});
}

std::optional<std::int64_t> seconds(const std::optional<core::Timestamp>& time) {
  if (!time) return std::nullopt;
  return unix_seconds(*time);
}

// The writes of one batch, inside the open transaction.
class BatchWriter {
 public:
  BatchWriter(Store::Impl& impl, std::int64_t now) : impl_(impl), now_(now) {}

  // Text is bound without a copy (bind_static): every string outlives the run() that steps
  // the statement and clears its bindings.
  Status feed_state(const FeedOutcome& outcome) {
    auto& upsert = impl_.statements.upsert_feed;
    const FeedState& state = outcome.state;
    upsert.bind_static(1, state.feed_id);
    upsert.bind_static(2, state.url);
    upsert.bind_static(3, state.etag);
    upsert.bind_static(4, state.last_modified);
    upsert.bind_static(5, state.body_hash);
    upsert.bind_static(6, state.title);
    upsert.bind(7, std::int64_t{state.last_status});
    upsert.bind_static(8, state.health);
    upsert.bind_static(9, state.error_class);
    upsert.bind_static(10, state.error_message);
    upsert.bind(11, std::int64_t{state.failures});
    upsert.bind(12, seconds(state.next_due));
    upsert.bind(13, seconds(state.last_attempt));
    upsert.bind(14, seconds(state.last_success));
    upsert.bind(15, outcome.parsed ? std::optional<std::int64_t>(now_) : std::nullopt);
    upsert.bind_static(16, state.config_url);
    upsert.bind_static(17, state.redirect_url);
    upsert.bind(18, std::int64_t{state.redirect_seen});
    return impl_.run(upsert, "cannot store the state of feed " + state.feed_id);
  }

  Status records(const FeedOutcome& outcome, BatchResult& result) {
    const std::string& feed_id = outcome.state.feed_id;
    // The feed's recently seen rows: enough for the entries of this document and some that
    // left it lately; an older entry that comes back is found by id.
    auto cached = impl_.index_of(feed_id, 2 * outcome.records.size());
    if (!cached) return cached.error();
    detail::FeedIndex* const index = &(*cached)->index;
    detail::PresentIds present;
    for (const auto& record : outcome.records) present.add(record.id);
    const auto resolution = impl_.options.last_seen_resolution.count();
    for (const auto& record : outcome.records) {
      const std::string& link = record.link;
      const std::string& hash = record.content_hash;
      if (auto found = impl_.find_seen(feed_id, record.id, **cached); !found) return found;
      const detail::Observation seen =
          index->observe(record.id, link, hash, present, now_, resolution);
      if (auto written = write_seen(feed_id, record.id, link, hash, seen); !written) {
        return written;
      }
      const bool emit = seen.verdict == detail::Verdict::new_entry ||
                        (seen.verdict == detail::Verdict::update && impl_.options.emit_updates);
      if (seen.verdict == detail::Verdict::new_entry) ++result.new_entries;
      if (seen.verdict == detail::Verdict::update && emit) ++result.updates;
      if (!emit) {
        ++result.unchanged;
        continue;
      }
      auto entry = outbox(record, seen);
      if (!entry) return entry.error();
      result.emitted.push_back(std::move(*entry));
    }
    return std::monostate{};
  }

 private:
  Status write_seen(const std::string& feed_id, const std::string& id, const std::string& link,
                    const std::string& hash, const detail::Observation& seen) {
    auto& s = impl_.statements;
    switch (seen.write) {
      case detail::Observation::Write::none:
        return std::monostate{};
      case detail::Observation::Write::insert:
        s.insert_seen.bind_static(1, feed_id);
        s.insert_seen.bind_static(2, id);
        s.insert_seen.bind_static(3, seen.emit_id);
        s.insert_seen.bind_static(4, link);
        s.insert_seen.bind_static(5, hash);
        s.insert_seen.bind(6, now_);
        return impl_.run(s.insert_seen, "cannot mark an entry seen");
      case detail::Observation::Write::update_content:
        s.update_seen_content.bind_static(1, feed_id);
        s.update_seen_content.bind_static(2, id);
        s.update_seen_content.bind_static(3, link);
        s.update_seen_content.bind_static(4, hash);
        s.update_seen_content.bind(5, now_);
        return impl_.run(s.update_seen_content, "cannot update a seen entry");
      case detail::Observation::Write::touch:
        s.touch_seen.bind_static(1, feed_id);
        s.touch_seen.bind_static(2, id);
        s.touch_seen.bind(3, now_);
        return impl_.run(s.touch_seen, "cannot touch a seen entry");
    }
    return std::monostate{};
  }

  Result<OutboxEntry> outbox(const PreparedRecord& record, const detail::Observation& seen) {
    OutboxEntry entry;
    entry.seq = impl_.last_seq + 1;
    entry.id = seen.emit_id;  // an entry keeps the id it first went out under
    entry.feed_id = record.feed_id;
    entry.event =
        seen.verdict == detail::Verdict::update ? core::Event::update : core::Event::new_entry;
    entry.labels = record.labels;
    entry.json = core::assemble_json_line(entry.seq, entry.id, entry.event, record.fields_json);
    auto& insert = impl_.statements.insert_outbox;
    insert.bind(1, entry.seq);
    insert.bind_static(2, entry.id);
    insert.bind_static(3, entry.feed_id);
    insert.bind_static(4, core::to_string(entry.event));  // a literal
    join_labels(entry.labels, labels_);
    insert.bind_static(5, labels_);
    insert.bind(6, now_);
    insert.bind_static(7, entry.json);  // ~2 KiB; alive until the step below
    if (auto inserted = impl_.run(insert, "cannot append to the outbox"); !inserted) {
      return inserted.error();
    }
    ++impl_.last_seq;
    return entry;
  }

  Store::Impl& impl_;
  std::int64_t now_;
  std::string labels_;  // the outbox row's labels, one per line (reused)
};

}  // namespace

PreparedRecord prepare_record(const core::Record& record) {
  PreparedRecord prepared;
  prepared.id = record.id;
  prepared.feed_id = record.feed.id;
  prepared.link = normalize::canonical_url(record.url);
  prepared.content_hash = content_hash(record, prepared.link);
  prepared.labels = record.labels;
  prepared.fields_json = core::to_json_fields(record);
  return prepared;
}

Result<BatchResult> Store::commit_batch(std::span<const FeedOutcome> outcomes,
                                        core::Timestamp now) {
  const std::scoped_lock lock(impl_->mutex);
  Impl& impl = *impl_;
  ++impl.commits;
  const std::int64_t seq_before = impl.last_seq;
  if (auto begun = impl.run(impl.statements.begin, "cannot begin a batch"); !begun) {
    return begun.error();
  }
  BatchResult result;
  BatchWriter writer(impl, unix_seconds(now));
  Status status = std::monostate{};
  for (const auto& outcome : outcomes) {
    status = writer.feed_state(outcome);
    if (status && !outcome.records.empty()) status = writer.records(outcome, result);
    if (!status) break;
  }
  if (status && impl.last_seq != seq_before) {
    impl.statements.update_last_seq.bind(1, impl.last_seq);
    status = impl.run(impl.statements.update_last_seq, "cannot store last_seq");
  }
  if (status) status = impl.run(impl.statements.commit, "cannot commit the batch");
  if (status) {
    impl.trim_seen_cache();
    return result;
  }

  // Undo what memory learned in this batch: the seen index reloads from the table.
  impl.run(impl.statements.rollback, "rollback");
  impl.last_seq = seq_before;
  for (const auto& outcome : outcomes) impl.seen.erase(outcome.state.feed_id);
  return status.error();
}

}  // namespace wirewatch::store
