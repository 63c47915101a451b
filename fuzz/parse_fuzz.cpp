// libFuzzer target for the parse stage: the first byte selects the HTTP Content-Type, the
// charset override and tight or default limits; the rest is the feed body.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parse/parser.hpp"

namespace {

constexpr std::array<std::string_view, 8> kContentTypes{"",
                                                        "application/rss+xml",
                                                        "text/xml; charset=utf-8",
                                                        "text/xml; charset=windows-1252",
                                                        "application/xml; charset=\"Shift_JIS\"",
                                                        "text/xml; charset=utf-16",
                                                        "application/atom+xml; charset=x-unknown",
                                                        "application/feed+json;charset=ISO-8859-1"};
constexpr std::array<std::string_view, 4> kOverrides{"", "gb2312", "utf-16le", "euc-kr"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  wirewatch::parse::Input input;
  input.body = std::string_view(reinterpret_cast<const char*>(data + 1), size - 1);
  input.content_type = kContentTypes[selector & 7u];
  input.charset = (selector & 0x18u) == 0x18u ? kOverrides[(selector >> 5) & 3u] : "";
  input.base_url = "https://feeds.example.org/news/world/rss.xml";
  wirewatch::parse::Limits limits;
  if ((selector & 0x80u) != 0)
    limits = {.max_entries = 3, .max_field_bytes = 40, .max_list_items = 2};
  const auto result = wirewatch::parse::parse_feed(input, limits);
  // The one invariant cheap enough to check on every input: the entry cap holds.
  if (result.document.entries.size() > limits.max_entries) __builtin_trap();
  return 0;
}
