#include "config/keys.hpp"

#include "config/tables.hpp"

namespace wirewatch::config {
namespace {

template <class Section>
std::vector<KeySpec> specs(const std::vector<detail::Binding<Section>>& bindings) {
  std::vector<KeySpec> keys;
  for (const auto& binding : bindings) keys.push_back(binding.spec);
  return keys;
}

std::string type_text(const KeySpec& key) {
  if (key.type != ValueType::choice) return std::string(to_string(key.type));
  std::string text = "one of ";
  std::string_view rest = key.choices;
  while (!rest.empty()) {
    const auto bar = rest.find('|');
    if (text.size() > 7) text += ", ";
    text += "`" + std::string(rest.substr(0, bar)) + "`";
    rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
  }
  return text;
}

std::string default_text(const KeySpec& key) {
  if (key.required) return "required";
  if (key.default_value.empty()) return "—";
  if (key.default_value.front() == '(') {
    return std::string(key.default_value.substr(1, key.default_value.size() - 2));
  }
  return "`" + std::string(key.default_value) + "`";
}

}  // namespace

std::string_view to_string(ValueType type) {
  switch (type) {
    case ValueType::string:
      return "string";
    case ValueType::path:
      return "path";
    case ValueType::url:
      return "URL";
    case ValueType::duration:
      return "duration";
    case ValueType::size:
      return "size";
    case ValueType::integer:
      return "integer";
    case ValueType::boolean:
      return "boolean";
    case ValueType::string_list:
      return "list of strings";
    case ValueType::string_map:
      return "map of strings";
    case ValueType::number_map:
      return "map of numbers";
    case ValueType::label_filter:
      return "labels";
    case ValueType::choice:
      return "choice";
    case ValueType::mapping:
      return "section";
    case ValueType::mapping_list:
      return "list of sections";
  }
  return "value";
}

std::string_view to_string(SinkType type) {
  switch (type) {
    case SinkType::directory:
      return "directory";
    case SinkType::socket:
      return "socket";
    case SinkType::stdout:
      return "stdout";
    case SinkType::nats:
      return "nats";
  }
  return "stdout";
}

const std::vector<SectionSpec>& key_sections() {
  using namespace detail;
  static const std::vector<SectionSpec> sections{
      {"", "The top level of the file.", specs(top_level_bindings())},
      {"defaults", "Fetch settings for every feed.", specs(defaults_bindings())},
      {"feeds[]", "One item per feed. Only `url` is required.", specs(feed_bindings())},
      {"classifier", "The labeling rules.", specs(classifier_bindings())},
      {"sinks[]",
       "One item per sink; every record goes to every sink that wants it. Each sink is a cursor "
       "over the store's outbox, so a sink that was down catches up. Keys for every type:",
       specs(sink_common_bindings())},
      {"sinks[] (type: directory)", "Append-only NDJSON files that `tail -F` can follow.",
       specs(sink_type_bindings(SinkType::directory))},
      {"sinks[] (type: socket)",
       "A Unix stream socket serving NDJSON; `wirewatch tail` is its client.",
       specs(sink_type_bindings(SinkType::socket))},
      {"sinks[] (type: stdout)", "Records on standard output; no keys of its own.",
       specs(sink_type_bindings(SinkType::stdout))},
      {"sinks[] (type: nats)",
       "NATS JetStream publish, one message per record, deduplicated by its message id "
       "(record id and seq; see docs/sinks.md).",
       specs(sink_type_bindings(SinkType::nats))},
      {"metrics", "Prometheus text metrics.", specs(metrics_bindings())},
      {"store", "Retention in the SQLite store under state_dir.", specs(store_bindings())},
  };
  return sections;
}

std::string keys_markdown() {
  std::string text;
  for (const auto& section : key_sections()) {
    text += "### ";
    text += section.path.empty() ? std::string("Top level") : "`" + std::string(section.path) + "`";
    text += "\n\n";
    text += section.description;
    text += "\n\n";
    if (section.keys.empty()) continue;
    text += "| Key | Type | Default | Meaning |\n|---|---|---|---|\n";
    for (const auto& key : section.keys) {
      text += "| `" + std::string(key.name) + "` | " + type_text(key) + " | " + default_text(key) +
              " | " + std::string(key.description) + " |\n";
    }
    text += "\n";
  }
  return text;
}

}  // namespace wirewatch::config
