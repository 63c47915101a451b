#include "pipeline/sink_set.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "sinks/directory/directory_sink.hpp"
#include "sinks/nats/nats_sink.hpp"
#include "sinks/socket/socket_sink.hpp"
#include "sinks/stdout/stdout_sink.hpp"

namespace wirewatch::pipeline {
namespace {

constexpr std::size_t kPage = 1024;

std::vector<sinks::OutboxRecord> to_outbox_records(std::vector<store::OutboxEntry> entries) {
  std::vector<sinks::OutboxRecord> records;
  records.reserve(entries.size());
  for (auto& entry : entries) {
    records.push_back({entry.seq, std::move(entry.labels), std::move(entry.json)});
  }
  return records;
}

}  // namespace

sinks::LabelFilter to_filter(const config::LabelSelection& selection,
                             const std::vector<std::string>& classifier_labels) {
  using Mode = config::LabelSelection::Mode;
  switch (selection.mode) {
    case Mode::every:
      return {sinks::LabelFilter::Mode::every, {}};
    case Mode::any:
      return {sinks::LabelFilter::Mode::any, {}};
    case Mode::all:
      return {sinks::LabelFilter::Mode::all, classifier_labels};
    case Mode::listed:
      return {sinks::LabelFilter::Mode::listed, selection.labels};
  }
  return {};
}

SinkSet::SinkSet(boost::asio::io_context& io, store::Store& store, int inherited_socket,
                 CursorWriter write_cursor)
    : io_(io),
      store_(store),
      inherited_socket_(inherited_socket),
      write_cursor_(std::move(write_cursor)) {}

std::unique_ptr<sinks::Sink> SinkSet::make_sink(const config::SinkConfig& config,
                                                const sinks::LabelFilter& filter) {
  switch (config.type) {
    case config::SinkType::stdout:
      return std::make_unique<sinks::StdoutSink>();
    case config::SinkType::directory: {
      const auto& settings = std::get<config::DirectorySinkConfig>(config.settings);
      sinks::DirectorySinkOptions options;
      options.path = settings.path;
      options.layout = settings.file_per_record
                           ? sinks::DirectorySinkOptions::Layout::file_per_record
                       : settings.rotate == config::DirectorySinkConfig::Rotate::size
                           ? sinks::DirectorySinkOptions::Layout::size
                           : sinks::DirectorySinkOptions::Layout::daily;
      options.max_segment_bytes = settings.max_size;
      options.fsync = settings.fsync == config::DirectorySinkConfig::Fsync::batch
                          ? sinks::DirectorySinkOptions::Fsync::batch
                      : settings.fsync == config::DirectorySinkConfig::Fsync::interval
                          ? sinks::DirectorySinkOptions::Fsync::interval
                          : sinks::DirectorySinkOptions::Fsync::never;
      options.fsync_interval =
          std::chrono::duration_cast<std::chrono::seconds>(settings.fsync_interval);
      return std::make_unique<sinks::DirectorySink>(std::move(options));
    }
    case config::SinkType::socket: {
      const auto& settings = std::get<config::SocketSinkConfig>(config.settings);
      sinks::SocketSinkOptions options;
      options.path = settings.path;
      options.mode = settings.mode;
      if (settings.queue > 0) options.max_queued_records = settings.queue;
      options.inherited_fd = std::exchange(inherited_socket_, -1);
      auto reader = [this](std::int64_t after, std::size_t limit) {
        auto entries = store_.read_outbox(after, limit);
        if (!entries) {
          spdlog::error("Socket replay could not read the outbox. error=\"{}\"",
                        entries.error().message);
          return std::vector<sinks::OutboxRecord>{};
        }
        return to_outbox_records(std::move(*entries));
      };
      // The socket applies the sink's filter itself too: a client's replay reads the outbox
      // directly, not through write_filtered.
      return std::make_unique<sinks::SocketSink>(io_, std::move(options), std::move(reader),
                                                 filter);
    }
    case config::SinkType::nats: {
      const auto& settings = std::get<config::NatsSinkConfig>(config.settings);
      sinks::NatsSinkOptions options;
      if (!settings.url.empty()) options.url = settings.url;
      options.subject = settings.subject;
      options.stream = settings.stream;
      options.create_stream = settings.create_stream;
      return std::make_unique<sinks::NatsSink>(std::move(options));
    }
  }
  return nullptr;
}

std::vector<std::string> SinkSet::open(const std::vector<config::SinkConfig>& configs,
                                       const std::vector<std::string>& classifier_labels) {
  std::vector<std::string> errors;
  for (const auto& config : configs) {
    SinkSlot slot;
    slot.name = config.name;
    slot.filter = to_filter(config.labels, classifier_labels);
    slot.durable_cursor = config.type != config::SinkType::socket;
    slot.sink = make_sink(config, slot.filter);
    if (!slot.sink) {
      errors.push_back(config.name + ": this sink type is not available in this build");
      continue;
    }
    std::optional<std::int64_t> stored;
    if (slot.durable_cursor) {
      auto cursor = store_.sink_cursor(slot.name);
      if (!cursor) {
        errors.push_back(slot.name + ": " + cursor.error().message);
        continue;
      }
      stored = *cursor;
    } else {
      stored = store_.last_seq();  // live output starts at the head
    }
    const sinks::WriteResult opened = slot.sink->open(stored);
    if (opened.status != sinks::WriteStatus::ok) {
      errors.push_back(opened.error);
      continue;
    }
    slot.written_through = slot.durable_through = opened.durable_through.value_or(0);
    if (slot.durable_cursor && opened.durable_through && *opened.durable_through > *stored) {
      // The sink holds more than its cursor says (a crash before the cursor moved).
      if (*opened.durable_through > store_.last_seq()) {
        errors.push_back(slot.name + ": holds records up to seq " +
                         std::to_string(*opened.durable_through) + " but the store ends at " +
                         std::to_string(store_.last_seq()) +
                         " (was the state directory replaced?)");
        continue;
      }
      store_.advance_sink_cursor(slot.name, *opened.durable_through);
    }
    slots_.push_back(std::move(slot));
  }
  return errors;
}

void SinkSet::advance(SinkSlot& slot, const sinks::WriteResult& result) {
  if (result.durable_through && *result.durable_through > slot.durable_through) {
    slot.durable_through = *result.durable_through;
    if (slot.durable_cursor && write_cursor_) {
      write_cursor_(slot.name, slot.durable_through);
    } else if (slot.durable_cursor) {
      if (auto status = store_.advance_sink_cursor(slot.name, slot.durable_through); !status) {
        spdlog::error("Sink cursor not saved. sink={} error=\"{}\"", slot.name,
                      status.error().message);
      }
    }
  }
  if (result.status == sinks::WriteStatus::error) {
    slot.failed = true;
    spdlog::error("Sink stopped. sink={} error=\"{}\"", slot.name, result.error);
  } else if (result.status == sinks::WriteStatus::retry && result.error != slot.last_error) {
    spdlog::warn("Sink write failed, will retry. sink={} error=\"{}\"", slot.name, result.error);
  }
  slot.last_error = result.error;
}

std::int64_t SinkSet::deliver(std::span<const sinks::OutboxRecord> fresh,
                              std::optional<std::int64_t> known_head) {
  const std::int64_t head = known_head ? *known_head : store_.last_seq();
  const bool fresh_is_tail =
      !fresh.empty() && fresh.back().seq == head &&
      fresh.back().seq - fresh.front().seq + 1 == static_cast<std::int64_t>(fresh.size());
  std::int64_t lag = 0;
  for (auto& slot : slots_) {
    if (slot.failed) continue;
    // Page through the outbox up to `until`; false when the sink asked to stop for now.
    auto from_outbox = [&](std::int64_t until) {
      while (slot.written_through < until) {
        auto entries = store_.read_outbox(slot.written_through, kPage);
        if (!entries) {
          spdlog::error("Outbox read failed. sink={} error=\"{}\"", slot.name,
                        entries.error().message);
          return false;
        }
        if (entries->empty()) {  // pruned or never there: nothing left to hand over
          slot.written_through = head;
          return true;
        }
        const auto records = to_outbox_records(std::move(*entries));
        const sinks::WriteResult result = sinks::write_filtered(*slot.sink, slot.filter, records);
        advance(slot, result);
        if (result.status != sinks::WriteStatus::ok) return false;
        slot.written_through = records.back().seq;
      }
      return true;
    };
    bool going = from_outbox(fresh_is_tail ? fresh.front().seq - 1 : head);
    if (going && fresh_is_tail && slot.written_through == fresh.front().seq - 1) {
      const sinks::WriteResult result = sinks::write_filtered(*slot.sink, slot.filter, fresh);
      advance(slot, result);
      going = result.status == sinks::WriteStatus::ok;
      if (going) slot.written_through = fresh.back().seq;
    }
    if (going) from_outbox(head);
    lag = std::max(lag, head - slot.durable_through);
  }
  return lag;
}

void SinkSet::flush() {
  for (auto& slot : slots_) {
    if (!slot.failed) advance(slot, slot.sink->flush());
  }
}

void SinkSet::close() {
  flush();
  for (auto& slot : slots_) {
    if (auto* socket = dynamic_cast<sinks::SocketSink*>(slot.sink.get())) socket->close();
  }
}

}  // namespace wirewatch::pipeline
