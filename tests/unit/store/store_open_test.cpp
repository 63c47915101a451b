// Opening a state dir: the lock, migrations, and what survives a close and reopen.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace wirewatch::store {
namespace {

using namespace test_support;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(StoreOpen, AFreshDirGetsTheSchemaAndALock) {
  TempDir dir;
  const auto state_dir = dir.path() / "state" / "nested";  // created on open
  auto store = Store::open(state_dir);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(store->last_seq(), 0);
  EXPECT_TRUE(std::filesystem::exists(state_dir / "lock"));
  EXPECT_EQ(store->database_path(), state_dir / "wirewatch.db");
  EXPECT_EQ(query_int(store->database_path(), "SELECT max(version) FROM schema_version"),
            kSchemaVersion);
  EXPECT_EQ(query_int(store->database_path(), "SELECT count(*) FROM schema_version"),
            kSchemaVersion);  // one row per migration
  auto states = store->load_feed_states();
  ASSERT_TRUE(states);
  EXPECT_TRUE(states->empty());
}

TEST(StoreOpen, ASecondOpenerIsRefusedWithTheOwnersPid) {
  TempDir dir;
  {
    auto first = Store::open(dir.path());
    ASSERT_TRUE(first);
    auto second = Store::open(dir.path());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().message, "another wirewatch is running (pid " +
                                          std::to_string(getpid()) + ") with state dir " +
                                          dir.path().string());
  }
  auto again = Store::open(dir.path());  // the lock went with the first store
  EXPECT_TRUE(again) << again.error().message;
}

TEST(StoreOpen, ReopeningDoesNotMigrateTwice) {
  TempDir dir;
  { ASSERT_TRUE(Store::open(dir.path())); }
  auto store = Store::open(dir.path());
  ASSERT_TRUE(store);
  EXPECT_EQ(query_int(store->database_path(), "SELECT count(*) FROM schema_version"),
            kSchemaVersion);  // one row per migration
}

TEST(StoreOpen, ANewerSchemaIsRefused) {
  TempDir dir;
  std::filesystem::path database;
  {
    auto store = Store::open(dir.path());
    ASSERT_TRUE(store);
    database = store->database_path();
  }
  ASSERT_EQ(execute(database, "INSERT INTO schema_version VALUES (99, 0)"), "");
  auto store = Store::open(dir.path());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().message,
            database.string() +
                " has schema version 99, newer than this wirewatch understands (2); upgrade "
                "wirewatch or use another state_dir");
}

TEST(StoreOpen, AnUnusableStateDirIsAClearError) {
  TempDir dir;
  const auto file = dir.path() / "not-a-dir";
  { std::ofstream(file) << "x"; }
  auto store = Store::open(file);
  ASSERT_FALSE(store);
  EXPECT_THAT(store.error().message, HasSubstr("cannot create state dir " + file.string()));
}

TEST(StoreOpen, RecordsFeedStatesAndSeenEntriesSurviveReopen) {
  TempDir dir;
  std::vector<OutboxEntry> written;
  FeedState state;
  {
    auto store = Store::open(dir.path());
    ASSERT_TRUE(store);
    std::vector<FeedOutcome> batch{document("un", {record("un", "a1", "https://un.example/1"),
                                                   record("un", "a2", "https://un.example/2")})};
    batch[0].state.etag = "\"abc\"";
    batch[0].state.url = "https://un.example/moved.rss";  // after a 301
    state = batch[0].state;
    auto result = store->commit_batch(batch, kNow);
    ASSERT_TRUE(result) << result.error().message;
    written = result->emitted;
  }
  auto store = Store::open(dir.path());
  ASSERT_TRUE(store);
  EXPECT_EQ(store->last_seq(), 2);
  auto outbox = store->read_outbox(0, 100);
  ASSERT_TRUE(outbox);
  EXPECT_EQ(*outbox, written);
  auto states = store->load_feed_states();
  ASSERT_TRUE(states);
  ASSERT_EQ(states->size(), 1u);
  state.last_document = kNow;
  EXPECT_EQ(states->front(), state);
  // The seen entries came back too: the same document is nothing new.
  std::vector<FeedOutcome> again{document("un", {record("un", "a1", "https://un.example/1"),
                                                 record("un", "a2", "https://un.example/2")})};
  auto result = store->commit_batch(again, kNow + std::chrono::minutes{15});
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->emitted.empty());
  EXPECT_EQ(result->unchanged, 2u);
}

TEST(StoreOpen, SeqKeepsIncreasingAcrossReopenEvenWhenTheOutboxIsPrunedEmpty) {
  TempDir dir;
  {
    auto store = Store::open(dir.path());
    ASSERT_TRUE(store);
    std::vector<FeedOutcome> batch{document("un", {record("un", "a1", "https://un.example/1")})};
    ASSERT_TRUE(store->commit_batch(batch, kNow));
    ASSERT_TRUE(
        store->prune(RetentionPolicy{std::chrono::seconds{0}}, kNow + std::chrono::hours{1}));
    auto outbox = store->read_outbox(0, 10);
    ASSERT_TRUE(outbox);
    EXPECT_TRUE(outbox->empty());
  }
  auto store = Store::open(dir.path());
  ASSERT_TRUE(store);
  EXPECT_EQ(store->last_seq(), 1);
  std::vector<FeedOutcome> batch{document("un", {record("un", "a2", "https://un.example/2")})};
  auto result = store->commit_batch(batch, kNow + std::chrono::hours{2});
  ASSERT_TRUE(result);
  ASSERT_EQ(result->emitted.size(), 1u);
  EXPECT_EQ(result->emitted[0].seq, 2);
}

TEST(StoreOpen, AVersion1StateDirIsMigratedAndKeepsItsRecords) {
  TempDir dir;
  std::filesystem::path database;
  {
    auto store = Store::open(dir.path());
    ASSERT_TRUE(store);
    database = store->database_path();
    std::vector<FeedOutcome> batch{document("un", {record("un", "a1", "https://un.example/1")})};
    ASSERT_TRUE(store->commit_batch(batch, kNow));
  }
  // What a state_dir written by a version-1 wirewatch looks like.
  ASSERT_EQ(
      execute(database, "DROP INDEX seen_recent; DELETE FROM schema_version WHERE version = 2"),
      "");
  auto store = Store::open(dir.path());
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(query_int(database, "SELECT max(version) FROM schema_version"), 2);
  EXPECT_EQ(query_int(database, "SELECT count(*) FROM sqlite_master WHERE name = 'seen_recent'"),
            1);
  EXPECT_EQ(store->last_seq(), 1);
  std::vector<FeedOutcome> again{document("un", {record("un", "a1", "https://un.example/1")})};
  auto result = store->commit_batch(again, kNow + std::chrono::minutes{15});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->emitted.empty());
}

}  // namespace
}  // namespace wirewatch::store
