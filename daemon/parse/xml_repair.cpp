#include "parse/xml_repair.hpp"

#include <unicode/utf8.h>

#include <array>
#include <cctype>
#include <map>

#include "parse/html_text.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/// The first offset from i where the scanner has work: a '&', a forbidden control character, or
/// a '<' that starts "<!" or "<?" (a plain tag needs nothing). Where SSE2 exists (every
/// x86-64), 16 bytes per step.
std::size_t next_interesting(const unsigned char* bytes, std::size_t i, std::size_t size) {
#if defined(__SSE2__)
  const __m128i amp = _mm_set1_epi8('&');
  const __m128i open = _mm_set1_epi8('<');
  const __m128i bang = _mm_set1_epi8('!');
  const __m128i question = _mm_set1_epi8('?');
  const __m128i last_control = _mm_set1_epi8(0x1F);
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i carriage_return = _mm_set1_epi8('\r');
  while (i + 17 <= size) {
    const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i + 1));
    // Unsigned here <= 0x1F, less tab, newline and carriage return.
    const __m128i control = _mm_andnot_si128(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(here, tab), _mm_cmpeq_epi8(here, newline)),
                     _mm_cmpeq_epi8(here, carriage_return)),
        _mm_cmpeq_epi8(_mm_max_epu8(here, last_control), last_control));
    const __m128i markup =
        _mm_and_si128(_mm_cmpeq_epi8(here, open),
                      _mm_or_si128(_mm_cmpeq_epi8(next, bang), _mm_cmpeq_epi8(next, question)));
    const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(here, amp), control), markup);
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(stop));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
    i += 16;
  }
#endif
  for (; i < size; ++i) {
    if (!kInteresting[bytes[i]]) continue;
    if (bytes[i] != '<') return i;
    if (i + 1 < size && (bytes[i + 1] == '!' || bytes[i + 1] == '?')) return i;
  }
  return size;
}

