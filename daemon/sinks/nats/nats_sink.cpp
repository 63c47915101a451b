#include "sinks/nats/nats_sink.hpp"

#include <nats/nats.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace wirewatch::sinks {
namespace {

constexpr const char* kMessageIdHeader = "Nats-Msg-Id";

/// The status's text; with_detail adds the library's last error (what connect saw).
std::string status_text(natsStatus status, bool with_detail = false) {
  std::string text = natsStatus_GetText(status);
  natsStatus last = NATS_OK;
  const char* last_error = with_detail ? nats_GetLastError(&last) : nullptr;
  std::string_view detail = last_error ? last_error : "";
  // cnats prefixes its own source location: "(conn.c:2088): No server available…".
  if (detail.starts_with('(')) {
    if (const auto end = detail.find("): "); end != std::string_view::npos) {
      detail.remove_prefix(end + 3);
    }
  }
  if (!detail.empty() && detail != text) {
    text += " (";
    text += detail;
    text += ")";
  }
  return text;
}

std::string api_error_text(natsStatus status, jsErrCode code) {
  std::string text = status_text(status);
  if (code != 0) text += " [JetStream error " + std::to_string(static_cast<int>(code)) + "]";
  return text;
}

/// The seq after the last ':' of a message id, or nullopt.
std::optional<std::int64_t> seq_of_message_id(std::string_view id) {
  const auto colon = id.rfind(':');
  if (colon != std::string_view::npos) id.remove_prefix(colon + 1);
  std::int64_t seq = 0;
  const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), seq);
  if (error != std::errc() || end != id.data() + id.size()) return std::nullopt;
  return seq;
}

/// True when the subject pattern (with * and > wildcards) matches the plain subject.
bool subject_matches(std::string_view pattern, std::string_view subject) {
  while (true) {
    const auto pattern_end = pattern.find('.');
    const auto subject_end = subject.find('.');
    const std::string_view token = pattern.substr(0, pattern_end);
    if (token == ">") return !subject.empty();
    if (subject.empty()) return false;
    if (token != "*" && token != subject.substr(0, subject_end)) return false;
    if (pattern_end == std::string_view::npos || subject_end == std::string_view::npos) {
      return pattern_end == std::string_view::npos && subject_end == std::string_view::npos;
    }
    pattern.remove_prefix(pattern_end + 1);
    subject.remove_prefix(subject_end + 1);
  }
}

std::int64_t milliseconds(std::chrono::milliseconds duration) {
  return duration.count();
}

}  // namespace

std::string nats_message_id(const OutboxRecord& record) {
  // The record's JSON starts {"v":1,"seq":N,"id":"…" (with or without spaces): the first "id"
  // key is the record's (the feed's own "id" comes later). Quotes inside strings are escaped,
  // so this cannot match inside a title.
  const std::string_view json = record.json;
  constexpr std::string_view key = "\"id\":";
  if (auto at = json.find(key); at != std::string_view::npos) {
    at += key.size();
    while (at < json.size() && json[at] == ' ') ++at;
    if (at < json.size() && json[at] == '"') {
      const auto start = at + 1;
      if (const auto end = json.find('"', start); end != std::string_view::npos && end > start) {
        return std::string(json.substr(start, end - start)) + ":" + std::to_string(record.seq);
      }
    }
  }
  return std::to_string(record.seq);
}

/// What the acknowledgments of the batch under way said: written by cnats' delivery thread,
/// read after js_PublishAsyncComplete. Owned by the sink, not the connection, so a late
/// acknowledgment of a connection being torn down never lands in freed memory.
struct NatsSink::Acks {
  std::mutex mutex;
  std::unordered_set<std::int64_t> acked;
  std::optional<std::int64_t> failed_seq;  // the lowest seq JetStream refused
  std::string failure;
  bool permanent = false;
  bool no_responders = false;  // no stream took the message

