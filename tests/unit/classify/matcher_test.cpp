#include "classify/matcher.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace wirewatch::classify {
namespace {

using Matches = std::vector<std::pair<std::uint32_t, std::size_t>>;

Matches scan(const Matcher& matcher, std::string_view text) {
  Matches out;
  matcher.scan(text, [&](std::uint32_t id, std::size_t end) { out.emplace_back(id, end); });
  return out;
}

TEST(Matcher, FindsOverlappingPatternsInEndOrder) {
  Matcher matcher;
  const auto he = matcher.add("he");
  const auto she = matcher.add("she");
  const auto his = matcher.add("his");
  const auto hers = matcher.add("hers");
  matcher.build();
  const Matches got = scan(matcher, "ushers");
  // "she" and "he" both end at 4, "hers" at 6; "his" never.
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].second, 4u);
  EXPECT_EQ(got[1].second, 4u);
  EXPECT_TRUE((got[0].first == she && got[1].first == he) ||
              (got[0].first == he && got[1].first == she));
  EXPECT_EQ(got[2], std::make_pair(hers, std::size_t{6}));
  (void)his;
}

TEST(Matcher, GivesTheSameIdToTheSameBytes) {
  Matcher matcher;
  EXPECT_EQ(matcher.add(" summit "), matcher.add(" summit "));
  EXPECT_EQ(matcher.pattern_count(), 1u);
}

TEST(Matcher, MatchesBoundaryPaddedWordsOnly) {
  Matcher matcher;
  const auto summit = matcher.add(" summit ");
  matcher.build();
  EXPECT_TRUE(scan(matcher, " summitry summits ").empty());
  EXPECT_EQ(scan(matcher, " the summit opens ").size(), 1u);
  const Matches twice = scan(matcher, " summit summit ");  // the shared space serves both
  ASSERT_EQ(twice.size(), 2u);
  EXPECT_EQ(twice[1], std::make_pair(summit, std::size_t{15}));
}

TEST(Matcher, HandlesBytesNoPatternUses) {
  Matcher matcher;
  matcher.add("峰会");
  matcher.build();
  EXPECT_EQ(scan(matcher, "\x01\xFF 东盟峰会在").size(), 1u);
  EXPECT_TRUE(scan(matcher, "峰 会").empty());
}

TEST(Matcher, ScansWithNoPatterns) {
  Matcher matcher;
  matcher.build();
  EXPECT_TRUE(scan(matcher, "anything").empty());
}

}  // namespace
}  // namespace wirewatch::classify
