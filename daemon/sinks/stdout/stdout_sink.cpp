#include "sinks/stdout/stdout_sink.hpp"

#include <cerrno>
#include <cstring>

namespace wirewatch::sinks {

StdoutSink::StdoutSink(std::FILE* stream) : stream_(stream) {}

WriteResult StdoutSink::open(std::optional<std::int64_t> stored_cursor) {
  written_through_ = stored_cursor;
  return {WriteStatus::ok, stored_cursor, {}};
}

WriteResult StdoutSink::write(std::span<const OutboxRecord* const> records) {
  for (const OutboxRecord* record : records) {
    if (std::fwrite(record->json.data(), 1, record->json.size(), stream_) != record->json.size() ||
        std::fputc('\n', stream_) == EOF) {
      // A closed pipe (the reader went away) will not come back: that is permanent.
      const bool gone = errno == EPIPE;
      return {gone ? WriteStatus::error : WriteStatus::retry, written_through_,
              std::string("stdout: ") + std::strerror(errno)};
    }
    written_through_ = record->seq;
  }
  return flush();
}

WriteResult StdoutSink::flush() {
  if (std::fflush(stream_) != 0) {
    return {errno == EPIPE ? WriteStatus::error : WriteStatus::retry, std::nullopt,
            std::string("stdout: ") + std::strerror(errno)};
  }
  return {WriteStatus::ok, written_through_, {}};
}

}  // namespace wirewatch::sinks
