#include "classify/classifier.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <type_traits>

#include "classify/fold.hpp"

namespace wirewatch::classify {
namespace {

/// Matches kept per label and field: a bound on the quadratic steps (masking, proximity) for
/// hostile input. Real stories have a few dozen.
constexpr std::size_t kMaxHitsPerField = 512;

/// One match of one term, for one signal of one label.
struct Hit {
  const PatternUse* use = nullptr;
  std::uint32_t signal = 0;  // use's, copied: the passes over hits read these most
  PatternUse::Role role = PatternUse::Role::term;
  bool masks = false;
  std::uint32_t start = 0;  // the term's bytes in the folded field, boundary spaces excluded
  std::uint32_t end = 0;
  Field field = Field::title;
  bool masked = false;
  std::uint32_t first_word = 0;  // proximity terms only: the first word the match spans
  std::uint32_t last_word = 0;   // the last one (from the scanner)
};

/// Per-thread scratch space, so a warm classifier does not allocate to read a story.
struct Workspace {
  std::array<std::vector<std::uint32_t>, kFieldCount> word_starts;  // per field, as fold_text
  std::vector<std::vector<Hit>> hits;                               // per label
  std::vector<std::size_t> field_hits;
  std::vector<int> best;  // per signal of the current label: index into contributions or -1
  std::vector<const Hit*> second_hits;     // the current label's second-list proximity matches
  std::vector<std::uint8_t> first_fields;  // per signal: bit f set when field f has a first-list
                                           // match (all 0 between labels)
  std::vector<std::uint8_t> first_seen;    // per signal (Rules::signal_base): a first-list match
  std::vector<PatternMatch> matches;       // the current field's, in scan order
  Scanner::Scratch scratch;
  std::vector<double> group_points;
  std::vector<char> group_matched;
};

Workspace& workspace() {
  thread_local Workspace space;
  return space;
}

/// Folds each field and matches it in the same pass, collecting every label's hits.
void collect_hits(const Rules& rules, const Text& text, Workspace& space) {
  space.hits.resize(rules.labels.size());
  for (auto& hits : space.hits) hits.clear();
  space.field_hits.resize(rules.labels.size());
  const std::array<std::string_view, kFieldCount> fields{text.title, text.summary, text.content};
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    std::fill(space.field_hits.begin(), space.field_hits.end(), 0);
    auto& word_starts = space.word_starts[f];
    word_starts.clear();
    space.matches.clear();
    rules.scanner.scan(fields[f], space.matches, word_starts, space.scratch);
    // A second-list proximity match can only pair with a first-list match of its signal in
    // the same field: the others (most: "talks" serves many signals) are counted, not kept.
    auto& first_seen = space.first_seen;
    first_seen.resize(rules.signal_base.back(), 0);
    for (const PatternMatch& match : space.matches) {
      if (!rules.pattern_has_first[match.pattern]) continue;
      for (std::uint32_t u = rules.use_begin[match.pattern]; u < rules.use_begin[match.pattern + 1];
           ++u) {
        const PatternUse& use = rules.uses[u];
        if (use.role == PatternUse::Role::near_first) {
          first_seen[rules.signal_base[use.label] + use.signal] = 1;
        }
      }
    }
    for (const PatternMatch& match : space.matches) {
      const std::uint32_t pattern = match.pattern;
      const auto& padding = rules.pattern_padding[pattern];
      const std::size_t length = rules.matcher.pattern(pattern).size();
      const auto first = static_cast<std::uint32_t>(match.end - length + padding[0]);
      const auto last = static_cast<std::uint32_t>(match.end - padding[1]);
      const std::uint32_t word = match.word;
      for (std::uint32_t u = rules.use_begin[pattern]; u < rules.use_begin[pattern + 1]; ++u) {
        const PatternUse& use = rules.uses[u];
        if (space.field_hits[use.label]++ >= kMaxHitsPerField) continue;
        if (use.role == PatternUse::Role::near_second &&
            !first_seen[rules.signal_base[use.label] + use.signal]) {
          continue;
        }
        space.hits[use.label].push_back(Hit{&use, use.signal, use.role, use.masks, first, last,
                                            static_cast<Field>(f), false, 0, word});
      }
    }
    std::fill(first_seen.begin(), first_seen.end(), 0);
  }
}

/// Hides positive matches that lie inside the longer match of a negative term ("summit" inside
/// "Summit County", "climate" inside "business climate"). The same words used by a positive
/// and a negative signal stay visible to both. Hits come in scan order (by field, then by end
/// offset), so the matches inside a negative one are just around it.
void mask_hits(std::vector<Hit>& hits) {
  for (std::size_t n = 0; n < hits.size(); ++n) {
    const Hit& negative = hits[n];
    if (negative.role != PatternUse::Role::term) continue;
    if (!negative.masks) continue;
    const auto hide = [&](Hit& hit) {
      if (hit.masks) return;
      const bool inside = hit.start >= negative.start && hit.end <= negative.end;
      if (inside && hit.end - hit.start < negative.end - negative.start) hit.masked = true;
    };
    for (std::size_t j = n;
         j-- > 0 && hits[j].field == negative.field && hits[j].end > negative.start;) {
      hide(hits[j]);
    }
    for (std::size_t j = n + 1;
         j < hits.size() && hits[j].field == negative.field && hits[j].end == negative.end; ++j) {
      hide(hits[j]);
    }
  }
}

/// Words strictly between two matches in the same field (0 when they touch or overlap).
std::uint32_t words_between(const Hit& a, const Hit& b) {
  if (b.first_word > a.last_word) return b.first_word - a.last_word - 1;
  if (a.first_word > b.last_word) return a.first_word - b.last_word - 1;
  return 0;
}

/// Fills in the first word a proximity term's match spans (the scanner gave the last one), as
/// FoldedText::word_at would.
void locate_words(const Workspace& space, Hit& hit) {
  const auto& starts = space.word_starts[static_cast<std::size_t>(hit.field)];
  std::uint32_t first = hit.last_word;
  while (first > 0 && starts[first] > hit.start) --first;
  hit.first_word = first;
}

class LabelScorer {
 public:
  /// Scores one label into verdict, reusing its storage.
  LabelScorer(const Rules& rules, std::uint32_t label_index, Workspace& space,
              LabelVerdict& verdict)
      : rules_(rules),
        label_(rules.labels[label_index]),
        space_(space),
        hits_(space.hits[label_index]),
        verdict_(verdict) {
    verdict_.label = &label_;
    verdict_.points = 0;
    verdict_.score = 0;
    verdict_.flagged = verdict_.requirement_met = verdict_.vetoed = false;
    verdict_.contributions.clear();
  }

