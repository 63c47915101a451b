#include "classify/classifier.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "classify/text.hpp"

namespace wirewatch::classify {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A small label that exercises every rule feature.
constexpr const char* kRules = R"(label: climate
threshold: 2
fields: {title: 1.0, summary: 0.5, content: 0.25}
require: [[topic, talks], [strong]]
groups:
  strong:
    weight: 3
    terms: [UNFCCC, "COP{20-30}", 气候大会]
  topic:
    weight: 1
    cap: 1.5
    terms: [climate, emissions, carbon]
  talks:
    terms:
      - negotiat*
      - {near: [[minister, ministers], [met, meet]], within: 2, weight: 1.5}
  negative:
    weight: -2
    terms: [business climate, {term: Everest, veto: true}]
)";

class ClassifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto result = compile_rules({{"climate.yaml", kRules}});
    ASSERT_THAT(result.errors, IsEmpty());
    rules_ = result.rules;
  }
  LabelVerdict run(std::string_view title, std::string_view summary = {},
                   std::string_view content = {}) const {
    return classify(*rules_, Text{title, summary, content}).labels.at(0);
  }
  static std::vector<std::string> terms(const LabelVerdict& verdict) {
    std::vector<std::string> out;
    for (const auto& c : verdict.contributions) out.push_back(c.term());
    return out;
  }
  std::shared_ptr<const Rules> rules_;
};

TEST_F(ClassifierTest, AStrongSignalCarriesTheLabelAlone) {
  const auto verdict = run("UNFCCC session opens");
  EXPECT_TRUE(verdict.flagged);
  EXPECT_TRUE(verdict.requirement_met);
  EXPECT_EQ(verdict.points, 3.0);
  EXPECT_THAT(terms(verdict), ElementsAre("UNFCCC"));
}

TEST_F(ClassifierTest, GroupsMustCoOccur) {
  const auto topic_only = run("Climate, emissions and carbon");
  EXPECT_FALSE(topic_only.flagged);
  EXPECT_FALSE(topic_only.requirement_met);
  EXPECT_LT(topic_only.score, 0.5);
  const auto both = run("Climate negotiators gather");
  EXPECT_TRUE(both.flagged);
  EXPECT_EQ(both.points, 2.0);
}

TEST_F(ClassifierTest, AGroupAddsAtMostItsCap) {
  EXPECT_EQ(run("Climate, emissions and carbon").points, 1.5);
}

TEST_F(ClassifierTest, TitleWeighsAboveSummaryAboveContent) {
  EXPECT_EQ(run("Negotiators gather", "", "climate").points, 1.25);
  EXPECT_EQ(run("Negotiators gather", "climate").points, 1.5);
  EXPECT_EQ(run("Climate negotiators gather").points, 2.0);
  const auto verdict = run("Negotiators gather", "", "climate");
  EXPECT_FALSE(verdict.flagged);
  EXPECT_EQ(verdict.contributions.at(1).field, Field::content);
}

TEST_F(ClassifierTest, ATermCountsOnceAtItsBestField) {
  const auto verdict = run("Negotiators", "climate", "climate climate climate");
  EXPECT_EQ(verdict.points, 1.5);
  EXPECT_EQ(verdict.contributions.at(1).field, Field::summary);
}

TEST_F(ClassifierTest, ThresholdDecides) {
  EXPECT_FALSE(run("Negotiators gather", "climate").flagged);  // 1.5 < 2
  EXPECT_TRUE(run("Climate negotiators gather").flagged);      // 2 >= 2
}

TEST_F(ClassifierTest, NegativeTermsSubtract) {
  const auto verdict = run("Climate negotiators meet as the business climate sours");
  EXPECT_EQ(verdict.points, 0.0);  // 1 + 1 - 2
  EXPECT_FALSE(verdict.flagged);
}

