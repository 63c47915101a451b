// Differential libFuzzer target: whenever the HTML fast path decides, its text must equal the
// gumbo path's byte for byte. Byte 0 picks the cap (tiny caps exercise the cut at a UTF-8
// boundary and the input bound) and, with its top bit, the plain-text mode, which is checked
// against gumbo on the same text with '&' and '<' escaped. The rest is the input.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "parse/html_fast_path.hpp"

namespace {

void check(std::string_view what, std::size_t max_bytes, const std::string& fast,
           const std::string& reference) {
  if (fast == reference) return;
  std::fprintf(
      stderr, "%.*s fast path differs from gumbo (max_bytes %zu)\n  fast:  [%s]\n  gumbo: [%s]\n",
      static_cast<int>(what.size()), what.data(), max_bytes, fast.c_str(), reference.c_str());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::array<std::size_t, 8> kCaps{256 * 1024, 0, 1, 2, 3, 5, 12, 40};
  const std::size_t max_bytes = kCaps[data[0] % kCaps.size()];
  const bool plain = (data[0] & 0x80) != 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!plain) {
    const auto fast = wirewatch::parse::html_to_text_fast(input, max_bytes);
    if (fast)
      check("html", max_bytes, *fast, wirewatch::parse::html_to_text_gumbo(input, max_bytes));
    return 0;
  }
  const auto fast = wirewatch::parse::plain_text_fast(input, max_bytes);
  if (!fast) return 0;
  std::string escaped;
  for (char c : input) {
    if (c == '&') {
      escaped += "&amp;";
    } else if (c == '<') {
      escaped += "&lt;";
    } else {
      escaped += c;
    }
  }
  // Gumbo sees only the first max_bytes * 4 bytes; compare where it sees all of the text.
  if (escaped.size() > max_bytes * 4) return 0;
  check("plain", max_bytes, *fast, wirewatch::parse::html_to_text_gumbo(escaped, max_bytes));
  return 0;
}
