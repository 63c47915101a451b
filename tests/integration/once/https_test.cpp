// `wirewatch once` against a real nginx on 127.0.0.1 speaking TLS with HTTP/2 offered by ALPN,
// its certificate made for the test by openssl and trusted through `defaults.ca_file`:
// - feeds are fetched over HTTP/2, both feeds of the host multiplexed on one connection;
// - the second run sends the validators back and gets 304s, over HTTP/2 too;
// - without ca_file the self-signed certificate is refused, with a one-line error saying so.
// nginx and openssl are installed by scripts/install-deps.sh (the test fails without them).
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "loopback.hpp"
#include "once_fixture.hpp"

namespace wirewatch::testing {
namespace {

using namespace std::chrono_literals;

std::string find_program(const std::vector<std::string>& candidates) {
  for (const auto& path : candidates) {
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return {};
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class OnceHttpsTest : public OnceTest {
 protected:
  void SetUp() override {
    OnceTest::SetUp();
    nginx_ = find_program({"/usr/sbin/nginx", "/usr/bin/nginx"});
    const std::string openssl = find_program({"/usr/bin/openssl", "/usr/local/bin/openssl"});
    ASSERT_FALSE(nginx_.empty()) << "nginx is not installed (scripts/install-deps.sh)";
    ASSERT_FALSE(openssl.empty()) << "openssl is not installed (scripts/install-deps.sh)";
    const auto made = test_support::run_process(
        {openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", (directory_ / "key.pem").string(), "-out", (directory_ / "cert.pem").string()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    fs::create_directories(directory_ / "www");
    std::ofstream(directory_ / "www" / "a.xml") << rss({{"a1", "Envoys meet"}, {"a2", "Talks"}});
    std::ofstream(directory_ / "www" / "b.xml") << rss({{"b1", "Summit opens"}});
    for (int attempt = 0; attempt < 5; ++attempt) {  // a port taken meanwhile: another one
      if (started()) break;
    }
    ASSERT_TRUE(nginx_process_) << "nginx did not start: " << read_text(directory_ / "error.log");
  }

  void TearDown() override {
    nginx_process_.reset();  // kills its process group
    OnceTest::TearDown();
  }

  bool started() {
    port_ = test_support::free_loopback_port();
    if (port_ == 0) return false;
    const fs::path d = directory_;
    std::ofstream(d / "nginx.conf")
        << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
        << "pid " << (d / "nginx.pid").string() << ";\n"
        << "error_log " << (d / "error.log").string() << " warn;\n"
        << "events { worker_connections 64; }\n"
        << "http {\n"
        << "  log_format wire '$server_protocol $connection $status $request_uri';\n"
        << "  access_log " << (d / "access.log").string() << " wire;\n"
        << "  client_body_temp_path " << (d / "tmp-body").string() << ";\n"
        << "  proxy_temp_path " << (d / "tmp-proxy").string() << ";\n"
        << "  fastcgi_temp_path " << (d / "tmp-fastcgi").string() << ";\n"
        << "  uwsgi_temp_path " << (d / "tmp-uwsgi").string() << ";\n"
        << "  scgi_temp_path " << (d / "tmp-scgi").string() << ";\n"
        << "  types { application/rss+xml xml; }\n"
        << "  server {\n"
        << "    listen 127.0.0.1:" << port_ << " ssl http2;\n"
        << "    ssl_certificate " << (d / "cert.pem").string() << ";\n"
        << "    ssl_certificate_key " << (d / "key.pem").string() << ";\n"
        << "    root " << (d / "www").string() << ";\n"
        << "  }\n}\n";
    nginx_process_ = std::make_unique<test_support::ChildProcess>(
        std::vector<std::string>{nginx_, "-p", d.string(), "-e", (d / "error.log").string(), "-c",
                                 (d / "nginx.conf").string()});
    for (auto deadline = std::chrono::steady_clock::now() + 5s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(20ms)) {
      if (test_support::accepts_connections(port_)) return true;
      if (nginx_process_->wait(0ms)) break;  // exited: the port was taken meanwhile
    }
    nginx_process_.reset();
    return false;
  }

  void write_https_config(bool trust_the_certificate) {
    std::ofstream out(config_path());
    out << "state_dir: " << (directory_ / "state").string() << "\n"
        << "defaults:\n  interval: 1m\n  min_interval: 1s\n  timeout: 5s\n"
        << "  per_host_concurrency: 2\n";
    if (trust_the_certificate) out << "  ca_file: " << (directory_ / "cert.pem").string() << "\n";
    out << "feeds:\n";
    for (const std::string name : {"a", "b"}) {
      out << "  - id: " << name << "\n    url: https://127.0.0.1:" << port_ << "/" << name
          << ".xml\n";
    }
    out << "sinks:\n  - type: directory\n    path: " << (directory_ / "records").string() << "\n";
  }

  /// The access log's lines: protocol, connection number, status, path.
  std::vector<std::vector<std::string>> requests() const {
    std::vector<std::vector<std::string>> out;
    std::istringstream lines(read_text(directory_ / "access.log"));
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::vector<std::string> fields;
      for (std::string word; words >> word;) fields.push_back(word);
      if (fields.size() == 4) out.push_back(fields);
    }
    return out;
  }

  std::string nginx_;
  int port_ = 0;
  std::unique_ptr<test_support::ChildProcess> nginx_process_;
};

TEST_F(OnceHttpsTest, FeedsComeOverHttp2MultiplexedOnOneConnection) {
  write_https_config(true);
  const auto first = once();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(columns(first.err, "a")[1], "changed") << first.err;
  EXPECT_EQ(columns(first.err, "b")[1], "changed") << first.err;
  EXPECT_EQ(records().size(), 3u);

  auto seen = requests();
  ASSERT_EQ(seen.size(), 2u) << read_text(directory_ / "access.log");
  std::set<std::string> connections;
  for (const auto& request : seen) {
    EXPECT_EQ(request[0], "HTTP/2.0") << "HTTP/2 is offered by ALPN and must be used";
    EXPECT_EQ(request[2], "200");
    connections.insert(request[1]);
  }
  EXPECT_EQ(connections.size(), 1u) << "both feeds of the host share one HTTP/2 connection";

  // The validators go back over HTTP/2 as well: 304s, nothing new.
  const auto second = once();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(records().size(), 3u);
  seen = requests();
  ASSERT_EQ(seen.size(), 4u) << read_text(directory_ / "access.log");
  for (std::size_t i = 2; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i][0], "HTTP/2.0");
    EXPECT_EQ(seen[i][2], "304") << "ETag/Last-Modified sent back";
  }
}

TEST_F(OnceHttpsTest, AnUntrustedCertificateIsRefusedWithAClearError) {
  write_https_config(false);  // the system's CAs do not know the test's certificate
  const auto result = once();
  EXPECT_TRUE(records().empty());
  EXPECT_TRUE(requests().empty()) << "no request may be sent over an unverified connection";
  const std::string line = summary_line(result.err, "a");
  EXPECT_NE(line.find("transient"), std::string::npos) << result.err;
  EXPECT_NE(line.find("certificate"), std::string::npos) << "the error says why: " << result.err;
}

TEST_F(OnceHttpsTest, ACaFileThatDoesNotExistIsAConfigError) {
  std::ofstream(config_path()) << "state_dir: " << (directory_ / "state").string() << "\n"
                               << "defaults:\n  ca_file: " << (directory_ / "nope.pem").string()
                               << "\nfeeds:\n  - url: https://127.0.0.1:" << port_
                               << "/a.xml\nsinks:\n  - type: stdout\n";
  const auto result =
      test_support::run_process({WIREWATCH_BINARY, "check-config", config_path().string()});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("wirewatch.yaml:3:"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("no such file"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace wirewatch::testing
