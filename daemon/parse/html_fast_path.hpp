// HTML to text without building a tree, for the markup feeds actually carry: a single linear
// scan that either returns exactly what the gumbo tree walk in html_text.cpp returns, or says
// it cannot decide. Only the gumbo path (html_to_text_gumbo) defines the result; the fast path
// must equal it byte for byte whenever it answers (fuzz/html_fast_path_fuzz.cpp checks that).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wirewatch::parse {

/// The plain text html_to_text_gumbo(html, max_bytes) would return, or nullopt ("cannot
/// decide") for anything a linear scan could get wrong: comments, <!…>, <?…>, raw-text and
/// skipped elements (script, style, textarea…), tables, misnested or implicitly closed tags
/// beyond the simplest cases, references outside the small table of common names or without
/// ";", control characters, invalid UTF-8, input past the gumbo path's input bound.
std::optional<std::string> html_to_text_fast(std::string_view html, std::size_t max_bytes);

/// The text plain_text(text, max_bytes) returns, in one pass that folds whitespace and checks
/// UTF-8 together, or nullopt where plain_text has more to do: control characters (dropped or
/// folded), C1 controls (read as windows-1252), invalid UTF-8 (repaired).
std::optional<std::string> plain_text_fast(std::string_view text, std::size_t max_bytes);

/// The gumbo path of html_to_text for any input (no markup check, no CDATA unwrapping):
/// repair UTF-8, parse as an HTML5 fragment, walk the tree. Defined in html_text.cpp; the
/// reference the fast path is tested against.
std::string html_to_text_gumbo(std::string_view html, std::size_t max_bytes);

/// True for the elements whose text runs on into the text around them (a, b, span…); every
/// other element separates words. Takes a GumboTag (an int here so this header needs no gumbo);
/// the one list both the tree walk and the fast path use.
bool is_inline_tag(int gumbo_tag);

}  // namespace wirewatch::parse
