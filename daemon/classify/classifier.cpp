#include "classify/classifier.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <type_traits>

#include "classify/fold.hpp"

namespace wirewatch::classify {
namespace {

/// Uses kept per label and field: a bound on the quadratic steps (masking, proximity) for
/// hostile input. Real stories have a few dozen.
constexpr std::size_t kMaxHitsPerField = 512;

/// A match's bytes in the folded field (boundary spaces excluded) and the word that holds its
/// last letter (from the scanner).
struct Span {
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  std::uint32_t last_word = 0;
  std::uint32_t match_end = 0;  // the match's end, boundary space included (scan order)
};

/// A match of a negative term: the other matches of its label inside it are hidden.
struct Masker {
  std::uint32_t label = 0;
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  std::uint32_t match_end = 0;  // as Span's: maskers come in its order
  std::uint32_t match = 0;      // its match's index in the field's matches
};

/// A second-list proximity match that may pair: its signal's first list matched in the field
/// and no negative term hides it.
struct Second {
  std::uint32_t global = 0;  // its signal, numbered across labels
  std::uint32_t order = 0;   // its place in scan order
  std::uint32_t term = 0;
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  std::uint32_t first_word = 0;
  std::uint32_t last_word = 0;
};

/// A contribution's place in evidence order: rank (positive, negative, masked), then |points|
/// (its bits), most first.
struct OrderKey {
  unsigned rank = 0;
  std::uint32_t index = 0;  // into the contributions, in the order they were first offered
  std::uint64_t magnitude = 0;
};

bool before(const OrderKey& a, const OrderKey& b) {
  return a.rank != b.rank ? a.rank < b.rank : a.magnitude > b.magnitude;
}

/// A yes/no per item. Not a character type: stores to it do not alias everything else, so the
/// compiler keeps the tables' pointers in registers across them.
enum class Mark : std::uint8_t { no, yes };

/// Per-thread scratch space, so a warm classifier does not allocate to read a story.
struct Workspace {
  std::array<std::vector<std::uint32_t>, kFieldCount> word_starts;  // per field, as fold_text
  std::vector<PatternMatch> matches;  // the current field's, in scan order
  Scanner::Scratch scratch;
  std::vector<Mark> first_seen;          // per global signal: a first-list match in the field
  std::vector<std::uint32_t> first_set;  // the entries of first_seen set (reset after a field)
  std::vector<Masker> maskers;           // the current field's, in scan order
  std::vector<Mark> inside;              // per match of the field: some masker holds it
  std::vector<Second> seconds;           // the current field's, by signal, then scan order
  // Fields over the cap, per label: its uses so far, and where the ones it keeps end (the
  // match, and the use's place among that match's pattern's uses in Rules::uses).
  std::vector<std::size_t> label_uses;
  std::vector<std::uint32_t> cut_match;
  std::vector<std::uint32_t> cut_offset;
  std::vector<int> best;  // per global signal: index into its label's contributions or -1
                          // (all -1 between calls)
  std::vector<double> group_points;
  std::vector<char> group_matched;
  std::vector<double> field_weights;  // per label: its weight for the current field
  std::vector<OrderKey> order_keys;   // order(): one per contribution
  std::vector<Contribution> ordered;  // order(): the result
};

Workspace& workspace() {
  thread_local Workspace space;
  return space;
}

Span span_of(const PatternPlan& plan, const PatternMatch& match) {
  return Span{match.end - plan.length + plan.front, match.end - plan.back, match.word, match.end};
}

/// Scores the matches of one story into a verdict, field after field, offering each match to
/// its signals in scan order (by field, then end offset, then the order of Rules::uses).
class Scorer {
 public:
  Scorer(const Rules& rules, Workspace& space, Verdict& verdict)
      : rules_(rules), space_(space), verdict_(verdict) {}

