// XML namespaces by URI, not by prefix: feeds use arbitrary prefixes ("dc:", "dublin:", a
// default namespace), and pugixml only sees prefixed names.
#pragma once

#include <array>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace wirewatch::parse {

/// The namespaces wirewatch understands.
enum class Ns {
  none,     // no namespace (RSS 0.9x/2.0 elements)
  rss090,   // http://my.netscape.com/rdf/simple/0.9/
  rss10,    // http://purl.org/rss/1.0/
  rdf,      // http://www.w3.org/1999/02/22-rdf-syntax-ns#
  atom10,   // http://www.w3.org/2005/Atom
  atom03,   // http://purl.org/atom/ns#
  dc,       // http://purl.org/dc/elements/1.1/
  dcterms,  // http://purl.org/dc/terms/
  content,  // http://purl.org/rss/1.0/modules/content/
  media,    // http://search.yahoo.com/mrss/
  itunes,   // http://www.itunes.com/dtds/podcast-1.0.dtd
  sy,       // http://purl.org/rss/1.0/modules/syndication/
  slash,    // http://purl.org/rss/1.0/modules/slash/
  xhtml,    // http://www.w3.org/1999/xhtml
  other,    // declared but unknown, or an undeclared prefix without a conventional meaning
};

/// The namespace an URI names (tolerating a missing trailing slash and http/https).
Ns namespace_of_uri(std::string_view uri);

/// The namespace an undeclared prefix conventionally stands for ("dc" → Ns::dc), or
/// Ns::other. Feeds forget to declare xmlns:dc or xmlns:content often enough to matter.
Ns conventional_namespace(std::string_view prefix);

/// An element's expanded name.
struct Name {
  Ns ns = Ns::none;
  std::string_view local;
  bool prefixed = false;  // written with a prefix ("dc:creator"), not in a default namespace
  bool is(Ns expected_ns, std::string_view expected_local) const {
    return ns == expected_ns && local == expected_local;
  }
};

/// Resolves element names against the xmlns declarations in scope. Declarations on the
/// document element are read once; deeper ones are found by walking up from the element.
/// An undeclared prefix falls back to conventional_namespace().
class NamespaceResolver {
 public:
  explicit NamespaceResolver(pugi::xml_node document_element);
  /// The same, for a document parsed from source (the exact text pugixml read): a count of
  /// "xmlns" in it usually proves there are no declarations below the document element, without
  /// walking the tree.
  NamespaceResolver(pugi::xml_node document_element, std::string_view source);

  Name name_of(pugi::xml_node element) const;

  /// False when the constructor was given the source and it has no "xml:base" anywhere
  /// (pugixml knows the attribute only by that literal name), so no element has one.
  bool may_have_xml_base() const { return xml_base_in_source_; }

 private:
  enum class Scan { skip };  // reads the root's declarations only
  NamespaceResolver(pugi::xml_node document_element, Scan);
  Ns lookup(std::string_view prefix, pugi::xml_node element) const;

  pugi::xml_node document_element_;
  static constexpr std::size_t kMaxRootDeclarations = 32;
  std::array<std::pair<std::string_view, Ns>, kMaxRootDeclarations> root_declarations_{};
  std::size_t root_declaration_count_ = 0;
  Ns root_default_ = Ns::none;
  bool nested_declarations_ = true;  // some element below the document element has xmlns
  bool xml_base_in_source_ = true;   // see may_have_xml_base()
};

/// The xml:base in effect at element, resolved against document_url (RFC 3986 chain).
std::string effective_base(pugi::xml_node element, std::string_view document_url);

/// The xml:lang in effect at element, or empty.
std::string_view effective_language(pugi::xml_node element);

/// Concatenated text of element's direct text and CDATA children.
std::string direct_text(pugi::xml_node element);

/// The same as a view: into the document when element has a single text or CDATA child (the
/// usual case), else into its own copy. Neither copied nor moved, so the view stays valid while
/// the object lives (use it within one expression, or name it).
class DirectText {
 public:
  explicit DirectText(pugi::xml_node element);
  DirectText(const DirectText&) = delete;
  DirectText& operator=(const DirectText&) = delete;
  std::string_view view() const { return view_; }

 private:
  std::string storage_;
  std::string_view view_;
};

/// The markup inside element (children serialized), for HTML that was not escaped.
std::string inner_xml(pugi::xml_node element);

/// True when element has element children (unescaped markup inside a text field).
bool has_element_children(pugi::xml_node element);

}  // namespace wirewatch::parse
