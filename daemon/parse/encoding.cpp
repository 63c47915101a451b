#include "parse/encoding.hpp"

#include <unicode/ucnv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <memory>

namespace wirewatch::parse {
namespace {

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool starts_with_bytes(std::string_view text, std::initializer_list<unsigned char> bytes) {
  if (text.size() < bytes.size()) return false;
  std::size_t i = 0;
  for (unsigned char b : bytes) {
    if (static_cast<unsigned char>(text[i++]) != b) return false;
  }
  return true;
}

/// An encoding identified from the first bytes (BOM or "<?" in UTF-16/32), and the BOM length.
struct Sniffed {
  const char* encoding = nullptr;
  std::size_t bom_length = 0;
};

Sniffed sniff_byte_order(std::string_view body) {
  if (starts_with_bytes(body, {0xEF, 0xBB, 0xBF})) return {"utf-8", 3};
  if (starts_with_bytes(body, {0x00, 0x00, 0xFE, 0xFF})) return {"utf-32be", 4};
  if (starts_with_bytes(body, {0xFF, 0xFE, 0x00, 0x00})) return {"utf-32le", 4};
  if (starts_with_bytes(body, {0xFE, 0xFF})) return {"utf-16be", 2};
  if (starts_with_bytes(body, {0xFF, 0xFE})) return {"utf-16le", 2};
  if (starts_with_bytes(body, {0x00, 0x3C, 0x00, 0x3F})) return {"utf-16be", 0};
  if (starts_with_bytes(body, {0x3C, 0x00, 0x3F, 0x00})) return {"utf-16le", 0};
  return {};
}

/// True when text has bytes above 0x7F, none of which start a well-formed UTF-8 sequence.
bool is_legacy_8bit(std::string_view text) {
  bool high = false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  for (std::size_t i = 0; i < size; ++i) {
    // ASCII runs eight bytes at a time: most documents are mostly ASCII.
    while (i + 8 <= size) {
      std::uint64_t word;
      std::memcpy(&word, bytes + i, sizeof word);
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= size) break;
    const unsigned char c = bytes[i];
    if (c < 0x80) continue;
    high = true;
    std::size_t length = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
    }
    if (length == 0 || i + length > size) continue;
    bool ok = true;
    for (std::size_t k = 1; k < length; ++k) ok = ok && (bytes[i + k] & 0xC0) == 0x80;
    // Exclude overlongs and surrogates (E0 80..9F, ED A0..BF, F0 80..8F, F4 90..).
    if (ok && c == 0xE0 && bytes[i + 1] < 0xA0) ok = false;
    if (ok && c == 0xED && bytes[i + 1] >= 0xA0) ok = false;
    if (ok && c == 0xF0 && bytes[i + 1] < 0x90) ok = false;
    if (ok && c == 0xF4 && bytes[i + 1] >= 0x90) ok = false;
    if (ok) return false;  // one real UTF-8 character: this is UTF-8, perhaps damaged
  }
  return high;
}

struct ConverterCloser {
  void operator()(UConverter* converter) const { ucnv_close(converter); }
};

}  // namespace

std::string_view charset_from_content_type(std::string_view content_type) {
  const std::string lowered = lower_ascii(content_type);
  const auto at = lowered.find("charset=");
  if (at == std::string::npos) return {};
  std::string_view value = content_type.substr(at + 8);
  value = value.substr(0, value.find(';'));
  value = trim(value);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  return value;
}

std::string_view xml_declared_encoding(std::string_view text) {
  text = trim(text);  // blank lines before the declaration are a common server-side slip
  if (!text.starts_with("<?xml")) return {};
  const auto end = text.find("?>");
  const std::string_view declaration = text.substr(0, end);
  const auto at = declaration.find("encoding");
  if (at == std::string_view::npos) return {};
  std::string_view rest = declaration.substr(at + 8);
  rest = trim(rest);
  if (rest.empty() || rest.front() != '=') return {};
  rest = trim(rest.substr(1));
  if (rest.empty() || (rest.front() != '"' && rest.front() != '\'')) return {};
  const char quote = rest.front();
  rest.remove_prefix(1);
  const auto close = rest.find(quote);
  if (close == std::string_view::npos) return {};
  return trim(rest.substr(0, close));
}