  void run(const Text& text) {
    verdict_.labels.resize(rules_.labels.size());
    for (std::size_t l = 0; l < rules_.labels.size(); ++l) {
      LabelVerdict& label = verdict_.labels[l];
      label.label = &rules_.labels[l];
      label.points = 0;
      label.score = 0;
      label.flagged = label.requirement_met = label.vetoed = false;
      label.contributions.clear();
    }
    if (space_.best.size() < rules_.signal_base.back()) {
      space_.best.resize(rules_.signal_base.back(), -1);
    }
    if (space_.first_seen.size() < rules_.signal_base.back()) {
      space_.first_seen.resize(rules_.signal_base.back(), Mark::no);
    }
    space_.field_weights.resize(rules_.labels.size());
    labels_ = verdict_.labels.data();
    best_ = space_.best.data();
    field(Field::title, text.title);
    field(Field::summary, text.summary);
    field(Field::content, text.content);
    for (std::size_t l = 0; l < rules_.labels.size(); ++l) {
      LabelVerdict& label = verdict_.labels[l];
      for (const Contribution& c : label.contributions) {
        space_.best[rules_.signal_base[l] + c.signal] = -1;
      }
      total(label);
      order(label);
    }
  }

 private:
  void field(Field field, std::string_view text) {
    const auto f = static_cast<std::size_t>(field);
    auto& word_starts = space_.word_starts[f];
    word_starts.clear();
    auto& matches = space_.matches;
    matches.clear();
    // An empty field (most stories without a body) has no words, so nothing can match: every
    // pattern holds a letter or digit.
    if (text.empty()) return;
    rules_.scanner.scan(text, matches, word_starts, space_.scratch);
    if (matches.empty()) return;

    // What the field holds: how many uses, the first-list matches (a second-list match can
    // only pair with one of its signal in the same field), negative terms.
    const PatternPlan* const plans = rules_.plans.data();
    const PlanUse* const plan_uses = rules_.plan_uses.data();
    const PatternMatch* const match_data = matches.data();
    const auto match_count = static_cast<std::uint32_t>(matches.size());
    std::size_t uses = 0;
    std::uint64_t firsts = 0;   // bit (global signal % 64) of each first-list match
    std::uint64_t seconds = 0;  // the same for second-list matches
    space_.maskers.clear();
    for (std::uint32_t m = 0; m < match_count; ++m) {
      const PatternPlan& plan = plans[match_data[m].pattern];
      uses += plan.hits + plan.seconds;
      seconds |= plan.second_signals;
      if (plan.flags == 0) continue;
      if (plan.flags & PatternPlan::kMasks) add_maskers(m, plan, false);
      if (!(plan.flags & PatternPlan::kHasFirst)) continue;
      firsts |= plan.first_signals;
      for (const PlanUse* use = plan_uses + plan.begin; use != plan_uses + plan.begin + plan.hits;
           ++use) {
        if (use->role != PatternUse::Role::near_first) continue;
        if (space_.first_seen[use->global] == Mark::yes) continue;
        space_.first_seen[use->global] = Mark::yes;
        space_.first_set.push_back(use->global);
      }
    }
    capped_ = uses > kMaxHitsPerField;
    active_ = match_count;
    if (capped_) {
      find_cuts();
      if (!space_.maskers.empty()) {
        // Again, without the uses past the cap.
        space_.maskers.clear();
        for (std::uint32_t m = 0; m < active_; ++m) {
          const PatternPlan& plan = rules_.plans[matches[m].pattern];
          if (plan.flags & PatternPlan::kMasks) add_maskers(m, plan, true);
        }
      }
    }
    if (!space_.maskers.empty()) mark_inside();
    space_.seconds.clear();
    if ((firsts & seconds) != 0) collect_seconds(field, firsts);

    for (std::size_t l = 0; l < rules_.labels.size(); ++l) {
      space_.field_weights[l] = rules_.labels[l].field_weights[f];
    }
    masker_from_ = 0;
    const bool simple = !capped_ && space_.maskers.empty() && space_.seconds.empty();
    for (std::uint32_t m = 0; m < active_; ++m) {
      const PatternMatch& match = match_data[m];
      const PatternPlan& plan = plans[match.pattern];
      const PlanUse* use = plan_uses + plan.begin;
      const PlanUse* const end = use + plan.hits;
      if (simple) {
        // Nothing to hide, nothing to pair with, no cap: each term use is offered as it is.
        for (; use != end; ++use) {
          if (use->role == PatternUse::Role::term) offer(*use, field, false, nullptr);
        }
        continue;
      }
      const bool inside = !space_.maskers.empty() && space_.inside[m] == Mark::yes;
      if (!capped_ && !inside && !(plan.flags & PatternPlan::kHasFirst)) {
        for (; use != end; ++use) {  // term uses only, none hidden
          offer(*use, field, false, nullptr);
        }
        continue;
      }
      const Span span = span_of(plan, match);
      for (; use != end; ++use) {
        if (capped_ && !kept(m, *use)) continue;
        const bool masked = inside && hidden(*use, span, masker_from_);
        if (use->role == PatternUse::Role::term) {
          offer(*use, field, masked, nullptr);
        } else if (!masked && !space_.seconds.empty()) {
          pair(*use, span, field);
        }
      }
    }
    for (const std::uint32_t global : space_.first_set) space_.first_seen[global] = Mark::no;
    space_.first_set.clear();
  }

