// The scorer (classifier.cpp) against a reference: the scorer as it was before it worked from
// Rules::plans, kept here as written then (every use of every match a Hit, then masking,
// proximity and offers in passes over each label's hits). Random rules × random texts, every
// Verdict field compared.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "classify/classifier.hpp"
#include "classify/rules.hpp"

namespace wirewatch::classify {
namespace {

namespace reference {

constexpr std::size_t kMaxHitsPerField = 512;

struct Hit {
  const PatternUse* use = nullptr;
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  Field field = Field::title;
  bool masked = false;
  std::uint32_t first_word = 0;
  std::uint32_t last_word = 0;
};

struct State {
  std::array<std::vector<std::uint32_t>, kFieldCount> word_starts;
  std::vector<std::vector<Hit>> hits;
};

void collect_hits(const Rules& rules, const Text& text, State& state) {
  state.hits.assign(rules.labels.size(), {});
  const std::array<std::string_view, kFieldCount> fields{text.title, text.summary, text.content};
  std::vector<std::uint8_t> first_seen(rules.signal_base.back(), 0);
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    std::vector<std::size_t> field_hits(rules.labels.size(), 0);
    std::vector<PatternMatch> matches;
    Scanner::Scratch scratch;
    rules.scanner.scan(fields[f], matches, state.word_starts[f], scratch);
    std::fill(first_seen.begin(), first_seen.end(), 0);
    for (const PatternMatch& match : matches) {
      for (auto u = rules.use_begin[match.pattern]; u < rules.use_begin[match.pattern + 1]; ++u) {
        const PatternUse& use = rules.uses[u];
        if (use.role == PatternUse::Role::near_first) {
          first_seen[rules.signal_base[use.label] + use.signal] = 1;
        }
      }
    }
    for (const PatternMatch& match : matches) {
      const auto& padding = rules.pattern_padding[match.pattern];
      const std::size_t length = rules.matcher.pattern(match.pattern).size();
      const auto first = static_cast<std::uint32_t>(match.end - length + padding[0]);
      const auto last = static_cast<std::uint32_t>(match.end - padding[1]);
      for (auto u = rules.use_begin[match.pattern]; u < rules.use_begin[match.pattern + 1]; ++u) {
        const PatternUse& use = rules.uses[u];
        if (field_hits[use.label]++ >= kMaxHitsPerField) continue;
        if (use.role == PatternUse::Role::near_second &&
            !first_seen[rules.signal_base[use.label] + use.signal]) {
          continue;
        }
        state.hits[use.label].push_back(
            Hit{&use, first, last, static_cast<Field>(f), false, 0, match.word});
      }
    }
  }
}

void mask_hits(std::vector<Hit>& hits) {
  for (const Hit& negative : hits) {
    if (negative.use->role != PatternUse::Role::term || !negative.use->masks) continue;
    for (Hit& hit : hits) {
      if (hit.field != negative.field || hit.use->masks) continue;
      const bool inside = hit.start >= negative.start && hit.end <= negative.end;
      if (inside && hit.end - hit.start < negative.end - negative.start) hit.masked = true;
    }
  }
}

LabelVerdict score(const Rules& rules, std::uint32_t l, State& state) {
  const Label& label = rules.labels[l];
  std::vector<Hit>& hits = state.hits[l];
  mask_hits(hits);
  for (Hit& hit : hits) {
    const auto& starts = state.word_starts[static_cast<std::size_t>(hit.field)];
    std::uint32_t first = hit.last_word;
    while (first > 0 && starts[first] > hit.start) --first;
    hit.first_word = first;
  }
  LabelVerdict verdict;
  verdict.label = &label;
  std::vector<int> best(label.signals.size(), -1);
  const auto offer = [&](const Hit& hit, const Hit* second) {
    const std::uint32_t s = hit.use->signal;
    const double points =
        hit.masked ? 0.0
                   : label.signals[s].weight * label.field_weights[static_cast<int>(hit.field)];
    Contribution* slot = nullptr;
    if (best[s] < 0) {
      best[s] = static_cast<int>(verdict.contributions.size());
      slot = &verdict.contributions.emplace_back();
    } else {
      Contribution& current = verdict.contributions[static_cast<std::size_t>(best[s])];
      const bool better = current.masked ? !hit.masked
                          : hit.masked   ? false
                                         : std::abs(points) > std::abs(current.points);
      if (!better) return;
      slot = &current;
    }
    slot->signal = s;
    slot->first = rules.terms[hit.use->term];
    slot->second = second ? std::string_view(rules.terms[second->use->term]) : std::string_view();
    slot->field = hit.field;
    slot->masked = hit.masked;
    slot->points = points;
  };
  for (const Hit& hit : hits) {
    if (hit.use->role == PatternUse::Role::term) offer(hit, nullptr);
    if (hit.use->role != PatternUse::Role::near_first || hit.masked) continue;
    for (const Hit& second : hits) {
      if (second.use->role != PatternUse::Role::near_second || second.masked) continue;
      if (second.use->signal != hit.use->signal || second.field != hit.field) continue;
      if (second.start < hit.end && hit.start < second.end) continue;
      const std::uint32_t between =
          second.first_word > hit.last_word   ? second.first_word - hit.last_word - 1
          : hit.first_word > second.last_word ? hit.first_word - second.last_word - 1
                                              : 0;
      if (between <= label.signals[hit.use->signal].within) offer(hit, &second);
    }
  }
  std::vector<double> sums(label.groups.size(), 0.0);
  std::vector<char> matched(label.groups.size(), 0);
  for (const Contribution& c : verdict.contributions) {
    const Signal& signal = label.signals[c.signal];
    if (c.masked) continue;
    sums[signal.group] += c.points;
    if (c.points > 0) matched[signal.group] = 1;
    if (signal.veto) verdict.vetoed = true;
  }
  for (std::size_t g = 0; g < sums.size(); ++g) {
    verdict.points += std::clamp(sums[g], -label.groups[g].cap, label.groups[g].cap);
  }
  verdict.requirement_met = label.require.empty();
  for (const auto& set : label.require) {
    if (std::all_of(set.begin(), set.end(), [&](std::uint32_t g) { return matched[g] != 0; })) {
      verdict.requirement_met = true;
    }
  }
  double value = verdict.points > 0 ? verdict.points / (verdict.points + label.threshold) : 0;
  if (verdict.vetoed) value = 0;
  if (!verdict.requirement_met) value *= 0.5;
  verdict.score = value;
  verdict.flagged =
      !verdict.vetoed && verdict.requirement_met &&
      (label.flag_score == 0.5 ? verdict.points >= label.threshold : value >= label.flag_score);
  const auto rank = [](const Contribution& c) { return c.masked ? 2 : c.points > 0 ? 0 : 1; };
  std::stable_sort(verdict.contributions.begin(), verdict.contributions.end(),
                   [&](const Contribution& a, const Contribution& b) {
                     if (rank(a) != rank(b)) return rank(a) < rank(b);
                     return std::abs(a.points) > std::abs(b.points);
                   });
  return verdict;
}

Verdict classify(const Rules& rules, const Text& text) {
  State state;
  collect_hits(rules, text, state);
  Verdict verdict;
  for (std::uint32_t l = 0; l < rules.labels.size(); ++l) {
    verdict.labels.push_back(score(rules, l, state));
  }
  return verdict;
}

}  // namespace reference

std::string describe(const Verdict& verdict) {
  std::string out;
  char buffer[128];
  for (const LabelVerdict& label : verdict.labels) {
    std::snprintf(buffer, sizeof buffer, "%s %.17g %.17g %d %d %d\n", label.label->name.c_str(),
                  label.points, label.score, label.flagged, label.requirement_met, label.vetoed);
    out += buffer;
    for (const Contribution& c : label.contributions) {
      std::snprintf(buffer, sizeof buffer, " %u %d %.17g %d ", c.signal, static_cast<int>(c.field),
                    c.points, c.masked);
      out += buffer + c.term() + "\n";
    }
  }
  return out;
}

/// Random rules over a small vocabulary, so that terms overlap, nest and repeat: phrases that
/// hold other terms (masking), proximity lists sharing terms with plain ones, terms used by
/// several signals and labels, negative and veto signals, caps, requirement sets.
std::string random_label(std::mt19937& random, int index) {
  const std::vector<std::string> words{"alpha",  "beta",  "gamma", "delta", "the",  "of",
                                       "summit", "talks", "峰会",  "cop28", "gam*", "sum*"};
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
  const auto term = [&] {
    std::string t = words[pick(words.size())];
    const std::size_t extra = pick(4) == 0 ? 1 + pick(2) : 0;
    for (std::size_t k = 0; k < extra; ++k) {
      std::string w = words[pick(words.size())];
      if (!t.empty() && t.back() == '*') t.pop_back();
      t += " " + w;
    }
    return t;
  };
  std::string yaml = "label: l" + std::to_string(index) + "\n";
  yaml += "threshold: " + std::to_string(1 + pick(4)) + "\n";
  yaml += "fields: {title: " + std::to_string(1 + pick(3)) + ", summary: 0.8, content: 0." +
          std::to_string(1 + pick(9)) + "}\n";
  const int groups = 1 + static_cast<int>(pick(4));
  if (pick(2) == 0) yaml += "require: [[g0], [g1, g" + std::to_string(groups - 1) + "]]\n";
  yaml += "groups:\n";
  for (int g = 0; g < std::max(groups, 2); ++g) {
    yaml += "  g" + std::to_string(g) + ":\n";
    const int weight = static_cast<int>(pick(7)) - 2;
    yaml += "    weight: " + std::to_string(weight == 0 ? 1 : weight) + "\n";
    if (pick(3) == 0) yaml += "    cap: " + std::to_string(1 + pick(4)) + ".5\n";
    yaml += "    terms:\n";
    std::vector<std::string> used;
    const int terms = 1 + static_cast<int>(pick(5));
    for (int t = 0; t < terms; ++t) {
      const std::size_t kind = pick(6);
      if (kind == 0) {
        std::string a = term(), b = term(), c = term();
        yaml += "      - {near: [[\"" + a + "\", \"" + b + "\"], [\"" + c + "\", \"" + a +
                "\"]], within: " + std::to_string(pick(4)) + "}\n";
        continue;
      }
      std::string t0 = term();
      if (std::find(used.begin(), used.end(), t0) != used.end()) continue;
      used.push_back(t0);
      if (kind == 1) {
        yaml += "      - {term: \"" + t0 + "\", veto: true}\n";
      } else if (kind == 2) {
        yaml += "      - {term: \"" + t0 + "\", weight: -" + std::to_string(1 + pick(3)) + "}\n";
      } else {
        yaml += "      - \"" + t0 + "\"\n";
      }
    }
  }
  return yaml;
}

TEST(Scorer, AgreesWithTheReferenceOnRandomRulesAndTexts) {
  std::mt19937 random(2026);
  const std::vector<std::string> pieces{"alpha",  "beta",  "gamma", "delta", "the",       "of",
                                        "Summit", "talks", "峰会",  "COP28", "gamma-ray", " ",
                                        " ",      "  ",    ".",     ",",     "sums",      "x"};
  int compiled = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<RuleSource> sources;
    const int labels = 1 + static_cast<int>(random() % 3);
    for (int l = 0; l < labels; ++l) {
      sources.push_back({"l" + std::to_string(l) + ".yaml", random_label(random, l)});
    }
    const auto result = compile_rules(sources);
    if (!result.rules) continue;  // a term given twice in one label: skip these rules
    ++compiled;
    for (int text = 0; text < 40; ++text) {
      std::array<std::string, kFieldCount> fields;
      for (auto& field : fields) {
        const int count = static_cast<int>(random() % 40);
        for (int k = 0; k < count; ++k) {
          field += pieces[random() % pieces.size()];
          if (random() % 2) field += " ";
        }
      }
      const Text input{fields[0], fields[1], fields[2]};
      ASSERT_EQ(describe(classify(*result.rules, input)),
                describe(reference::classify(*result.rules, input)))
          << "rules:\n"
          << sources[0].text << "title: " << fields[0] << "\nsummary: " << fields[1]
          << "\ncontent: " << fields[2];
    }
  }
  EXPECT_GT(compiled, 100);
}

