// `wirewatch run` end to end: the real daemon against feeds that keep growing on 127.0.0.1,
// killed with SIGKILL, stopped with SIGTERM, reloaded with SIGHUP. Each test asserts what a
// user sees: every published entry exactly once in the directory sink, seqs strictly
// increasing, no torn line, and a `wirewatch tail --follow` client that printed every record
// once across restarts.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <random>

#include "daemon_fixture.hpp"
#include "loopback.hpp"
#include "store/store.hpp"

namespace wirewatch::testing {
namespace {

const std::vector<std::string> kFeeds{"/a.xml", "/b.xml", "/c.xml"};

// Short version of scripts/crash-test.sh: SIGKILL at random moments while entries keep
// arriving, restart each time, then check the sink and a resuming socket client.
TEST_F(DaemonTest, SigkillAtRandomMomentsLosesNothingAndWritesNothingTwice) {
  for (const auto& feed : kFeeds) publisher_.add_feed(feed);
  // Small size-rotated segments, so kills also land around segment switches.
  write_config(kFeeds,
               directory_sink("records", "    rotate: size\n    max_size: 4KiB\n") + socket_sink());
  publisher_.start(kFeeds, 200ms);
  start_daemon_and_wait();
  start_tail();

  const auto seed = std::random_device{}();
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> alive_ms(200, 1600);
  constexpr int kKills = 9;
  for (int kill = 0; kill < kKills; ++kill) {
    // A random moment: while starting, polling, committing or writing, or idle between polls.
    std::this_thread::sleep_for(std::chrono::milliseconds{alive_ms(random)});
    kill_daemon();
    start_daemon();
  }
  publisher_.stop();
  const auto published = publisher_.published();

  // The last daemon lives: it must catch up with everything published.
  ASSERT_TRUE(wait_for([&] { return sink_has_all(published, records_dir()); }, 40s))
      << "seed=" << seed << "\n"
      << check_delivery(read_directory_sink(records_dir()), published).figures() << "\n"
      << daemon_->err_so_far();
  const auto held = read_directory_sink(records_dir()).records.size();
  ASSERT_TRUE(wait_for([&] { return printed_seqs(tail_->out_so_far()).size() >= held; }, 30s))
      << "seed=" << seed << " tail printed " << printed_seqs(tail_->out_so_far()).size() << " of "
      << held << "\n"
      << tail_->err_so_far();
  const auto stopped = stop_daemon();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;

  const auto tail_seqs = printed_seqs(tail_->out_so_far());
  const auto report = check_delivery(read_directory_sink(records_dir()), published, &tail_seqs);
  std::cout << "crash test: kills=" << kKills << " published=" << published.size() << " "
            << report.figures() << " seed=" << seed << "\n";
  EXPECT_TRUE(report.clean()) << report.figures() << "\nseed=" << seed;
  EXPECT_EQ(report.records, published.size());  // entries never change: one record each
}

// SIGHUP while records flow: a feed removed, one added, the removed one added back, and a
// sink's label filter changed. Nothing is lost or duplicated, the socket client resumes, and
// feeds keep their state (validators) across reloads.
TEST_F(DaemonTest, ReloadAddsAndRemovesFeedsAndChangesLabelsWithoutLosingRecordsOrState) {
  for (const auto& feed : kFeeds) publisher_.add_feed(feed);
  // None of these entries matches a classifier rule, so `labels: any` passes nothing until
  // the filter is removed.
  const auto sinks_v1 =
      directory_sink() + directory_sink("filtered", "    labels: any\n") + socket_sink();
  const auto sinks_v2 = directory_sink() + directory_sink("filtered") + socket_sink();
  write_config({"/a.xml", "/b.xml"}, sinks_v1);
  publisher_.start(kFeeds, 150ms);
  start_daemon_and_wait();
  start_tail();
  // b's first poll is complete (a second one started), so its state is known to the daemon.
  ASSERT_TRUE(wait_for(
      [&] {
        return read_directory_sink(records_dir()).records.size() >= 4 &&
               server_.requests("/b.xml").size() >= 2;
      },
      20s))
      << daemon_->err_so_far();

  // Reload 1: b removed, c added, the filter dropped.
  EXPECT_TRUE(read_directory_sink(records_dir("filtered")).records.empty());
  write_config({"/a.xml", "/c.xml"}, sinks_v2);
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(wait_for([&] { return count(daemon_->err_so_far(), "Reloaded.") == 1; }, 20s))
      << daemon_->err_so_far();
  const std::size_t b_requests = server_.requests("/b.xml").size();
  const auto b_published_before = publisher_.published("/b.xml");
  // c is polled and delivered; the filtered sink now gets records.
  ASSERT_TRUE(wait_for(
      [&] {
        return titles_in(records_dir()).contains("c entry 3") &&
               read_directory_sink(records_dir("filtered")).records.size() >= 3;
      },
      20s))
      << daemon_->err_so_far();
  // b is no longer polled (one poll may have been on its way when the reload came).
  EXPECT_LE(server_.requests("/b.xml").size(), b_requests + 1);

  // Reload 2: b comes back. It continues from its stored state: no re-fetch without
  // validators, and the entries published while it was away arrive once.
  write_config(kFeeds, sinks_v2);
  const std::size_t b_requests_before_readd = server_.requests("/b.xml").size();
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(wait_for([&] { return count(daemon_->err_so_far(), "Reloaded.") == 2; }, 20s))
      << daemon_->err_so_far();
  ASSERT_TRUE(
      wait_for([&] { return server_.requests("/b.xml").size() > b_requests_before_readd; }, 20s));

  publisher_.stop();
  const auto published = publisher_.published();
  ASSERT_TRUE(wait_for([&] { return sink_has_all(published, records_dir()); }, 30s))
      << check_delivery(read_directory_sink(records_dir()), published).figures() << "\n"
      << daemon_->err_so_far();
  const auto held = read_directory_sink(records_dir()).records.size();
  ASSERT_TRUE(wait_for([&] { return printed_seqs(tail_->out_so_far()).size() >= held; }, 30s))
      << tail_->err_so_far();
  const auto stopped = stop_daemon();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_EQ(count(stopped.err, "Reload problem"), 0u) << stopped.err;

  const auto tail_seqs = printed_seqs(tail_->out_so_far());
  const auto main_sink = read_directory_sink(records_dir());
  const auto report = check_delivery(main_sink, published, &tail_seqs);
  EXPECT_TRUE(report.clean()) << report.figures();
  EXPECT_EQ(report.records, published.size());

  // The filtered sink holds exactly the records after the moment its filter went away: a
  // gapless suffix of the main sink.
  const auto filtered = read_directory_sink(records_dir("filtered"));
  ASSERT_FALSE(filtered.records.empty());
  std::vector<std::int64_t> expected;
  const auto first = filtered.records.front()["seq"].get<std::int64_t>();
  for (const auto& record : main_sink.records) {
    if (record["seq"].get<std::int64_t>() >= first) expected.push_back(record["seq"]);
  }
  std::vector<std::int64_t> got;
  for (const auto& record : filtered.records) got.push_back(record["seq"]);
  EXPECT_EQ(got, expected);

  // Feed state survives reloads: after a feed's first poll, every request sends its
  // validator back, including b's first request after it was removed and added again.
  for (const auto& feed : kFeeds) {
    const auto requests = server_.requests(feed);
    ASSERT_GE(requests.size(), 2u) << feed;
    for (std::size_t i = 1; i < requests.size(); ++i) {
      EXPECT_TRUE(requests[i].header("If-None-Match").has_value())
          << feed << " request " << i << " of " << requests.size()
          << " has no If-None-Match: the feed's state was reset";
    }
  }
  EXPECT_FALSE(b_published_before.empty());
}

// An invalid config on SIGHUP is logged with its mistakes; the old config keeps polling and
// delivering, and a later valid reload still works.
TEST_F(DaemonTest, InvalidConfigOnReloadIsLoggedAndTheOldConfigKeepsRunning) {
  for (const auto& feed : kFeeds) publisher_.add_feed(feed);
  write_config({"/a.xml"});
  publisher_.start({"/a.xml", "/b.xml"}, 150ms);
  start_daemon_and_wait();
  ASSERT_TRUE(wait_for([&] { return read_directory_sink(records_dir()).records.size() >= 2; }, 20s))
      << daemon_->err_so_far();

  {
    std::ofstream out(config_path().string() + ".tmp");
    out << "state_dir: " << state_dir().string() << "\n"
        << "defaults:\n  intervall: 1s\n"  // a typo
        << "feeds:\n  - id: b\n    url: " << server_.url("/b.xml") << "\n"
        << "sinks: []\n";
  }
  fs::rename(config_path().string() + ".tmp", config_path());
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(wait_for([&] { return count(daemon_->err_so_far(), "Reload rejected") == 1; }, 20s))
      << daemon_->err_so_far();
  const auto log = daemon_->err_so_far();
  EXPECT_NE(log.find("intervall"), std::string::npos) << "the mistake is named: " << log;
  EXPECT_NE(log.find(config_path().string() + ":"), std::string::npos) << log;

  // Still running the old config: a's new entries keep arriving; b (only in the rejected
  // file) is not polled.
  const auto a_now = publisher_.published("/a.xml");
  ASSERT_TRUE(wait_for(
      [&] {
        return sink_has_all(publisher_.published("/a.xml"), records_dir()) &&
               publisher_.published("/a.xml").size() >= a_now.size() + 3;
      },
      20s))
      << daemon_->err_so_far();
  EXPECT_TRUE(server_.requests("/b.xml").empty());

  // A valid reload afterwards is applied.
  write_config({"/a.xml", "/b.xml"});
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(wait_for([&] { return count(daemon_->err_so_far(), "Reloaded.") == 1; }, 20s))
      << daemon_->err_so_far();
  publisher_.stop();
  const auto published = publisher_.published();
  ASSERT_TRUE(wait_for([&] { return sink_has_all(published, records_dir()); }, 30s))
      << daemon_->err_so_far();
  const auto stopped = stop_daemon();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  const auto report = check_delivery(read_directory_sink(records_dir()), published);
  EXPECT_TRUE(report.clean()) << report.figures();
}

/// Every record in the store's outbox (the daemon must have exited: this takes its lock).
std::vector<std::int64_t> outbox_seqs(const fs::path& state_dir) {
  auto store = store::Store::open(state_dir);
  EXPECT_TRUE(store.ok()) << (store ? "" : store.error().message);
  if (!store) return {};
  auto entries = store->read_outbox(0, 1'000'000);
  EXPECT_TRUE(entries.ok());
  if (!entries) return {};
  std::vector<std::int64_t> seqs;
  for (const auto& entry : *entries) seqs.push_back(entry.seq);
  return seqs;
}

std::vector<std::int64_t> seqs_of(const SinkContents& sink) {
  std::vector<std::int64_t> seqs;
  for (const auto& record : sink.records) seqs.push_back(record["seq"]);
  return seqs;
}

/// A route that holds each request until released (or a minute passes), then serves entries.
class SlowFeed {
 public:
  SlowFeed(test_support::HttpTestServer& server, const std::string& path,
           std::chrono::milliseconds hold)
      : hold_(hold) {
    server.route(path, [this](const ReceivedRequest&) {
      ++entered_;
      std::unique_lock lock(mutex_);
      released_signal_.wait_for(lock, hold_, [this] { return released_; });
      return ScriptedResponse(200, {},
                              "<rss version=\"2.0\"><channel><title>slow</title>"
                              "<item><guid>s1</guid><title>slow entry 1</title></item>"
                              "<item><guid>s2</guid><title>slow entry 2</title></item>"
                              "</channel></rss>");
    });
  }
  ~SlowFeed() { release(); }
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_signal_.notify_all();
  }
  int entered() const { return entered_; }

