// The configured sinks, each with its filter and its cursor in the store: delivery from the
// outbox to every sink, advancing each cursor only as far as that sink is durable.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "sinks/sink.hpp"
#include "store/store.hpp"

namespace wirewatch::pipeline {

/// One live sink and where it stands.
struct SinkSlot {
  std::string name;  // the cursor's name in the store
  std::unique_ptr<sinks::Sink> sink;
  sinks::LabelFilter filter;
  bool durable_cursor = true;        // false for the socket: live output, no cursor in the store
  std::int64_t written_through = 0;  // handed to the sink
  std::int64_t durable_through = 0;  // the sink says durable; the store cursor follows
  bool failed = false;               // a permanent error stopped it
  std::string last_error;
};

/// Saves a sink's durable position: (cursor name, seq). SinkSet calls it only with a seq the
/// sink has made durable, in increasing order per sink.
using CursorWriter = std::function<void(const std::string& name, std::int64_t seq)>;

/// Builds and drives the sinks of a config.
class SinkSet {
 public:
  /// inherited_socket: a listening socket from systemd for the first socket sink, or -1.
  /// write_cursor: where the cursors go as sinks become durable during delivery (the engine
  /// queues them behind its commits); empty: straight into the store.
  SinkSet(boost::asio::io_context& io, store::Store& store, int inherited_socket = -1,
          CursorWriter write_cursor = {});

  /// Creates and opens every configured sink; returns every error, one line each.
  std::vector<std::string> open(const std::vector<config::SinkConfig>& configs,
                                const std::vector<std::string>& classifier_labels);

  /// Hands every sink the outbox records after its position, page by page, and advances the
  /// cursors. Returns how many records the slowest sink still lags behind (0 when caught up).
  /// fresh: the records the last commit appended (the outbox's tail, in seq order); a sink
  /// positioned right before them gets them from memory instead of reading them back.
  /// head: the outbox's last seq as of that commit, when the caller knows it (the engine may
  /// already be committing the next batch); otherwise the store is asked.
  std::int64_t deliver(std::span<const sinks::OutboxRecord> fresh = {},
                       std::optional<std::int64_t> head = {});

  /// Makes everything written durable (interval fsync) and advances cursors.
  void flush();

  /// Stops every sink (closes the socket).
  void close();

  const std::vector<SinkSlot>& slots() const { return slots_; }

 private:
  std::unique_ptr<sinks::Sink> make_sink(const config::SinkConfig& config,
                                         const sinks::LabelFilter& filter);
  void advance(SinkSlot& slot, const sinks::WriteResult& result);

  boost::asio::io_context& io_;
  store::Store& store_;
  std::vector<SinkSlot> slots_;
  int inherited_socket_ = -1;
  CursorWriter write_cursor_;
};

/// The sinks' label filter for a config selection.
sinks::LabelFilter to_filter(const config::LabelSelection& selection,
                             const std::vector<std::string>& classifier_labels);

}  // namespace wirewatch::pipeline
