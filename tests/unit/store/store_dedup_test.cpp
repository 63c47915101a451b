// Deciding new / update / unchanged: by id, then canonical link, then content hash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace wirewatch::store {
namespace {

using namespace test_support;
using std::chrono::minutes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class StoreDedup : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::open(dir_.path(), options_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_.emplace(std::move(*opened));
  }

  // Commits one document of feed "un" and returns what went out.
  std::vector<OutboxEntry> poll(std::vector<core::Record> records) {
    now_ += minutes{15};
    std::vector<FeedOutcome> batch{document("un", std::move(records))};
    auto result = store_->commit_batch(batch, now_);
    EXPECT_TRUE(result) << result.error().message;
    return result ? result->emitted : std::vector<OutboxEntry>{};
  }

  TempDir dir_;
  StoreOptions options_;
  std::optional<Store> store_;
  core::Timestamp now_ = kNow;
};

TEST_F(StoreDedup, NewEntriesGoOutOnceWithIncreasingSeq) {
  auto first = record("un", "a1", "https://un.example/1");
  first.labels = {"climate_diplomacy", "summit"};
  const auto out = poll({first, record("un", "a2", "https://un.example/2")});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].seq, 1);
  EXPECT_EQ(out[1].seq, 2);
  EXPECT_EQ(out[0].id, "a1");
  EXPECT_EQ(out[0].feed_id, "un");
  EXPECT_EQ(out[0].event, core::Event::new_entry);
  EXPECT_THAT(out[0].labels, ElementsAre("climate_diplomacy", "summit"));
  EXPECT_THAT(out[0].json, StartsWith(R"({"v":1,"seq":1,"id":"a1","event":"new",)"));
  EXPECT_EQ(out[0].json.find('\n'), std::string::npos);
  EXPECT_TRUE(poll({first, record("un", "a2", "https://un.example/2")}).empty());
}

TEST_F(StoreDedup, AChangedEntryGoesOutAgainAsAnUpdateAndOnlyOnce) {
  poll({record("un", "a1", "https://un.example/1", "Envoys meet")});
  const auto out = poll({record("un", "a1", "https://un.example/1", "Envoys meet ahead of COP28")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event, core::Event::update);
  EXPECT_EQ(out[0].id, "a1");
  EXPECT_EQ(out[0].seq, 2);
  EXPECT_THAT(out[0].json, HasSubstr(R"("event":"update")"));
  EXPECT_THAT(out[0].json, HasSubstr("ahead of COP28"));
  EXPECT_TRUE(
      poll({record("un", "a1", "https://un.example/1", "Envoys meet ahead of COP28")}).empty());
}

TEST_F(StoreDedup, AnEntryWhoseGuidChangedButNotItsCanonicalLinkIsNotNew) {
  poll({record("un", "guid-1", "https://un.example/story")});
  // Same page, new GUID, tracking parameters added: unchanged content, nothing goes out.
  EXPECT_TRUE(poll({record("un", "guid-2", "https://un.example/story?utm_source=rss")}).empty());
  // The new GUID is remembered: a later edit is an update under the id first sent out.
  const auto out = poll({record("un", "guid-2", "https://un.example/story", "Edited")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event, core::Event::update);
  EXPECT_EQ(out[0].id, "guid-1");
  EXPECT_THAT(out[0].json, HasSubstr(R"("id":"guid-1")"));
}

// A link stays known after its entry moved to another link: a new GUID that comes back with
// the old link is still that entry, under the id first sent out.
TEST_F(StoreDedup, AnEntryIsFoundByALinkItHadBeforeAnUpdate) {
  poll({record("un", "guid-1", "https://un.example/old", "Talks")});
  const auto moved = poll({record("un", "guid-1", "https://un.example/new", "Talks")});
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].event, core::Event::update);
  const auto back = poll({record("un", "guid-2", "https://un.example/old", "Talks")});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].event, core::Event::update);
  EXPECT_EQ(back[0].id, "guid-1");
  // And the hash it had before the update no longer finds it: that content is gone.
  EXPECT_TRUE(poll({record("un", "guid-2", "https://un.example/old", "Talks")}).empty());
}

TEST_F(StoreDedup, AGuidChangeWithEditedContentIsAnUpdateNotNew) {
  poll({record("un", "guid-1", "https://un.example/story", "Old title")});
  const auto out = poll({record("un", "guid-2", "https://un.example/story", "New title")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].event, core::Event::update);
  EXPECT_EQ(out[0].id, "guid-1");
}

