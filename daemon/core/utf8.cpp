#include "core/utf8.hpp"

#include <unicode/utf8.h>

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace wirewatch::core {
namespace {

bool is_dropped_control(UChar32 c) {
  return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

/// True for an ASCII byte repair_utf8 keeps as it is: printable, tab or newline.
bool is_kept_ascii(std::uint8_t byte) {
  return (byte >= 0x20 && byte < 0x7f) || byte == '\t' || byte == '\n';
}

/// Length of the prefix of bytes[offset, length) that is ASCII (below 0x80), from offset.
/// Where SSE2 exists (every x86-64), 16 bytes per step.
std::size_t skip_ascii(const std::uint8_t* bytes, std::size_t offset, std::size_t length) {
#if defined(__SSE2__)
  while (offset + 16 <= length) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + offset));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(v));  // the high bits
    if (mask != 0) return offset + static_cast<std::size_t>(__builtin_ctz(mask));
    offset += 16;
  }
#endif
  while (offset < length && bytes[offset] < 0x80) ++offset;
  return offset;
}

/// Length of the prefix of bytes[offset, length) that repair_utf8 copies through unchanged as
/// ASCII (printable, tab, newline), from offset. SSE2: 16 bytes per step.
std::size_t skip_kept_ascii(const std::uint8_t* bytes, std::size_t offset, std::size_t length) {
#if defined(__SSE2__)
  const __m128i below = _mm_set1_epi8(0x20);  // signed compare: also every byte >= 0x80
  const __m128i del = _mm_set1_epi8(0x7F);
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i newline = _mm_set1_epi8('\n');
  while (offset + 16 <= length) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + offset));
    const __m128i kept_control = _mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, newline));
    const __m128i stop = _mm_or_si128(_mm_andnot_si128(kept_control, _mm_cmplt_epi8(v, below)),
                                      _mm_cmpeq_epi8(v, del));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(stop));
    if (mask != 0) return offset + static_cast<std::size_t>(__builtin_ctz(mask));
    offset += 16;
  }
#endif
  while (offset < length && is_kept_ascii(bytes[offset])) ++offset;
  return offset;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t offset = 0;
  while (offset < length) {
    if (bytes[offset] < 0x80) {
      offset = static_cast<std::int32_t>(
          skip_ascii(bytes, static_cast<std::size_t>(offset), text.size()));
      continue;
    }
    UChar32 c;
    U8_NEXT(bytes, offset, length, c);
    if (c < 0) return false;
  }
  return true;
}

std::string repair_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  // The common case, printable ASCII, comes back as it is in one copy.
  std::size_t kept = skip_kept_ascii(bytes, 0, text.size());
  if (kept == text.size()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  const auto length = static_cast<std::int32_t>(text.size());
  auto offset = static_cast<std::int32_t>(kept);
  std::int32_t copied_to = 0;  // text[copied_to, offset) is kept and not appended yet
  while (offset < length) {
    const std::int32_t start = offset;
    if (bytes[offset] < 0x80) {
      if (is_kept_ascii(bytes[offset])) {
        offset = static_cast<std::int32_t>(
            skip_kept_ascii(bytes, static_cast<std::size_t>(offset), text.size()));
        continue;
      }
      out.append(text.data() + copied_to, static_cast<std::size_t>(start - copied_to));
      copied_to = ++offset;  // a dropped control
      continue;
    }
    UChar32 c;
    U8_NEXT(bytes, offset, length, c);
    if (c < 0) {
      out.append(text.data() + copied_to, static_cast<std::size_t>(start - copied_to));
      out += "\xEF\xBF\xBD";
      copied_to = offset;
    } else if (is_dropped_control(c)) {  // not reached for sequences of two bytes or more
      out.append(text.data() + copied_to, static_cast<std::size_t>(start - copied_to));
      copied_to = offset;
    }
  }
  out.append(text.data() + copied_to, static_cast<std::size_t>(length - copied_to));
  return out;
}

std::string repair_utf8_owned(std::string&& text) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  if (skip_kept_ascii(bytes, 0, text.size()) == text.size()) return std::move(text);
  return repair_utf8(text);
}

std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  // Step back over continuation bytes so the cut lands on a sequence boundary.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

}  // namespace wirewatch::core
