#include "store/seen_index.hpp"

namespace wirewatch::store::detail {

void FeedIndex::index(Row& row) {
  if (!row.second.link.empty()) by_link_[row.second.link] = &row;
  by_hash_[row.second.content_hash] = &row;
}

void FeedIndex::reserve(std::size_t rows) {
  by_id_.reserve(rows);
  by_link_.reserve(rows);
  by_hash_.reserve(rows);
}

void FeedIndex::load(std::string id, SeenEntry entry) {
  auto [row, inserted] = by_id_.insert_or_assign(std::move(id), std::move(entry));
  index(*row);
}

const SeenEntry* FeedIndex::find(const std::string& id) const {
  const auto found = by_id_.find(id);
  return found == by_id_.end() ? nullptr : &found->second;
}

Observation FeedIndex::observe(const std::string& id, const std::string& link,
                               const std::string& hash, const PresentIds& present, std::int64_t now,
                               std::int64_t resolution) {
  Observation observation;
  if (const auto known = by_id_.find(id); known != by_id_.end()) {
    SeenEntry& entry = known->second;
    observation.emit_id = entry.emit_id;
    if (entry.content_hash == hash) {
      observation.verdict = Verdict::unchanged;
      if (now - entry.last_seen >= resolution) {
        entry.last_seen = now;
        observation.write = Observation::Write::touch;
      }
      return observation;
    }
    if (const auto old = by_hash_.find(entry.content_hash);
        old != by_hash_.end() && old->second == &*known) {
      by_hash_.erase(old);
    }
    entry.content_hash = hash;
    entry.link = link;
    entry.last_seen = now;
    index(*known);
    observation.verdict = Verdict::update;
    observation.write = Observation::Write::update_content;
    return observation;
  }

  // An unknown id: the same entry under a new GUID when its canonical link, else its
  // content, is known, and the entry with that link is not in this document as well.
  const Row* same = nullptr;
  if (!link.empty()) {
    if (const auto by_link = by_link_.find(link);
        by_link != by_link_.end() && !present.contains(by_link->second->first)) {
      same = by_link->second;
    }
  }
  if (same == nullptr) {
    if (const auto by_hash = by_hash_.find(hash); by_hash != by_hash_.end()) {
      same = by_hash->second;
    }
  }
  SeenEntry entry{same == nullptr ? id : same->second.emit_id, link, hash, now};
  observation.write = Observation::Write::insert;
  if (same == nullptr) {
    observation.verdict = Verdict::new_entry;
  } else {
    observation.verdict = same->second.content_hash == hash ? Verdict::unchanged : Verdict::update;
  }
  Row& row = *by_id_.emplace(id, std::move(entry)).first;
  observation.emit_id = row.second.emit_id;
  index(row);
  return observation;
}

}  // namespace wirewatch::store::detail
