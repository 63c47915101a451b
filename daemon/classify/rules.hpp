// Classifier rules: what each label looks for, compiled from YAML files (one per label, see
// docs/classifier.md) into one matcher. Loading is the only part of the stage that does I/O.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "classify/matcher.hpp"
#include "classify/scanner.hpp"

namespace wirewatch::classify {

/// The record fields the classifier reads, in order of weight.
enum class Field : std::uint8_t {
  title,    // "title"
  summary,  // "summary"
  content,  // "content"
};
inline constexpr std::size_t kFieldCount = 3;

/// "title", "summary" or "content".
const char* to_string(Field field);

/// One way a label gains or loses points: a term, or two terms near each other.
struct Signal {
  std::string text;          // as written ("climate envoy"; "ratif* ~ Paris Agreement")
  double weight = 0;         // points before the field factor; negative subtracts
  bool veto = false;         // when it matches, the label is off whatever the score
  std::uint32_t group = 0;   // index into Label::groups
  std::uint32_t within = 0;  // proximity signals: most words allowed between the two terms
  bool proximity = false;    // true: two terms near each other; false: one term
  std::string location;      // "summit.yaml:12"

  /// Negative signals hide the positive matches that lie inside their own match.
  bool masks() const { return veto || weight < 0; }
};

/// A named set of signals whose points add up, at most to `cap`.
struct Group {
  std::string name;
  double cap = std::numeric_limits<double>::infinity();
};

/// One label and its rules (one rules file).
struct Label {
  std::string name;         // "climate_diplomacy"
  std::string description;  // one line, for --explain
  std::string source;       // the file it came from
  double threshold = 1;     // points needed
  double flag_score = 0.5;  // score at which the label is given; 0.5 means points >= threshold
  std::array<double, kFieldCount> field_weights{1.0, 0.8, 0.6};
  std::vector<Group> groups;
  std::vector<Signal> signals;
  /// The label needs every group of at least one of these sets to match (empty: no gate).
  std::vector<std::vector<std::uint32_t>> require;
};

/// What a match of one matcher pattern means to one signal.
struct PatternUse {
  enum class Role : std::uint8_t {
    term,        // the signal's term
    near_first,  // a term of a proximity signal's first list
    near_second  // a term of a proximity signal's second list
  };
  std::uint32_t label = 0;
  std::uint32_t signal = 0;
  std::uint32_t term = 0;  // index into Rules::terms: the term as written
  Role role = Role::term;
  bool masks = false;  // the signal's masks() (set when the rules are compiled)
};

/// What scoring needs of one match of a pattern, compiled from its uses (Rules::plans).
struct PatternPlan {
  static constexpr std::uint8_t kHasFirst = 1;  // a use is near_first
  static constexpr std::uint8_t kMasks = 2;     // a term use masks (negative or veto)
  std::uint32_t begin = 0;    // into Rules::plan_uses: term and near_first uses, then near_second
  std::uint32_t hits = 0;     // term and near_first uses (in the order of Rules::uses)
  std::uint32_t seconds = 0;  // near_second uses, after them (same order)
  std::uint32_t length = 0;   // the pattern's bytes
  std::uint8_t front = 0;     // boundary space at its front (1) or not (0)
  std::uint8_t back = 0;      // and at its back
  std::uint8_t flags = 0;     // kHasFirst | kMasks
  /// Bit (global signal % 64) of each near_first use's signal, and of each near_second one's:
  /// a second-list use can pair only when some first-list use of its signal matched.
  std::uint64_t first_signals = 0;
  std::uint64_t second_signals = 0;
};

/// A PatternUse as the scorer reads it, with what scoring a match needs of its signal.
struct PlanUse {
  double weight = 0;  // the signal's weight
  std::uint32_t label = 0;
  std::uint32_t signal = 0;
  std::uint32_t global = 0;  // Rules::signal_base[label] + signal
  std::uint32_t term = 0;
  std::uint32_t offset = 0;  // its place among the pattern's uses in Rules::uses
  PatternUse::Role role = PatternUse::Role::term;
  bool masks = false;
};

/// Every label's rules, with one automaton over all their terms. Immutable once compiled;
/// share it between threads and swap it on reload.
struct Rules {
  std::vector<Label> labels;
  std::vector<std::string> terms;  // each term as written (a {15-35} range: each number)
  Matcher matcher;                 // every pattern; ids index use_begin and pattern_padding
  Scanner scanner;  // the same patterns, for classify's one pass (built from matcher)
  std::vector<std::uint32_t> use_begin;  // per pattern id, into uses; one extra at the end
  std::vector<PatternUse> uses;
  /// Per pattern id: 1 when one of its uses is near_first.
  std::vector<std::uint8_t> pattern_has_first;
  /// Per label: where its signals start in one numbering of every label's signals.
  std::vector<std::uint32_t> signal_base;
  /// Per pattern id: how many bytes of boundary space the pattern has at its front and back.
  std::vector<std::array<std::uint8_t, 2>> pattern_padding;
  /// Per pattern id: its uses grouped for scoring (term and near_first ones, then near_second
  /// ones), with the flags and signal masks that let the scorer skip most of them.
  std::vector<PatternPlan> plans;
  std::vector<PlanUse> plan_uses;
  std::uint32_t max_pattern_length = 0;  // bytes of the longest pattern
};

/// One rules file: the name errors cite, and its YAML text.
struct RuleSource {
  std::string name;
  std::string text;
};

/// Compiled rules, or every problem found, each "file:line: why".
struct LoadResult {
  std::shared_ptr<const Rules> rules;  // null when there are errors
  std::vector<std::string> errors;
};

/// What the daemon's config may change about rules it loads.
struct LoadOptions {
  /// Label → score in (0, 1) at which the label is given, instead of 0.5 (config key
  /// classifier.thresholds). A label no rules file defines is an error.
  std::map<std::string, double> score_thresholds;
};

/// Compiles rules files (pure: no I/O). Label names must be unique across the files.
LoadResult compile_rules(const std::vector<RuleSource>& sources, const LoadOptions& options = {});

/// Reads every *.yaml and *.yml file of dir (sorted by name) and compiles them. A directory
/// without rule files, an unreadable file or any error in any file fails the whole load.
LoadResult load_rules(const std::filesystem::path& dir, const LoadOptions& options = {});

/// Where `wirewatch classify` and the daemon find rules when none are configured: the source
/// tree's config/rules for a binary run from its build tree, else /etc/wirewatch/rules when
/// it exists, else the installed defaults: share/wirewatch/rules next to the binary's bin/,
/// else <prefix>/share/wirewatch/rules as configured at build time.
std::filesystem::path default_rules_dir();

}  // namespace wirewatch::classify