  /// Which uses each label keeps when the field has more than kMaxHitsPerField: its first
  /// ones in the order of Rules::uses. Once every label has reached the cap, the matches after
  /// keep nothing: active_ ends the field there.
  void find_cuts() {
    const std::size_t labels = rules_.labels.size();
    space_.label_uses.assign(labels, 0);
    space_.cut_match.assign(labels, std::numeric_limits<std::uint32_t>::max());
    space_.cut_offset.assign(labels, 0);
    std::size_t open = labels;  // labels below the cap
    std::uint32_t m = 0;
    for (; m < space_.matches.size() && open > 0; ++m) {
      const std::uint32_t pattern = space_.matches[m].pattern;
      for (std::uint32_t u = rules_.use_begin[pattern]; u < rules_.use_begin[pattern + 1]; ++u) {
        const std::uint32_t label = rules_.uses[u].label;
        if (space_.label_uses[label]++ != kMaxHitsPerField) continue;
        space_.cut_match[label] = m;  // its first use past the cap
        space_.cut_offset[label] = u - rules_.use_begin[pattern];
        --open;
      }
    }
    if (open == 0) active_ = m;
  }

  bool kept(std::uint32_t match, const PlanUse& use) const {
    const std::uint32_t cut = space_.cut_match[use.label];
    return match < cut || (match == cut && use.offset < space_.cut_offset[use.label]);
  }

  /// Adds the maskers of match m (the pattern's masking term uses; with capped, the kept ones).
  void add_maskers(std::uint32_t m, const PatternPlan& plan, bool capped) {
    const Span span = span_of(plan, space_.matches[m]);
    for (std::uint32_t u = plan.begin; u < plan.begin + plan.hits; ++u) {
      const PlanUse& use = rules_.plan_uses[u];
      if (use.role != PatternUse::Role::term || !use.masks) continue;
      if (capped && !kept(m, use)) continue;
      space_.maskers.push_back(Masker{use.label, span.start, span.end, span.match_end, m});
    }
  }

  /// Flags the matches that lie inside some masker, whatever its label: only they can be
  /// hidden. A match inside a masker ends after the masker's start and at most a boundary
  /// space after its match end, so it is found next to the masker's match in scan order.
  void mark_inside() {
    const auto& matches = space_.matches;
    space_.inside.assign(matches.size(), Mark::no);
    const auto holds = [&](const Masker& masker, std::uint32_t j) {
      const Span span = span_of(rules_.plans[matches[j].pattern], matches[j]);
      return masker.start <= span.start && span.end <= masker.end &&
             span.end - span.start < masker.end - masker.start;
    };
    for (const Masker& masker : space_.maskers) {
      for (std::uint32_t j = masker.match + 1; j-- > 0 && matches[j].end > masker.start;) {
        if (holds(masker, j)) space_.inside[j] = Mark::yes;
      }
      for (std::uint32_t j = masker.match + 1;
           j < matches.size() && matches[j].end <= std::uint64_t{masker.match_end} + 1; ++j) {
        if (holds(masker, j)) space_.inside[j] = Mark::yes;
      }
    }
  }

