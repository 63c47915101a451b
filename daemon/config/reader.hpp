// Internal: reads YAML mappings against key tables, collecting every error with its position.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/keys.hpp"

namespace wirewatch::config::detail {

/// The diagnostics of one load, and what paths resolve against.
struct Context {
  std::string file;
  std::filesystem::path base_dir;
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;
  bool truncated = false;  // errors past the limit were dropped

  /// Records an error at mark (0-based, as yaml-cpp gives it); stops recording past a limit.
  void error(const YAML::Mark& mark, std::string message);
  /// Records a warning at mark.
  void warning(const YAML::Mark& mark, std::string message);
};

/// A key's value after type checking; which member is set depends on the key's ValueType.
struct Value {
  YAML::Mark mark;
  std::string text;  // string, url, choice, and the scalar form of the others
  std::filesystem::path path;
  Duration duration{};
  std::uint64_t number = 0;  // size, integer
  bool flag = false;
  std::vector<std::string> list;
  std::map<std::string, std::string> strings;
  std::map<std::string, double> numbers;
  LabelSelection labels;
};

/// A key of a Section: its documentation and how a checked value is stored. apply returns ""
/// or a message saying why the value is not acceptable; null for nested sections.
template <class Section>
struct Binding {
  KeySpec spec;
  std::string (*apply)(Section&, const Value&) = nullptr;
};

/// The keys present in a mapping, by name: their value nodes and key marks.
struct Present {
  std::map<std::string, YAML::Node, std::less<>> values;
  std::map<std::string, YAML::Mark, std::less<>> marks;
};

/// A mark usable in a message: mark itself, or fallback when yaml-cpp gave none.
YAML::Mark usable(const YAML::Mark& mark, const YAML::Mark& fallback);

/// "feeds[2].interval" from "feeds[2]" and "interval".
std::string join_path(std::string_view section, std::string_view key);

/// Collects the keys of map: reports non-scalar and duplicate keys, and keys not in names
/// (with a "did you mean" for near misses; `unknown_note` explains where the key would fit).
Present collect_keys(const YAML::Node& map, std::string_view path,
                     const std::vector<std::string_view>& names, Context& context,
                     const std::map<std::string_view, std::string>& unknown_notes = {});

/// Type-checks node against spec; reports and returns false when it does not fit.
bool read_value(const YAML::Node& node, const KeySpec& spec, std::string_view key_path,
                const YAML::Mark& fallback, Context& context, Value& value);

/// The names of bindings, for collect_keys.
template <class Section>
std::vector<std::string_view> names_of(const std::vector<Binding<Section>>& bindings) {
  std::vector<std::string_view> names;
  for (const auto& binding : bindings) names.push_back(binding.spec.name);
  return names;
}

/// Applies the literal defaults of bindings to section (defaults in parentheses are computed
/// by the loader and skipped). The defaults are part of the program, so they always parse.
/// A key's documented default as a YAML node, parsed once per text (every feed applies the
/// same defaults: parsing them per feed made a 10,000-feed config take ~0.2 s longer to load).
YAML::Node default_node(std::string_view text);

template <class Section>
void apply_defaults(const std::vector<Binding<Section>>& bindings, Section& section) {
  for (const auto& binding : bindings) {
    const auto& spec = binding.spec;
    if (!binding.apply || spec.default_value.empty() || spec.default_value.front() == '(') {
      continue;
    }
    Context scratch;
    Value value;
    if (read_value(default_node(spec.default_value), spec, spec.name, {}, scratch, value)) {
      binding.apply(section, value);
    }
  }
}

/// Reads the keys of map that bindings know into section (defaults first), reporting every
/// problem; nested sections are type-checked, then left to the caller through the returned
/// Present.
template <class Section>
Present read_section(const YAML::Node& map, std::string_view path,
                     const std::vector<Binding<Section>>& bindings, Section& section,
                     Context& context,
                     const std::map<std::string_view, std::string>& unknown_notes = {}) {
  apply_defaults(bindings, section);
  Present present = collect_keys(map, path, names_of(bindings), context, unknown_notes);
  for (const auto& binding : bindings) {
    const auto& spec = binding.spec;
    const auto found = present.values.find(spec.name);
    if (found == present.values.end()) {
      if (spec.required) {
        context.error(map.Mark(), (path.empty() ? std::string() : std::string(path) + ": ") +
                                      "missing required key '" + std::string(spec.name) + "'");
      }
      continue;
    }
    const std::string key_path = join_path(path, spec.name);
    Value value;
    if (!read_value(found->second, spec, key_path, present.marks.find(spec.name)->second, context,
                    value) ||
        !binding.apply) {
      continue;
    }
    if (std::string problem = binding.apply(section, value); !problem.empty()) {
      context.error(value.mark, key_path + ": " + problem);
    }
  }
  return present;
}

}  // namespace wirewatch::config::detail
