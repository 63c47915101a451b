// The nats sink without a server: message ids, and what a write answers when the server is
// away (tests/integration/nats/ runs it against a real nats-server).
#include "sinks/nats/nats_sink.hpp"

#include <gtest/gtest.h>

#include "loopback.hpp"

namespace wirewatch::sinks {
namespace {

TEST(NatsMessageId, IsTheRecordIdAndTheSeqSoAnUpdateIsANewMessage) {
  const OutboxRecord first{7, {}, R"({"v":1,"seq":7,"id":"abc123","feed":{"id":"f"}})"};
  const OutboxRecord update{9, {}, R"({"v": 1, "seq": 9, "id": "abc123", "feed": {"id": "f"}})"};
  EXPECT_EQ(nats_message_id(first), "abc123:7");
  EXPECT_EQ(nats_message_id(update), "abc123:9");
  EXPECT_EQ(nats_message_id(first), nats_message_id(first));  // the same when sent again
  EXPECT_EQ(nats_message_id({4, {}, R"({"seq":4})"}), "4");
}

TEST(NatsSink, AServerThatIsAwayIsARetryNamingTheSinkAndTheServer) {
  const int port = test_support::free_loopback_port();
  ASSERT_GT(port, 0);
  NatsSinkOptions options;
  options.url = "nats://127.0.0.1:" + std::to_string(port);
  options.subject = "news.records";
  options.stream = "NEWS";
  options.create_stream = true;
  NatsSink sink(options);
  EXPECT_EQ(sink.name(), "nats:news.records");
  const WriteResult opened = sink.open(5);  // away at start: not a configuration error
  EXPECT_EQ(opened.status, WriteStatus::ok) << opened.error;
  EXPECT_EQ(opened.durable_through, 5);

  const OutboxRecord record{6, {}, R"({"v":1,"seq":6,"id":"x"})"};
  const OutboxRecord* records[] = {&record};
  const WriteResult written = sink.write(records);
  EXPECT_EQ(written.status, WriteStatus::retry);
  EXPECT_EQ(written.durable_through, 5);  // the cursor stays
  EXPECT_NE(written.error.find("nats:news.records"), std::string::npos) << written.error;
  EXPECT_NE(written.error.find(options.url), std::string::npos) << written.error;
  EXPECT_EQ(written.error.find('\n'), std::string::npos) << written.error;
  const WriteResult again = sink.write(records);  // within the backoff: the same answer
  EXPECT_EQ(again.status, WriteStatus::retry);
  EXPECT_EQ(again.error, written.error);
  EXPECT_EQ(sink.flush().durable_through, 5);
}

}  // namespace
}  // namespace wirewatch::sinks
