// RSS in all its versions: 0.90 and 1.0 are RDF documents with items beside the channel;
// 0.91–0.94 and 2.0 nest items in the channel. Modules (dc, content, media, itunes, sy, atom)
// are recognised by namespace URI.
#include <charconv>

#include "core/utf8.hpp"
#include "parse/dialects.hpp"
#include "parse/html_text.hpp"
#include "parse/urls.hpp"

namespace wirewatch::parse {
namespace {

/// An RSS core element: no namespace, an RSS 0.90/1.0 namespace, or an unknown *default*
/// namespace (some feeds put xmlns="http://example.com/whatever" on <rss>). A prefixed
/// element of an unknown namespace (<foo:title>, <googleplay:description>) is an extension
/// that must not take the place of the real one.
bool is_rss_element(const Name& name, std::string_view local) {
  if (name.local != local) return false;
  if (name.ns == Ns::none || name.ns == Ns::rss10 || name.ns == Ns::rss090) return true;
  return name.ns == Ns::other && !name.prefixed;
}

std::optional<std::int64_t> to_integer(std::string_view text) {
  text = trim(text);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string resolved_link(pugi::xml_node element, std::string_view href,
                          const DialectContext& context) {
  return core::repair_utf8_owned(resolve_url(ScopeBase(element, context).view(), trim(href)));
}

/// Reads one <item>.
core::Entry read_item(pugi::xml_node item, const NamespaceResolver& names,
                      const DialectContext& context, std::string_view feed_language) {
  const Limits& limits = context.limits;
  core::Entry entry;
  bool guid_is_permalink = true;
  std::string dc_description, media_description, itunes_summary, dc_title, atom_link;
  for (auto child : item.children()) {
    if (child.type() != pugi::node_element) continue;
    const Name name = names.name_of(child);
    if (is_rss_element(name, "title")) {
      entry.title = element_text(child, TextKind::html, limits);
    } else if (is_rss_element(name, "link")) {
      if (entry.link.empty()) entry.link = resolved_link(child, DirectText(child).view(), context);
    } else if (is_rss_element(name, "description")) {
      entry.summary = element_text(child, TextKind::html, limits);
    } else if (is_rss_element(name, "guid")) {
      entry.guid = core::repair_utf8(trim(DirectText(child).view()));
      const std::string_view permalink = trim(child.attribute("isPermaLink").value());
      guid_is_permalink = permalink.empty() || permalink == "true";
    } else if (is_rss_element(name, "pubDate")) {
      set_date(entry.published, entry.published_raw, DirectText(child).view(), limits);
    } else if (is_rss_element(name, "author")) {
      add_person(entry.authors, DirectText(child).view(), limits);
    } else if (is_rss_element(name, "category")) {
      add_category(entry.categories, DirectText(child).view(), limits);
    } else if (is_rss_element(name, "enclosure")) {
      add_enclosure(entry.enclosures, ScopeBase(child, context).view(),
                    child.attribute("url").value(), child.attribute("type").value(),
                    child.attribute("length").value(), limits);
    } else if (name.ns == Ns::content && name.local == "encoded") {
      entry.content = element_text(child, TextKind::html, limits);
    } else if (name.ns == Ns::dc || name.ns == Ns::dcterms) {
      if (name.local == "creator" || name.local == "contributor") {
        add_person(entry.authors, DirectText(child).view(), limits);
      } else if (name.local == "subject") {
        add_category(entry.categories, DirectText(child).view(), limits);
      } else if (name.local == "date" || name.local == "issued" || name.local == "created") {
        set_date(entry.published, entry.published_raw, DirectText(child).view(), limits);
      } else if (name.local == "modified") {
        set_date(entry.updated, entry.updated_raw, DirectText(child).view(), limits);
      } else if (name.local == "language") {
        entry.language = core::repair_utf8(trim(DirectText(child).view()));
      } else if (name.local == "description" || name.local == "abstract") {
        dc_description = element_text(child, TextKind::html, limits);
      } else if (name.local == "title") {
        dc_title = element_text(child, TextKind::html, limits);
      } else if (name.local == "identifier" && entry.guid.empty()) {
        entry.guid = core::repair_utf8(trim(DirectText(child).view()));
      }
    } else if (name.ns == Ns::media) {
      if (name.local == "description") {
        media_description = element_text(child, TextKind::html, limits);
      } else {
        add_media(child, name, names, context, entry.enclosures);
      }
    } else if (name.ns == Ns::itunes) {
      if (name.local == "author") {
        add_person(entry.authors, DirectText(child).view(), limits);
      } else if (name.local == "summary") {
        itunes_summary = element_text(child, TextKind::html, limits);
      }
    } else if (name.ns == Ns::atom10) {
      const std::string_view rel = child.attribute("rel").value();
      if (name.local == "link" && (rel.empty() || rel == "alternate") && atom_link.empty()) {
        atom_link = resolved_link(child, child.attribute("href").value(), context);
      } else if (name.local == "link" && rel == "enclosure") {
        add_enclosure(entry.enclosures, ScopeBase(child, context).view(),
                      child.attribute("href").value(), child.attribute("type").value(),
                      child.attribute("length").value(), limits);
      } else if (name.local == "author") {
        add_atom_person(child, names, entry.authors, limits);
      } else if (name.local == "updated") {
        set_date(entry.updated, entry.updated_raw, DirectText(child).view(), limits);
      } else if (name.local == "published") {
        set_date(entry.published, entry.published_raw, DirectText(child).view(), limits);
      }
    }
  }
  if (entry.title.empty()) entry.title = std::move(dc_title);
  if (entry.link.empty()) entry.link = std::move(atom_link);
  if (entry.summary.empty()) entry.summary = std::move(dc_description);
  if (entry.summary.empty()) entry.summary = std::move(itunes_summary);
  if (entry.summary.empty()) entry.summary = std::move(media_description);
  if (entry.guid.empty()) {  // RSS 1.0: the item's rdf:about (whatever the rdf prefix)
    for (auto attribute : item.attributes()) {
      const std::string_view attribute_name = attribute.name();
      if (attribute_name == "about" || attribute_name.ends_with(":about")) {
        entry.guid = core::repair_utf8(trim(attribute.value()));
        break;
      }
    }
  }
  if (auto lang = effective_language(item); !lang.empty() && entry.language.empty()) {
    entry.language = core::repair_utf8(lang);
  }
  complete_entry(entry, feed_language, guid_is_permalink);
  return entry;
}

std::optional<std::int64_t> update_period_seconds(std::string_view period) {
  period = trim(period);
  if (period == "hourly") return 3600;
  if (period == "daily") return 86400;
  if (period == "weekly") return 7 * 86400;
  if (period == "monthly") return 30 * 86400;
  if (period == "yearly") return 365 * 86400;
  return std::nullopt;
}

/// Reads the channel's own fields (not its items).
void read_channel(pugi::xml_node channel, const NamespaceResolver& names,
                  const DialectContext& context, core::FeedDocument& document) {
  std::optional<std::int64_t> period;
  std::int64_t frequency = 1;
  for (auto child : channel.children()) {
    if (child.type() != pugi::node_element) continue;
    const Name name = names.name_of(child);
    if (is_rss_element(name, "title")) {
      document.title = element_text(child, TextKind::html, context.limits);
    } else if (is_rss_element(name, "link")) {
      if (document.link.empty())
        document.link = resolved_link(child, DirectText(child).view(), context);
    } else if (is_rss_element(name, "language") || name.is(Ns::dc, "language")) {
      document.language = core::repair_utf8(trim(DirectText(child).view()));
    } else if (is_rss_element(name, "ttl")) {
      if (auto ttl = to_integer(DirectText(child).view()); ttl && *ttl > 0)
        document.hints.ttl_minutes = ttl;
    } else if (is_rss_element(name, "skipHours")) {
      for (auto hour : child.children()) {
        auto value = to_integer(DirectText(hour).view());
        if (value && *value >= 0 && *value <= 24) {
          document.hints.skip_hours.push_back(static_cast<int>(*value % 24));
        }
      }
    } else if (is_rss_element(name, "skipDays")) {
      static constexpr std::array<std::string_view, 7> days{
          "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
      for (auto day : child.children()) {
        const std::string text(trim(DirectText(day).view()));
        for (std::size_t i = 0; i < days.size(); ++i) {
          if (text == days[i]) document.hints.skip_days.push_back(static_cast<int>(i));
        }
      }
    } else if (name.is(Ns::sy, "updatePeriod")) {
      period = update_period_seconds(DirectText(child).view());
    } else if (name.is(Ns::sy, "updateFrequency")) {
      if (auto value = to_integer(DirectText(child).view()); value && *value > 0)
        frequency = *value;
    } else if (name.is(Ns::atom10, "link")) {
      const std::string_view rel = child.attribute("rel").value();
      if (rel == "self") {
        document.self_url = resolved_link(child, child.attribute("href").value(), context);
      }
    }
  }
  if (period) document.hints.update_seconds = *period / frequency;
  if (document.language.empty()) {
    document.language = core::repair_utf8(effective_language(channel));
  }
}

}  // namespace

void read_rss(pugi::xml_node root, const NamespaceResolver& names, const DialectContext& context,
              core::FeedDocument& document) {
  const bool rdf = names.name_of(root).ns == Ns::rdf;
  pugi::xml_node channel;
  for (auto child : root.children()) {
    if (child.type() == pugi::node_element && is_rss_element(names.name_of(child), "channel")) {
      channel = child;
      break;
    }
  }
  read_channel(channel ? channel : root, names, context, document);  // no <channel>: the root
  // RSS 0.9x/2.0 nest items in the channel (some RDF feeds do too).
  auto read_items = [&](pugi::xml_node parent) {
    for (auto child : parent.children()) {
      if (child.type() != pugi::node_element) continue;
      if (!is_rss_element(names.name_of(child), "item")) continue;
      if (document.entries.size() >= context.limits.max_entries) return;
      document.entries.push_back(read_item(child, names, context, document.language));
    }
  };
  // RDF puts items beside the channel; a broken RSS 2.0 feed without <channel> too.
  if (rdf || !channel) read_items(root);
  if (channel) read_items(channel);
}

}  // namespace wirewatch::parse