  void reset() {
    std::lock_guard lock(mutex);
    acked.clear();
    failed_seq.reset();
    failure.clear();
    permanent = false;
    no_responders = false;
  }

  static void on_ack(jsCtx*, natsMsg* message, jsPubAck* ack, jsPubAckErr* refusal, void* closure) {
    auto& self = *static_cast<Acks*>(closure);
    const char* id = nullptr;
    std::optional<std::int64_t> seq;
    if (natsMsgHeader_Get(message, kMessageIdHeader, &id) == NATS_OK && id) {
      seq = seq_of_message_id(id);
    }
    if (seq) {
      std::lock_guard lock(self.mutex);
      if (ack) {
        self.acked.insert(*seq);  // a duplicate is acknowledged too: it is stored already
      } else if (refusal && (!self.failed_seq || *seq < *self.failed_seq)) {
        self.failed_seq = seq;
        self.failure = refusal->ErrText && *refusal->ErrText ? refusal->ErrText
                                                             : natsStatus_GetText(refusal->Err);
        if (refusal->ErrCode != 0) {
          self.failure +=
              " [JetStream error " + std::to_string(static_cast<int>(refusal->ErrCode)) + "]";
        }
        // Stored by a stream other than the configured one: the stream's subjects overlap
        // another's, which no retry fixes.
        self.permanent = refusal->ErrCode == JSStreamNotMatchErr;
        self.no_responders = refusal->Err == NATS_NO_RESPONDERS;
      }
    }
    natsMsg_Destroy(message);
  }
};

/// A live connection and its JetStream context.
struct NatsSink::Connection {
  natsConnection* connection = nullptr;
  jsCtx* jetstream = nullptr;

  ~Connection() {
    if (jetstream) jsCtx_Destroy(jetstream);
    if (connection) {
      natsConnection_Close(connection);
      natsConnection_Destroy(connection);
    }
  }
};

NatsSink::NatsSink(NatsSinkOptions options)
    : options_(std::move(options)),
      name_("nats:" + options_.subject),
      acks_(std::make_unique<Acks>()) {
  if (options_.url.empty()) options_.url = "nats://127.0.0.1:4222";
  where_ = name_ + " at " + options_.url;
}

NatsSink::~NatsSink() = default;

WriteResult NatsSink::failed(WriteStatus status, const std::string& what) {
  last_error_ = where_ + ": " + what;
  if (status == WriteStatus::retry) {
    disconnect();
    reconnect_delay_ = std::clamp(reconnect_delay_ * 2, std::chrono::milliseconds(500),
                                  options_.max_reconnect_delay);
    next_attempt_ = std::chrono::steady_clock::now() + reconnect_delay_;
  }
  return {status, durable_through_, last_error_};
}

void NatsSink::disconnect() {
  connection_.reset();
}

