#include "core/record.hpp"

#include "core/feed_document.hpp"

namespace wirewatch::core {

const char* to_string(Event event) {
  switch (event) {
    case Event::new_entry:
      return "new";
    case Event::update:
      return "update";
  }
  return "new";
}

const char* to_string(FeedFormat format) {
  switch (format) {
    case FeedFormat::unknown:
      return "unknown";
    case FeedFormat::rss090:
      return "rss090";
    case FeedFormat::rss091:
      return "rss091";
    case FeedFormat::rss20:
      return "rss20";
    case FeedFormat::rss10:
      return "rss10";
    case FeedFormat::atom03:
      return "atom03";
    case FeedFormat::atom10:
      return "atom10";
    case FeedFormat::json10:
      return "json10";
    case FeedFormat::json11:
      return "json11";
  }
  return "unknown";
}

}  // namespace wirewatch::core
