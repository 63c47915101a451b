// What the parser gives the normalizer: a feed's metadata and its entries, text already plain,
// URLs already absolute, dates already UTC. No ids yet: those are the normalizer's job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/record.hpp"

namespace wirewatch::core {

/// The dialect a document was sniffed as.
enum class FeedFormat {
  unknown,
  rss090,  // RSS 0.90 (RDF with the Netscape namespace)
  rss091,  // RSS 0.91 / 0.92 (and other 0.9x without RDF)
  rss20,   // RSS 2.0 (and <rss> without a version)
  rss10,   // RSS 1.0 (RDF)
  atom03,  // Atom 0.3
  atom10,  // Atom 1.0
  json10,  // JSON Feed 1.0
  json11,  // JSON Feed 1.1
};

/// "rss20", "atom10", … as used in logs and `parse --summary`.
const char* to_string(FeedFormat format);

/// One entry as the feed states it, cleaned up but not yet identified.
struct Entry {
  std::string guid;     // RSS guid / Atom id / JSON id, trimmed, as given
  std::string link;     // the entry's web page, absolute
  std::string title;    // plain text
  std::string summary;  // plain text
  std::string content;  // plain text
  std::vector<std::string> authors;
  std::vector<std::string> categories;
  std::string language;  // from xml:lang, dc:language or the feed's language
  std::optional<Timestamp> published;
  std::optional<Timestamp> updated;
  std::string published_raw;  // the date text when it could not be parsed
  std::string updated_raw;
  std::vector<Enclosure> enclosures;
};

/// Hints a feed gives about how often to poll it (RSS ttl, skipHours, skipDays, sy:*).
struct PollingHints {
  std::optional<std::int64_t> ttl_minutes;     // RSS <ttl>
  std::optional<std::int64_t> update_seconds;  // sy:updatePeriod / sy:updateFrequency
  std::vector<int> skip_hours;                 // 0..23, UTC
  std::vector<int> skip_days;                  // 0 = Sunday .. 6 = Saturday
};

/// A parsed feed document.
struct FeedDocument {
  FeedFormat format = FeedFormat::unknown;
  std::string title;     // plain text
  std::string link;      // the site, absolute
  std::string self_url;  // atom:link rel=self or JSON feed_url, absolute
  std::string language;
  PollingHints hints;
  std::vector<Entry> entries;  // in document order
};

}  // namespace wirewatch::core