 private:
  std::chrono::milliseconds hold_;
  std::atomic<int> entered_{0};
  std::mutex mutex_;
  std::condition_variable released_signal_;
  bool released_ = false;
};

// SIGTERM with a poll in flight: the daemon waits for it (within the grace period), commits
// it, delivers it and exits 0; the directory sink then holds everything the store committed.
TEST_F(DaemonTest, SigtermWaitsForPollsInFlightCommitsAndExitsZero) {
  publisher_.add_feed("/a.xml");
  SlowFeed slow(server_, "/slow.xml", 1500ms);
  write_config({"/a.xml", "/slow.xml"});
  publisher_.start({"/a.xml"}, 100ms);
  start_daemon_and_wait();
  ASSERT_TRUE(wait_for([&] { return slow.entered() >= 1; }, 20s)) << daemon_->err_so_far();
  const auto signalled = std::chrono::steady_clock::now();
  const auto stopped = stop_daemon();
  const auto took = std::chrono::steady_clock::now() - signalled;
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_LT(took, 10s) << "the grace period is 10s";
  EXPECT_NE(stopped.err.find("Stopped cleanly."), std::string::npos) << stopped.err;
  EXPECT_EQ(count(stopped.err, "Grace period over"), 0u) << stopped.err;

  const auto sink = read_directory_sink(records_dir());
  EXPECT_EQ(sink.torn_lines, 0u);
  EXPECT_FALSE(sink.unterminated_tail);
  const auto titles = titles_in(records_dir());
  EXPECT_TRUE(titles.contains("slow entry 1") && titles.contains("slow entry 2"))
      << "the poll in flight was committed and delivered before exit";
  EXPECT_EQ(seqs_of(sink), outbox_seqs(state_dir())) << "everything committed is in the sink";
}

// SIGTERM with a poll that outlasts the grace period: it is cancelled, the daemon still exits
// 0 soon after the grace period, and what was committed is in the sink.
TEST_F(DaemonTest, SigtermCancelsPollsThatOutlastTheGracePeriod) {
  publisher_.add_feed("/a.xml");
  SlowFeed slow(server_, "/slow.xml", 60s);
  write_config({"/a.xml", "/slow.xml"});
  publisher_.start({"/a.xml"}, 100ms);
  start_daemon_and_wait("1s");
  ASSERT_TRUE(wait_for([&] { return slow.entered() >= 1; }, 20s)) << daemon_->err_so_far();
  ASSERT_TRUE(wait_for([&] { return !read_directory_sink(records_dir()).records.empty(); }, 20s));
  const auto signalled = std::chrono::steady_clock::now();
  const auto stopped = stop_daemon();
  const auto took = std::chrono::steady_clock::now() - signalled;
  slow.release();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_GE(took, 900ms) << "it waited for the grace period";
  EXPECT_LT(took, 10s) << "and not much longer (1s grace)";
  EXPECT_EQ(count(stopped.err, "Grace period over"), 1u) << stopped.err;
  const auto sink = read_directory_sink(records_dir());
  EXPECT_EQ(sink.torn_lines, 0u);
  EXPECT_FALSE(sink.unterminated_tail);
  EXPECT_FALSE(titles_in(records_dir()).contains("slow entry 1"));
  EXPECT_EQ(seqs_of(sink), outbox_seqs(state_dir())) << "everything committed is in the sink";
}

// `wirewatch tail --follow` across daemon restarts (clean and SIGKILL): it reconnects, resumes
// after the last seq it printed, and prints every record exactly once.
TEST_F(DaemonTest, TailFollowResumesAcrossRestartsWithoutPrintingARecordTwice) {
  for (const auto& feed : kFeeds) publisher_.add_feed(feed);
  write_config(kFeeds);
  publisher_.start(kFeeds, 100ms);
  start_daemon_and_wait();
  start_tail();
  auto printed = [&] { return printed_seqs(tail_->out_so_far()).size(); };
  ASSERT_TRUE(wait_for([&] { return printed() >= 3; }, 20s)) << tail_->err_so_far();

  // A clean restart.
  ASSERT_EQ(stop_daemon().exit_code, 0);
  start_daemon_and_wait();
  std::size_t before = printed();
  ASSERT_TRUE(wait_for([&] { return printed() >= before + 3; }, 20s)) << tail_->err_so_far();

  // A crash.
  kill_daemon();
  start_daemon_and_wait();
  before = printed();
  ASSERT_TRUE(wait_for([&] { return printed() >= before + 3; }, 20s)) << tail_->err_so_far();

  publisher_.stop();
  const auto published = publisher_.published();
  ASSERT_TRUE(wait_for([&] { return sink_has_all(published, records_dir()); }, 30s));
  const auto held = read_directory_sink(records_dir()).records.size();
  ASSERT_TRUE(wait_for([&] { return printed() >= held; }, 30s)) << tail_->err_so_far();

  // A non-following client with --since gets exactly the records after that seq, then exits.
  const auto since = test_support::run_process(
      {WIREWATCH_BINARY, "tail", "--socket", socket_path().string(), "--since", "5"}, {}, 30s);
  EXPECT_EQ(since.exit_code, 0) << since.err;
  const auto since_seqs = printed_seqs(since.out);
  ASSERT_EQ(since_seqs.size(), held - 5);
  EXPECT_EQ(since_seqs.front(), 6);

  ASSERT_EQ(stop_daemon().exit_code, 0);
  const auto tail_seqs = printed_seqs(tail_->out_so_far());
  const auto report = check_delivery(read_directory_sink(records_dir()), published, &tail_seqs);
  EXPECT_TRUE(report.clean()) << report.figures();
  EXPECT_TRUE(std::is_sorted(tail_seqs.begin(), tail_seqs.end()));
  EXPECT_TRUE(tail_->wait(0ms) == std::nullopt) << "--follow keeps following";
}

// rotate: size with a batch that crosses the segment limit: every record is written, none
// skipped at the switch to the next segment.
TEST_F(DaemonTest, SizeRotationInTheMiddleOfABatchLosesNoRecord) {
  publisher_.add_feed("/a.xml");
  for (int i = 0; i < 40; ++i) publisher_.publish("/a.xml");  // ~25 KB of records, one batch
  write_config({"/a.xml"}, directory_sink("records", "    rotate: size\n    max_size: 4KiB\n"));
  const auto once = test_support::run_process(
      {WIREWATCH_BINARY, "once", "--config", config_path().string()}, {}, 60s);
  ASSERT_EQ(once.exit_code, 0) << once.err;
  std::size_t segments = 0;
  for (const auto& entry : fs::directory_iterator(records_dir())) {
    segments += entry.path().extension() == ".jsonl";
  }
  EXPECT_GT(segments, 3u);
  const auto report = check_delivery(read_directory_sink(records_dir()), publisher_.published());
  EXPECT_TRUE(report.clean()) << report.figures();
  EXPECT_EQ(report.records, 40u);

  // And the daemon, which writes batch after batch, keeps all of them too.
  for (int i = 0; i < 40; ++i) publisher_.publish("/a.xml");
  start_daemon_and_wait();
  // Its first poll gets the 40 new entries; its third poll (next_due has one-second
  // resolution, so the second may come at once) comes only after the first poll's batch was
  // committed and delivered (200 ms later, on the same thread).
  ASSERT_TRUE(wait_for([&] { return server_.requests("/a.xml").size() >= 4; }, 20s))
      << daemon_->err_so_far();
  ASSERT_EQ(stop_daemon().exit_code, 0);
  const auto after = check_delivery(read_directory_sink(records_dir()), publisher_.published());
  EXPECT_TRUE(after.clean()) << after.figures();
}

}  // namespace
}  // namespace wirewatch::testing