WriteResult NatsSink::connect() {
  auto connection = std::make_unique<Connection>();
  natsOptions* nats_options = nullptr;
  natsStatus status = natsOptions_Create(&nats_options);
  if (status == NATS_OK) status = natsOptions_SetURL(nats_options, options_.url.c_str());
  if (status == NATS_OK) {
    status = natsOptions_SetTimeout(nats_options, milliseconds(options_.connect_timeout));
  }
  // No reconnecting behind the sink's back: a lost connection fails the batch (retry), and
  // the next write connects again and checks the stream again.
  if (status == NATS_OK) status = natsOptions_SetAllowReconnect(nats_options, false);
  if (status == NATS_OK) status = natsOptions_SetName(nats_options, "wirewatch");
  if (status == NATS_OK) status = natsConnection_Connect(&connection->connection, nats_options);
  natsOptions_Destroy(nats_options);
  if (status != NATS_OK) {
    return failed(WriteStatus::retry, "cannot connect: " + status_text(status, true));
  }

  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = milliseconds(options_.ack_timeout);
  js_options.PublishAsync.AckHandler = &Acks::on_ack;
  js_options.PublishAsync.AckHandlerClosure = acks_.get();
  status = natsConnection_JetStream(&connection->jetstream, connection->connection, &js_options);
  if (status != NATS_OK) {
    return failed(WriteStatus::retry, "cannot start JetStream: " + status_text(status));
  }

  if (!options_.stream.empty()) {
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    status =
        js_GetStreamInfo(&info, connection->jetstream, options_.stream.c_str(), nullptr, &code);
    if (status == NATS_NOT_FOUND && options_.create_stream) {
      jsStreamConfig config;
      jsStreamConfig_Init(&config);
      config.Name = options_.stream.c_str();
      const char* subjects[] = {options_.subject.c_str()};
      config.Subjects = subjects;
      config.SubjectsLen = 1;
      config.Storage = js_FileStorage;
      config.Duplicates =
          std::chrono::duration_cast<std::chrono::nanoseconds>(options_.duplicate_window).count();
      code = static_cast<jsErrCode>(0);
      status = js_AddStream(&info, connection->jetstream, &config, nullptr, &code);
      if (status != NATS_OK && code == JSStreamNameExistErr) {  // created meanwhile
        code = static_cast<jsErrCode>(0);
        status =
            js_GetStreamInfo(&info, connection->jetstream, options_.stream.c_str(), nullptr, &code);
      } else if (status != NATS_OK) {
        const bool temporary =
            code == 0 || code == JSInsufficientResourcesErr || code == JSClusterNotAvailErr;
        return failed(temporary ? WriteStatus::retry : WriteStatus::error,
                      "cannot create stream " + options_.stream + " for subject " +
                          options_.subject + ": " + api_error_text(status, code));
      }
    }
    if (status == NATS_NOT_FOUND) {
      return failed(WriteStatus::error, "stream " + options_.stream +
                                            " does not exist (set create_stream: true to have "
                                            "it created)");
    }
    if (status == NATS_INVALID_ARG) {
      return failed(WriteStatus::error,
                    "stream name '" + options_.stream + "' is invalid: " + status_text(status));
    }
    if (code == JSNotEnabledErr || code == JSNotEnabledForAccountErr) {
      return failed(WriteStatus::error,
                    "JetStream is not enabled on the server: " + api_error_text(status, code));
    }
    if (status != NATS_OK) {
      return failed(WriteStatus::retry, "cannot look up stream " + options_.stream + ": " +
                                            api_error_text(status, code));
    }
    bool captured = false;
    std::string listed;
    if (info && info->Config) {
      for (int i = 0; i < info->Config->SubjectsLen; ++i) {
        const std::string_view pattern = info->Config->Subjects[i];
        captured = captured || subject_matches(pattern, options_.subject);
        listed += (listed.empty() ? "" : ", ") + std::string(pattern);
      }
    }
    jsStreamInfo_Destroy(info);
    if (!captured) {
      return failed(WriteStatus::error, "stream " + options_.stream + " does not capture subject " +
                                            options_.subject + " (its subjects: " + listed + ")");
    }
  }
  connection_ = std::move(connection);
  reconnect_delay_ = std::chrono::milliseconds(0);
  return {WriteStatus::ok, durable_through_, {}};
}

WriteResult NatsSink::open(std::optional<std::int64_t> stored_cursor) {
  durable_through_ = stored_cursor;
  last_error_.clear();
  const WriteResult connected = connect();
  // A server that is away now is not a reason to refuse to start: the records wait in the
  // outbox and every write tries again. A configuration that cannot work is.
  if (connected.status == WriteStatus::error) return connected;
  return {WriteStatus::ok, durable_through_, {}};
}

