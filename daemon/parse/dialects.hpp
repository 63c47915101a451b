// The dialect readers behind parse_feed. Each fills a FeedDocument from a parsed tree.
#pragma once

#include <pugixml.hpp>
#include <string_view>

#include "core/feed_document.hpp"
#include "parse/entry_fields.hpp"

namespace wirewatch::parse {

/// RSS 0.9x/2.0 (<rss>) and RDF-based RSS 0.90/1.0 (<rdf:RDF>).
void read_rss(pugi::xml_node root, const NamespaceResolver& names, const DialectContext& context,
              core::FeedDocument& document);

/// Atom 1.0 and 0.3 (<feed>).
void read_atom(pugi::xml_node root, const NamespaceResolver& names, const DialectContext& context,
               core::FeedDocument& document);

/// JSON Feed 1.0/1.1. Returns an error message, empty on success.
std::string read_json_feed(std::string_view text, const DialectContext& context,
                           core::FeedDocument& document);

}  // namespace wirewatch::parse
