#include "sinks/sink.hpp"

#include <algorithm>

namespace wirewatch::sinks {

bool LabelFilter::accepts(const std::vector<std::string>& record_labels) const {
  auto has = [&](const std::string& label) {
    return std::find(record_labels.begin(), record_labels.end(), label) != record_labels.end();
  };
  switch (mode) {
    case Mode::every:
      return true;
    case Mode::any:
      return !record_labels.empty();
    case Mode::all:
      return !labels.empty() && std::all_of(labels.begin(), labels.end(), has);
    case Mode::listed:
      return std::any_of(labels.begin(), labels.end(), has);
  }
  return true;
}

WriteResult write_filtered(Sink& sink, const LabelFilter& filter,
                           std::span<const OutboxRecord> records) {
  if (records.empty()) return {};
  std::vector<const OutboxRecord*> wanted;
  wanted.reserve(records.size());
  for (const auto& record : records) {
    if (filter.accepts(record.labels)) wanted.push_back(&record);
  }
  const std::int64_t last_seq = records.back().seq;
  if (wanted.empty()) return {WriteStatus::ok, last_seq, {}};
  WriteResult result = sink.write(wanted);
  // When everything wanted is durable, the filtered-out records after it are delivered too.
  if (result.status == WriteStatus::ok && result.durable_through &&
      *result.durable_through >= wanted.back()->seq) {
    result.durable_through = last_seq;
  }
  return result;
}

}  // namespace wirewatch::sinks
