#include "parse/entry_fields.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/utf8.hpp"
#include "parse/dates.hpp"
#include "parse/html_text.hpp"
#include "parse/urls.hpp"

namespace wirewatch::parse {
namespace {

void add_unique(std::vector<std::string>& list, std::string value, const Limits& limits) {
  if (value.empty() || list.size() >= limits.max_list_items) return;
  if (std::find(list.begin(), list.end(), value) != list.end()) return;
  list.push_back(std::move(value));
}

}  // namespace

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

ScopeBase::ScopeBase(pugi::xml_node element, const DialectContext& context) {
  if (!context.may_have_xml_base) {
    view_ = context.document_url;
    return;
  }
  storage_ = effective_base(element, context.document_url);
  view_ = storage_;
}

std::string element_text(pugi::xml_node element, TextKind kind, const Limits& limits) {
  if (kind != TextKind::xhtml) {  // the usual case first: one text or CDATA child
    const pugi::xml_node child = element.first_child();
    const pugi::xml_node_type type = child.type();
    if (child && !child.next_sibling() && (type == pugi::node_pcdata || type == pugi::node_cdata)) {
      const std::string_view text = child.value();
      if (kind == TextKind::plain) return plain_text(text, limits.max_field_bytes);
      return html_to_text(text, limits.max_field_bytes);
    }
  }
  if (kind == TextKind::xhtml || has_element_children(element)) {
    // Atom xhtml wraps its content in one xhtml:div that is not part of the content.
    pugi::xml_node content = element;
    if (kind == TextKind::xhtml) {
      pugi::xml_node only =
          element.find_child([](pugi::xml_node n) { return n.type() == pugi::node_element; });
      const std::string_view name = only ? only.name() : "";
      if (only && (name == "div" || name.ends_with(":div"))) content = only;
    }
    return html_to_text(inner_xml(content), limits.max_field_bytes);
  }
  const DirectText text(element);
  if (kind == TextKind::plain) return plain_text(text.view(), limits.max_field_bytes);
  return html_to_text(text.view(), limits.max_field_bytes);
}

void add_person(std::vector<std::string>& people, std::string_view text, const Limits& limits) {
  text = trim(text);
  std::string_view name = text;
  if (const auto open = text.find('('); open != std::string_view::npos && text.back() == ')') {
    const std::string_view inside = trim(text.substr(open + 1, text.size() - open - 2));
    const std::string_view before = trim(text.substr(0, open));
    const bool address_before = before.find('@') != std::string_view::npos;
    const bool address_inside = inside.find('@') != std::string_view::npos;
    if (!inside.empty() && address_before && !address_inside) {
      name = inside;  // "jdoe@example.com (John Doe)", the RSS 2.0 form
    } else if (!before.empty() && address_inside && !address_before) {
      name = before;  // "John Doe (jdoe@example.com)", "John Doe (mailto:jdoe@example.com)"
    }
  } else if (const auto angle = text.find('<');
             angle != std::string_view::npos && angle > 0 && text.back() == '>') {
    // "John Doe <jdoe@example.com>"
    name = trim(text.substr(0, angle));
  }
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  add_unique(people, html_to_text(name, limits.max_field_bytes), limits);
}

void add_atom_person(pugi::xml_node person, const NamespaceResolver& names,
                     std::vector<std::string>& people, const Limits& limits) {
  std::string name, email;
  for (auto child : person.children()) {
    if (child.type() != pugi::node_element) continue;
    const Name child_name = names.name_of(child);
    if (child_name.ns != Ns::atom10 && child_name.ns != Ns::atom03) continue;
    if (child_name.local == "name") name = direct_text(child);
    if (child_name.local == "email") email = direct_text(child);
  }
  add_person(people, trim(name).empty() ? email : name, limits);
}

void add_category(std::vector<std::string>& categories, std::string_view text,
                  const Limits& limits) {
  add_unique(categories, html_to_text(trim(text), limits.max_field_bytes), limits);
}

void add_enclosure(std::vector<core::Enclosure>& enclosures, std::string_view base,
                   std::string_view url, std::string_view type, std::string_view length,
                   const Limits& limits) {
  url = trim(url);
  if (url.empty() || enclosures.size() >= limits.max_list_items) return;
  core::Enclosure enclosure;
  enclosure.url = core::repair_utf8_owned(resolve_url(base, url));
  for (const auto& existing : enclosures) {
    if (existing.url == enclosure.url) return;
  }
  enclosure.type = core::repair_utf8(trim(type));
  length = trim(length);
  std::int64_t bytes = 0;
  const auto [end, error] = std::from_chars(length.data(), length.data() + length.size(), bytes);
  if (error == std::errc{} && end == length.data() + length.size() && bytes > 0) {
    enclosure.length = bytes;
  }
  enclosures.push_back(std::move(enclosure));
}

void add_media(pugi::xml_node element, const Name& name, const NamespaceResolver& names,
               const DialectContext& context, std::vector<core::Enclosure>& enclosures) {
  if (name.ns != Ns::media) return;
  const bool is_content = name.local == "content";
  if (is_content || name.local == "thumbnail") {
    add_enclosure(enclosures, ScopeBase(element, context).view(), element.attribute("url").value(),
                  is_content ? element.attribute("type").value() : "",
                  is_content ? element.attribute("fileSize").value() : "", context.limits);
  }
  if (!is_content && name.local != "group") return;
  for (auto child : element.children()) {
    if (child.type() != pugi::node_element) continue;
    const Name child_name = names.name_of(child);
    // media:group holds content and thumbnails; media:content holds thumbnails only.
    if (child_name.ns != Ns::media) continue;
    if (child_name.local == "thumbnail" || (!is_content && child_name.local == "content")) {
      add_media(child, child_name, names, context, enclosures);
    }
  }
}

void set_date(std::optional<core::Timestamp>& date, std::string& raw, std::string_view text,
              const Limits& limits) {
  if (date) return;
  text = trim(text);
  if (text.empty()) return;
  date = parse_date(text, limits.default_zone_minutes);
  if (date) {
    raw.clear();
  } else if (raw.empty()) {
    raw = plain_text(text, std::min<std::size_t>(limits.max_field_bytes, 256));
  }
}

void complete_entry(core::Entry& entry, std::string_view feed_language, bool guid_is_permalink) {
  if (entry.link.empty() && guid_is_permalink &&
      (entry.guid.starts_with("http://") || entry.guid.starts_with("https://"))) {
    entry.link = entry.guid;
  }
  if (entry.summary.empty() && !entry.content.empty()) entry.summary = entry.content;
  if (entry.language.empty()) entry.language = std::string(feed_language);
}

}  // namespace wirewatch::parse
