// RFC 3986 reference resolution through curl_url.
#include "parse/urls.hpp"

#include <gtest/gtest.h>

namespace wirewatch::parse {
namespace {

constexpr std::string_view kBase = "https://news.example/feeds/main/rss.xml";

TEST(Urls, RelativeReferencesResolveAgainstTheBase) {
  EXPECT_EQ(resolve_url(kBase, "/a/1"), "https://news.example/a/1");
  EXPECT_EQ(resolve_url(kBase, "a/2.html"), "https://news.example/feeds/main/a/2.html");
  EXPECT_EQ(resolve_url(kBase, "../up/./3"), "https://news.example/feeds/up/3");
  EXPECT_EQ(resolve_url(kBase, "//cdn.example.net/4"), "https://cdn.example.net/4");
  EXPECT_EQ(resolve_url(kBase, "?page=5"), "https://news.example/feeds/main/rss.xml?page=5");
  EXPECT_EQ(resolve_url(kBase, "#top"), "https://news.example/feeds/main/rss.xml#top");
  EXPECT_EQ(resolve_url(kBase, "  /padded  "), "https://news.example/padded");
}

TEST(Urls, AbsoluteReferencesAreNormalizedNotRebased) {
  EXPECT_EQ(resolve_url(kBase, "https://other.example/x"), "https://other.example/x");
  EXPECT_EQ(resolve_url(kBase, "https://other.example"), "https://other.example/");
  EXPECT_EQ(resolve_url("", "http://other.example/a/../b"), "http://other.example/b");
}

TEST(Urls, EscapesAreAddedAndUppercased) {
  EXPECT_EQ(resolve_url(kBase, "/a b/caf\xC3\xA9"), "https://news.example/a%20b/caf%C3%A9");
  EXPECT_EQ(resolve_url(kBase, "/x%2fy"), "https://news.example/x%2Fy");
}

TEST(Urls, OpaqueSchemesPassThrough) {
  EXPECT_EQ(resolve_url(kBase, "mailto:tips@news.example"), "mailto:tips@news.example");
  EXPECT_EQ(resolve_url(kBase, "tag:news.example,2023:1"), "tag:news.example,2023:1");
  EXPECT_EQ(resolve_url(kBase, "urn:uuid:1225c695"), "urn:uuid:1225c695");
}

TEST(Urls, WithoutABaseRelativeReferencesStayAsGiven) {
  EXPECT_EQ(resolve_url("", "/a/1"), "/a/1");
  EXPECT_EQ(resolve_url("", ""), "");
  EXPECT_EQ(resolve_url(kBase, "   "), "");
}

TEST(Urls, HasScheme) {
  EXPECT_TRUE(has_scheme("https://x"));
  EXPECT_TRUE(has_scheme("tag:x"));
  EXPECT_TRUE(has_scheme("svn+ssh://x"));
  EXPECT_FALSE(has_scheme("/a:b"));
  EXPECT_FALSE(has_scheme("a/b:c"));
  EXPECT_FALSE(has_scheme("1http://x"));
  EXPECT_FALSE(has_scheme(""));
}

}  // namespace
}  // namespace wirewatch::parse