  /// Whether a negative term's match of the use's label holds the span and is longer ("summit"
  /// inside "Summit County"). Maskers come in scan order (by match end), and so do the spans
  /// asked about: from is the first masker that may still hold them. A masker holds a span
  /// only if its match ends at or after the span's end (at most a boundary space before the
  /// span's match end) and starts at or before the span's start (its match ends at most
  /// max_pattern_length after that).
  bool hidden(const PlanUse& use, const Span& span, std::size_t& from) const {
    if (use.masks) return false;
    const auto& maskers = space_.maskers;
    while (from < maskers.size() && std::uint64_t{maskers[from].match_end} + 1 < span.match_end) {
      ++from;
    }
    const std::uint64_t reach = std::uint64_t{span.start} + rules_.max_pattern_length;
    for (std::size_t k = from; k < maskers.size() && maskers[k].match_end <= reach; ++k) {
      const Masker& m = maskers[k];
      if (m.label == use.label && m.start <= span.start && span.end <= m.end &&
          span.end - span.start < m.end - m.start) {
        return true;
      }
    }
    return false;
  }

  /// The first word a match spans (the scanner gave the last one), as FoldedText::word_at would.
  std::uint32_t first_word(Field field, const Span& span) const {
    const auto& starts = space_.word_starts[static_cast<std::size_t>(field)];
    std::uint32_t first = span.last_word;
    while (first > 0 && starts[first] > span.start) --first;
    return first;
  }

  void collect_seconds(Field field, std::uint64_t firsts) {
    std::size_t from = 0;
    const PatternPlan* const plans = rules_.plans.data();
    const PatternMatch* const matches = space_.matches.data();
    for (std::uint32_t m = 0; m < active_; ++m) {
      const PatternMatch& match = matches[m];
      const PatternPlan& plan = plans[match.pattern];
      if (!(plan.second_signals & firsts)) continue;
      const Span span = span_of(plan, match);
      const PlanUse* use = rules_.plan_uses.data() + plan.begin + plan.hits;
      for (const PlanUse* const end = use + plan.seconds; use != end; ++use) {
        if (space_.first_seen[use->global] == Mark::no) continue;
        if (capped_ && !kept(m, *use)) continue;
        if (!space_.maskers.empty() && space_.inside[m] == Mark::yes && hidden(*use, span, from)) {
          continue;
        }
        space_.seconds.push_back(
            Second{use->global, static_cast<std::uint32_t>(space_.seconds.size()), use->term,
                   span.start, span.end, first_word(field, span), span.last_word});
      }
    }
    std::sort(space_.seconds.begin(), space_.seconds.end(), [](const Second& a, const Second& b) {
      return a.global != b.global ? a.global < b.global : a.order < b.order;
    });
  }

  /// Offers a first-list match with each second-list match of its signal near it.
  void pair(const PlanUse& use, const Span& span, Field field) {
    const auto& seconds = space_.seconds;
    auto it = std::lower_bound(
        seconds.begin(), seconds.end(), use.global,
        [](const Second& second, std::uint32_t global) { return second.global < global; });
    if (it == seconds.end() || it->global != use.global) return;
    const std::uint32_t within = rules_.labels[use.label].signals[use.signal].within;
    const std::uint32_t first = first_word(field, span);
    for (; it != seconds.end() && it->global == use.global; ++it) {
      const Second& second = *it;
      const bool overlap = second.start < span.end && span.start < second.end;
      if (overlap) continue;  // two terms, not one match of a term on both lists
      const std::uint32_t between = second.first_word > span.last_word
                                        ? second.first_word - span.last_word - 1
                                    : first > second.last_word ? first - second.last_word - 1
                                                               : 0;
      if (between <= within) offer(use, field, false, &second);
    }
  }

  /// Records a match of a signal unless the signal already counts more elsewhere.
  void offer(const PlanUse& use, Field field, bool masked, const Second* second) {
    const double points = masked ? 0.0 : use.weight * space_.field_weights[use.label];
    auto& contributions = labels_[use.label].contributions;
    int& best = best_[use.global];
    Contribution* slot = nullptr;
    if (best < 0) {
      best = static_cast<int>(contributions.size());
      slot = &contributions.emplace_back();
    } else {
      Contribution& current = contributions[static_cast<std::size_t>(best)];
      const bool better = current.masked ? !masked
                          : masked       ? false
                                         : std::abs(points) > std::abs(current.points);
      if (!better) return;
      slot = &current;
    }
    slot->signal = use.signal;
    slot->first = rules_.terms[use.term];
    slot->second = second ? std::string_view(rules_.terms[second->term]) : std::string_view();
    slot->field = field;
    slot->masked = masked;
    slot->points = points;
  }

