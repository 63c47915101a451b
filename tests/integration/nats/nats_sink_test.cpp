// The nats sink end to end: a real nats-server with JetStream (started here on a free loopback
// port, its store in the test's temp directory), the real `wirewatch once` with a directory
// sink and a nats sink, and the stream read back message by message with cnats.
#include <nats/nats.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <thread>

#include "loopback.hpp"
#include "once_fixture.hpp"

namespace wirewatch::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSubject = "news.records";
constexpr const char* kStream = "NEWS";

using Position = std::pair<std::int64_t, std::int64_t>;  // a sink's cursor, the store's head

/// nats-server -js on 127.0.0.1, restartable on the same port and store.
class NatsServer {
 public:
  explicit NatsServer(fs::path store) : store_(std::move(store)) {}
  ~NatsServer() { stop(); }

  /// Starts it (on a new free port the first time, the same port after) and waits until it
  /// says it is ready.
  bool start() {
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (port_ == 0 || (attempt > 0 && !restarted_)) port_ = test_support::free_loopback_port();
      process_ = std::make_unique<test_support::ChildProcess>(
          std::vector<std::string>{"/usr/sbin/nats-server", "-a", "127.0.0.1", "-p",
                                   std::to_string(port_), "-js", "-sd", store_.string()});
      const auto deadline = std::chrono::steady_clock::now() + 15s;
      while (std::chrono::steady_clock::now() < deadline) {
        if (process_->wait(0ms)) break;  // exited: the port was taken, try again
        if (process_->err_so_far().find("Server is ready") != std::string::npos &&
            test_support::accepts_connections(port_)) {
          return true;
        }
        std::this_thread::sleep_for(20ms);
      }
      log_ += process_->err_so_far();
      stop();
    }
    return false;
  }

  /// Stops it (SIGTERM, then SIGKILL) and waits until it is gone.
  void stop() {
    if (!process_) return;
    process_->signal(SIGTERM);
    if (!process_->wait(10s)) {
      process_->signal(SIGKILL);
      process_->wait(10s);
    }
    process_.reset();
    restarted_ = true;
  }

  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  const std::string& log() const { return log_; }

 private:
  fs::path store_;
  int port_ = 0;
  bool restarted_ = false;
  std::string log_;
  std::unique_ptr<test_support::ChildProcess> process_;
};

/// One message of the stream.
struct StreamMessage {
  std::uint64_t sequence = 0;
  std::string data;
  std::string message_id;
};

/// Every message of a stream, in stream order (empty when the stream does not exist).
std::vector<StreamMessage> read_stream(const std::string& url, const std::string& stream) {
  std::vector<StreamMessage> out;
  natsConnection* connection = nullptr;
  EXPECT_EQ(natsConnection_ConnectTo(&connection, url.c_str()), NATS_OK);
  if (!connection) return out;
  jsCtx* jetstream = nullptr;
  EXPECT_EQ(natsConnection_JetStream(&jetstream, connection, nullptr), NATS_OK);
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus status = js_GetStreamInfo(&info, jetstream, stream.c_str(), nullptr, &code);
  if (status == NATS_OK) {
    for (std::uint64_t sequence = info->State.FirstSeq;
         info->State.Msgs > 0 && sequence <= info->State.LastSeq; ++sequence) {
      natsMsg* message = nullptr;
      EXPECT_EQ(js_GetMsg(&message, jetstream, stream.c_str(), sequence, nullptr, &code), NATS_OK)
          << "stream sequence " << sequence;
      if (!message) continue;
      StreamMessage got;
      got.sequence = sequence;
      got.data.assign(natsMsg_GetData(message),
                      static_cast<std::size_t>(natsMsg_GetDataLength(message)));
      const char* id = nullptr;
      if (natsMsgHeader_Get(message, "Nats-Msg-Id", &id) == NATS_OK && id) got.message_id = id;
      out.push_back(std::move(got));
      natsMsg_Destroy(message);
    }
    jsStreamInfo_Destroy(info);
  } else {
    EXPECT_EQ(status, NATS_NOT_FOUND) << natsStatus_GetText(status);
  }
  jsCtx_Destroy(jetstream);
  natsConnection_Destroy(connection);
  return out;
}

