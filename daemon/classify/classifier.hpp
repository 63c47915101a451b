// The classifier stage: a story's title, summary and content → labels, scores and evidence.
// Pure: no I/O, no clock; rules come in compiled (rules.hpp). Safe to call from many threads
// with the same Rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "classify/rules.hpp"
#include "core/record.hpp"

namespace wirewatch::classify {

/// The text the classifier reads.
struct Text {
  std::string_view title;
  std::string_view summary;
  std::string_view content;
};

/// One signal's part in a label's score, at the field where it counted most.
struct Contribution {
  std::uint32_t signal = 0;  // index into Label::signals
  std::string_view first;    // the term as written that matched (Rules::terms)
  std::string_view second;   // for a proximity signal: the other term; else empty
  Field field = Field::title;
  double points = 0;    // weight × field weight (negative for negative signals)
  bool masked = false;  // a positive match hidden by a negative one around it (0 points)

  /// What evidence shows: "COP28", or "ratified ~ Paris Agreement" for a proximity signal.
  std::string term() const;
};

/// The verdict on one label.
struct LabelVerdict {
  const Label* label = nullptr;
  double points = 0;     // the sum over groups, each capped
  double score = 0;      // 0..1: points / (points + threshold), halved when no required
                         // set of groups matched, 0 when vetoed
  bool flagged = false;  // score >= the label's flag score (0.5: points >= threshold),
                         // a required set of groups matched, and no veto
  bool requirement_met = false;
  bool vetoed = false;
  std::vector<Contribution> contributions;  // positive ones first, most points first
};

/// The verdict on every label, in rules order.
struct Verdict {
  std::vector<LabelVerdict> labels;
};

/// Classifies a story.
Verdict classify(const Rules& rules, const Text& text);

/// Classifies a record in place: sets labels (flagged ones, rules order), scores (every
/// label) and evidence (each flagged label's positive contributions).
void classify(const Rules& rules, core::Record& record);

/// Writes a verdict into a record's labels, scores and evidence, replacing what was there.
void apply(const Verdict& verdict, core::Record& record);

}  // namespace wirewatch::classify