  /// total()'s sums for a label of at most 64 groups: only the groups some contribution
  /// counts in are summed and added, in group order as for all of them (a group without one
  /// adds +0.0, which changes no sum: points never is -0.0).
  void total_small(LabelVerdict& verdict) {
    const Label& label = *verdict.label;
    auto& sums = space_.group_points;
    if (sums.size() < label.groups.size()) sums.resize(label.groups.size());
    std::uint64_t counted = 0;
    std::uint64_t matched = 0;
    for (const Contribution& c : verdict.contributions) {
      const Signal& signal = label.signals[c.signal];
      if (c.masked) continue;
      const std::uint64_t bit = std::uint64_t{1} << signal.group;
      if (!(counted & bit)) {
        counted |= bit;
        sums[signal.group] = 0.0;
      }
      sums[signal.group] += c.points;
      if (c.points > 0) matched |= bit;
      if (signal.veto) verdict.vetoed = true;
    }
    for (std::uint64_t left = counted; left != 0; left &= left - 1) {
      const auto g = static_cast<std::size_t>(__builtin_ctzll(left));
      const double cap = label.groups[g].cap;
      verdict.points += std::clamp(sums[g], -cap, cap);
    }
    verdict.requirement_met = label.require.empty();
    for (const auto& set : label.require) {
      if (std::all_of(set.begin(), set.end(),
                      [&](std::uint32_t g) { return (matched >> g & 1) != 0; })) {
        verdict.requirement_met = true;
        break;
      }
    }
  }

  void total(LabelVerdict& verdict) {
    const Label& label = *verdict.label;
    if (label.groups.size() <= 64) {
      total_small(verdict);
    } else {
      auto& sums = space_.group_points;
      auto& matched = space_.group_matched;
      sums.assign(label.groups.size(), 0.0);
      matched.assign(label.groups.size(), 0);
      for (const Contribution& c : verdict.contributions) {
        const Signal& signal = label.signals[c.signal];
        if (c.masked) continue;
        sums[signal.group] += c.points;
        if (c.points > 0) matched[signal.group] = 1;
        if (signal.veto) verdict.vetoed = true;
      }
      for (std::size_t g = 0; g < sums.size(); ++g) {
        const double cap = label.groups[g].cap;
        verdict.points += std::clamp(sums[g], -cap, cap);
      }
      verdict.requirement_met = label.require.empty();
      for (const auto& set : label.require) {
        if (std::all_of(set.begin(), set.end(), [&](std::uint32_t g) { return matched[g] != 0; })) {
          verdict.requirement_met = true;
        }
      }
    }
    double score = verdict.points > 0 ? verdict.points / (verdict.points + label.threshold) : 0;
    if (verdict.vetoed) score = 0;
    if (!verdict.requirement_met) score *= 0.5;
    verdict.score = score;
    // With the default flag score of 0.5 this is points >= threshold, without the rounding
    // of a division.
    verdict.flagged =
        !verdict.vetoed && verdict.requirement_met &&
        (label.flag_score == 0.5 ? verdict.points >= label.threshold : score >= label.flag_score);
  }

  /// Positive contributions first, then negative, then masked ones; most points first within
  /// each; ties in the order contributions were first offered (a stable sort).
  void order(LabelVerdict& verdict) {
    auto& c = verdict.contributions;
    if (c.size() < 2) return;
    auto& keys = space_.order_keys;
    keys.clear();
    bool sorted = true;
    for (std::uint32_t i = 0; i < c.size(); ++i) {
      // |points| is not negative: its bits order as its value does.
      const double magnitude = std::abs(c[i].points);
      std::uint64_t bits = 0;
      std::memcpy(&bits, &magnitude, sizeof bits);
      const OrderKey key{c[i].masked ? 2u : c[i].points > 0 ? 0u : 1u, i, bits};
      sorted = sorted && (keys.empty() || !before(key, keys.back()));
      keys.push_back(key);
    }
    if (sorted) return;
    for (std::size_t i = 1; i < keys.size(); ++i) {
      const OrderKey moving = keys[i];
      std::size_t j = i;
      for (; j > 0 && before(moving, keys[j - 1]); --j) keys[j] = keys[j - 1];
      keys[j] = moving;
    }
    auto& ordered = space_.ordered;
    ordered.clear();
    for (const OrderKey& key : keys) ordered.push_back(c[key.index]);
    c.swap(ordered);
  }