  void run() {
    mask_hits(hits_);
    // best[] is all -1 between labels: sized once, and only touched entries are reset below.
    if (space_.best.size() < label_.signals.size()) space_.best.resize(label_.signals.size(), -1);
    prepare_proximity();
    for (const Hit& hit : hits_) {
      if (hit.role == PatternUse::Role::term) offer(hit, nullptr);
      if (hit.role == PatternUse::Role::near_first && !hit.masked) pair(hit);
    }
    for (const Contribution& c : verdict_.contributions) space_.best[c.signal] = -1;
    total();
    order();
  }

 private:
  /// Locates the words of the proximity matches that can pair, and lists the second-list ones
  /// by signal for pair(). A second-list match can only pair when its signal's first list
  /// matched in the same field; the others (most of them: "talks" serves many signals) are
  /// dropped here.
  void prepare_proximity() {
    auto& first_fields = space_.first_fields;  // all 0 between calls
    if (first_fields.size() < label_.signals.size()) first_fields.resize(label_.signals.size(), 0);
    const auto bit = [](const Hit& hit) {
      return static_cast<std::uint8_t>(1u << static_cast<unsigned>(hit.field));
    };
    for (Hit& hit : hits_) {
      if (hit.role != PatternUse::Role::near_first || hit.masked) continue;
      first_fields[hit.signal] |= bit(hit);
      locate_words(space_, hit);
    }
    space_.second_hits.clear();
    for (Hit& hit : hits_) {
      if (hit.role != PatternUse::Role::near_second || hit.masked) continue;
      if ((first_fields[hit.signal] & bit(hit)) == 0) continue;
      locate_words(space_, hit);
      space_.second_hits.push_back(&hit);
    }
    for (const Hit& hit : hits_) {
      if (hit.role == PatternUse::Role::near_first) first_fields[hit.signal] = 0;
    }
    // By signal, then scan order (the pointers point into hits_).
    std::sort(space_.second_hits.begin(), space_.second_hits.end(), [](const Hit* a, const Hit* b) {
      return a->signal != b->signal ? a->signal < b->signal : std::less<const Hit*>()(a, b);
    });
  }

  void pair(const Hit& first) {
    const Signal& signal = label_.signals[first.signal];
    const auto by_signal = [](const Hit* hit, std::uint32_t s) { return hit->signal < s; };
    auto it = std::lower_bound(space_.second_hits.begin(), space_.second_hits.end(), first.signal,
                               by_signal);
    for (; it != space_.second_hits.end() && (*it)->signal == first.signal; ++it) {
      const Hit& second = **it;
      if (second.field != first.field) continue;
      const bool overlap = second.start < first.end && first.start < second.end;
      if (overlap) continue;  // two terms, not one match of a term on both lists
      if (words_between(first, second) <= signal.within) offer(first, &second);
    }
  }

