#include "parse/xml_repair.hpp"

#include <unicode/utf8.h>

#include <array>
#include <cctype>
#include <map>

#include "parse/html_text.hpp"

namespace wirewatch::parse {
namespace {

/// Bytes the scanner must look at: '&', '<' and the control characters XML 1.0 forbids.
constexpr std::array<bool, 256> make_interesting() {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[static_cast<std::size_t>(c)] = true;
  table['\t'] = table['\n'] = table['\r'] = false;
  table['&'] = table['<'] = true;
  return table;
}
constexpr auto kInteresting = make_interesting();

/// Length of a well-formed reference at text[0] == '&' ("&amp;", "&#38;", "&#x26;"), or 0.
std::size_t valid_reference_length(std::string_view text) {
  if (text.size() >= 3 && text[1] == '#') {
    std::size_t i = 2;
    const bool hex = text[i] == 'x';
    if (hex) ++i;
    const std::size_t digits_start = i;
    while (i < text.size() && i < 12 &&
           (hex ? std::isxdigit(static_cast<unsigned char>(text[i]))
                : std::isdigit(static_cast<unsigned char>(text[i])))) {
      ++i;
    }
    if (i > digits_start && i < text.size() && text[i] == ';') return i + 1;
    return 0;
  }
  for (std::string_view name : {"amp;", "lt;", "gt;", "quot;", "apos;"}) {
    if (text.substr(1, name.size()) == name) return name.size() + 1;
  }
  return 0;
}

/// Length of a named reference "&name;" (any name), or 0.
std::size_t named_reference_length(std::string_view text) {
  std::size_t i = 1;
  if (i >= text.size() || !std::isalpha(static_cast<unsigned char>(text[i]))) return 0;
  while (i < text.size() && i < 40 && std::isalnum(static_cast<unsigned char>(text[i]))) ++i;
  return (i < text.size() && text[i] == ';') ? i + 1 : 0;
}

void append_numeric_references(std::string& out, std::string_view utf8) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto length = static_cast<std::int32_t>(utf8.size());
  std::int32_t offset = 0;
  while (offset < length) {
    UChar32 c;
    U8_NEXT(bytes, offset, length, c);
    if (c < 0) continue;
    out += "&#" + std::to_string(c) + ";";
  }
}

/// Where a markup construct that must not be touched ends, or npos when not at one.
std::size_t skip_opaque(std::string_view text, std::size_t at) {
  const std::string_view rest = text.substr(at);
  auto end_of = [&](std::string_view close) {
    const auto end = text.find(close, at);
    return end == std::string_view::npos ? text.size() : end + close.size();
  };
  if (rest.starts_with("<![CDATA[")) return end_of("]]>");
  if (rest.starts_with("<!--")) return end_of("-->");
  if (rest.starts_with("<?")) return end_of("?>");
  if (rest.starts_with("<!DOCTYPE") || rest.starts_with("<!doctype")) {
    // Skip an internal subset in brackets, then the closing '>'.
    std::size_t i = at;
    int depth = 0;
    for (; i < text.size(); ++i) {
      if (text[i] == '[') ++depth;
      if (text[i] == ']') --depth;
      if (text[i] == '>' && depth <= 0) return i + 1;
    }
    return text.size();
  }
  return std::string_view::npos;
}

}  // namespace

std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

XmlRepair repair_xml(std::string_view text) {
  XmlRepair result;
  std::map<std::string, std::string, std::less<>> decoded_names;  // few per document
  std::size_t copied_to = 0;  // text[copied_to, i) still needs appending to repaired
  auto note = [&](std::size_t offset, std::string problem) {
    if (result.problem_count++ == 0) {
      result.first_offset = offset;
      result.first_problem = std::move(problem);
    }
  };
  auto flush = [&](std::size_t up_to) {
    result.repaired.append(text.substr(copied_to, up_to - copied_to));
    copied_to = up_to;
  };
  std::size_t i = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  while (i < text.size()) {
    while (i < text.size() && !kInteresting[bytes[i]]) ++i;
    if (i >= text.size()) break;
    const char c = text[i];
    if (c == '<') {
      const std::size_t end = (i + 1 < text.size() && (text[i + 1] == '!' || text[i + 1] == '?'))
                                  ? skip_opaque(text, i)
                                  : std::string_view::npos;
      i = end == std::string_view::npos ? i + 1 : end;
      continue;
    }
    if (c != '&') {  // a forbidden control character: drop it
      note(i, "control character U+00" + std::string(1, "0123456789ABCDEF"[(c >> 4) & 0xF]) +
                  std::string(1, "0123456789ABCDEF"[c & 0xF]));
      flush(i);
      ++i;
      copied_to = i;
      continue;
    }
    const std::string_view rest = text.substr(i);
    if (const std::size_t length = valid_reference_length(rest); length > 0) {
      i += length;
      continue;
    }
    flush(i);
    if (const std::size_t length = named_reference_length(rest); length > 0) {
      const std::string_view name = rest.substr(1, length - 2);
      auto it = decoded_names.find(name);
      if (it == decoded_names.end()) {
        it = decoded_names.emplace(std::string(name), decode_html_entity(name)).first;
      }
      note(i, "undeclared entity &" + std::string(name) + ";");
      if (!it->second.empty()) {
        append_numeric_references(result.repaired, it->second);
        i += length;
        copied_to = i;
        continue;
      }
    } else {
      note(i, "bare '&' not starting an entity");
    }
    result.repaired += "&amp;";
    ++i;
    copied_to = i;
  }
  if (result.problem_count == 0) return result;
  flush(text.size());
  return result;
}

}  // namespace wirewatch::parse
