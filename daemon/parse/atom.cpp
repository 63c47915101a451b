// Atom 1.0 (RFC 4287) and its predecessor 0.3, told apart by namespace URI.
#include "core/utf8.hpp"
#include "parse/dialects.hpp"
#include "parse/html_text.hpp"
#include "parse/urls.hpp"

namespace wirewatch::parse {
namespace {

bool is_atom(const Name& name) {
  return name.ns == Ns::atom10 || name.ns == Ns::atom03;
}

/// The TextKind of an Atom text construct, from its type (and, in 0.3, mode) attributes.
TextKind text_kind(pugi::xml_node element) {
  const std::string_view type = element.attribute("type").value();
  const std::string_view mode = element.attribute("mode").value();
  if (type == "xhtml" || type == "application/xhtml+xml" || mode == "xml") {
    return TextKind::xhtml;
  }
  if (type == "html" || type == "text/html") return TextKind::html;
  if (type.empty() && mode == "escaped") return TextKind::html;
  return TextKind::plain;
}

std::string construct_text(pugi::xml_node element, const Limits& limits) {
  if (std::string_view(element.attribute("mode").value()) == "base64") return {};
  return element_text(element, text_kind(element), limits);
}

/// Handles a <link>; returns the resolved href when it is the alternate link.
void read_link(pugi::xml_node link, const DialectContext& context, std::string& alternate,
               bool& alternate_is_html, std::string* self,
               std::vector<core::Enclosure>* enclosures) {
  std::string_view rel = trim(link.attribute("rel").value());
  if (rel.empty()) rel = "alternate";
  const std::string_view type = link.attribute("type").value();
  const std::string_view href = link.attribute("href").value();
  if (trim(href).empty()) return;
  const ScopeBase scope(link, context);
  const std::string_view base = scope.view();
  if (rel == "alternate" || rel == "http://www.iana.org/assignments/relation/alternate") {
    const bool is_html = type.empty() || type == "text/html" || type == "application/xhtml+xml";
    // The first alternate wins, but an HTML one beats an earlier non-HTML one.
    if (alternate.empty() || (is_html && !alternate_is_html)) {
      alternate = core::repair_utf8_owned(resolve_url(base, href));
      alternate_is_html = is_html;
    }
  } else if (rel == "self" && self != nullptr) {
    *self = core::repair_utf8_owned(resolve_url(base, href));
  } else if (rel == "enclosure" && enclosures != nullptr) {
    add_enclosure(*enclosures, base, href, type, link.attribute("length").value(), context.limits);
  }
}

core::Entry read_entry(pugi::xml_node element, const NamespaceResolver& names,
                       const DialectContext& context, const core::FeedDocument& document,
                       const std::vector<std::string>& feed_authors) {
  const Limits& limits = context.limits;
  core::Entry entry;
  bool alternate_is_html = false;
  std::string created;
  for (auto child : element.children()) {
    if (child.type() != pugi::node_element) continue;
    const Name name = names.name_of(child);
    if (is_atom(name)) {
      const std::string_view local = name.local;
      if (local == "id") {
        entry.guid = core::repair_utf8(trim(DirectText(child).view()));
      } else if (local == "title") {
        entry.title = construct_text(child, limits);
      } else if (local == "link") {
        read_link(child, context, entry.link, alternate_is_html, nullptr, &entry.enclosures);
      } else if (local == "summary") {
        entry.summary = construct_text(child, limits);
      } else if (local == "content") {
        if (!child.attribute("src")) entry.content = construct_text(child, limits);
      } else if (local == "published" || local == "issued") {
        set_date(entry.published, entry.published_raw, DirectText(child).view(), limits);
      } else if (local == "created") {
        created = DirectText(child).view();
      } else if (local == "updated" || local == "modified") {
        set_date(entry.updated, entry.updated_raw, DirectText(child).view(), limits);
      } else if (local == "author") {
        add_atom_person(child, names, entry.authors, limits);
      } else if (local == "category") {
        std::string_view term = child.attribute("term").value();
        if (trim(term).empty()) term = child.attribute("label").value();
        add_category(entry.categories, term, limits);
      }
    } else if (name.ns == Ns::dc) {
      if (name.local == "creator") add_person(entry.authors, DirectText(child).view(), limits);
      if (name.local == "subject") add_category(entry.categories, DirectText(child).view(), limits);
      if (name.local == "date") {
        set_date(entry.published, entry.published_raw, DirectText(child).view(), limits);
      }
    } else if (name.ns == Ns::media) {
      add_media(child, name, names, context, entry.enclosures);
    }
  }
  if (!created.empty()) set_date(entry.published, entry.published_raw, created, limits);
  // RFC 4287 4.2.1: an entry without an author inherits the feed's.
  if (entry.authors.empty()) entry.authors = feed_authors;
  if (auto lang = effective_language(element); !lang.empty()) {
    entry.language = core::repair_utf8(lang);
  }
  complete_entry(entry, document.language, false);
  return entry;
}

}  // namespace

void read_atom(pugi::xml_node root, const NamespaceResolver& names, const DialectContext& context,
               core::FeedDocument& document) {
  std::vector<std::string> feed_authors;
  bool alternate_is_html = false;
  document.language = core::repair_utf8(effective_language(root));
  for (auto child : root.children()) {
    if (child.type() != pugi::node_element) continue;
    const Name name = names.name_of(child);
    if (!is_atom(name)) continue;
    if (name.local == "title") {
      document.title = construct_text(child, context.limits);
    } else if (name.local == "link") {
      read_link(child, context, document.link, alternate_is_html, &document.self_url, nullptr);
    } else if (name.local == "author") {
      add_atom_person(child, names, feed_authors, context.limits);
    }
  }
  for (auto child : root.children()) {
    if (child.type() != pugi::node_element) continue;
    const Name name = names.name_of(child);
    if (!is_atom(name) || name.local != "entry") continue;
    if (document.entries.size() >= context.limits.max_entries) break;
    document.entries.push_back(read_entry(child, names, context, document, feed_authors));
  }
}

}  // namespace wirewatch::parse
