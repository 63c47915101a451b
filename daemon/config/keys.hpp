// The key tables: every config key with its type, default and meaning (Fluent Bit style).
// The same tables drive validation in the loader and generate docs/config.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::config {

/// What a key's value must look like.
enum class ValueType {
  string,        // any scalar
  path,          // a file system path; relative ones resolve against the config's directory
  url,           // an absolute URL
  duration,      // "90s", "15m", "1h30m"
  size,          // "20MiB", or a number of bytes
  integer,       // a whole number
  boolean,       // true or false
  string_list,   // [a, b]
  string_map,    // {name: value}
  number_map,    // {name: 0.5}
  label_filter,  // any, all, or [label, …]
  choice,        // one of KeySpec::choices
  mapping,       // a nested section
  mapping_list,  // a list of nested sections (feeds, sinks)
};

/// How a type is named in docs and messages: "duration", "list of strings", ….
std::string_view to_string(ValueType type);

/// One documented key.
struct KeySpec {
  std::string_view name;
  ValueType type = ValueType::string;
  std::string_view default_value;  // as written in YAML; empty: none (see required)
  bool required = false;
  std::string_view description;  // one or two sentences
  std::string_view choices;      // for choice: "batch|interval|none"
};

/// One section of the file and its keys.
struct SectionSpec {
  std::string_view path;         // "", "defaults", "feeds[]", "sinks[] (type: nats)"
  std::string_view description;  // what the section is for
  std::vector<KeySpec> keys;
};

/// Every section, top level first, in the order docs/config.md shows them.
const std::vector<SectionSpec>& key_sections();

/// The key tables as Markdown (one table per section), exactly the generated part of
/// docs/config.md.
std::string keys_markdown();

}  // namespace wirewatch::config