namespace wirewatch::testing {
namespace {

// A socket sink's `labels:` applies to what a client replays with `since` as well as to live
// records (replay reads the outbox directly, so it must apply the sink's filter itself).
TEST_F(DaemonTest, SocketSinkLabelFilterAppliesToReplayedRecordsToo) {
  publisher_.add_feed("/a.xml");
  for (int i = 0; i < 5; ++i) publisher_.publish("/a.xml");
  // None of these entries matches a classifier rule: `labels: any` lets no record through.
  write_config({"/a.xml"}, directory_sink() + socket_sink() + "    labels: any\n");
  start_daemon_and_wait();
  ASSERT_TRUE(wait_for([&] { return sink_has_all(publisher_.published(), records_dir()); }, 20s))
      << daemon_->err_so_far();
  const auto replay = test_support::run_process(
      {WIREWATCH_BINARY, "tail", "--socket", socket_path().string(), "--since", "0"}, {}, 30s);
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_TRUE(printed_seqs(replay.out).empty()) << "the sink's filter lets none through:\n"
                                                << replay.out;
  ASSERT_EQ(stop_daemon().exit_code, 0);
}

}  // namespace
}  // namespace wirewatch::testing

namespace wirewatch::testing {
namespace {

/// A listening Unix socket at path, as a systemd .socket unit holds it.
int listen_unix(const fs::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.string().size() + 1);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 64) != 0) {
    ADD_FAILURE() << "cannot listen on " << path << ": " << std::strerror(errno);
  }
  return fd;
}