TEST(Scorer, AgreesWithTheReferenceOverTheCap) {
  // Fields with more than 512 uses per label keep each label's first 512, in the order of
  // Rules::uses.
  const std::string yaml = R"(label: capped
threshold: 3
groups:
  a:
    terms: [alpha, "alpha beta", {near: [[alpha], [beta, gamma]], within: 1}]
  n:
    weight: -1
    terms: [beta gamma alpha, {term: "gamma delta", veto: true}]
)";
  const auto result = compile_rules({{"capped.yaml", yaml}, {"other.yaml", R"(label: other
threshold: 1
groups:
  g:
    terms: [gamma, beta, "alpha beta gamma"]
)"}});
  ASSERT_THAT(result.errors, ::testing::IsEmpty());
  // Past the cap, the veto and the second label's "alpha beta gamma" are not seen.
  std::string content;
  for (int k = 0; k < 600; ++k) content += "alpha ";
  content += "gamma delta alpha beta gamma";
  const Text capped{{}, {}, content};
  const Verdict verdict = classify(*result.rules, capped);
  EXPECT_FALSE(verdict.labels[0].vetoed);
  EXPECT_EQ(describe(verdict), describe(reference::classify(*result.rules, capped)));
  EXPECT_TRUE(
      classify(*result.rules, Text{{}, {}, "gamma delta alpha beta gamma"}).labels[0].vetoed);

  std::mt19937 random(5);
  const std::vector<std::string> words{"alpha", "beta", "gamma", "delta", "x"};
  for (int round = 0; round < 40; ++round) {
    std::string text;
    const int count = 200 + static_cast<int>(random() % 900);
    for (int k = 0; k < count; ++k) text += words[random() % words.size()] + " ";
    const Text input{"alpha beta", {}, text};
    ASSERT_EQ(describe(classify(*result.rules, input)),
              describe(reference::classify(*result.rules, input)));
  }
}

TEST(Scorer, KeepsExactlyTheFirst512UsesOfALabel) {
  // "gamma" has two uses (a term, then a first-list one), "delta" one (second-list): around
  // the 512th use, which of them count moves with the number of "alpha"s before them.
  const auto result = compile_rules({{"edge.yaml", R"(label: edge
threshold: 100
groups:
  a:
    terms: [alpha]
  b:
    terms: [gamma, {near: [[gamma], [delta]], within: 3}]
)"}});
  ASSERT_THAT(result.errors, ::testing::IsEmpty());
  const auto terms = [&](int alphas) {
    std::string content;
    for (int k = 0; k < alphas; ++k) content += "alpha ";
    content += "gamma delta";
    const Text input{{}, {}, content};
    const Verdict verdict = classify(*result.rules, input);
    EXPECT_EQ(describe(verdict), describe(reference::classify(*result.rules, input)));
    std::vector<std::string> out;
    for (const auto& c : verdict.labels[0].contributions) out.push_back(c.term());
    return out;
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(terms(509), ElementsAre("alpha", "gamma", "gamma ~ delta"));  // 512 uses
  EXPECT_THAT(terms(510), ElementsAre("alpha", "gamma"));                   // delta is the 513th
  EXPECT_THAT(terms(511), ElementsAre("alpha", "gamma"));  // gamma's first use is the 512th
  EXPECT_THAT(terms(512), ElementsAre("alpha"));
}

}  // namespace
}  // namespace wirewatch::classify
