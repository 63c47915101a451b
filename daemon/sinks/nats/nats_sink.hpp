// The nats sink: every record's JSON line published to a JetStream subject, one message per
// record, with a Nats-Msg-Id that is the same each time the same outbox record is sent
// ("<record id>:<seq>"), so JetStream drops the repeats of a retried batch. A record is durable
// once JetStream has acknowledged it; the cursor never passes an unacknowledged record.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "sinks/sink.hpp"

namespace wirewatch::sinks {

/// Where and how the nats sink publishes.
struct NatsSinkOptions {
  std::string url = "nats://127.0.0.1:4222";  // nats://host:port or tls://host:port
  std::string subject;                        // published to
  std::string stream;          // the stream that must capture subject; empty: whichever does
  bool create_stream = false;  // create `stream` when it does not exist
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds ack_timeout{5000};                // per batch
  std::chrono::milliseconds duplicate_window{2 * 60 * 1000};  // of a stream it creates
  std::chrono::milliseconds max_reconnect_delay{30 * 1000};   // backoff after failures
};

/// The message id a record is published with: "<record id>:<seq>" (just the seq when the
/// JSON has no top-level "id"). Exposed for tests.
std::string nats_message_id(const OutboxRecord& record);

/// Publishes records to NATS JetStream.
class NatsSink final : public Sink {
 public:
  explicit NatsSink(NatsSinkOptions options);
  ~NatsSink() override;
  NatsSink(const NatsSink&) = delete;
  NatsSink& operator=(const NatsSink&) = delete;

  const std::string& name() const override { return name_; }
  WriteResult open(std::optional<std::int64_t> stored_cursor) override;
  WriteResult write(std::span<const OutboxRecord* const> records) override;
  WriteResult flush() override;

 private:
  struct Acks;
  struct Connection;
  WriteResult connect();
  void disconnect();
  WriteResult failed(WriteStatus status, const std::string& what);

  NatsSinkOptions options_;
  std::string name_;
  std::string where_;                       // "nats:SUBJECT at URL": the prefix of every error
  std::unique_ptr<Acks> acks_;              // outlives every connection whose thread reports
  std::unique_ptr<Connection> connection_;  // into it (declared after: destroyed first)
  std::optional<std::int64_t> durable_through_;
  std::string last_error_;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds reconnect_delay_{0};
};

}  // namespace wirewatch::sinks
