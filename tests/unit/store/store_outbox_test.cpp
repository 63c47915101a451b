// The outbox as a journal: reading it in seq order, sink cursors, and retention.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace wirewatch::store {
namespace {

using namespace test_support;
using std::chrono::hours;
using ::testing::ElementsAre;
using ::testing::StartsWith;

class StoreOutbox : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::open(dir_.path());
    ASSERT_TRUE(opened) << opened.error().message;
    store_.emplace(std::move(*opened));
    std::vector<core::Record> records;
    for (int i = 1; i <= 5; ++i) {
      records.push_back(
          record("un", "a" + std::to_string(i), "https://un.example/" + std::to_string(i)));
    }
    std::vector<FeedOutcome> batch{document("un", records)};
    ASSERT_TRUE(store_->commit_batch(batch, kNow));
  }

  std::vector<std::int64_t> seqs_after(std::int64_t after, std::size_t limit = 100) {
    std::vector<std::int64_t> seqs;
    auto entries = store_->read_outbox(after, limit);
    EXPECT_TRUE(entries);
    for (const auto& entry : *entries) seqs.push_back(entry.seq);
    return seqs;
  }

  TempDir dir_;
  std::optional<Store> store_;
};

TEST_F(StoreOutbox, ReadsInSeqOrderAfterACursorUpToALimit) {
  EXPECT_THAT(seqs_after(0), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_THAT(seqs_after(2, 2), ElementsAre(3, 4));
  EXPECT_THAT(seqs_after(5), ElementsAre());
}

TEST_F(StoreOutbox, ACursorStartsAtZeroAndOnlyMovesForward) {
  auto cursor = store_->sink_cursor("directory:/srv/records");
  ASSERT_TRUE(cursor);
  EXPECT_EQ(*cursor, 0);
  ASSERT_TRUE(store_->advance_sink_cursor("directory:/srv/records", 3));
  EXPECT_EQ(*store_->sink_cursor("directory:/srv/records"), 3);
  ASSERT_TRUE(store_->advance_sink_cursor("directory:/srv/records", 2));  // ignored
  EXPECT_EQ(*store_->sink_cursor("directory:/srv/records"), 3);
  auto beyond = store_->advance_sink_cursor("directory:/srv/records", 6);
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().message,
            "sink directory:/srv/records cannot advance to seq 6: the last seq is 5");
  ASSERT_TRUE(store_->sink_cursor("stdout"));
  auto cursors = store_->sink_cursors();
  ASSERT_TRUE(cursors);
  ASSERT_EQ(cursors->size(), 2u);
  EXPECT_EQ(cursors->at(0).name, "directory:/srv/records");
  EXPECT_EQ(cursors->at(0).seq, 3);
  EXPECT_EQ(cursors->at(1).name, "stdout");
  EXPECT_EQ(cursors->at(1).seq, 0);
}

TEST_F(StoreOutbox, CursorsSurviveReopen) {
  ASSERT_TRUE(store_->advance_sink_cursor("stdout", 4));
  store_.reset();
  auto reopened = Store::open(dir_.path());
  ASSERT_TRUE(reopened);
  EXPECT_EQ(*reopened->sink_cursor("stdout"), 4);
}

TEST_F(StoreOutbox, PruneWaitsForTheSlowestSinkAndTheRetention) {
  ASSERT_TRUE(store_->advance_sink_cursor("fast", 5));
  ASSERT_TRUE(store_->advance_sink_cursor("slow", 2));
  const RetentionPolicy policy{hours{24}};
  // Within the retention nothing goes, even what every sink has.
  auto kept = store_->prune(policy, kNow + hours{1});
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->outbox_records, 0u);
  auto pruned = store_->prune(policy, kNow + hours{25});
  ASSERT_TRUE(pruned);
  EXPECT_EQ(pruned->outbox_records, 2u);
  EXPECT_THAT(seqs_after(0), ElementsAre(3, 4, 5));
  // A sink removed from the config stops holding records back.
  ASSERT_TRUE(store_->remove_sink_cursor("slow"));
  ASSERT_TRUE(store_->prune(policy, kNow + hours{25}));
  EXPECT_THAT(seqs_after(0), ElementsAre());
  EXPECT_EQ(store_->last_seq(), 5);
}

TEST_F(StoreOutbox, SeenEntriesAreForgottenOnlyAfterLeavingTheirFeed) {
  const RetentionPolicy policy{hours{24}, hours{24 * 30}};
  // Day 40: the feed answered 304 all along; its entries are still in it, so they stay.
  std::vector<FeedOutcome> quiet{not_modified("un")};
  ASSERT_TRUE(store_->commit_batch(quiet, kNow + hours{24 * 40}));
  auto nothing = store_->prune(policy, kNow + hours{24 * 40});
  ASSERT_TRUE(nothing);
  EXPECT_EQ(nothing->seen_entries, 0u);
  // Day 41: a new document lists only a1 and a2; a3..a5 have left the feed.
  std::vector<core::Record> records{record("un", "a1", "https://un.example/1"),
                                    record("un", "a2", "https://un.example/2")};
  std::vector<FeedOutcome> fewer{document("un", records)};
  ASSERT_TRUE(store_->commit_batch(fewer, kNow + hours{24 * 41}));
  auto pruned = store_->prune(policy, kNow + hours{24 * 41});
  ASSERT_TRUE(pruned);
  EXPECT_EQ(pruned->seen_entries, 3u);
  // The remaining ones are still known; a forgotten one that comes back is new again.
  records.push_back(record("un", "a3", "https://un.example/3"));
  std::vector<FeedOutcome> back{document("un", records)};
  auto result = store_->commit_batch(back, kNow + hours{24 * 42});
  ASSERT_TRUE(result);
  ASSERT_EQ(result->emitted.size(), 1u);
  EXPECT_EQ(result->emitted[0].id, "a3");
}

// tail --label and the sinks' label filters read labels back from the outbox rows.
TEST_F(StoreOutbox, EachRecordKeepsItsOwnLabels) {
  auto both = record("un", "b1", "https://un.example/b1");
  both.labels = {"climate_diplomacy", "summit"};
  auto none = record("un", "b2", "https://un.example/b2");
  auto one = record("un", "b3", "https://un.example/b3");
  one.labels = {"summit"};
  std::vector<FeedOutcome> batch{document("un", {both, none, one})};
  ASSERT_TRUE(store_->commit_batch(batch, kNow + hours{1}));
  auto entries = store_->read_outbox(5, 10);
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_THAT((*entries)[0].labels, ElementsAre("climate_diplomacy", "summit"));
  EXPECT_TRUE((*entries)[1].labels.empty());
  EXPECT_THAT((*entries)[2].labels, ElementsAre("summit"));
  EXPECT_EQ((*entries)[2].event, core::Event::new_entry);
}

}  // namespace
}  // namespace wirewatch::store