class NatsSinkTest : public OnceTest {
 protected:
  void SetUp() override {
    OnceTest::SetUp();
    nats_ = std::make_unique<NatsServer>(directory_ / "jetstream");
    ASSERT_TRUE(nats_->start()) << "nats-server did not start: " << nats_->log();
  }
  void TearDown() override {
    nats_.reset();
    OnceTest::TearDown();
  }

  /// One feed (/feed.xml), a directory sink and a nats sink with the given extra keys.
  void write_nats_config(const std::string& nats_keys = {}) {
    std::ofstream out(config_path());
    out << "state_dir: " << (directory_ / "state").string() << "\n"
        << "defaults:\n  interval: 1m\n  min_interval: 1s\n  timeout: 5s\n"
        << "  connect_timeout: 2s\n"
        << "feeds:\n  - id: feed\n    url: " << server_.url("/feed.xml") << "\n"
        << "sinks:\n  - type: directory\n    path: " << (directory_ / "records").string() << "\n"
        << "  - type: nats\n    url: " << nats_->url() << "\n    subject: " << kSubject
        << "\n    stream: " << kStream << "\n    create_stream: true\n"
        << nats_keys;
  }

  std::vector<StreamMessage> stream() const { return read_stream(nats_->url(), kStream); }

  /// The stored cursor of a sink and the store's last seq, from `wirewatch status --json`.
  std::pair<std::int64_t, std::int64_t> cursor_and_head(const std::string& sink) const {
    auto status = test_support::run_process(
        {WIREWATCH_BINARY, "status", "--config", config_path(), "--json"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    const auto report = nlohmann::json::parse(status.out, nullptr, false);
    std::int64_t cursor = -1;
    if (report.is_object()) {
      for (const auto& entry : report["sinks"]) {
        if (entry["name"] == sink) cursor = entry["cursor"].get<std::int64_t>();
      }
      return {cursor, report["last_seq"].get<std::int64_t>()};
    }
    return {cursor, -1};
  }

  /// The lines of text that mention needle.
  static std::vector<std::string> lines_with(const std::string& text, const std::string& needle) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.find(needle) != std::string::npos) out.push_back(line);
    }
    return out;
  }

  /// Asserts the stream holds exactly these directory-sink lines, in order, each once, with
  /// the message id "<record id>:<seq>".
  void expect_stream_holds(const std::vector<std::string>& lines) {
    const auto messages = stream();
    ASSERT_EQ(messages.size(), lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      EXPECT_EQ(messages[i].data, lines[i]) << "message " << i;
      const auto record = nlohmann::json::parse(lines[i]);
      EXPECT_EQ(messages[i].message_id, record["id"].get<std::string>() + ":" +
                                            std::to_string(record["seq"].get<std::int64_t>()));
    }
  }

  std::unique_ptr<NatsServer> nats_;
};

TEST_F(NatsSinkTest, EveryRecordArrivesOnceInSeqOrderAndRepeatsAreDeduplicated) {
  std::atomic<int> version{1};
  server_.route("/feed.xml", [&](const test_support::ReceivedRequest&) {
    return test_support::ScriptedResponse(200, {},
                                          rss({{"n1", version == 1 ? "Draft title" : "Final title"},
                                               {"n2", "Second"},
                                               {"n3", "Third"}}));
  });
  write_nats_config();
  auto first = once();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(lines_with(first.err, "nats").empty()) << first.err;
  auto lines = record_lines();
  ASSERT_EQ(lines.size(), 3u);
  expect_stream_holds(lines);
  EXPECT_EQ(cursor_and_head("nats:news.records"), Position(3, 3));

  // Nothing new: nothing published.
  auto second = once();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  expect_stream_holds(lines);

  // An update shares its record's id but is a new message (its seq differs).
  version = 2;
  auto third = once();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  lines = record_lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(nlohmann::json::parse(lines[3])["event"], "update");
  expect_stream_holds(lines);

  // A renamed sink starts over from seq 0 and sends every record again: JetStream drops them
  // all by message id, yet the new cursor moves to the end.
  write_nats_config("    name: renamed\n");
  auto fourth = once();
  ASSERT_EQ(fourth.exit_code, 0) << fourth.err;
  expect_stream_holds(lines);
  EXPECT_EQ(cursor_and_head("renamed"), Position(4, 4));
}

