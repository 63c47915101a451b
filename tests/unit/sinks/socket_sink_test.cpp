#include "sinks/socket/socket_sink.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

namespace wirewatch::sinks {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

OutboxRecord record(std::int64_t seq, std::vector<std::string> labels = {},
                    std::size_t padding = 0) {
  return {seq, std::move(labels),
          "{\"seq\":" + std::to_string(seq) + ",\"pad\":\"" + std::string(padding, 'x') + "\"}"};
}

/// A blocking client with a receive timeout, as `wirewatch tail` or socat would be.
class Client {
 public:
  explicit Client(const fs::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~Client() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& text) {
    EXPECT_EQ(::write(fd_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  /// The next line, or "" at EOF / timeout.
  std::string line() {
    while (true) {
      if (auto newline = buffer_.find('\n'); newline != std::string::npos) {
        std::string out = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return out;
      }
      char chunk[4096];
      const ssize_t got = ::read(fd_, chunk, sizeof chunk);
      if (got <= 0) return {};
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

class SocketSinkTest : public ::testing::Test {
 protected:
  template <typename F>
  auto on_io(F function) {
    std::packaged_task<decltype(function())()> task(function);
    auto future = task.get_future();
    asio::post(io_, [&task] { task(); });
    return future.get();
  }

  void SetUp() override {
    path_ = fs::temp_directory_path() /
            ("wirewatch-sock-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (std::int64_t seq = 1; seq <= 5; ++seq) {
      outbox_.push_back(record(
          seq, seq % 2 == 0 ? std::vector<std::string>{"summit"} : std::vector<std::string>{}));
    }
  }
  void TearDown() override {
    on_io([this] { sink_->close(); });
    work_.reset();
    thread_.join();
  }

  void start(SocketSinkOptions options = {}) {
    options.path = path_;
    options.hello_timeout = std::chrono::milliseconds{100};
    if (options.max_queued_records == 0) options.max_queued_records = 4096;
    sink_ = std::make_unique<SocketSink>(
        io_, options,
        [this](std::int64_t after, std::size_t limit) {
          std::vector<OutboxRecord> out;
          for (const auto& r : outbox_) {
            if (r.seq > after && out.size() < limit) out.push_back(r);
          }
          return out;
        },
        LabelFilter{});
    ASSERT_EQ(sink_->open(5).status, WriteStatus::ok);
    thread_ = std::thread([this] { io_.run(); });
  }

  void publish(std::vector<OutboxRecord> records) {
    on_io([&] {
      std::vector<const OutboxRecord*> pointers;
      for (const auto& r : records) pointers.push_back(&r);
      sink_->write(pointers);
    });
  }

  void wait_for_clients(std::size_t count) {
    for (int i = 0; i < 500 && on_io([this] { return sink_->client_count(); }) != count; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
  }

  fs::path path_;
  std::vector<OutboxRecord> outbox_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread thread_;
  std::unique_ptr<SocketSink> sink_;
};

TEST_F(SocketSinkTest, AClientWithoutHelloFollowsLiveRecords) {
  start();
  Client client(path_);
  ASSERT_TRUE(client.connected());
  wait_for_clients(1);
  std::this_thread::sleep_for(std::chrono::milliseconds{200});  // past the hello wait
  publish({record(6), record(7)});
  EXPECT_EQ(client.line(), record(6).json);
  EXPECT_EQ(client.line(), record(7).json);
}

TEST_F(SocketSinkTest, SinceReplaysRetainedRecordsThenFollows) {
  start();
  Client client(path_);
  client.send("{\"since\":3}\n");
  EXPECT_EQ(client.line(), record(4).json);
  EXPECT_EQ(client.line(), record(5).json);
  publish({record(6)});
  EXPECT_EQ(client.line(), record(6).json);
}

TEST_F(SocketSinkTest, LabelsInTheHelloFilter) {
  start();
  Client client(path_);
  client.send("{\"since\":0,\"labels\":[\"summit\"],\"follow\":false}\n");
  EXPECT_EQ(client.line(), record(2).json);
  EXPECT_EQ(client.line(), record(4).json);
  EXPECT_EQ(client.line(), "");  // follow:false closes once caught up
}

TEST_F(SocketSinkTest, AMalformedHelloGetsAJsonErrorAndAClose) {
  start();
  Client client(path_);
  client.send("{\"since\":\"yesterday\"}\n");
  EXPECT_EQ(client.line(), "{\"error\":\"\\\"since\\\" must be a non-negative integer\"}");
  EXPECT_EQ(client.line(), "");
  Client other(path_);
  other.send("not json\n");
  EXPECT_EQ(other.line(), "{\"error\":\"hello is not a JSON object\"}");
}

TEST_F(SocketSinkTest, AStuckClientIsDroppedWithoutStallingOthers) {
  SocketSinkOptions options;
  options.max_queued_records = 64;
  start(options);
  Client stuck(path_);  // never reads
  Client reader(path_);
  stuck.send("{}\n");
  reader.send("{}\n");
  wait_for_clients(2);
  std::this_thread::sleep_for(std::chrono::milliseconds{150});
  // Far more than fits in the socket buffers plus the 64-record queue. Records are published
  // at the pace the reading client keeps, as ingest would be; only the stuck one falls behind.
  std::atomic<std::int64_t> consumed{5};
  std::thread consume([&] {
    for (std::int64_t seq = 6; seq < 2006; ++seq) {
      const bool same = reader.line() == record(seq, {}, 8192).json;
      ASSERT_TRUE(same) << "reader lost or garbled seq " << seq;
      consumed = seq;
    }
  });
  for (std::int64_t seq = 6; seq < 2006; seq += 50) {
    std::vector<OutboxRecord> batch;
    for (std::int64_t i = seq; i < seq + 50; ++i) batch.push_back(record(i, {}, 8192));
    publish(std::move(batch));
    for (int wait = 0; wait < 1000 && consumed < seq + 49; ++wait) {
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
  }
  consume.join();
  EXPECT_EQ(on_io([this] { return sink_->dropped_clients(); }), 1u);
  EXPECT_EQ(on_io([this] { return sink_->client_count(); }), 1u);
}

// A reload closes and destroys the socket sink while its aborted accept is still queued on the
// io_context; running that handler afterwards must not touch the destroyed sink (ASan reports
// a heap-use-after-free without the guard).
TEST(SocketSinkLifetime, DestroyedWhileItsAbortedAcceptIsStillQueued) {
  asio::io_context io;
  SocketSinkOptions options;
  options.path = fs::temp_directory_path() / ("wirewatch-lifetime-" + std::to_string(::getpid()));
  auto sink = std::make_unique<SocketSink>(
      io, options, [](std::int64_t, std::size_t) { return std::vector<OutboxRecord>{}; },
      LabelFilter{});
  ASSERT_EQ(sink->open(0).status, WriteStatus::ok);
  sink->close();
  sink.reset();
  io.run();  // runs the aborted accept's handler
  EXPECT_FALSE(fs::exists(options.path));
}

}  // namespace
}  // namespace wirewatch::sinks
