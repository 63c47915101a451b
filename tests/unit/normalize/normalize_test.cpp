#include "normalize/normalize.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "parse/urls.hpp"
#include "random_edits.hpp"

namespace wirewatch::normalize {
namespace {

TEST(CanonicalUrl, DropsTrackingParametersFragmentAndDefaultPort) {
  EXPECT_EQ(canonical_url("https://Example.ORG:443/a/b?id=7&utm_source=rss&utm_medium=x#top"),
            "https://example.org/a/b?id=7");
  EXPECT_EQ(canonical_url("http://example.org/?fbclid=abc"), "http://example.org/");
  EXPECT_EQ(canonical_url("tag:example.org,2023:1"), "tag:example.org,2023:1");
}

TEST(RecordId, StableAndKeyedOnGuidThenLinkThenTitle) {
  core::Entry entry;
  entry.guid = "g1";
  entry.link = "https://example.org/a";
  const std::string id = record_id("feed", entry);
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id, record_id("feed", entry));
  EXPECT_NE(id, record_id("other-feed", entry));
  entry.title = "changed title";
  EXPECT_EQ(id, record_id("feed", entry));  // guid wins over everything else

  core::Entry by_link;
  by_link.link = "https://example.org/a?utm_campaign=z";
  core::Entry same_page;
  same_page.link = "https://example.org/a";
  EXPECT_EQ(record_id("feed", by_link), record_id("feed", same_page));

  core::Entry by_title;
  by_title.title = "Only a title";
  by_title.published = core::make_utc(2023, 11, 9, 0, 0, 0);
  core::Entry other_day = by_title;
  other_day.published = core::make_utc(2023, 11, 10, 0, 0, 0);
  EXPECT_NE(record_id("feed", by_title), record_id("feed", other_day));
}

TEST(FeedId, DerivedReadablyFromTheUrl) {
  EXPECT_EQ(feed_id_from_url("https://www.example.org/news/rss.xml"), "example.org-news-rss.xml");
  EXPECT_EQ(feed_id_from_url(""), "feed");
}

TEST(ContentHash, ChangesWithWhatAReaderSees) {
  core::Record record;
  record.title = "a";
  const std::string before = content_hash(record);
  record.fetched = *core::make_utc(2024, 1, 1, 0, 0, 0);
  EXPECT_EQ(before, content_hash(record));
  record.summary = "new summary";
  EXPECT_NE(before, content_hash(record));
}

// canonical_url skips curl for URLs in curl's normal form (dropping the fragment and tracking
// parameters itself); it must equal the curl path for every URL, realistic or mangled.
TEST(CanonicalUrl, TheShortcutNeverDiffersFromCurl) {
  static const std::vector<std::string> urls{
      "https://www.example.com/",
      "https://www.example.com/world/2023/11/09/envoys-meet-ahead-of-cop28-1042",
      "http://feeds.example.org/rss/world.xml",
      "https://news.example.co.uk/a/500123?utm_source=rss&utm_medium=feed",
      "https://example.com/path/with%20space/%E2%80%94dash",
      "https://sub-domain.example-site.com/~user/page.php?id=7;x=8",
      "https://example.com/a//b///c",
      "https://example.com/a/..b/c..",
      "http://xn--caf-dma.example/menu",
      "https://example.com/a/b#section-2",
      "https://example.com/story?id=5&utm_source=rss&ref=feed#comments",
      "https://example.com/p?fbclid=x&gclid=y",
      "http://127.0.0.1:32933/science/2023/11/13/story-17000"};
  static constexpr std::array<std::string_view, 38> pieces{
      "/./",       "/../",     "/.",       "/..",       ":80", ":443",
      ":8080",     "@",        "user:pw@", "%20",       "%e2", "%",
      "%G1",       "#x",       "?",        "?utm_id=1", "//",  "HTTP",
      "Www",       "[::1]",    "..",       " ",         "\\",  "\xC3\xA9",
      "127.0.0.1", "{|}",      "&",        "&&",        "=",   "&utm_medium=x",
      "&fbclid=1", "?a=1&b=2", "#",        ":32933",    ":0",  ":08080",
      "256.1.2.3", "01.2.3.4"};
  static constexpr std::string_view chars = "aZ09-._~:/?#[]@!$&'()*+,;=%";
  std::mt19937 random(20261129);
  std::size_t shortcut = 0;
  std::size_t shortcut_with_query = 0;
  for (int round = 0; round < 40000; ++round) {
    std::string url = urls[random() % urls.size()];
    const auto edits = random() % 3;
    url = test_support::apply_random_edits(std::move(url), edits, random, pieces, chars);
    ASSERT_EQ(canonical_url(url), canonical_url_with_curl(url)) << url;
    const bool fast = parse::is_normalized_http_url(url);
    shortcut += fast;
    shortcut_with_query += fast && url.find_first_of("?#") != std::string::npos;
  }
  EXPECT_GT(shortcut, 5000U);             // the shortcut is actually taken
  EXPECT_GT(shortcut_with_query, 2000U);  // also for URLs with a query or a fragment
}

}  // namespace
}  // namespace wirewatch::normalize
