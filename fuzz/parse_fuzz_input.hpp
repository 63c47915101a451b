// How parse_fuzz reads a fuzzer input: byte 0 selects the HTTP Content-Type (bits 0-2), a
// charset override (bits 3-6) and tight limits (bit 7); the rest is the feed body. Shared with
// tests/unit/parse/fuzz_regressions_test.cpp so a saved crash replays exactly.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parse/parser.hpp"

namespace wirewatch::fuzz {

/// parse_feed's arguments decoded from one fuzzer input.
struct ParseCase {
  parse::Input input;
  parse::Limits limits;
};

/// Decodes data (at least one byte) into a ParseCase whose body points into data.
inline ParseCase decode_parse_case(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array<std::string_view, 8> content_types{
      "",
      "application/rss+xml",
      "text/xml; charset=utf-8",
      "text/xml; charset=windows-1252",
      "application/xml; charset=\"Shift_JIS\"",
      "text/xml; charset=utf-16",
      "application/atom+xml; charset=x-unknown",
      "application/feed+json;charset=ISO-8859-1"};
  static constexpr std::array<std::string_view, 4> overrides{"", "gb2312", "utf-16le", "euc-kr"};
  const std::uint8_t selector = data[0];
  ParseCase result;
  result.input.body = std::string_view(reinterpret_cast<const char*>(data + 1), size - 1);
  result.input.content_type = content_types[selector & 7u];
  result.input.charset = (selector & 0x18u) == 0x18u ? overrides[(selector >> 5) & 3u] : "";
  result.input.base_url = "https://feeds.example.org/news/world/rss.xml";
  if ((selector & 0x80u) != 0) {
    result.limits = {.max_entries = 3, .max_field_bytes = 40, .max_list_items = 2};
  }
  return result;
}

}  // namespace wirewatch::fuzz
