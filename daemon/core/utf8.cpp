#include "core/utf8.hpp"

#include <unicode/utf8.h>

namespace wirewatch::core {
namespace {

bool is_dropped_control(UChar32 c) {
  return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t offset = 0;
  while (offset < length) {
    if (bytes[offset] < 0x80) {
      ++offset;
      continue;
    }
    UChar32 c;
    U8_NEXT(bytes, offset, length, c);
    if (c < 0) return false;
  }
  return true;
}

std::string repair_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t offset = 0;
  while (offset < length) {
    const std::int32_t start = offset;
    UChar32 c;
    U8_NEXT(bytes, offset, length, c);
    if (c < 0) {
      out += "\xEF\xBF\xBD";
    } else if (!is_dropped_control(c)) {
      out.append(text.data() + start, static_cast<std::size_t>(offset - start));
    }
  }
  return out;
}

std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  // Step back over continuation bytes so the cut lands on a sequence boundary.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

}  // namespace wirewatch::core