/// A client connected to the Unix socket at path, or -1.
int connect_unix(const fs::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.string().size() + 1);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    return fd;
  }
  if (fd >= 0) ::close(fd);
  return -1;
}

/// The daemon started the way systemd socket activation starts it: the listening socket as
/// fd 3, LISTEN_FDS=1, LISTEN_PID=its pid. stdout and stderr go to log.
class SocketActivatedDaemon {
 public:
  SocketActivatedDaemon(int listener, const fs::path& config, fs::path log) : log_(std::move(log)) {
    std::vector<std::string> args{WIREWATCH_BINARY, "run", "--config", config.string()};
    std::vector<std::string> environment{"LISTEN_FDS=1"};
    for (char** variable = environ; *variable != nullptr; ++variable) {
      const std::string_view text(*variable);
      if (!text.starts_with("LISTEN_")) environment.emplace_back(text);
    }
    environment.emplace_back("LISTEN_PID=" + std::string(20, '\0'));  // filled in the child
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& variable : environment) envp.push_back(variable.data());
    envp.push_back(nullptr);
    char* pid_text = environment.back().data() + std::strlen("LISTEN_PID=");
    const int out = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::dup2(out, 1);
      ::dup2(out, 2);
      if (listener == 3) {
        ::fcntl(3, F_SETFD, 0);
      } else {
        ::dup2(listener, 3);  // the copy does not have FD_CLOEXEC
      }
      char digits[20];
      int length = 0;
      for (pid_t pid = ::getpid(); pid > 0; pid /= 10) digits[length++] = char('0' + pid % 10);
      for (int i = 0; i < length; ++i) pid_text[i] = digits[length - 1 - i];
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(out);
  }
  ~SocketActivatedDaemon() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  SocketActivatedDaemon(const SocketActivatedDaemon&) = delete;
  SocketActivatedDaemon& operator=(const SocketActivatedDaemon&) = delete;

  void signal(int number) const { ::kill(pid_, number); }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  /// SIGTERM, then the exit code (-1 when it did not exit in time or was killed).
  int stop() {
    signal(SIGTERM);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (::waitpid(pid_, &status, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() >= deadline) return -1;
      std::this_thread::sleep_for(20ms);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  fs::path log_;
  pid_t pid_ = -1;
};

// Under systemd socket activation the socket sink serves the inherited socket, also after a
// reload, and leaves the socket file alone, so the next start (which gets the same socket
// from systemd) is reachable at the same path.
TEST_F(DaemonTest, SocketActivationKeepsTheInheritedSocketAcrossReloadAndRestart) {
  publisher_.add_feed("/a.xml");
  for (int i = 0; i < 3; ++i) publisher_.publish("/a.xml");
  write_config({"/a.xml"});
  const int listener = listen_unix(socket_path());
  struct stat original {};
  ASSERT_EQ(::stat(socket_path().c_str(), &original), 0);
  auto replayed = [&] {
    auto tail = test_support::run_process(
        {WIREWATCH_BINARY, "tail", "--socket", socket_path().string(), "--since", "0"}, {}, 30s);
    EXPECT_EQ(tail.exit_code, 0) << tail.err;
    return printed_seqs(tail.out).size();
  };
  {
    SocketActivatedDaemon daemon(listener, config_path(), directory_ / "first.log");
    ASSERT_TRUE(wait_for([&] { return sink_has_all(publisher_.published(), records_dir()); }, 20s))
        << daemon.log();
    EXPECT_EQ(replayed(), 3u);
    daemon.signal(SIGHUP);
    ASSERT_TRUE(wait_for([&] { return count(daemon.log(), "Reloaded.") == 1; }, 20s))
        << daemon.log();
    struct stat now {};
    ASSERT_EQ(::stat(socket_path().c_str(), &now), 0) << "the socket file is gone after a reload";
    EXPECT_EQ(now.st_ino, original.st_ino) << "the reload replaced the inherited socket's file";
    EXPECT_EQ(replayed(), 3u);
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
  }
  {
    SocketActivatedDaemon daemon(listener, config_path(), directory_ / "second.log");
    ASSERT_TRUE(wait_for([&] { return count(daemon.log(), "Started.") == 1; }, 20s))
        << daemon.log();
    EXPECT_EQ(replayed(), 3u) << "the restarted daemon is reachable at the socket's path";
    EXPECT_EQ(daemon.stop(), 0) << daemon.log();
  }
  ::close(listener);
}

}  // namespace
}  // namespace wirewatch::testing