TEST_F(StoreDedup, EntriesThatShareALinkInOneDocumentAreDistinct) {
  // A live blog: every item links to the same page.
  const auto out = poll({record("un", "live-1", "https://un.example/live", "09:00 Talks open"),
                         record("un", "live-2", "https://un.example/live", "10:00 Envoys arrive")});
  EXPECT_EQ(out.size(), 2u);
  const auto later = poll({record("un", "live-1", "https://un.example/live", "09:00 Talks open"),
                           record("un", "live-2", "https://un.example/live", "10:00 Envoys arrive"),
                           record("un", "live-3", "https://un.example/live", "11:00 Statement")});
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].id, "live-3");
  EXPECT_EQ(later[0].event, core::Event::new_entry);
}

TEST_F(StoreDedup, WithoutLinksTheContentHashCatchesAChangedGuid) {
  poll({record("un", "g1", "", "Press release")});
  EXPECT_TRUE(poll({record("un", "g2", "", "Press release")}).empty());
  EXPECT_EQ(poll({record("un", "g3", "", "Another release")}).size(), 1u);
}

TEST_F(StoreDedup, DedupIsPerFeed) {
  poll({record("un", "a1", "https://shared.example/story")});
  std::vector<FeedOutcome> other{
      document("apec", {record("apec", "b1", "https://shared.example/story")})};
  auto result = store_->commit_batch(other, now_);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->emitted.size(), 1u);
  EXPECT_EQ(result->emitted[0].feed_id, "apec");
}

TEST_F(StoreDedup, AnEntryListedTwiceInOneDocumentGoesOutOnce) {
  EXPECT_EQ(
      poll({record("un", "a1", "https://un.example/1"), record("un", "a1", "https://un.example/1")})
          .size(),
      1u);
}

TEST_F(StoreDedup, UpdatesCanBeTurnedOff) {
  store_.reset();
  options_.emit_updates = false;
  SetUp();
  poll({record("un", "a1", "https://un.example/1", "Old")});
  EXPECT_TRUE(poll({record("un", "a1", "https://un.example/1", "New")}).empty());
  // The new content is remembered: going back to it later is not an update either.
  EXPECT_TRUE(poll({record("un", "a1", "https://un.example/1", "New")}).empty());
}

TEST_F(StoreDedup, A304BatchWritesNothingButFeedState) {
  poll({record("un", "a1", "https://un.example/1")});
  const auto database = store_->database_path();
  const auto seen_before = query_int(database, "SELECT count(*) FROM seen");
  const auto changes_before = query_int(database, "SELECT sum(last_seen) FROM seen");
  std::vector<FeedOutcome> batch{not_modified("un"), not_modified("apec")};
  auto result = store_->commit_batch(batch, now_ + minutes{15});
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->emitted.empty());
  EXPECT_EQ(store_->last_seq(), 1);
  EXPECT_EQ(query_int(database, "SELECT count(*) FROM outbox"), 1);
  EXPECT_EQ(query_int(database, "SELECT count(*) FROM seen"), seen_before);
  EXPECT_EQ(query_int(database, "SELECT sum(last_seen) FROM seen"), changes_before);
  auto states = store_->load_feed_states();
  ASSERT_TRUE(states);
  ASSERT_EQ(states->size(), 2u);
  EXPECT_EQ(states->at(0).feed_id, "apec");
  EXPECT_EQ(states->at(0).etag, "\"v1\"");
  EXPECT_FALSE(states->at(0).last_document.has_value());
  EXPECT_EQ(states->at(1).last_status, 304);
  EXPECT_EQ(states->at(1).last_document, now_);  // from the earlier 200, kept by the 304
}

