#include "classify/rules.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace wirewatch::classify {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kValid = R"(label: summit
threshold: 2
groups:
  meeting:
    terms: [summit]
)";

std::vector<std::string> errors_of(const std::string& yaml) {
  return compile_rules({{"rules/summit.yaml", yaml}}).errors;
}

TEST(CompileRules, AcceptsAMinimalFile) {
  const LoadResult result = compile_rules({{"summit.yaml", kValid}});
  ASSERT_THAT(result.errors, IsEmpty());
  ASSERT_EQ(result.rules->labels.size(), 1u);
  const Label& label = result.rules->labels[0];
  EXPECT_EQ(label.name, "summit");
  EXPECT_EQ(label.threshold, 2.0);
  EXPECT_EQ(label.signals.at(0).location, "summit.yaml:5");
}

TEST(CompileRules, ReportsYamlSyntaxErrorsWithTheLine) {
  EXPECT_THAT(errors_of("label: summit\nthreshold: [2\n"),
              ElementsAre(HasSubstr("rules/summit.yaml:3: not valid YAML")));
}

TEST(CompileRules, RejectsUnknownKeysNamingTheLine) {
  EXPECT_THAT(errors_of(std::string(kValid) + "treshold: 3\n"),
              ElementsAre("rules/summit.yaml:6: unknown key \"treshold\" (expected label, "
                          "description, threshold, fields, require, groups)"));
  EXPECT_THAT(errors_of("label: summit\nthreshold: 2\ngroups:\n  g:\n    terms: "
                        "[{term: summit, wieght: 2}]\n"),
              ElementsAre(HasSubstr("rules/summit.yaml:5: unknown key \"wieght\"")));
}

TEST(CompileRules, RequiresLabelThresholdAndGroups) {
  EXPECT_THAT(errors_of("description: x\n"),
              ElementsAre("rules/summit.yaml:1: missing \"label\"",
                          "rules/summit.yaml:1: missing \"threshold\"",
                          "rules/summit.yaml:1: missing \"groups\""));
}

TEST(CompileRules, ChecksValues) {
  EXPECT_THAT(errors_of("label: Summit!\nthreshold: 2\ngroups: {g: {terms: [a]}}\n"),
              ElementsAre(HasSubstr(":1: label \"Summit!\" must be lowercase")));
  EXPECT_THAT(errors_of("label: s\nthreshold: -1\ngroups: {g: {terms: [a]}}\n"),
              ElementsAre(HasSubstr(":2: threshold must be greater than 0")));
  EXPECT_THAT(errors_of("label: s\nthreshold: many\ngroups: {g: {terms: [a]}}\n"),
              ElementsAre(HasSubstr(":2: threshold must be a number")));
  EXPECT_THAT(errors_of("label: s\nthreshold: 1\nfields: {title: -1}\ngroups: {g: {terms: [a]}}\n"),
              ElementsAre(HasSubstr(":3: the weight of title must not be negative")));
  EXPECT_THAT(errors_of("label: s\nthreshold: 1\nfields: {body: 1}\ngroups: {g: {terms: [a]}}\n"),
              ElementsAre(HasSubstr(":3: unknown field \"body\"")));
  EXPECT_THAT(errors_of("label: s\nthreshold: 1\ngroups:\n  g:\n    terms: []\n"),
              ElementsAre(HasSubstr(":5: group \"g\" needs a non-empty list of terms")));
  EXPECT_THAT(errors_of("label: s\nthreshold: 1\ngroups:\n  g:\n    terms: [{term: a, veto: "
                        "maybe}]\n"),
              ElementsAre(HasSubstr(":5: veto must be true or false")));
}

TEST(CompileRules, RequireNamesDefinedGroups) {
  EXPECT_THAT(errors_of(std::string(kValid) + "require: [[meeting, leaders]]\n"),
              ElementsAre("rules/summit.yaml:6: require names group \"leaders\", which is not "
                          "defined"));
}