  /// Records a match of a signal unless the signal already counts more elsewhere.
  void offer(const Hit& hit, const Hit* second) {
    const std::uint32_t s = hit.signal;
    const double points =
        hit.masked
            ? 0.0
            : label_.signals[s].weight * label_.field_weights[static_cast<std::size_t>(hit.field)];
    int& best = space_.best[s];
    Contribution* slot = nullptr;
    if (best < 0) {
      best = static_cast<int>(verdict_.contributions.size());
      slot = &verdict_.contributions.emplace_back();
    } else {
      Contribution& current = verdict_.contributions[static_cast<std::size_t>(best)];
      const bool better = current.masked ? !hit.masked
                          : hit.masked   ? false
                                         : std::abs(points) > std::abs(current.points);
      if (!better) return;
      slot = &current;
    }
    slot->signal = s;
    slot->first = rules_.terms[hit.use->term];
    slot->second = second ? std::string_view(rules_.terms[second->use->term]) : std::string_view();
    slot->field = hit.field;
    slot->masked = hit.masked;
    slot->points = points;
  }

  void total() {
    auto& sums = space_.group_points;
    auto& matched = space_.group_matched;
    sums.assign(label_.groups.size(), 0.0);
    matched.assign(label_.groups.size(), 0);
    for (const Contribution& c : verdict_.contributions) {
      const Signal& signal = label_.signals[c.signal];
      if (c.masked) continue;
      sums[signal.group] += c.points;
      if (c.points > 0) matched[signal.group] = 1;
      if (signal.veto) verdict_.vetoed = true;
    }
    for (std::size_t g = 0; g < sums.size(); ++g) {
      const double cap = label_.groups[g].cap;
      verdict_.points += std::clamp(sums[g], -cap, cap);
    }
    verdict_.requirement_met = label_.require.empty();
    for (const auto& set : label_.require) {
      if (std::all_of(set.begin(), set.end(), [&](std::uint32_t g) { return matched[g] != 0; })) {
        verdict_.requirement_met = true;
      }
    }
    double score = verdict_.points > 0 ? verdict_.points / (verdict_.points + label_.threshold) : 0;
    if (verdict_.vetoed) score = 0;
    if (!verdict_.requirement_met) score *= 0.5;
    verdict_.score = score;
    // With the default flag score of 0.5 this is points >= threshold, without the rounding
    // of a division.
    verdict_.flagged = !verdict_.vetoed && verdict_.requirement_met &&
                       (label_.flag_score == 0.5 ? verdict_.points >= label_.threshold
                                                 : score >= label_.flag_score);
  }

  void order() {
    const auto rank = [](const Contribution& c) { return c.masked ? 2 : c.points > 0 ? 0 : 1; };
    const auto before = [&](const Contribution& a, const Contribution& b) {
      if (rank(a) != rank(b)) return rank(a) < rank(b);
      return std::abs(a.points) > std::abs(b.points);
    };
    // Stable, like std::stable_sort, without its buffer: a few dozen contributions.
    auto& c = verdict_.contributions;
    for (std::size_t i = 1; i < c.size(); ++i) {
      if (!before(c[i], c[i - 1])) continue;
      const Contribution moving = c[i];
      std::size_t j = i;
      for (; j > 0 && before(moving, c[j - 1]); --j) c[j] = c[j - 1];
      c[j] = moving;
    }
  }

  const Rules& rules_;
  const Label& label_;
  Workspace& space_;
  std::vector<Hit>& hits_;
  LabelVerdict& verdict_;
};

/// Classifies into verdict, reusing the storage it already has.
void classify_into(const Rules& rules, const Text& text, Verdict& verdict) {
  Workspace& space = workspace();
  collect_hits(rules, text, space);
  verdict.labels.resize(rules.labels.size());
  for (std::uint32_t l = 0; l < rules.labels.size(); ++l) {
    LabelScorer(rules, l, space, verdict.labels[l]).run();
  }
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

std::string Contribution::term() const {
  std::string out(first);
  if (!second.empty()) {
    out += " ~ ";
    out += second;
  }
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
  // Scores: every label, so a record classified before keeps its map nodes.
  const bool same_labels =
      record.scores.size() == verdict.labels.size() &&
      std::all_of(verdict.labels.begin(), verdict.labels.end(),
                  [&](const LabelVerdict& l) { return record.scores.count(l.label->name) != 0; });
  if (!same_labels) record.scores.clear();
  for (const LabelVerdict& label : verdict.labels) {
    const std::string& name = label.label->name;
    record.scores[name] = rounded_score(label);
    if (!label.flagged) continue;
    record.labels.push_back(name);
    auto& evidence = record.evidence[name];
    evidence.reserve(static_cast<std::size_t>(
        std::count_if(label.contributions.begin(), label.contributions.end(),
                      [](const Contribution& c) { return c.points > 0; })));
    for (const Contribution& c : label.contributions) {
      if (c.points > 0) evidence.push_back(core::Evidence{c.term(), to_string(c.field)});
    }
  }
}

void classify(const Rules& rules, core::Record& record) {
  thread_local Verdict verdict;  // reused: the daemon's hot path allocates only for output
  classify_into(rules, Text{record.title, record.summary, record.content}, verdict);
  apply(verdict, record);
}

}  // namespace wirewatch::classify