TEST_F(StoreDedup, AFailedBatchLeavesNothingBehindInTheDatabaseOrInMemory) {
  const auto database = store_->database_path();
  ASSERT_EQ(execute(database, "ALTER TABLE outbox RENAME TO outbox_away"), "");
  std::vector<FeedOutcome> batch{document("un", {record("un", "a1", "https://un.example/1")})};
  auto failed = store_->commit_batch(batch, now_);
  ASSERT_FALSE(failed);
  EXPECT_THAT(failed.error().message, HasSubstr("outbox"));
  EXPECT_EQ(store_->last_seq(), 0);
  EXPECT_EQ(query_int(database, "SELECT count(*) FROM seen"), 0);
  EXPECT_EQ(query_int(database, "SELECT count(*) FROM feeds"), 0);
  ASSERT_EQ(execute(database, "ALTER TABLE outbox_away RENAME TO outbox"), "");
  auto retried = store_->commit_batch(batch, now_);
  ASSERT_TRUE(retried) << retried.error().message;
  ASSERT_EQ(retried->emitted.size(), 1u);  // still new: the failed batch did not mark it seen
  EXPECT_EQ(retried->emitted[0].seq, 1);
}

// Memory stays bounded however many feeds are polled: past seen_cache_entries, the indexes of
// the feeds committed longest ago are dropped, and dedup still works for them (read back from
// the seen table), GUID changes included.
TEST(StoreSeenCache, StaysWithinItsBudgetAndDedupStillWorksAfterEviction) {
  TempDir dir;
  StoreOptions options;
  options.seen_cache_entries = 10;
  auto opened = Store::open(dir.path(), options);
  ASSERT_TRUE(opened) << opened.error().message;
  Store& store = *opened;
  auto records_of = [](const std::string& feed) {
    std::vector<core::Record> records;
    for (int i = 0; i < 4; ++i) {
      records.push_back(record(feed, feed + "-guid-" + std::to_string(i),
                               "https://" + feed + ".example/" + std::to_string(i)));
    }
    return records;
  };
  std::size_t most_held = 0;
  for (int feed = 0; feed < 20; ++feed) {
    const std::string id = "feed" + std::to_string(feed);
    std::vector<FeedOutcome> batch{document(id, records_of(id))};
    auto result = store.commit_batch(batch, kNow);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->emitted.size(), 4u);
    most_held = std::max(most_held, store.cached_seen_entries());
  }
  EXPECT_LE(most_held, 10u + 4u);  // the budget, plus the feed being committed

  // feed0 was evicted long ago: the same document again is nothing new…
  std::vector<FeedOutcome> again{document("feed0", records_of("feed0"))};
  auto result = store.commit_batch(again, kNow + minutes{15});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->emitted.empty());
  // …and neither is an entry whose GUID changed but whose link did not.
  auto renamed = records_of("feed1");
  renamed[2].id = renamed[2].guid = "feed1-new-guid";
  std::vector<FeedOutcome> moved{document("feed1", renamed)};
  result = store.commit_batch(moved, kNow + minutes{30});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->emitted.empty());
}

// A feed with a long history: a commit loads only its most recently seen rows, and an old
// entry that comes back is still found (by id), so it is not new again.
TEST(StoreSeenCache, AnOldEntryThatComesBackIsFoundById) {
  TempDir dir;
  StoreOptions options;
  options.seen_cache_entries = 10;  // every commit reloads the feed from the table
  auto opened = Store::open(dir.path(), options);
  ASSERT_TRUE(opened) << opened.error().message;
  Store& store = *opened;
  auto entry = [](int i) {
    return record("un", "guid-" + std::to_string(i), "https://un.example/" + std::to_string(i));
  };
  core::Timestamp now = kNow;
  for (int page = 0; page < 30; ++page) {  // 300 entries, ten per document
    std::vector<core::Record> records;
    for (int i = page * 10; i < page * 10 + 10; ++i) records.push_back(entry(i));
    std::vector<FeedOutcome> batch{document("un", records)};
    now += minutes{15};
    auto result = store.commit_batch(batch, now);
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->emitted.size(), 10u);
  }
  // Another feed's commit pushes "un" out of the cache (budget 10 rows).
  std::vector<FeedOutcome> other{document("other", {record("other", "o1", "https://o.example/1")})};
  ASSERT_TRUE(store.commit_batch(other, now));
  EXPECT_LE(store.cached_seen_entries(), 10u);
  // Entry 3 left the feed 29 documents ago; it is back, next to a new one.
  std::vector<FeedOutcome> back{document("un", {entry(3), entry(1000)})};
  auto result = store.commit_batch(back, now + minutes{15});
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->emitted.size(), 1u);
  EXPECT_NE(result->emitted[0].json.find("guid-1000"), std::string::npos);
}

}  // namespace
}  // namespace wirewatch::store