TEST_F(NatsSinkTest, TheLabelFilterPublishesOnlyMatchingRecordsAndTheCursorPassesTheRest) {
  server_.route("/feed.xml", 200,
                rss({{"l1", "Local bakery wins a prize"},
                     {"l2", "COP28 ends with a call to transition away from fossil fuels"},
                     {"l3", "Weather stays mild"},
                     {"l4", "G20 leaders gather in New Delhi with Ukraine wording still unsettled"},
                     {"l5", "Traffic is light today"}}));
  write_nats_config("    labels: any\n");
  auto result = once();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = record_lines();
  ASSERT_EQ(lines.size(), 5u);
  std::vector<std::string> flagged;
  for (const auto& line : lines) {
    if (!nlohmann::json::parse(line)["labels"].empty()) flagged.push_back(line);
  }
  ASSERT_EQ(flagged.size(), 2u) << "the shipped rules flag the COP28 and G20 stories";
  expect_stream_holds(flagged);
  EXPECT_EQ(cursor_and_head("nats:news.records"), Position(5, 5));
}

TEST_F(NatsSinkTest, AServerThatIsAwayLosesNothingAndGetsEverythingOnceWhenBack) {
  std::atomic<int> items{2};
  server_.route("/feed.xml", [&](const test_support::ReceivedRequest&) {
    std::vector<std::pair<std::string, std::string>> entries;
    for (int i = 1; i <= items; ++i)
      entries.push_back({"s" + std::to_string(i), "Story " + std::to_string(i)});
    return test_support::ScriptedResponse(200, {}, rss(entries));
  });
  write_nats_config();
  ASSERT_EQ(once().exit_code, 0);
  ASSERT_EQ(stream().size(), 2u);

  nats_->stop();
  items = 4;
  auto away = once();
  EXPECT_EQ(away.exit_code, 0) << away.err;  // the feed was polled and stored
  const auto errors = lines_with(away.err, nats_->url());
  ASSERT_EQ(errors.size(), 1u) << away.err << away.out;
  EXPECT_NE(errors[0].find("nats:news.records"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("cannot connect"), std::string::npos) << errors[0];
  EXPECT_EQ(record_lines().size(), 4u);
  EXPECT_EQ(cursor_and_head("nats:news.records"), Position(2, 4));

  ASSERT_TRUE(nats_->start()) << nats_->log();
  auto back = once();
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_TRUE(lines_with(back.err, "nats").empty()) << back.err;
  expect_stream_holds(record_lines());
  EXPECT_EQ(cursor_and_head("nats:news.records"), Position(4, 4));
}

TEST_F(NatsSinkTest, AStreamThatDoesNotExistIsAConfigurationErrorInOneLine) {
  server_.route("/feed.xml", 200, rss({{"m1", "One"}}));
  write_nats_config();
  // The same sink without create_stream, and a stream nobody made.
  std::string text;
  {
    std::ifstream in(config_path());
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text.replace(text.find("create_stream: true"), 19, "create_stream: false");
  text.replace(text.find("stream: NEWS"), 12, "stream: ABSENT");
  {
    std::ofstream out(config_path());
    out << text;
  }
  auto result = once();
  EXPECT_EQ(result.exit_code, 78) << result.err;
  const auto errors = lines_with(result.err, "ABSENT");
  ASSERT_EQ(errors.size(), 1u) << result.err;
  EXPECT_NE(errors[0].find("nats:news.records"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find(nats_->url()), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("does not exist"), std::string::npos) << errors[0];
}

TEST_F(NatsSinkTest, AStreamThatDoesNotCaptureTheSubjectIsAConfigurationError) {
  server_.route("/feed.xml", 200, rss({{"p1", "One"}}));
  write_nats_config();
  ASSERT_EQ(once().exit_code, 0);  // creates NEWS for news.records
  std::string text;
  {
    std::ifstream in(config_path());
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text.replace(text.find("subject: news.records"), 21, "subject: other.records");
  {
    std::ofstream out(config_path());
    out << text;
  }
  auto result = once();
  EXPECT_EQ(result.exit_code, 78) << result.err;
  const auto errors = lines_with(result.err, "does not capture subject other.records");
  ASSERT_EQ(errors.size(), 1u) << result.err;
  EXPECT_NE(errors[0].find("nats:other.records"), std::string::npos) << errors[0];
}

}  // namespace
}  // namespace wirewatch::testing