/// True for a code point XML 1.0 allows in a document (production [2] Char).
bool is_xml_char(std::uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/// A numeric character reference at text[0] == '&' ("&#38;", "&#x26;"): its length (0 when
/// it is not one) and whether it names a character XML allows.
struct NumericReference {
  std::size_t length = 0;
  bool valid = false;
};

NumericReference numeric_reference(std::string_view text) {
  if (text.size() < 4 || text[1] != '#') return {};
  std::size_t i = 2;
  const bool hex = text[i] == 'x';
  if (hex) ++i;
  const std::size_t digits_start = i;
  std::uint64_t value = 0;
  while (i < text.size() && i < 40) {
    const auto c = static_cast<unsigned char>(text[i]);
    int digit = -1;
    if (std::isdigit(c)) {
      digit = c - '0';
    } else if (hex && std::isxdigit(c)) {
      digit = std::tolower(c) - 'a' + 10;
    }
    if (digit < 0) break;
    value = std::min<std::uint64_t>(value * (hex ? 16 : 10) + static_cast<std::uint64_t>(digit),
                                    0x110000);
    ++i;
  }
  if (i == digits_start || i >= text.size() || text[i] != ';') return {};
  return {i + 1, is_xml_char(static_cast<std::uint32_t>(value))};
}

/// Length of a predefined entity reference at text[0] == '&' ("&amp;", "&lt;"), or 0.
std::size_t predefined_reference_length(std::string_view text) {
  auto is = [text](std::string_view name) {
    return text.size() > name.size() && text.compare(1, name.size(), name) == 0;
  };
  switch (text.size() > 1 ? text[1] : '\0') {
    case 'a':
      return is("amp;") ? 5 : is("apos;") ? 6 : 0;
    case 'l':
      return is("lt;") ? 4 : 0;
    case 'g':
      return is("gt;") ? 4 : 0;
    case 'q':
      return is("quot;") ? 6 : 0;
    default:
      return 0;
  }
}

/// Length of a named reference "&name;" (any name), or 0.
std::size_t named_reference_length(std::string_view text) {
  std::size_t i = 1;
  if (i >= text.size() || !std::isalpha(static_cast<unsigned char>(text[i]))) return 0;
  while (i < text.size() && i < 40 &&
         (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '-' || text[i] == '_' ||
          text[i] == '.')) {
    ++i;
  }
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

/// What a DOCTYPE declares that matters for entity references.
struct Doctype {
  // An external DTD (PUBLIC or SYSTEM id, or a parameter entity pulling one in), as the
  // Netscape RSS 0.91 DTD or the XHTML ones: it may declare the HTML entities, so &eacute;
  // is not an error in such a document, though pugixml does not read the DTD.
  bool external = false;
  // General entities of the internal subset with their literal values:
  // <!ENTITY site "Example News">.
  std::map<std::string, std::string, std::less<>> entities;
};

constexpr std::size_t kMaxDeclaredEntities = 64;
constexpr std::size_t kMaxEntityValueBytes = 4096;

/// Reads the parts of a DOCTYPE declaration ("<!DOCTYPE rss PUBLIC … [ … ]", without the
/// final '>') that Doctype holds. Never fails: what it cannot read it ignores.
Doctype read_doctype(std::string_view declaration) {
  Doctype doctype;
  const auto subset_start = declaration.find('[');
  const std::string_view head = declaration.substr(0, subset_start);
  doctype.external = head.find("PUBLIC") != std::string_view::npos ||
                     head.find("SYSTEM") != std::string_view::npos;
  if (subset_start == std::string_view::npos) return doctype;
  std::string_view subset = declaration.substr(subset_start + 1);
  if (subset.find('%') != std::string_view::npos) doctype.external = true;
  static constexpr std::string_view kEntity = "<!ENTITY";
  for (auto at = subset.find(kEntity); at != std::string_view::npos;
       at = subset.find(kEntity, at + 1)) {
    std::size_t i = at + kEntity.size();
    auto skip_space = [&] {
      while (i < subset.size() && std::isspace(static_cast<unsigned char>(subset[i]))) ++i;
    };
    skip_space();
    if (i >= subset.size() || subset[i] == '%') continue;  // a parameter entity
    const std::size_t name_start = i;
    while (i < subset.size() && !std::isspace(static_cast<unsigned char>(subset[i])) &&
           subset[i] != '"' && subset[i] != '\'') {
      ++i;
    }
    const std::string_view name = subset.substr(name_start, i - name_start);
    skip_space();
    if (name.empty() || i >= subset.size() || (subset[i] != '"' && subset[i] != '\'')) continue;
    const char quote = subset[i++];
    const auto close = subset.find(quote, i);
    if (close == std::string_view::npos) break;
    const std::string_view value = subset.substr(i, close - i);
    if (doctype.entities.size() < kMaxDeclaredEntities && value.size() <= kMaxEntityValueBytes) {
      doctype.entities.emplace(std::string(name), std::string(value));  // first one wins
    }
  }
  return doctype;
}

/// Where a markup construct that must not be touched ends, or npos when not at one.
std::size_t skip_opaque(std::string_view text, std::size_t at, Doctype& doctype) {
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
      if (text[i] == '>' && depth <= 0) break;
    }
    doctype = read_doctype(text.substr(at, i - at));
    return std::min(i + 1, text.size());
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
  Doctype doctype;
  std::size_t expanded_bytes = 0;  // declared entity values inserted, capped (no billion laughs)
  constexpr std::size_t kMaxExpandedBytes = 1u << 20;
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
    i = next_interesting(bytes, i, text.size());
    if (i >= text.size()) break;
    const char c = text[i];
    if (c == '<') {  // "<!" or "<?"
      const std::size_t end = skip_opaque(text, i, doctype);
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
    if (const std::size_t length = predefined_reference_length(rest); length > 0) {
      i += length;
      continue;
    }
    if (const NumericReference numeric = numeric_reference(rest); numeric.length > 0) {
      if (!numeric.valid) {  // &#0;, &#xD800;, &#x110000;: not a character XML allows
        note(i, "reference to an invalid character " + std::string(rest.substr(0, numeric.length)));
        flush(i);
        result.repaired += "&#xFFFD;";
        copied_to = i + numeric.length;
      }
      i += numeric.length;
      continue;
    }
    flush(i);
    if (const std::size_t length = named_reference_length(rest); length > 0) {
      const std::string_view name = rest.substr(1, length - 2);
      if (auto declared = doctype.entities.find(name);
          declared != doctype.entities.end() && expanded_bytes < kMaxExpandedBytes) {
        // Declared in the internal subset, which pugixml does not expand: insert the literal
        // value, as an XML processor would (its references are not expanded again).
        expanded_bytes += declared->second.size();
        result.repaired += declared->second;
        i += length;
        copied_to = i;
        continue;
      }
      auto it = decoded_names.find(name);
      if (it == decoded_names.end()) {
        it = decoded_names.emplace(std::string(name), decode_html_entity(name)).first;
      }
      if (!it->second.empty()) {
        if (!doctype.external) note(i, "undeclared entity &" + std::string(name) + ";");
        append_numeric_references(result.repaired, it->second);
        i += length;
        copied_to = i;
        continue;
      }
      note(i, "undeclared entity &" + std::string(name) + ";");
    } else {
      note(i, "bare '&' not starting an entity");
    }
    result.repaired += "&amp;";
    ++i;
    copied_to = i;
  }
  if (copied_to == 0) return result;  // nothing rewritten
  flush(text.size());
  result.rewritten = true;
  return result;
}

}  // namespace wirewatch::parse