TEST(CompileRules, ChecksTerms) {
  const auto with_terms = [](const std::string& terms) {
    return errors_of("label: s\nthreshold: 1\ngroups:\n  g:\n    terms:\n" + terms);
  };
  EXPECT_THAT(with_terms("      - \"--\"\n"),
              ElementsAre(HasSubstr(":6: \"--\" has no letter or digit to match")));
  EXPECT_THAT(with_terms("      - ne*gotiate\n"),
              ElementsAre(HasSubstr(":6: \"ne*gotiate\": '*' may only end a term")));
  EXPECT_THAT(with_terms("      - \"COP{30-2}\"\n"), ElementsAre(HasSubstr(":6: \"COP{30-2}\": bad "
                                                                           "number range {30-2}")));
  EXPECT_THAT(with_terms("      - UN\n      - U.N.\n"),
              ElementsAre(HasSubstr(":7: \"U.N.\" is the same term as one at "
                                    "rules/summit.yaml:6 once folded")));
  EXPECT_THAT(with_terms("      - {near: [[a], [b], [c]]}\n"),
              ElementsAre(HasSubstr(":6: near takes two lists of terms")));
  EXPECT_THAT(with_terms("      - {near: [[a], [b]], within: 2.5}\n"),
              ElementsAre(HasSubstr(":6: within must be a whole number")));
  EXPECT_THAT(with_terms("      - {term: a, near: [[a], [b]]}\n"),
              ElementsAre(HasSubstr(":6: give exactly one of \"term\" and \"near\"")));
  EXPECT_THAT(with_terms("      - {term: a, within: 3}\n"),
              ElementsAre(HasSubstr(":6: \"within\" only applies to \"near\"")));
}

TEST(CompileRules, ExpandsNumberRanges) {
  const LoadResult result = compile_rules(
      {{"s.yaml", "label: s\nthreshold: 1\ngroups:\n  g:\n    terms: [\"COP{27-29}\"]\n"}});
  ASSERT_THAT(result.errors, IsEmpty());
  EXPECT_THAT(result.rules->terms, ElementsAre("COP27", "COP28", "COP29"));
}

TEST(CompileRules, RejectsTheSameLabelTwice) {
  EXPECT_THAT(compile_rules({{"a.yaml", kValid}, {"b.yaml", kValid}}).errors,
              ElementsAre("b.yaml:1: label \"summit\" is already defined in a.yaml"));
}

TEST(CompileRules, ReportsEveryFileAndNeverKeepsPartialRules) {
  const LoadResult result =
      compile_rules({{"a.yaml", "label: a\n"}, {"b.yaml", kValid}, {"c.yaml", "["}});
  EXPECT_EQ(result.rules, nullptr);
  EXPECT_THAT(result.errors,
              ElementsAre("a.yaml:1: missing \"threshold\"", "a.yaml:1: missing \"groups\"",
                          HasSubstr("c.yaml:1: not valid YAML")));
}

TEST(CompileRules, TakesScoreThresholdsFromTheConfig) {
  LoadOptions options;
  options.score_thresholds["summit"] = 0.7;
  const LoadResult result = compile_rules({{"s.yaml", kValid}}, options);
  ASSERT_THAT(result.errors, IsEmpty());
  EXPECT_EQ(result.rules->labels[0].flag_score, 0.7);
  options.score_thresholds = {{"sumit", 0.7}, {"summit", 1.5}};
  EXPECT_THAT(compile_rules({{"s.yaml", kValid}}, options).errors,
              ElementsAre("thresholds: no rules file defines label \"sumit\"",
                          "thresholds: the score for \"summit\" must be between 0 and 1 "
                          "(exclusive)"));
}

class LoadRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("wirewatch-rules-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(LoadRulesTest, ReadsYamlFilesOnly) {
  write("summit.yaml", kValid);
  write("README.md", "not rules");
  const LoadResult result = load_rules(dir_);
  ASSERT_THAT(result.errors, IsEmpty());
  EXPECT_EQ(result.rules->labels.size(), 1u);
}

TEST_F(LoadRulesTest, NamesTheFileInErrors) {
  write("summit.yml", "label: summit\nthreshold: 0\ngroups: {g: {terms: [a]}}\n");
  EXPECT_THAT(load_rules(dir_).errors,
              ElementsAre((dir_ / "summit.yml").string() + ":2: threshold must be greater than 0"));
}

TEST_F(LoadRulesTest, FailsOnAnEmptyOrMissingDirectory) {
  EXPECT_THAT(load_rules(dir_).errors, ElementsAre(HasSubstr("no rules files")));
  EXPECT_THAT(load_rules(dir_ / "missing").errors,
              ElementsAre(HasSubstr("cannot read rules directory")));
}

TEST(ShippedRules, Compile) {
  const LoadResult result =
      load_rules(std::filesystem::path(WIREWATCH_SOURCE_DIR) / "config/rules");
  ASSERT_THAT(result.errors, IsEmpty());
  std::vector<std::string> names;
  for (const auto& label : result.rules->labels) names.push_back(label.name);
  EXPECT_THAT(names, ElementsAre("climate_diplomacy", "summit"));
}

}  // namespace
}  // namespace wirewatch::classify