std::string canonical_encoding(std::string_view label) {
  std::string name = lower_ascii(trim(label));
  // Compare labels without punctuation, the way ICU and WHATWG match aliases.
  std::string key;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) key += c;
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> aliases{{
      {"utf8", "utf-8"},
      {"unicode11utf8", "utf-8"},
      {"iso88591", "windows-1252"},
      {"latin1", "windows-1252"},
      {"l1", "windows-1252"},
      {"usascii", "windows-1252"},
      {"ascii", "windows-1252"},
      {"cp1252", "windows-1252"},
      {"gb2312", "gb18030"},
      {"gbk", "gb18030"},
      {"xgbk", "gb18030"},
      {"euckr", "windows-949"},
      {"ksc56011987", "windows-949"},
      {"xsjis", "shift_jis"},
  }};
  for (const auto& [alias, canonical] : aliases) {
    if (key == alias) return std::string(canonical);
  }
  if (key == "sjis" || key == "shiftjis" || key == "mskanji") return "shift_jis";
  if (key == "utf16") return "utf-16";
  return name;
}

Utf8Document decode_to_utf8(std::string_view body, std::string_view http_charset,
                            std::string_view override_charset) {
  Utf8Document document;
  const Sniffed sniffed = sniff_byte_order(body);
  std::string encoding;
  if (sniffed.encoding != nullptr) {
    encoding = sniffed.encoding;
    body.remove_prefix(sniffed.bom_length);
  } else if (!override_charset.empty()) {
    encoding = canonical_encoding(override_charset);
  } else if (!http_charset.empty()) {
    encoding = canonical_encoding(http_charset);
  } else if (auto declared = xml_declared_encoding(body); !declared.empty()) {
    encoding = canonical_encoding(declared);
  } else {
    encoding = "utf-8";
  }
  // A UTF-16 label on bytes that have no UTF-16 shape is a lie that cannot be decoded; the
  // XML declaration cannot be read in UTF-16 without a BOM, so such a label came from outside.
  if ((encoding == "utf-16" || encoding == "utf-16le" || encoding == "utf-16be") &&
      sniffed.encoding == nullptr && body.find('\0') == std::string_view::npos) {
    document.warning = "charset " + encoding + " declared for 8-bit bytes; decoded as UTF-8";
    encoding = "utf-8";
  }
  if (encoding == "utf-8") {
    // Bytes that are not UTF-8 and hold not one valid multi-byte sequence were written in a
    // legacy charset by someone who labelled (or left) them UTF-8; windows-1252 is what such
    // bytes almost always are. Mixed text (valid sequences and some broken bytes) stays UTF-8
    // and is repaired field by field with U+FFFD.
    if (sniffed.encoding == nullptr && override_charset.empty() && is_legacy_8bit(body)) {
      encoding = "windows-1252";
      document.warning = "not UTF-8 as labelled or assumed; decoded as windows-1252";
    } else {
      document.text = body;
      document.encoding = encoding;
      return document;
    }
  }

  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> converter{ucnv_open(encoding.c_str(), &status)};
  if (U_FAILURE(status) || !converter) {
    document.warning = "unknown charset \"" + encoding + "\"; decoded as UTF-8";
    document.text = body;
    document.encoding = "utf-8";
    return document;
  }
  std::unique_ptr<UConverter, ConverterCloser> utf8{ucnv_open("UTF-8", &status)};
  // Worst case growth: one byte of a single-byte charset becomes three bytes of UTF-8.
  document.storage.resize(body.size() * 3 + 16);
  char* target = document.storage.data();
  const char* source = body.data();
  ucnv_convertEx(
      utf8.get(), converter.get(), &target, document.storage.data() + document.storage.size(),
      &source, body.data() + body.size(), nullptr, nullptr, nullptr, nullptr, true, true, &status);
  if (U_FAILURE(status)) {
    document.warning = "cannot decode as " + encoding + "; decoded as UTF-8";
    document.storage.clear();
    document.text = body;
    document.encoding = "utf-8";
    return document;
  }
  document.storage.resize(static_cast<std::size_t>(target - document.storage.data()));
  document.text = document.storage;
  document.encoding = encoding;
  return document;
}

}  // namespace wirewatch::parse
