// The well-formedness problems feeds have most, fixed before pugixml sees the text: HTML
// entities never declared (&nbsp;), bare ampersands ("AT&T"), and control characters.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wirewatch::parse {

/// The outcome of a repair pass. `repaired` is empty when the text needed no change.
/// A rewrite is not always a problem: entities declared in the internal DTD subset are
/// expanded, and HTML entities are rewritten silently when an external DTD may declare them.
struct XmlRepair {
  std::string repaired;
  bool rewritten = false;  // true when `repaired` holds the text to parse
  std::size_t problem_count = 0;
  std::size_t first_offset = 0;  // byte offset of the first problem in the input
  std::string first_problem;     // "undeclared entity &nbsp;"
};

/// Scans XML text outside CDATA sections, comments and the DOCTYPE and rewrites: an entity
/// declared in the internal subset to its value, an HTML named entity to its numeric
/// reference, an unknown entity or bare & to &amp;, a reference to a character XML forbids
/// (&#0;, &#xD800;) to U+FFFD, a control character to nothing.
XmlRepair repair_xml(std::string_view text);

/// 1-based line and column of a byte offset.
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset);

}  // namespace wirewatch::parse
