// The socket sink: a listening Unix stream socket that other tools tail (`wirewatch tail`,
// `socat`). NDJSON out. A client may first send one JSON line, {"since": N, "labels": [...],
// "follow": true}, to replay retained records after seq N (or "last": N, the newest N) and
// then follow live ones (unless follow is false).
// Slow clients never stall ingest: each has a bounded queue and is dropped, with a logged
// reason, when it overflows.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>

#include "sinks/sink.hpp"

namespace wirewatch::sinks {

/// Reads retained records from the outbox: those with seq > after, at most limit of them.
using OutboxReader =
    std::function<std::vector<OutboxRecord>(std::int64_t after, std::size_t limit)>;

/// Where the socket listens and how it treats clients.
struct SocketSinkOptions {
  std::filesystem::path path;             // the socket file
  unsigned mode = 0660;                   // its permissions
  int inherited_fd = -1;                  // a listening socket from systemd (sd_listen_fds), or -1
  std::size_t max_queued_records = 4096;  // per client, then it is dropped
  std::size_t max_queued_bytes = 16u << 20;  // per client, then it is dropped
  std::size_t max_clients = 256;
  std::chrono::milliseconds hello_timeout{300};  // how long to wait for an optional hello
  std::size_t replay_page = 512;                 // outbox records read per replay step
};

/// A Unix-socket broadcaster of records. Runs on the io_context it is given; write() must be
/// called on that io_context's thread.
class SocketSink final : public Sink {
 public:
  SocketSink(boost::asio::io_context& io, SocketSinkOptions options, OutboxReader reader,
             LabelFilter filter);
  ~SocketSink() override;

  const std::string& name() const override { return name_; }
  /// Binds and listens (or adopts the inherited socket). Errors are permanent.
  WriteResult open(std::optional<std::int64_t> stored_cursor) override;
  /// Queues the records for every live client; never blocks.
  WriteResult write(std::span<const OutboxRecord* const> records) override;
  WriteResult flush() override { return {WriteStatus::ok, last_seq_, {}}; }

  /// Stops accepting, closes every client and removes the socket file. An inherited socket
  /// stays open (a reload hands it to the next sink) and its file stays.
  void close();

  /// Number of connected clients (metrics, tests).
  std::size_t client_count() const;
  /// Clients dropped for being too slow since start (metrics, tests).
  std::uint64_t dropped_clients() const { return dropped_clients_; }

  class Session;

 private:
  void accept_next();
  friend class Session;

  boost::asio::io_context& io_;
  SocketSinkOptions options_;
  OutboxReader reader_;
  LabelFilter filter_;
  std::string name_;
  std::unique_ptr<boost::asio::local::stream_protocol::acceptor> acceptor_;
  std::set<std::shared_ptr<Session>> sessions_;
  std::optional<std::int64_t> last_seq_;
  std::uint64_t dropped_clients_ = 0;
  std::uint64_t next_client_id_ = 1;
  bool closed_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // expires with the sink
};

}  // namespace wirewatch::sinks
