// Rules files → compiled Rules. Every problem is reported as "file:line: why"; none is skipped.
#include "classify/rules.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "classify/text.hpp"

namespace wirewatch::classify {
namespace {

constexpr int kMaxRangeSize = 200;

/// One term as written, before {a-b} expansion.
struct TermSpec {
  std::string text;
  int line = 0;
};

/// A signal and the terms it matches.
struct SignalSpec {
  Signal signal;
  std::vector<TermSpec> first;   // the term, or a proximity signal's first list
  std::vector<TermSpec> second;  // a proximity signal's second list
};

struct LabelSpec {
  Label label;
  std::vector<SignalSpec> signals;
  int line = 0;
};

bool valid_name(const std::string& name, bool allow_dash) {
  if (name.empty() || !(std::islower(static_cast<unsigned char>(name[0])) != 0)) return false;
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (!(std::islower(byte) || std::isdigit(byte) || c == '_' || (allow_dash && c == '-'))) {
      return false;
    }
  }
  return true;
}

/// Expands "COP{15-35}" into COP15 ... COP35; a term without braces is itself.
std::optional<std::vector<std::string>> expand_range(const std::string& text, std::string& why) {
  const auto open = text.find('{');
  const auto close = text.find('}');
  if (open == std::string::npos && close == std::string::npos) return std::vector{text};
  if (open == std::string::npos || close == std::string::npos || close < open ||
      text.find('{', open + 1) != std::string::npos) {
    why = "a term may hold one number range written {FIRST-LAST}";
    return std::nullopt;
  }
  const std::string range = text.substr(open + 1, close - open - 1);
  int first = 0;
  int last = 0;
  char dash = 0;
  char extra = 0;
  if (std::sscanf(range.c_str(), "%d%c%d%c", &first, &dash, &last, &extra) != 3 || dash != '-' ||
      first < 0 || last < first || last - first >= kMaxRangeSize) {
    why = "bad number range {" + range +
          "}: expected {FIRST-LAST} with 0 <= FIRST <= LAST and at most " +
          std::to_string(kMaxRangeSize) + " numbers";
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (int n = first; n <= last; ++n) {
    out.push_back(text.substr(0, open) + std::to_string(n) + text.substr(close + 1));
  }
  return out;
}

/// Parses one file; reports into errors.
class FileParser {
 public:
  FileParser(const RuleSource& source, std::vector<std::string>& errors)
      : source_(source), errors_(errors) {}

  std::optional<LabelSpec> parse() {
    try {
      return parse_document();
    } catch (const YAML::Exception& e) {  // a key that is not a string, and the like
      error_at(e.mark.line, e.msg);
      return std::nullopt;
    }
  }

 private:
  std::optional<LabelSpec> parse_document() {
    YAML::Node root;
    try {
      root = YAML::Load(source_.text);
    } catch (const YAML::ParserException& e) {
      error_at(e.mark.line, "not valid YAML: " + e.msg);
      return std::nullopt;
    }
    if (!root.IsMap()) {
      error(root, "expected a mapping with label, threshold and groups");
      return std::nullopt;
    }
    const std::size_t errors_before = errors_.size();
    LabelSpec spec;
    spec.line = line_of(root);
    spec.label.source = source_.name;
    std::optional<YAML::Node> require;
    bool have_label = false;
    bool have_threshold = false;
    bool have_groups = false;
    for (const auto& entry : root) {
      const std::string key = entry.first.as<std::string>();
      const YAML::Node& value = entry.second;
      if (key == "label") {
        have_label = true;
        if (auto name = scalar(value, "label")) {
          if (valid_name(*name, false)) {
            spec.label.name = *name;
          } else {
            error(value, "label \"" + *name + "\" must be lowercase letters, digits and _");
          }
        }
      } else if (key == "description") {
        if (auto text = scalar(value, "description")) spec.label.description = *text;
      } else if (key == "threshold") {
        have_threshold = true;
        if (auto number = positive(value, "threshold")) spec.label.threshold = *number;
      } else if (key == "fields") {
        parse_fields(value, spec.label);
      } else if (key == "require") {
        require = value;
      } else if (key == "groups") {
        have_groups = true;
        parse_groups(value, spec);
      } else {
        error(entry.first, "unknown key \"" + key +
                               "\" (expected label, description, threshold, fields, require, "
                               "groups)");
      }
    }
    if (!have_label) error(root, "missing \"label\"");
    if (!have_threshold) error(root, "missing \"threshold\"");
    if (!have_groups) error(root, "missing \"groups\"");
    if (require) parse_require(*require, spec.label);
    if (errors_.size() != errors_before) return std::nullopt;
    return spec;
  }

  static int line_of(const YAML::Node& node) { return node.Mark().line; }

  void error_at(int zero_based_line, const std::string& why) {
    if (zero_based_line >= 0) {
      errors_.push_back(source_.name + ":" + std::to_string(zero_based_line + 1) + ": " + why);
    } else {
      errors_.push_back(source_.name + ": " + why);
    }
  }
  void error(const YAML::Node& node, const std::string& why) { error_at(line_of(node), why); }

  std::optional<std::string> scalar(const YAML::Node& node, const std::string& what) {
    if (!node.IsScalar()) {
      error(node, what + " must be a string");
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::optional<double> number(const YAML::Node& node, const std::string& what) {
    double value = 0;
    if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) || !std::isfinite(value)) {
      error(node, what + " must be a number");
      return std::nullopt;
    }
    return value;
  }

  std::optional<double> positive(const YAML::Node& node, const std::string& what) {
    auto value = number(node, what);
    if (value && *value <= 0) {
      error(node, what + " must be greater than 0");
      return std::nullopt;
    }
    return value;
  }

  void parse_fields(const YAML::Node& node, Label& label) {
    if (!node.IsMap()) {
      error(node, "fields must map title, summary and content to weights");
      return;
    }
    for (const auto& entry : node) {
      const std::string key = entry.first.as<std::string>();
      std::size_t index = 0;
      if (key == "title") {
        index = 0;
      } else if (key == "summary") {
        index = 1;
      } else if (key == "content") {
        index = 2;
      } else {
        error(entry.first, "unknown field \"" + key + "\" (expected title, summary, content)");
        continue;
      }
      auto value = number(entry.second, "the weight of " + key);
      if (value && *value < 0) {
        error(entry.second, "the weight of " + key + " must not be negative");
      } else if (value) {
        label.field_weights[index] = *value;
      }
    }
  }

  void parse_groups(const YAML::Node& node, LabelSpec& spec) {
    if (!node.IsMap() || node.size() == 0) {
      error(node, "groups must map group names to {weight, cap, terms}");
      return;
    }
    for (const auto& entry : node) {
      const std::string name = entry.first.as<std::string>();
      if (!valid_name(name, true)) {
        error(entry.first, "group name \"" + name + "\" must be lowercase letters, digits, _ or -");
        continue;
      }
      const auto index = static_cast<std::uint32_t>(spec.label.groups.size());
      spec.label.groups.push_back(Group{name});
      parse_group(entry.second, index, spec);
    }
  }

  void parse_group(const YAML::Node& node, std::uint32_t index, LabelSpec& spec) {
    Group& group = spec.label.groups[index];
    if (!node.IsMap()) {
      error(node, "group \"" + group.name + "\" must be a mapping with weight, cap and terms");
      return;
    }
    double weight = 1;
    std::optional<YAML::Node> terms;
    for (const auto& entry : node) {
      const std::string key = entry.first.as<std::string>();
      if (key == "weight") {
        if (auto value = number(entry.second, "weight")) weight = *value;
      } else if (key == "cap") {
        if (auto value = positive(entry.second, "cap")) group.cap = *value;
      } else if (key == "terms") {
        terms = entry.second;
      } else {
        error(entry.first, "unknown key \"" + key + "\" in group \"" + group.name +
                               "\" (expected weight, cap, terms)");
      }
    }
    if (!terms || !terms->IsSequence() || terms->size() == 0) {
      error(terms ? *terms : node, "group \"" + group.name + "\" needs a non-empty list of terms");
      return;
    }
    for (const auto& item : *terms) {
      if (auto signal = parse_signal(item, weight, index)) spec.signals.push_back(*signal);
    }
  }

  std::optional<SignalSpec> parse_signal(const YAML::Node& node, double weight,
                                         std::uint32_t group) {
    SignalSpec spec;
    spec.signal.weight = weight;
    spec.signal.group = group;
    spec.signal.location = source_.name + ":" + std::to_string(line_of(node) + 1);
    if (node.IsScalar()) {
      if (!add_term(node, spec.first)) return std::nullopt;
      spec.signal.text = node.Scalar();
      return spec;
    }
    if (!node.IsMap()) {
      error(node, "a term is a string, {term: ...} or {near: [[...], [...]], within: N}");
      return std::nullopt;
    }
    bool ok = true;
    bool have_term = false;
    bool have_near = false;
    bool have_within = false;
    for (const auto& entry : node) {
      const std::string key = entry.first.as<std::string>();
      const YAML::Node& value = entry.second;
      if (key == "term") {
        have_term = true;
        ok = add_term(value, spec.first) && ok;
        if (value.IsScalar()) spec.signal.text = value.Scalar();
      } else if (key == "near") {
        have_near = true;
        ok = parse_near(value, spec) && ok;
      } else if (key == "within") {
        have_within = true;
        auto words = number(value, "within");
        if (!words || *words < 0 || *words > 1000 || std::floor(*words) != *words) {
          if (words) error(value, "within must be a whole number of words from 0 to 1000");
          ok = false;
        } else {
          spec.signal.within = static_cast<std::uint32_t>(*words);
        }
      } else if (key == "weight") {
        auto value_weight = number(value, "weight");
        ok = value_weight.has_value() && ok;
        if (value_weight) spec.signal.weight = *value_weight;
      } else if (key == "veto") {
        bool veto = false;
        if (!value.IsScalar() || !YAML::convert<bool>::decode(value, veto)) {
          error(value, "veto must be true or false");
          ok = false;
        }
        spec.signal.veto = veto;
      } else {
        error(entry.first, "unknown key \"" + key +
                               "\" (expected term or near, within, weight, "
                               "veto)");
        ok = false;
      }
    }
    if (have_term == have_near) {
      error(node, "give exactly one of \"term\" and \"near\"");
      return std::nullopt;
    }
    if (have_within && !have_near) {
      error(node, "\"within\" only applies to \"near\"");
      ok = false;
    }
    if (have_near && !have_within) spec.signal.within = 5;
    spec.signal.proximity = have_near;
    if (!ok) return std::nullopt;
    return spec;
  }

  bool parse_near(const YAML::Node& node, SignalSpec& spec) {
    if (!node.IsSequence() || node.size() != 2) {
      error(node, "near takes two lists of terms: near: [[a, b], [c, d]]");
      return false;
    }
    bool ok = true;
    std::string text;
    for (std::size_t side = 0; side < 2; ++side) {
      const YAML::Node& list = node[side];
      auto& terms = side == 0 ? spec.first : spec.second;
      if (list.IsScalar()) {
        ok = add_term(list, terms) && ok;
      } else if (list.IsSequence() && list.size() > 0) {
        for (const auto& term : list) ok = add_term(term, terms) && ok;
      } else {
        error(list, "each side of near is a term or a non-empty list of terms");
        ok = false;
      }
      std::string side_text;
      for (const auto& term : terms) side_text += (side_text.empty() ? "" : "|") + term.text;
      text += (side == 0 ? "" : " ~ ") + side_text;
    }
    spec.signal.text = text;
    return ok;
  }

  bool add_term(const YAML::Node& node, std::vector<TermSpec>& out) {
    if (!node.IsScalar() || node.Scalar().empty()) {
      error(node, "a term must be a non-empty string");
      return false;
    }
    out.push_back(TermSpec{node.Scalar(), line_of(node)});
    return true;
  }

  void parse_require(const YAML::Node& node, Label& label) {
    if (!node.IsSequence()) {
      error(node, "require is a list of group lists: require: [[climate, talks], [strong]]");
      return;
    }
    for (const auto& item : node) {
      std::vector<std::uint32_t> set;
      const auto add = [&](const YAML::Node& name_node) {
        if (!name_node.IsScalar()) {
          error(name_node, "require lists group names");
          return;
        }
        for (std::uint32_t g = 0; g < label.groups.size(); ++g) {
          if (label.groups[g].name == name_node.Scalar()) {
            set.push_back(g);
            return;
          }
        }
        error(name_node,
              "require names group \"" + name_node.Scalar() + "\", which is not defined");
      };
      if (item.IsSequence() && item.size() > 0) {
        for (const auto& name : item) add(name);
      } else {
        add(item);
      }
      if (!set.empty()) label.require.push_back(std::move(set));
    }
  }

  const RuleSource& source_;
  std::vector<std::string>& errors_;
};

/// Adds one label's terms to the matcher and the pattern uses.
class Compiler {
 public:
  Compiler(Rules& rules, std::vector<std::string>& errors) : rules_(rules), errors_(errors) {}

  void add(LabelSpec& spec) {
    const auto label_index = static_cast<std::uint32_t>(rules_.labels.size());
    std::map<std::uint32_t, std::string> term_patterns;  // pattern id → where it was first written
    for (std::uint32_t s = 0; s < spec.signals.size(); ++s) {
      SignalSpec& signal = spec.signals[s];
      const auto role =
          signal.signal.proximity ? PatternUse::Role::near_first : PatternUse::Role::term;
      add_terms(spec.label.source, signal.first, label_index, s, role,
                role == PatternUse::Role::term ? &term_patterns : nullptr);
      add_terms(spec.label.source, signal.second, label_index, s, PatternUse::Role::near_second,
                nullptr);
      spec.label.signals.push_back(std::move(signal.signal));
    }
    rules_.labels.push_back(std::move(spec.label));
  }

  void finish() {
    rules_.matcher.build();
    rules_.scanner.build(rules_.matcher);
    const std::size_t patterns = rules_.matcher.pattern_count();
    std::vector<std::uint32_t> counts(patterns + 1, 0);
    for (const auto& [pattern, use] : pending_) ++counts[pattern + 1];
    for (std::size_t p = 0; p < patterns; ++p) counts[p + 1] += counts[p];
    rules_.use_begin = counts;
    rules_.uses.resize(pending_.size());
    for (const auto& [pattern, use] : pending_) {
      PatternUse& placed = rules_.uses[counts[pattern]++];
      placed = use;
      placed.masks = rules_.labels[use.label].signals[use.signal].masks();
    }
    rules_.pattern_has_first.assign(patterns, 0);
    for (const auto& [pattern, use] : pending_) {
      if (use.role == PatternUse::Role::near_first) rules_.pattern_has_first[pattern] = 1;
    }
    std::uint32_t base = 0;
    for (const Label& label : rules_.labels) {
      rules_.signal_base.push_back(base);
      base += static_cast<std::uint32_t>(label.signals.size());
    }
    rules_.signal_base.push_back(base);
    rules_.pattern_padding.resize(patterns);
    for (std::uint32_t p = 0; p < patterns; ++p) {
      const auto text = rules_.matcher.pattern(p);
      rules_.pattern_padding[p] = {static_cast<std::uint8_t>(text.front() == ' '),
                                   static_cast<std::uint8_t>(text.back() == ' ')};
    }
    build_plans();
  }

 private:
  /// Rules::plans and plan_uses, from uses: per pattern, the uses that become hits first and
  /// the second-list ones after them, each group in its order in uses.
  void build_plans() {
    const std::size_t patterns = rules_.matcher.pattern_count();
    rules_.plans.assign(patterns, PatternPlan{});
    rules_.max_pattern_length = 0;
    rules_.plan_uses.clear();
    rules_.plan_uses.reserve(rules_.uses.size());
    for (std::uint32_t p = 0; p < patterns; ++p) {
      PatternPlan& plan = rules_.plans[p];
      plan.begin = static_cast<std::uint32_t>(rules_.plan_uses.size());
      plan.length = static_cast<std::uint32_t>(rules_.matcher.pattern(p).size());
      rules_.max_pattern_length = std::max(rules_.max_pattern_length, plan.length);
      plan.front = rules_.pattern_padding[p][0];
      plan.back = rules_.pattern_padding[p][1];
      for (int pass = 0; pass < 2; ++pass) {
        for (std::uint32_t u = rules_.use_begin[p]; u < rules_.use_begin[p + 1]; ++u) {
          const PatternUse& use = rules_.uses[u];
          const bool second = use.role == PatternUse::Role::near_second;
          if (second != (pass == 1)) continue;
          const std::uint32_t global = rules_.signal_base[use.label] + use.signal;
          const double weight = rules_.labels[use.label].signals[use.signal].weight;
          rules_.plan_uses.push_back(PlanUse{weight, use.label, use.signal, global, use.term,
                                             u - rules_.use_begin[p], use.role, use.masks});
          const std::uint64_t bit = std::uint64_t{1} << (global % 64);
          if (second) {
            ++plan.seconds;
            plan.second_signals |= bit;
          } else {
            ++plan.hits;
          }
          if (use.role == PatternUse::Role::near_first) {
            plan.flags |= PatternPlan::kHasFirst;
            plan.first_signals |= bit;
          }
          if (use.role == PatternUse::Role::term && use.masks) plan.flags |= PatternPlan::kMasks;
        }
      }
    }
  }

  void add_terms(const std::string& file, const std::vector<TermSpec>& terms, std::uint32_t label,
                 std::uint32_t signal, PatternUse::Role role,
                 std::map<std::uint32_t, std::string>* seen) {
    for (const auto& term : terms) {
      const std::string where = file + ":" + std::to_string(term.line + 1);
      std::string text = term.text;
      const bool prefix = !text.empty() && text.back() == '*';
      if (prefix) text.pop_back();
      if (text.find('*') != std::string::npos) {
        errors_.push_back(where + ": \"" + term.text + "\": '*' may only end a term (prefix)");
        continue;
      }
      std::string why;
      const auto variants = expand_range(text, why);
      if (!variants) {
        errors_.push_back(where + ": \"" + term.text + "\": " + why);
        continue;
      }
      for (const auto& variant : *variants) {
        const std::string pattern = term_pattern(variant, prefix);
        if (pattern.empty()) {
          errors_.push_back(where + ": \"" + term.text + "\" has no letter or digit to match");
          break;
        }
        const std::uint32_t id = rules_.matcher.add(pattern);
        if (seen) {
          const auto [it, inserted] = seen->try_emplace(id, where);
          if (!inserted) {
            errors_.push_back(where + ": \"" + term.text + "\" is the same term as one at " +
                              it->second + " once folded (\"" + fold(variant).substr(1) +
                              "\"); give it once");
            continue;
          }
        }
        const auto term_index = static_cast<std::uint32_t>(rules_.terms.size());
        rules_.terms.push_back(prefix ? variant + "*" : variant);
        pending_.emplace_back(id, PatternUse{label, signal, term_index, role});
      }
    }
  }

  Rules& rules_;
  std::vector<std::string>& errors_;
  std::vector<std::pair<std::uint32_t, PatternUse>> pending_;
};

}  // namespace

const char* to_string(Field field) {
  switch (field) {
    case Field::title:
      return "title";
    case Field::summary:
      return "summary";
    case Field::content:
      return "content";
  }
  return "content";
}

LoadResult compile_rules(const std::vector<RuleSource>& sources, const LoadOptions& options) {
  LoadResult result;
  auto rules = std::make_shared<Rules>();
  Compiler compiler(*rules, result.errors);
  std::map<std::string, std::string> label_files;
  for (const auto& source : sources) {
    auto spec = FileParser(source, result.errors).parse();
    if (!spec) continue;
    const auto [it, inserted] = label_files.try_emplace(spec->label.name, source.name);
    if (!inserted) {
      result.errors.push_back(source.name + ":" + std::to_string(spec->line + 1) + ": label \"" +
                              spec->label.name + "\" is already defined in " + it->second);
      continue;
    }
    compiler.add(*spec);
  }
  if (sources.empty()) result.errors.push_back("no rules files");
  for (const auto& [name, score] : options.score_thresholds) {
    const auto label = std::find_if(rules->labels.begin(), rules->labels.end(),
                                    [&](const Label& l) { return l.name == name; });
    if (label == rules->labels.end() && label_files.count(name) == 0) {
      result.errors.push_back("thresholds: no rules file defines label \"" + name + "\"");
    } else if (!(score > 0 && score < 1)) {
      result.errors.push_back("thresholds: the score for \"" + name +
                              "\" must be between 0 and 1 (exclusive)");
    } else if (label != rules->labels.end()) {
      label->flag_score = score;
    }
  }
  if (!result.errors.empty()) return result;
  compiler.finish();
  result.rules = std::move(rules);
  return result;
}

}  // namespace wirewatch::classify
