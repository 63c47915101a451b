#include "parse/xml_names.hpp"

#include <sstream>
#include <vector>

#include "parse/urls.hpp"

namespace wirewatch::parse {
namespace {

std::string_view strip_scheme_and_slash(std::string_view uri) {
  if (uri.starts_with("https://")) {
    uri.remove_prefix(8);
  } else if (uri.starts_with("http://")) {
    uri.remove_prefix(7);
  }
  while (!uri.empty() && (uri.back() == '/' || uri.back() == '#')) uri.remove_suffix(1);
  return uri;
}

}  // namespace

Ns namespace_of_uri(std::string_view uri) {
  struct Known {
    std::string_view uri;
    Ns ns;
  };
  static constexpr std::array<Known, 15> known{{
      {"my.netscape.com/rdf/simple/0.9", Ns::rss090},
      {"purl.org/rss/1.0", Ns::rss10},
      {"www.w3.org/1999/02/22-rdf-syntax-ns", Ns::rdf},
      {"www.w3.org/2005/Atom", Ns::atom10},
      {"purl.org/atom/ns", Ns::atom03},
      {"purl.org/dc/elements/1.1", Ns::dc},
      {"purl.org/dc/terms", Ns::dcterms},
      {"purl.org/rss/1.0/modules/content", Ns::content},
      {"search.yahoo.com/mrss", Ns::media},
      {"www.itunes.com/dtds/podcast-1.0.dtd", Ns::itunes},
      {"www.itunes.com/DTDs/Podcast-1.0.dtd", Ns::itunes},
      {"purl.org/rss/1.0/modules/syndication", Ns::sy},
      {"purl.org/rss/1.0/modules/slash", Ns::slash},
      {"www.w3.org/1999/xhtml", Ns::xhtml},
      {"backend.userland.com/rss2", Ns::none},
  }};
  const std::string_view key = strip_scheme_and_slash(uri);
  for (const auto& entry : known) {
    if (key == entry.uri) return entry.ns;
  }
  if (uri.empty()) return Ns::none;
  return Ns::other;
}

Ns conventional_namespace(std::string_view prefix) {
  struct Conventional {
    std::string_view prefix;
    Ns ns;
  };
  // The prefixes every feed tool writes; a feed that forgets to declare one means this.
  static constexpr std::array<Conventional, 11> conventional{{
      {"dc", Ns::dc},
      {"dcterms", Ns::dcterms},
      {"content", Ns::content},
      {"media", Ns::media},
      {"itunes", Ns::itunes},
      {"sy", Ns::sy},
      {"slash", Ns::slash},
      {"atom", Ns::atom10},
      {"rdf", Ns::rdf},
      {"xhtml", Ns::xhtml},
      {"xml", Ns::other},
  }};
  for (const auto& entry : conventional) {
    if (prefix == entry.prefix) return entry.ns;
  }
  return Ns::other;
}

namespace {

/// True when an element below root declares a namespace (an attribute "xmlns" or "xmlns:…").
bool has_nested_declarations(pugi::xml_node root) {
  pugi::xml_node node = root.first_child();
  while (node && node != root) {
    if (node.type() == pugi::node_element) {
      for (auto attribute = node.first_attribute(); attribute;
           attribute = attribute.next_attribute()) {
        if (std::string_view(attribute.name()).starts_with("xmlns")) return true;
      }
      if (auto child = node.first_child()) {
        node = child;
        continue;
      }
    }
    while (node && node != root && !node.next_sibling()) node = node.parent();
    if (node && node != root) node = node.next_sibling();
  }
  return false;
}

}  // namespace

NamespaceResolver::NamespaceResolver(pugi::xml_node document_element, std::string_view source)
    : NamespaceResolver(document_element, Scan::skip) {
  xml_base_in_source_ = false;
  // Every namespace declaration is an attribute whose name starts with "xmlns", written out in
  // the source; when the source has no more of them than the document element declares, no
  // element below it declares one (a comment or text that mentions "xmlns" only costs the walk).
  // One pass over the "xml" in the source for both "xmlns" and "xml:base".
  std::size_t in_source = 0;
  for (auto at = source.find("xml"); at != std::string_view::npos;
       at = source.find("xml", at + 3)) {
    const std::string_view rest = source.substr(at + 3);
    if (rest.starts_with("ns")) {
      ++in_source;
    } else if (rest.starts_with(":base")) {
      xml_base_in_source_ = true;
    }
  }
  std::size_t on_root = 0;
  for (auto attribute = document_element.first_attribute(); attribute;
       attribute = attribute.next_attribute()) {
    if (std::string_view(attribute.name()).starts_with("xmlns")) ++on_root;
  }
  nested_declarations_ = in_source > on_root && has_nested_declarations(document_element);
}

NamespaceResolver::NamespaceResolver(pugi::xml_node document_element)
    : NamespaceResolver(document_element, Scan::skip) {
  nested_declarations_ = has_nested_declarations(document_element);
}

NamespaceResolver::NamespaceResolver(pugi::xml_node document_element, Scan)
    : document_element_(document_element) {
  for (auto attribute : document_element.attributes()) {
    const std::string_view name = attribute.name();
    if (name == "xmlns") {
      root_default_ = namespace_of_uri(attribute.value());
    } else if (name.starts_with("xmlns:") && root_declaration_count_ < kMaxRootDeclarations) {
      root_declarations_[root_declaration_count_++] = {name.substr(6),
                                                       namespace_of_uri(attribute.value())};
    }
  }
}

Ns NamespaceResolver::lookup(std::string_view prefix, pugi::xml_node element) const {
  // Declarations below the document element are rare (the constructor looked for them once);
  // when there are some, look for them first since they win.
  for (auto node = element; nested_declarations_ && node && node != document_element_;
       node = node.parent()) {
    for (auto attribute : node.attributes()) {
      const std::string_view name = attribute.name();
      if (!name.starts_with("xmlns")) continue;
      if (prefix.empty()
              ? name.size() == 5
              : (name.size() == 6 + prefix.size() && name[5] == ':' && name.substr(6) == prefix)) {
        return namespace_of_uri(attribute.value());
      }
    }
  }
  if (prefix.empty()) return root_default_;
  for (std::size_t i = 0; i < root_declaration_count_; ++i) {
    if (root_declarations_[i].first == prefix) return root_declarations_[i].second;
  }
  return conventional_namespace(prefix);
}

Name NamespaceResolver::name_of(pugi::xml_node element) const {
  const std::string_view qualified = element.name();
  std::size_t colon = 0;  // names are short: a loop beats a call to memchr
  while (colon < qualified.size() && qualified[colon] != ':') ++colon;
  if (colon == qualified.size()) return {lookup({}, element), qualified, false};
  return {lookup(qualified.substr(0, colon), element), qualified.substr(colon + 1), true};
}

std::string effective_base(pugi::xml_node element, std::string_view document_url) {
  // Collect xml:base from the element outwards, then resolve from the outermost in.
  std::vector<std::string_view> bases;
  for (auto node = element; node && node.type() == pugi::node_element; node = node.parent()) {
    if (auto attribute = node.attribute("xml:base")) bases.emplace_back(attribute.value());
  }
  std::string base(document_url);
  for (auto it = bases.rbegin(); it != bases.rend(); ++it) base = resolve_url(base, *it);
  return base;
}

std::string_view effective_language(pugi::xml_node element) {
  for (auto node = element; node && node.type() == pugi::node_element; node = node.parent()) {
    if (auto attribute = node.attribute("xml:lang")) return attribute.value();
  }
  return {};
}

std::string direct_text(pugi::xml_node element) {
  auto child = element.first_child();
  // The common case, a single text node, needs no concatenation.
  if (child && !child.next_sibling() &&
      (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata)) {
    return child.value();
  }
  std::string text;
  for (; child; child = child.next_sibling()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    }
  }
  return text;
}

DirectText::DirectText(pugi::xml_node element) {
  const pugi::xml_node child = element.first_child();
  const pugi::xml_node_type type = child.type();
  if (child && !child.next_sibling() && (type == pugi::node_pcdata || type == pugi::node_cdata)) {
    view_ = child.value();
    return;
  }
  storage_ = direct_text(element);
  view_ = storage_;
}

std::string inner_xml(pugi::xml_node element) {
  std::ostringstream out;
  for (auto child : element.children()) {
    child.print(out, "", pugi::format_raw | pugi::format_no_declaration);
  }
  return std::move(out).str();
}

bool has_element_children(pugi::xml_node element) {
  for (auto child : element.children()) {
    if (child.type() == pugi::node_element) return true;
  }
  return false;
}

}  // namespace wirewatch::parse