TEST_F(ClassifierTest, NegativePhrasesHideTheWordsInsideThem) {
  const auto verdict = run("Business climate negotiations");
  EXPECT_FALSE(verdict.requirement_met);  // "climate" only inside "business climate"
  EXPECT_THAT(terms(verdict), ElementsAre("negotiat*", "business climate", "climate"));
  EXPECT_TRUE(verdict.contributions.back().masked);
}

TEST_F(ClassifierTest, AVetoKeepsTheLabelOff) {
  const auto verdict = run("UNFCCC COP28 negotiators on Everest");
  EXPECT_TRUE(verdict.vetoed);
  EXPECT_FALSE(verdict.flagged);
  EXPECT_EQ(verdict.score, 0.0);
}

TEST_F(ClassifierTest, ProximityNeedsTheTermsWithinNWords) {
  EXPECT_TRUE(run("Climate ministers met").flagged);                     // 0 words between
  EXPECT_TRUE(run("Climate ministers finally met").flagged);             // 1
  EXPECT_TRUE(run("Climate minister and envoy met").flagged);            // 2
  EXPECT_FALSE(run("Climate ministers, in a long night, met").flagged);  // 4
  EXPECT_FALSE(run("Climate ministers", "met").flagged);                 // different fields
  EXPECT_THAT(terms(run("Climate ministers met")), ElementsAre("ministers ~ met", "climate"));
}

TEST_F(ClassifierTest, SpacedScriptsMatchWholeWords) {
  EXPECT_FALSE(run("Climatewatch negotiators").requirement_met);
  EXPECT_TRUE(run("COP28").flagged);
  EXPECT_FALSE(run("COP31 COP280 XCOP28").flagged);
}

TEST_F(ClassifierTest, FoldsCaseDiacriticsAndWidth) {
  EXPECT_TRUE(run("ＣＯＰ２５ ends").flagged);
  EXPECT_TRUE(run("CLIMATE NEGOTIATIONS").flagged);
  EXPECT_TRUE(run("Clímáte negotiators").flagged);
}

TEST_F(ClassifierTest, CjkTermsMatchInsideText) {
  const auto verdict = run("第二十九届联合国气候大会在巴库闭幕");
  EXPECT_TRUE(verdict.flagged);
  EXPECT_THAT(terms(verdict), ElementsAre("气候大会"));
}

TEST_F(ClassifierTest, ScoresStayInRangeAndHalfMeansFlagged) {
  for (const char* title : {"", "climate", "Climate negotiators", "UNFCCC COP25 climate",
                            "business climate", "Everest"}) {
    const auto verdict = run(title);
    EXPECT_GE(verdict.score, 0.0) << title;
    EXPECT_LE(verdict.score, 1.0) << title;
    EXPECT_EQ(verdict.flagged, verdict.score >= 0.5) << title;
  }
}

TEST(ClassifierScoreThreshold, AConfiguredFlagScoreMovesTheCut) {
  LoadOptions options;
  options.score_thresholds["climate"] = 0.6;  // points / (points + 2) >= 0.6: points >= 3
  const auto rules = compile_rules({{"climate.yaml", kRules}}, options).rules;
  ASSERT_NE(rules, nullptr);
  const auto run = [&](std::string_view title) {
    return classify(*rules, Text{title, {}, {}}).labels[0];
  };
  EXPECT_FALSE(run("Climate negotiators gather").flagged);  // 2 points: score 0.5
  EXPECT_TRUE(run("UNFCCC talks").flagged);                 // 3 points: score 0.6
  core::Record record;
  record.title = "Climate negotiators gather";
  classify(*rules, record);
  EXPECT_EQ(record.scores.at("climate"), 0.5);
  EXPECT_TRUE(record.labels.empty());
}

