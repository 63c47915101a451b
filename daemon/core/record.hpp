// The record: one normalized feed entry, the unit that flows from the normalizer to the sinks.
// Its JSON form (one object per line) is the contract documented in docs/record.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wirewatch::core {

/// Whole seconds in UTC; feeds rarely carry more precision and the record format drops it.
using Timestamp = std::chrono::sys_seconds;

/// A media attachment (RSS enclosure, Atom rel=enclosure link, media:content, JSON attachment).
struct Enclosure {
  std::string url;                     // absolute, resolved
  std::string type;                    // MIME type as given, may be empty
  std::optional<std::int64_t> length;  // bytes, when the feed states a valid one
  bool operator==(const Enclosure&) const = default;
};

/// The feed a record came from.
struct FeedRef {
  std::string id;     // configured id, or derived from the URL
  std::string url;    // the feed document's URL
  std::string title;  // plain text
  std::string link;   // the site's home page, absolute
  bool operator==(const FeedRef&) const = default;
};

/// Whether a record is the first sighting of an entry or a changed version of one.
enum class Event {
  new_entry,  // "new"
  update,     // "update": same id, different content hash
};

/// One term that made the classifier flag a label, and the field it matched in.
struct Evidence {
  std::string term;   // the rule term as written in the rules file
  std::string field;  // "title", "summary" or "content"
  bool operator==(const Evidence&) const = default;
};

/// The normalized entry; see docs/record.md for each field's meaning.
struct Record {
  std::optional<std::int64_t> seq;  // store sequence number; absent before the store
  std::string id;                   // stable hex id (normalize::record_id)
  Event event = Event::new_entry;
  FeedRef feed;
  std::string guid;
  std::string url;
  std::string title;
  std::string summary;
  std::string content;
  std::vector<std::string> authors;
  std::vector<std::string> categories;
  std::string language;
  std::optional<Timestamp> published;
  std::optional<Timestamp> updated;
  std::string published_raw;  // the feed's date text, kept only when it could not be parsed
  std::string updated_raw;
  Timestamp fetched{};
  std::vector<Enclosure> enclosures;
  std::vector<std::string> labels;
  std::map<std::string, double> scores;
  std::map<std::string, std::vector<Evidence>> evidence;
};

/// "new" or "update".
const char* to_string(Event event);

}  // namespace wirewatch::core