  const Rules& rules_;
  Workspace& space_;
  Verdict& verdict_;
  LabelVerdict* labels_ = nullptr;  // verdict_.labels
  int* best_ = nullptr;             // space_.best
  bool capped_ = false;             // the current field has more uses than kMaxHitsPerField
  std::uint32_t active_ = 0;        // the field's matches that may keep a use
  std::size_t masker_from_ = 0;
};

/// Classifies into verdict, reusing the storage it already has.
void classify_into(const Rules& rules, const Text& text, Verdict& verdict) {
  Scorer(rules, workspace(), verdict).run(text);
}

/// The score as written to a record: three decimals, below the label's flag score unless
/// flagged (so "score >= flag score" and "flagged" never disagree after rounding).
double rounded_score(const LabelVerdict& verdict) {
  double score = std::round(verdict.score * 1000.0) / 1000.0;
  if (!verdict.flagged && score >= verdict.label->flag_score) {
    score = std::ceil(verdict.label->flag_score * 1000.0) / 1000.0 - 0.001;
  }
  return std::max(score, 0.0);
}

}  // namespace

namespace {

/// Contribution::term() into out (one allocation at most).
void write_term(const Contribution& c, std::string& out) {
  out.clear();
  out.reserve(c.first.size() + (c.second.empty() ? 0 : 3 + c.second.size()));
  out += c.first;
  if (!c.second.empty()) {
    out += " ~ ";
    out += c.second;
  }
}

/// to_string(field) with its length known.
std::string_view field_name(Field field) {
  static constexpr std::array<std::string_view, kFieldCount> kNames{"title", "summary", "content"};
  return kNames[static_cast<std::size_t>(field)];
}

}  // namespace

std::string Contribution::term() const {
  std::string out;
  write_term(*this, out);
  return out;
}

Verdict classify(const Rules& rules, const Text& text) {
  Verdict verdict;
  classify_into(rules, text, verdict);
  return verdict;
}

void apply(const Verdict& verdict, core::Record& record) {
  record.labels.clear();
  record.evidence.clear();
  // Scores: every label, so a record classified before keeps its map nodes (each label's
  // node looked up once).
  thread_local std::vector<double*> slots;
  slots.clear();
  if (record.scores.size() == verdict.labels.size()) {
    for (const LabelVerdict& label : verdict.labels) {
      const auto it = record.scores.find(label.label->name);
      if (it == record.scores.end()) break;
      slots.push_back(&it->second);
    }
  }
  if (slots.size() != verdict.labels.size()) {
    record.scores.clear();
    slots.clear();
    for (const LabelVerdict& label : verdict.labels) {
      slots.push_back(&record.scores[label.label->name]);
    }
  }
  for (std::size_t l = 0; l < verdict.labels.size(); ++l) {
    const LabelVerdict& label = verdict.labels[l];
    *slots[l] = rounded_score(label);
    if (!label.flagged) continue;
    const std::string& name = label.label->name;
    record.labels.push_back(name);
    auto& evidence = record.evidence[name];
    evidence.reserve(static_cast<std::size_t>(
        std::count_if(label.contributions.begin(), label.contributions.end(),
                      [](const Contribution& c) { return c.points > 0; })));
    for (const Contribution& c : label.contributions) {
      if (c.points <= 0) continue;
      core::Evidence& written = evidence.emplace_back();
      write_term(c, written.term);
      written.field = field_name(c.field);
    }
  }
}

void classify(const Rules& rules, core::Record& record) {
  thread_local Verdict verdict;  // reused: the daemon's hot path allocates only for output
  classify_into(rules, Text{record.title, record.summary, record.content}, verdict);
  apply(verdict, record);
}

}  // namespace wirewatch::classify
