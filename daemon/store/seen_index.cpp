#include "store/seen_index.hpp"

namespace wirewatch::store::detail {

void FeedIndex::index(const std::string& id, const SeenEntry& entry) {
  if (!entry.link.empty()) id_by_link_[entry.link] = id;
  id_by_hash_[entry.content_hash] = id;
}

void FeedIndex::load(std::string id, SeenEntry entry) {
  index(id, entry);
  by_id_.insert_or_assign(std::move(id), std::move(entry));
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
    if (const auto old = id_by_hash_.find(entry.content_hash);
        old != id_by_hash_.end() && old->second == id) {
      id_by_hash_.erase(old);
    }
    entry.content_hash = hash;
    entry.link = link;
    entry.last_seen = now;
    index(id, entry);
    observation.verdict = Verdict::update;
    observation.write = Observation::Write::update_content;
    return observation;
  }

  // An unknown id: the same entry under a new GUID when its canonical link, else its
  // content, is known, and the entry with that link is not in this document as well.
  const SeenEntry* same = nullptr;
  if (!link.empty()) {
    if (const auto by_link = id_by_link_.find(link);
        by_link != id_by_link_.end() && !present.contains(by_link->second)) {
      same = find(by_link->second);
    }
  }
  if (same == nullptr) {
    if (const auto by_hash = id_by_hash_.find(hash); by_hash != id_by_hash_.end()) {
      same = find(by_hash->second);
    }
  }
  SeenEntry entry{id, link, hash, now};
  observation.write = Observation::Write::insert;
  if (same == nullptr) {
    observation.verdict = Verdict::new_entry;
  } else {
    entry.emit_id = same->emit_id;
    observation.verdict = same->content_hash == hash ? Verdict::unchanged : Verdict::update;
  }
  observation.emit_id = entry.emit_id;
  index(id, entry);
  by_id_.emplace(id, std::move(entry));
  return observation;
}

}  // namespace wirewatch::store::detail
