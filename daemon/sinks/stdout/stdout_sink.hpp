// The stdout sink: NDJSON on standard output, for `wirewatch once | jq` and containers.
#pragma once

#include <cstdio>

#include "sinks/sink.hpp"

namespace wirewatch::sinks {

/// Writes each record as one line to a stdio stream (stdout unless a test passes another).
class StdoutSink final : public Sink {
 public:
  explicit StdoutSink(std::FILE* stream = stdout);

  const std::string& name() const override { return name_; }
  WriteResult open(std::optional<std::int64_t> stored_cursor) override;
  WriteResult write(std::span<const OutboxRecord* const> records) override;
  WriteResult flush() override;

 private:
  std::FILE* stream_;
  std::string name_ = "stdout";
  std::optional<std::int64_t> written_through_;
};

}  // namespace wirewatch::sinks
