#include "normalize/normalize.hpp"

#include <gtest/gtest.h>

#include "core/time.hpp"

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

}  // namespace
}  // namespace wirewatch::normalize
