// The normalize stage: a parsed Entry → a Record with a stable id. Pure: `fetched` is passed in.
#pragma once

#include <string>
#include <string_view>

#include "core/feed_document.hpp"
#include "core/record.hpp"

namespace wirewatch::normalize {

/// The URL without what does not identify the page: fragment, tracking parameters (utm_*,
/// fbclid, gclid, mc_cid, mc_eid, …), default port; scheme and host lowercased. A string that
/// is not an http(s) URL comes back unchanged.
std::string canonical_url(std::string_view url);

/// canonical_url's slow path, always through curl's URL API. Exposed for tests: canonical_url
/// must equal it for every URL.
std::string canonical_url_with_curl(std::string_view url);

/// What identifies an entry within its feed: its guid, else its canonical link, else its first
/// enclosure's URL, else its title and date, else (untitled) its summary or content and date.
/// Prefixed with the kind ("guid:", "link:", "enclosure:", "title:", "text:") so kinds never
/// collide.
std::string entry_key(const core::Entry& entry);

/// The stable record id: 32 hex digits of a hash of the feed id and the entry key. The same
/// entry in the same feed always gets the same id, whatever the polling order or restarts.
std::string record_id(std::string_view feed_id, const core::Entry& entry);

/// A hash of what a reader sees (title, link, summary, content, enclosures); a change makes
/// the record an "update".
std::string content_hash(const core::Record& record);

/// A readable feed id derived from its URL when the config gives none:
/// "https://www.example.org/news/rss.xml" → "example.org-news-rss.xml".
std::string feed_id_from_url(std::string_view url);

/// Builds the record for an entry of feed, fetched at `fetched`.
core::Record to_record(const core::Entry& entry, const core::FeedRef& feed,
                       core::Timestamp fetched);

}  // namespace wirewatch::normalize
