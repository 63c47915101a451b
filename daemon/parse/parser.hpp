// The parse stage: feed bytes (+ HTTP Content-Type, + final URL) → FeedDocument.
// A pure function: no I/O, no clock, no exceptions; a hostile document costs bounded memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/feed_document.hpp"

namespace wirewatch::parse {

/// Caps that keep a hostile document from blowing up memory or output.
struct Limits {
  std::size_t max_entries = 2000;            // entries kept per document, first ones win
  std::size_t max_field_bytes = 256 * 1024;  // per text field, cut at a UTF-8 boundary
  std::size_t max_list_items = 64;           // authors, categories, enclosures per entry
  /// Not a limit, but it travels with them to every date: the offset (minutes east of UTC)
  /// of dates the feed writes without a zone, from the feed's `timezone` setting.
  int default_zone_minutes = 0;
};

/// What the caller knows about the document besides its bytes.
struct Input {
  std::string_view body;
  std::string_view content_type;  // HTTP Content-Type header, may carry charset=
  std::string_view base_url;      // the final URL after redirects; relative links resolve here
  std::string_view charset;       // an override (--charset) that beats everything but a BOM
};

/// How well the document parsed.
enum class Status {
  ok,         // well-formed and understood
  recovered,  // not well-formed, but entries before the damage (or after repair) were kept
  failed,     // not a feed: empty, HTML, unknown format, or broken before any entry
};

/// The parse outcome: a document (possibly partial) and, unless ok, one line saying why.
struct Result {
  Status status = Status::ok;
  core::FeedDocument document;
  std::string message;   // "line 12, column 5: undeclared entity &nbsp; (3 more problems)"
  std::string encoding;  // the encoding the bytes were decoded from, e.g. "windows-1252"
};

/// Parses any supported dialect (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1), sniffed
/// from the document itself, never from the Content-Type.
Result parse_feed(const Input& input, const Limits& limits = {});

}  // namespace wirewatch::parse