WriteResult NatsSink::write(std::span<const OutboxRecord* const> records) {
  if (records.empty()) return {WriteStatus::ok, durable_through_, {}};
  if (!connection_) {
    if (std::chrono::steady_clock::now() < next_attempt_) {
      return {WriteStatus::retry, durable_through_, last_error_};
    }
    if (WriteResult connected = connect(); connected.status != WriteStatus::ok) return connected;
  }
  Connection& connection = *connection_;
  Acks& acks = *acks_;
  acks.reset();

  jsPubOptions publish_options;
  jsPubOptions_Init(&publish_options);
  if (!options_.stream.empty()) publish_options.ExpectStream = options_.stream.c_str();
  std::size_t sent = 0;
  natsStatus status = NATS_OK;
  for (const OutboxRecord* record : records) {
    natsMsg* message = nullptr;
    status = natsMsg_Create(&message, options_.subject.c_str(), nullptr, record->json.data(),
                            static_cast<int>(record->json.size()));
    if (status == NATS_OK) {
      status = natsMsgHeader_Set(message, kMessageIdHeader, nats_message_id(*record).c_str());
    }
    if (status == NATS_OK) {
      status = js_PublishMsgAsync(connection.jetstream, &message, &publish_options);
    }
    natsMsg_Destroy(message);  // no-op when the library took it
    if (status != NATS_OK) break;
    ++sent;
  }

  jsPubOptions complete_options;
  jsPubOptions_Init(&complete_options);
  complete_options.MaxWait = milliseconds(options_.ack_timeout);
  const natsStatus completed = js_PublishAsyncComplete(connection.jetstream, &complete_options);
  if (completed != NATS_OK) {
    // Unacknowledged messages are dropped; the batch is sent again (and deduplicated).
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, connection.jetstream) == NATS_OK) {
      natsMsgList_Destroy(&pending);
    }
  }

  // Durable: the records acknowledged without a gap, from the first one on.
  std::optional<std::int64_t> durable = durable_through_;
  std::size_t acknowledged = 0;
  std::string failure;
  bool permanent = false;
  bool no_responders = status == NATS_NO_RESPONDERS || completed == NATS_NO_RESPONDERS;
  {
    std::lock_guard lock(acks.mutex);
    for (std::size_t i = 0; i < sent && acks.acked.contains(records[i]->seq); ++i) {
      durable = std::max(durable.value_or(0), records[i]->seq);
      ++acknowledged;
    }
    if (acks.failed_seq) {
      failure =
          "JetStream refused record seq " + std::to_string(*acks.failed_seq) + ": " + acks.failure;
      permanent = acks.permanent;
      no_responders = no_responders || acks.no_responders;
    }
  }
  durable_through_ = durable;
  if (acknowledged == records.size()) {
    last_error_.clear();
    return {WriteStatus::ok, durable_through_, {}};
  }

  if (status == NATS_MAX_PAYLOAD) {
    return failed(WriteStatus::error, "record seq " + std::to_string(records[sent]->seq) + " (" +
                                          std::to_string(records[sent]->json.size()) +
                                          " bytes) is larger than the server's max_payload");
  }
  if (no_responders) {
    // Without a stream to check, nothing will ever take the messages; with one, it may have
    // been deleted: the next write connects again and checks (or creates) it.
    return failed(options_.stream.empty() ? WriteStatus::error : WriteStatus::retry,
                  "no JetStream stream captures subject " + options_.subject);
  }
  if (!failure.empty()) {
    return failed(permanent ? WriteStatus::error : WriteStatus::retry, failure);
  }
  if (status != NATS_OK) {
    return failed(WriteStatus::retry, "cannot publish: " + status_text(status));
  }
  return failed(WriteStatus::retry, "not acknowledged within " +
                                        std::to_string(milliseconds(options_.ack_timeout)) +
                                        " ms: " + status_text(completed));
}

WriteResult NatsSink::flush() {
  // Every write waits for its acknowledgments: nothing is pending between writes.
  return {WriteStatus::ok, durable_through_, {}};
}

}  // namespace wirewatch::sinks
