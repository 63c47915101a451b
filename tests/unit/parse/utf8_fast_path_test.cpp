// core::repair_utf8 and core::is_valid_utf8 skip printable ASCII 16 bytes at a time and copy
// kept runs in one piece. The property: they return exactly what the code point by code point
// loop they replaced returns (kept here as the reference), on realistic text and on random
// byte strings biased towards the cases that matter (controls, bytes >= 0x80, truncated,
// overlong and surrogate sequences, runs that straddle a 16-byte block).
#include <gtest/gtest.h>
#include <unicode/utf8.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.hpp"

namespace wirewatch::core {
namespace {

/// The implementation before the fast path (daemon/core/utf8.cpp at 0f635f7).
std::string reference_repair(std::string_view text) {
  std::string out;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t offset = 0;
  while (offset < length) {
    const std::int32_t start = offset;
    UChar32 c;
    U8_NEXT(bytes, offset, length, c);
    if (c < 0) {
      out += "\xEF\xBF\xBD";
    } else if (!((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)) {
      out.append(text.data() + start, static_cast<std::size_t>(offset - start));
    }
  }
  return out;
}

bool reference_valid(std::string_view text) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t offset = 0;
  while (offset < length) {
    UChar32 c;
    U8_NEXT(bytes, offset, length, c);
    if (c < 0) return false;
  }
  return true;
}

const std::vector<std::string> kTexts{
    "",
    "a",
    "https://www.example.com/world/2023/11/09/envoys-meet-ahead-of-cop28-1042",
    "Caf\xC3\xA9 au lait \xE2\x80\x94 un r\xC3\xA9sum\xC3\xA9 de l'\xC3\xA9t\xC3\xA9",
    "tab\there\nnewline\rcarriage\x01\x7F end",
    "0123456789abcde\x80",
    "0123456789abcdef\xC3",
    "0123456789abcdef0123456789abcde\x01",
    "\xF0\x9F\x98\x80 emoji \xED\xA0\x80 surrogate \xC0\xAF overlong \xF4\x90\x80\x80 too big",
};

TEST(Utf8FastPath, RealisticTextRepairsAsBefore) {
  for (const std::string& text : kTexts) {
    EXPECT_EQ(repair_utf8(text), reference_repair(text)) << text;
    EXPECT_EQ(repair_utf8_owned(std::string(text)), reference_repair(text)) << text;
    EXPECT_EQ(is_valid_utf8(text), reference_valid(text)) << text;
  }
}

TEST(Utf8FastPath, RandomBytesRepairAsBefore) {
  static constexpr std::array<std::string_view, 16> kPieces{
      "\xC3\xA9", "\xE2\x80\x94", "\xF0\x9F\x98\x80",
      "\xC3",     "\xE2\x80",     "\xF0\x9F\x98",
      "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90",
      "\x80",     "\xBF",         "\xFF",
      "\t",       "\n",           "\r",
      "\x7F"};
  std::mt19937 random(20261129);
  std::size_t changed = 0;
  for (int round = 0; round < 100000; ++round) {
    std::string text;
    const auto size = random() % 70;
    while (text.size() < size) {
      switch (random() % 8) {
        case 0:
          text += static_cast<char>(random() % 256);
          break;
        case 1:
          text += static_cast<char>(random() % 0x20);
          break;
        case 2:
          text += kPieces[random() % kPieces.size()];
          break;
        default:
          text += static_cast<char>(0x20 + random() % 0x5F);
          break;
      }
    }
    const std::string expected = reference_repair(text);
    ASSERT_EQ(repair_utf8(text), expected) << round;
    ASSERT_EQ(repair_utf8_owned(std::string(text)), expected) << round;
    ASSERT_EQ(is_valid_utf8(text), reference_valid(text)) << round;
    if (expected != text) ++changed;
  }
  EXPECT_GT(changed, 50000U);  // most inputs needed repair: the slow loop was exercised
}

}  // namespace
}  // namespace wirewatch::core
