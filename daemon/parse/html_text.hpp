// Plain text out of feed text fields: HTML through gumbo (a real HTML5 parser), entities
// decoded, script/style dropped, whitespace collapsed, UTF-8 repaired, length capped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wirewatch::parse {

/// Text that may hold HTML markup or entities (RSS description, Atom type="html", JSON
/// content_html) → one line of plain text of at most max_bytes.
std::string html_to_text(std::string_view html, std::size_t max_bytes);

/// Text that is plain already (Atom type="text", JSON content_text) → whitespace collapsed,
/// UTF-8 repaired, at most max_bytes. No entity decoding: "&lt;" stays "&lt;".
std::string plain_text(std::string_view text, std::size_t max_bytes);

/// Text that is plain but may carry character references (JSON Feed title and summary, which
/// the spec calls plain text and CMSs fill with "&#8217;" and "&amp;") → references decoded,
/// "<b>" kept as written, whitespace collapsed, at most max_bytes.
std::string references_to_text(std::string_view text, std::size_t max_bytes);

/// The UTF-8 text an HTML named character reference stands for ("eacute" → "é"), or empty
/// when HTML has no such name. Used to repair XML that uses HTML entities it never declared.
std::string decode_html_entity(std::string_view name);

}  // namespace wirewatch::parse
