// Prometheus text metrics: counters the pipeline bumps on its io thread, and a tiny HTTP
// endpoint (Boost.Beast) that renders them on GET /metrics. Loopback by default.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace wirewatch::pipeline {

/// The daemon's counters and gauges. Touched only on the io thread.
struct Metrics {
  std::map<std::string, std::uint64_t> polls;           // by poll class
  std::map<std::string, std::uint64_t> records;         // by event (new, update)
  std::map<std::string, std::uint64_t> flagged;         // by label
  std::map<std::string, std::int64_t> feeds_by_health;  // gauge
  std::map<std::string, std::int64_t> sink_cursor;      // gauge, by sink name
  std::uint64_t fetched_bytes = 0;
  std::int64_t last_seq = 0;
  std::int64_t socket_clients = 0;
  std::uint64_t socket_dropped = 0;
  std::uint64_t store_commits = 0;
  std::uint64_t reloads = 0;
  std::uint64_t reload_failures = 0;

  /// The Prometheus text exposition format.
  std::string render() const;
};

/// Serves GET /metrics on a TCP endpoint. `snapshot` is called on the io thread per request.
class MetricsServer {
 public:
  MetricsServer(boost::asio::io_context& io, std::function<std::string()> snapshot);
  ~MetricsServer();

  /// Listens on "host:port"; returns an error message, empty on success.
  std::string listen(const std::string& host_port);
  /// The bound port (for tests that listen on port 0).
  unsigned short port() const;
  void close();

 private:
  void accept_next();
  boost::asio::io_context& io_;
  std::function<std::string()> snapshot_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
};

}  // namespace wirewatch::pipeline
