// Shared helpers the dialect readers (RSS, Atom, JSON Feed) use to fill an Entry under the
// Limits: text fields, people, categories, enclosures and dates.
#pragma once

#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/feed_document.hpp"
#include "parse/parser.hpp"
#include "parse/xml_names.hpp"

namespace wirewatch::parse {

/// What a dialect reader needs besides the document.
struct DialectContext {
  const Limits& limits;
  std::string_view document_url;  // where relative references resolve without xml:base
  bool may_have_xml_base = true;  // false when the source has no "xml:base" at all
};

/// The base URL in scope at element: effective_base, or the document URL (not copied) when the
/// document has no xml:base attribute. Neither copied nor moved: use the view while it lives.
class ScopeBase {
 public:
  ScopeBase(pugi::xml_node element, const DialectContext& context);
  ScopeBase(const ScopeBase&) = delete;
  ScopeBase& operator=(const ScopeBase&) = delete;
  std::string_view view() const { return view_; }

 private:
  std::string storage_;
  std::string_view view_;
};

/// How a text element's content is to be read.
enum class TextKind {
  html,   // may hold markup or entities (RSS, Atom type="html")
  plain,  // literal text (Atom type="text")
  xhtml,  // Atom type="xhtml": markup as child elements
};

/// The plain text of a text element. Unescaped markup inside it is read as HTML.
std::string element_text(pugi::xml_node element, TextKind kind, const Limits& limits);

/// Adds a person ("jdoe@example.com (John Doe)", "John Doe <jdoe@example.com>", "John Doe"):
/// the name when there is one, else the address. Skips empty ones and duplicates.
void add_person(std::vector<std::string>& people, std::string_view text, const Limits& limits);

/// Adds an Atom person construct (<author><name>…</name><email>…</email></author>, 1.0 or
/// 0.3): the name, else the address.
void add_atom_person(pugi::xml_node person, const NamespaceResolver& names,
                     std::vector<std::string>& people, const Limits& limits);

/// Adds a category (trimmed, plain text), skipping empty ones and duplicates.
void add_category(std::vector<std::string>& categories, std::string_view text,
                  const Limits& limits);

/// Adds an enclosure with url resolved against base; length kept only when a valid count.
void add_enclosure(std::vector<core::Enclosure>& enclosures, std::string_view base,
                   std::string_view url, std::string_view type, std::string_view length,
                   const Limits& limits);

/// Media RSS: media:content and media:thumbnail become enclosures, directly or inside
/// media:group (and a thumbnail inside media:content). Other media:* elements are ignored.
void add_media(pugi::xml_node element, const Name& name, const NamespaceResolver& names,
               const DialectContext& context, std::vector<core::Enclosure>& enclosures);

/// Sets a date from feed text unless one is set already; unparseable text goes to raw.
void set_date(std::optional<core::Timestamp>& date, std::string& raw, std::string_view text,
              const Limits& limits);

/// Fills what an entry may lack from what it has: link from a permalink guid, summary from
/// content, language from the feed.
void complete_entry(core::Entry& entry, std::string_view feed_language, bool guid_is_permalink);

/// Trims ASCII whitespace.
std::string_view trim(std::string_view text);

}  // namespace wirewatch::parse
