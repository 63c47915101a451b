// Internal: the seen entries of one feed in memory, in front of the seen table, and the
// new / update / unchanged decision. Pure: no SQL, no clock (now is passed in).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

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
  std::string emit_id;  // the id the record goes out under
  enum class Write {
    none,            // nothing changed
    insert,          // a new row for this id (a new entry, or a known one under a new id)
    update_content,  // this id's row has a new link and content hash
    touch,           // only last_seen moved
  } write = Write::none;
};

/// The ids of the entries in the document being committed.
using PresentIds = std::unordered_set<std::string_view>;

/// One feed's seen entries, findable by id, canonical link and content hash.
class FeedIndex {
 public:
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
  void index(const std::string& id, const SeenEntry& entry);

  std::unordered_map<std::string, SeenEntry> by_id_;
  std::unordered_map<std::string, std::string> id_by_link_;  // link → latest id with it
  std::unordered_map<std::string, std::string> id_by_hash_;  // content hash → latest id
};

}  // namespace wirewatch::store::detail
