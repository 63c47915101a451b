#include "config/reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <mutex>

#include "config/checks.hpp"

namespace wirewatch::config::detail {
namespace {

// Past this many errors a file is not worth reading on: the rest would be noise.
constexpr std::size_t kMaxErrors = 100;

Diagnostic make_diagnostic(const std::string& file, const YAML::Mark& mark, std::string message) {
  Diagnostic diagnostic;
  diagnostic.file = file;
  if (!mark.is_null() && mark.line >= 0) {
    diagnostic.line = mark.line + 1;
    diagnostic.column = mark.column + 1;
  }
  diagnostic.message = std::move(message);
  return diagnostic;
}

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string expected(std::string_view key_path, std::string_view what, const YAML::Node& node) {
  return std::string(key_path) + ": expected " + std::string(what) + ", got " + kind_of(node);
}

bool read_scalar_list(const YAML::Node& node, std::string_view key_path, Context& context,
                      std::vector<std::string>& out) {
  bool ok = true;
  std::size_t index = 0;
  for (const auto& item : node) {
    const std::string item_path = std::string(key_path) + "[" + std::to_string(index++) + "]";
    if (!item.IsScalar() || item.Scalar().empty()) {
      context.error(usable(item.Mark(), node.Mark()),
                    expected(item_path, "a non-empty string", item));
      ok = false;
      continue;
    }
    out.push_back(item.Scalar());
  }
  return ok;
}

template <class Store>
bool read_scalar_map(const YAML::Node& node, std::string_view key_path, Context& context,
                     Store&& store) {
  bool ok = true;
  for (const auto& pair : node) {
    const YAML::Mark key_mark = usable(pair.first.Mark(), node.Mark());
    if (!pair.first.IsScalar() || pair.first.Scalar().empty()) {
      context.error(key_mark, expected(key_path, "names as keys", pair.first));
      ok = false;
      continue;
    }
    const std::string entry_path = join_path(key_path, pair.first.Scalar());
    if (!pair.second.IsScalar()) {
      context.error(usable(pair.second.Mark(), key_mark),
                    expected(entry_path, "a single value", pair.second));
      ok = false;
      continue;
    }
    if (std::string problem = store(pair.first.Scalar(), pair.second.Scalar()); !problem.empty()) {
      context.error(usable(pair.second.Mark(), key_mark), entry_path + ": " + problem);
      ok = false;
    }
  }
  return ok;
}

std::string parse_number(const std::string& text, double& number) {
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, number);
  if (error != std::errc{} || stop != end || !std::isfinite(number)) {
    return "'" + text + "' is not a number";
  }
  return {};
}

}  // namespace

YAML::Node default_node(std::string_view text) {
  static std::mutex mutex;
  static std::map<std::string, YAML::Node, std::less<>> parsed;
  const std::scoped_lock lock(mutex);
  if (const auto found = parsed.find(text); found != parsed.end()) return found->second;
  return parsed.emplace(std::string(text), YAML::Load(std::string(text))).first->second;
}

void Context::error(const YAML::Mark& mark, std::string message) {
  if (errors.size() >= kMaxErrors) {
    truncated = true;
    return;
  }
  errors.push_back(make_diagnostic(file, mark, std::move(message)));
}

void Context::warning(const YAML::Mark& mark, std::string message) {
  if (warnings.size() < kMaxErrors)
    warnings.push_back(make_diagnostic(file, mark, std::move(message)));
}

YAML::Mark usable(const YAML::Mark& mark, const YAML::Mark& fallback) {
  return mark.is_null() || mark.line < 0 ? fallback : mark;
}

std::string join_path(std::string_view section, std::string_view key) {
  if (section.empty()) return std::string(key);
  return std::string(section) + "." + std::string(key);
}

Present collect_keys(const YAML::Node& map, std::string_view path,
                     const std::vector<std::string_view>& names, Context& context,
                     const std::map<std::string_view, std::string>& unknown_notes) {
  Present present;
  for (const auto& pair : map) {
    const YAML::Mark mark = usable(pair.first.Mark(), map.Mark());
    if (!pair.first.IsScalar()) {
      context.error(mark, (path.empty() ? std::string() : std::string(path) + ": ") +
                              "keys must be plain names, got " + kind_of(pair.first));
      continue;
    }
    const std::string& key = pair.first.Scalar();
    const std::string key_path = join_path(path, key);
    if (const auto first = present.marks.find(key); first != present.marks.end()) {
      context.error(mark, key_path + ": duplicate key (first given at line " +
                              std::to_string(first->second.line + 1) + ")");
      continue;
    }
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      std::string message = key_path + ": unknown key";
      if (const auto note = unknown_notes.find(key); note != unknown_notes.end()) {
        message += " " + note->second;
      } else if (const auto suggestion = closest_name(key, names); !suggestion.empty()) {
        message += " (did you mean '" + suggestion + "'?)";
      }
      context.error(mark, message);
      continue;
    }
    present.marks.emplace(key, mark);
    present.values.emplace(key, pair.second);
  }
  return present;
}

