#include "core/utf8.hpp"

#include <gtest/gtest.h>

namespace wirewatch::core {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("Caf\xC3\xA9 \xE5\xB3\xB0\xE4\xBC\x9A \xF0\x9F\x8C\x8D"));
}

TEST(Utf8, RejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xE5\xB3"));          // cut short
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

TEST(Utf8, RepairReplacesBadBytesAndDropsControls) {
  EXPECT_EQ(repair_utf8("a\xFF"
                        "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(repair_utf8("tab\there\x01\x7F"), "tab\there");
  EXPECT_EQ(repair_utf8("Caf\xC3\xA9"), "Caf\xC3\xA9");
}

TEST(Utf8, TruncateNeverSplitsASequence) {
  const std::string text = "ab\xE5\xB3\xB0";  // "ab峰"
  EXPECT_EQ(truncate_utf8(text, 4), "ab");
  EXPECT_EQ(truncate_utf8(text, 5), text);
  EXPECT_EQ(truncate_utf8(text, 2), "ab");
}

}  // namespace
}  // namespace wirewatch::core
