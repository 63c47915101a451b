// Internal: the seen entries of one feed in memory, in front of the seen table, and the
// new / update / unchanged decision. Pure: no SQL, no clock (now is passed in).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace wirewatch::store::detail {

/// What the store remembers of an entry (one seen row).
struct SeenEntry {
  std::string emit_id;  // the id its records go out under (the first id the entry had)
  std::string link;     // canonical link; "" when the entry has none
  std::string content_hash;
  std::int64_t last_seen = 0;  // Unix seconds
};

/// What an entry seen in a poll is.
enum class Verdict {
  new_entry,  // never seen: goes out as "new"
  update,     // seen with other content: goes out as "update"
  unchanged,  // seen with this content: nothing goes out
};

/// The decision for one entry, and the write the seen table needs to match memory.
struct Observation {
  Verdict verdict = Verdict::unchanged;
  std::string_view emit_id;  // the id the record goes out under (held by the index: valid
                             // until the index is changed or dropped)
  enum class Write {
    none,            // nothing changed
    insert,          // a new row for this id (a new entry, or a known one under a new id)
    update_content,  // this id's row has a new link and content hash
    touch,           // only last_seen moved
  } write = Write::none;
};

/// The ids of the entries in the document being committed. Looked up only when an unknown id
/// shares a known entry's link (rare), so the set is built on the first lookup.
class PresentIds {
 public:
  void add(std::string_view id) { ids_.push_back(id); }
  bool contains(std::string_view id) const {
    if (set_.empty() && !ids_.empty()) set_.insert(ids_.begin(), ids_.end());
    return set_.contains(id);
  }

 private:
  std::vector<std::string_view> ids_;
  mutable std::unordered_set<std::string_view> set_;
};

/// One feed's seen entries, findable by id, canonical link and content hash.
class FeedIndex {
 public:
  FeedIndex() = default;
  FeedIndex(FeedIndex&&) noexcept = default;  // rows stay where they are: the pointers hold
  FeedIndex& operator=(FeedIndex&&) noexcept = default;
  FeedIndex(const FeedIndex&) = delete;  // a copy's maps would point into the original's rows
  FeedIndex& operator=(const FeedIndex&) = delete;

  /// Makes room for rows entries without rehashing (a feed's document and its recent rows).
  void reserve(std::size_t rows);

  /// Adds a row loaded from the seen table.
  void load(std::string id, SeenEntry entry);

  /// Decides what entry (id, canonical link, content hash) is and records it in memory:
  /// a known id is compared by content; an unknown id whose link or content belongs to a
  /// known entry is that entry under a new id (its GUID changed), unless that entry is itself
  /// in the document (present), as when live-blog items share one link. last_seen moves only
  /// when it is older than resolution seconds.
  Observation observe(const std::string& id, const std::string& link, const std::string& hash,
                      const PresentIds& present, std::int64_t now, std::int64_t resolution);

  /// The row for id, or null.
  const SeenEntry* find(const std::string& id) const;

  /// Number of rows (ids, including the extra ids of entries whose GUID changed).
  std::size_t size() const { return by_id_.size(); }

 private:
  using Row = std::unordered_map<std::string, SeenEntry>::value_type;  // id and its entry
  void index(Row& row);

  // Rows are never erased (the whole index is dropped instead), and unordered_map nodes do not
  // move, so the link and hash maps point at rows instead of holding copies of their ids.
  std::unordered_map<std::string, SeenEntry> by_id_;
  std::unordered_map<std::string, Row*> by_link_;  // link → the row that had it latest
  std::unordered_map<std::string, Row*> by_hash_;  // content hash → the row that had it latest
};

}  // namespace wirewatch::store::detail