// classify folds and matches in one pass and skips the rest of a Latin word once no pattern is
// partly matched. It must find exactly the terms the plain two-pass path finds (fold_text,
// then Matcher::scan over every byte).
TEST(ClassifierMatching, FindsWhatAFullScanOfTheFoldedTextFinds) {
  const std::vector<std::string> terms{
      "summit", "summits",  "negotiat*",  "loss and damage", "COP{25-29}", "G20 summit", "un",
      "峰会",   "气候大会", "U.N. talks", "hội nghị",        "sommet",     "climat*",    "cumbre",
      "a",      "ab*",      "abc d"};
  std::string yaml = "label: t\nthreshold: 100\ngroups:\n  g:\n    terms:\n";
  for (const auto& term : terms) yaml += "      - \"" + term + "\"\n";
  const auto compiled = compile_rules({{"t.yaml", yaml}});
  ASSERT_THAT(compiled.errors, IsEmpty());
  const Rules& rules = *compiled.rules;

  const std::vector<std::string> pieces{
      "summit", "sum",  "mit",  "s",   "negotiat", "re",  "ion",   "loss",   " and ",  "damage",
      "COP",    "2",    "8",    "G20", " ",        "  ",  ".",     "'",      "-",      "峰",
      "会",     "气候", "大会", "U",   "N",        "hội", " nghị", "SOMMET", "climat", "é",
      "cumbre", "a",    "b",    "c",   "d",        "ab",  "x",     "\xFF",   "中",     " talks"};
  std::mt19937 random(42);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int count = static_cast<int>(random() % 12);
    for (int k = 0; k < count; ++k) text += pieces[random() % pieces.size()];

    std::set<std::string> expected;
    FoldedText folded;
    fold_text(text, folded);
    rules.matcher.scan(folded.text, [&](std::uint32_t pattern, std::size_t) {
      for (auto u = rules.use_begin[pattern]; u < rules.use_begin[pattern + 1]; ++u) {
        expected.insert(rules.terms[rules.uses[u].term]);
      }
    });
    std::set<std::string> got;
    const Verdict verdict = classify(rules, Text{text, {}, {}});
    for (const auto& c : verdict.labels[0].contributions) got.insert(std::string(c.first));
    ASSERT_EQ(got, expected) << "text: \"" << text << "\"";
  }
}

TEST_F(ClassifierTest, SurvivesHostileInput) {
  std::string content;
  for (int i = 0; i < 100000; ++i) content += "climate negotiators business climate ";
  const auto verdict = run("", "", content);
  EXPECT_FALSE(verdict.contributions.empty());
}

TEST_F(ClassifierTest, IsSafeToShareBetweenThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> agreed{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (run("Climate negotiators gather").points == 2.0) ++agreed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(agreed.load(), 800);
}

TEST_F(ClassifierTest, SetsARecordsLabelsScoresAndEvidence) {
  core::Record record;
  record.title = "UNFCCC talks";
  record.content = "Climate negotiators";
  record.labels = {"stale"};
  record.evidence["stale"].push_back({"x", "title"});
  classify(*rules_, record);
  EXPECT_THAT(record.labels, ElementsAre("climate"));
  EXPECT_EQ(record.scores.at("climate"), 0.636);  // 3.5 / (3.5 + 2), three decimals
  EXPECT_THAT(record.evidence.at("climate"),
              ElementsAre(core::Evidence{"UNFCCC", "title"}, core::Evidence{"climate", "content"},
                          core::Evidence{"negotiat*", "content"}));
  EXPECT_EQ(record.evidence.count("stale"), 0u);
}

TEST_F(ClassifierTest, GivesEveryLabelAScoreButEvidenceOnlyToFlaggedOnes) {
  core::Record record;
  record.title = "Climate";
  classify(*rules_, record);
  EXPECT_THAT(record.labels, IsEmpty());
  EXPECT_EQ(record.scores.at("climate"), 0.167);  // 1 / 3, halved: no group pair matched
  EXPECT_THAT(record.evidence, IsEmpty());
}

}  // namespace
}  // namespace wirewatch::classify