// ---- metrics ---------------------------------------------------------------------------------
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace wirewatch::testing {
namespace {

/// GET path from 127.0.0.1:port: the status and body, or status 0 when nothing answers.
std::pair<int, std::string> http_get(int port, const std::string& path) {
  namespace http = boost::beast::http;
  try {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.expires_after(5s);
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port)});
    http::request<http::empty_body> request{http::verb::get, path, 11};
    request.set(http::field::host, "127.0.0.1");
    http::write(stream, request);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return {response.result_int(), response.body()};
  } catch (const std::exception&) {
    return {0, {}};
  }
}

/// The value of one sample line ("name{label=\"x\"} 12") in a Prometheus text page, or -1.
long long sample(const std::string& page, const std::string& series) {
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(series + " ")) return std::stoll(line.substr(series.size() + 1));
  }
  return -1;
}

// The Prometheus endpoint (metrics.listen) counts what a user can check in the sink: records
// by event, polls by class, feeds by health, each sink's durable cursor and the outbox head.
TEST_F(DaemonTest, MetricsEndpointCountsWhatTheSinkHolds) {
  for (const std::string path : {"/a.xml", "/b.xml"}) publisher_.add_feed(path);
  for (int i = 0; i < 3; ++i) publisher_.publish("/a.xml");
  for (int i = 0; i < 2; ++i) publisher_.publish("/b.xml");
  const int port = test_support::free_loopback_port();
  ASSERT_NE(port, 0);
  metrics_listen_ = "127.0.0.1:" + std::to_string(port);
  write_config({"/a.xml", "/b.xml"});
  start_daemon_and_wait();
  ASSERT_TRUE(wait_for([&] { return sink_has_all(publisher_.published(), records_dir()); }, 20s))
      << daemon_->err_so_far();

  std::string page;
  ASSERT_TRUE(wait_for(
      [&] {
        auto [status, body] = http_get(port, "/metrics");
        page = body;
        return status == 200 && sample(page, "wirewatch_sink_cursor{sink=\"records\"}") == 5;
      },
      20s))
      << "the directory sink's cursor reaches the last record:\n"
      << page << daemon_->err_so_far();
  EXPECT_EQ(sample(page, "wirewatch_records_total{event=\"new\"}"), 5) << page;
  EXPECT_EQ(sample(page, "wirewatch_outbox_last_seq"), 5) << page;
  EXPECT_EQ(sample(page, "wirewatch_feeds{health=\"ok\"}"), 2) << page;
  EXPECT_GE(sample(page, "wirewatch_polls_total{class=\"changed\"}"), 2) << page;
  EXPECT_NE(page.find("# TYPE wirewatch_records_total counter"), std::string::npos) << page;
  EXPECT_EQ(http_get(port, "/other").first, 404);

  // Scrapes /metrics into page until series reads value (false when it never does).
  const auto scrape_until = [&](const std::string& series, long long value, auto timeout) {
    return wait_for(
        [&] {
          page = http_get(port, "/metrics").second;
          return sample(page, series) == value;
        },
        timeout);
  };

  // One more entry: the counters move with it.
  publisher_.publish("/b.xml");
  ASSERT_TRUE(scrape_until("wirewatch_records_total{event=\"new\"}", 6, 20s)) << page;

  // A client on the socket sink shows in the clients gauge.
  EXPECT_EQ(sample(page, "wirewatch_socket_clients"), 0) << page;
  const int client = connect_unix(socket_path());
  ASSERT_GE(client, 0) << std::strerror(errno);
  EXPECT_TRUE(scrape_until("wirewatch_socket_clients", 1, 10s)) << page;
  // A client that hangs up is noticed when the next record is written to it (a closed write
  // side alone is a half-close, and such a client still gets records).
  ::close(client);
  publisher_.publish("/a.xml");
  EXPECT_TRUE(scrape_until("wirewatch_socket_clients", 0, 10s)) << page;
  EXPECT_EQ(sample(page, "wirewatch_socket_dropped_total"), 0) << page;
  const auto stopped = stop_daemon();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

}  // namespace
}  // namespace wirewatch::testing