bool read_value(const YAML::Node& node, const KeySpec& spec, std::string_view key_path,
                const YAML::Mark& fallback, Context& context, Value& value) {
  // yaml-cpp places an empty value ("interval:") at the next token; the key is clearer.
  value.mark = node.IsNull() ? fallback : usable(node.Mark(), fallback);
  const bool scalar = node.IsScalar();
  if (scalar) value.text = node.Scalar();
  auto fail = [&](std::string message) {
    context.error(value.mark, std::string(key_path) + ": " + std::move(message));
    return false;
  };
  switch (spec.type) {
    case ValueType::string:
    case ValueType::url:
      if (!scalar) return fail("expected a string, got " + kind_of(node));
      return true;
    case ValueType::path:
      if (!scalar || value.text.empty()) return fail("expected a path, got " + kind_of(node));
      value.path = value.text;
      if (value.path.is_relative() && !context.base_dir.empty()) {
        value.path = (context.base_dir / value.path).lexically_normal();
      }
      return true;
    case ValueType::duration: {
      if (!scalar) return fail("expected a duration like 90s, 15m or 6h, got " + kind_of(node));
      auto parsed = parse_duration(value.text);
      if (auto* problem = std::get_if<std::string>(&parsed))
        return fail("bad duration: " + *problem);
      value.duration = std::get<Duration>(parsed);
      return true;
    }
    case ValueType::size: {
      if (!scalar) return fail("expected a size like 20MiB, got " + kind_of(node));
      auto parsed = parse_size(value.text);
      if (auto* problem = std::get_if<std::string>(&parsed)) return fail("bad size: " + *problem);
      value.number = std::get<std::uint64_t>(parsed);
      return true;
    }
    case ValueType::integer: {
      const char* begin = value.text.data();
      const char* end = begin + value.text.size();
      const auto [stop, error] = std::from_chars(begin, end, value.number);
      if (!scalar || value.text.empty() || error != std::errc{} || stop != end) {
        return fail("expected a whole number, got " + kind_of(node));
      }
      return true;
    }
    case ValueType::boolean:
      if (scalar && (value.text == "true" || value.text == "True" || value.text == "TRUE")) {
        value.flag = true;
        return true;
      }
      if (scalar && (value.text == "false" || value.text == "False" || value.text == "FALSE")) {
        value.flag = false;
        return true;
      }
      return fail("expected true or false, got " + kind_of(node));
    case ValueType::string_list:
      if (!node.IsSequence()) return fail("expected a list like [a, b], got " + kind_of(node));
      return read_scalar_list(node, key_path, context, value.list);
    case ValueType::string_map:
      if (!node.IsMap()) return fail("expected a mapping of names to values, got " + kind_of(node));
      return read_scalar_map(node, key_path, context,
                             [&](const std::string& key, const std::string& text) {
                               value.strings[key] = text;
                               return std::string();
                             });
    case ValueType::number_map:
      if (!node.IsMap())
        return fail("expected a mapping of names to numbers, got " + kind_of(node));
      return read_scalar_map(node, key_path, context,
                             [&](const std::string& key, const std::string& text) {
                               double number = 0;
                               std::string problem = parse_number(text, number);
                               if (problem.empty()) value.numbers[key] = number;
                               return problem;
                             });
    case ValueType::label_filter:
      if (scalar && value.text == "any") {
        value.labels.mode = LabelSelection::Mode::any;
        return true;
      }
      if (scalar && value.text == "all") {
        value.labels.mode = LabelSelection::Mode::all;
        return true;
      }
      if (!node.IsSequence())
        return fail("expected any, all or a list of labels, got " + kind_of(node));
      value.labels.mode = LabelSelection::Mode::listed;
      if (node.size() == 0)
        return fail("an empty list would let no record through; leave labels out for every record");
      return read_scalar_list(node, key_path, context, value.labels.labels);
    case ValueType::choice: {
      const std::string choices = choices_text(spec.choices);
      if (!scalar) return fail("expected one of " + choices + ", got " + kind_of(node));
      std::string_view rest = spec.choices;
      while (!rest.empty()) {
        const auto bar = rest.find('|');
        if (rest.substr(0, bar) == value.text) return true;
        rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
      }
      return fail("'" + value.text + "' is not one of " + choices);
    }
    case ValueType::mapping:  // an empty section ("metrics:") means all its defaults
      if (!node.IsMap() && !node.IsNull()) return fail("expected a mapping, got " + kind_of(node));
      return true;
    case ValueType::mapping_list:
      if (!node.IsSequence()) return fail("expected a list, got " + kind_of(node));
      return true;
  }
  return fail("unsupported type");
}

}  // namespace wirewatch::config::detail
