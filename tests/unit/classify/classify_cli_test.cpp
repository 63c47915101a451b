// `wirewatch classify` as users run it: the real binary, NDJSON on stdin.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

using ::testing::HasSubstr;

const std::filesystem::path kSource = WIREWATCH_SOURCE_DIR;

struct CommandResult {
  int status = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

class ClassifyCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("wirewatch-classify-cli-") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  /// Runs `wirewatch classify ARGS < input`.
  CommandResult run(const std::string& args, const std::string& input) {
    std::ofstream(dir_ / "in") << input;
    const std::string command = std::string("'") + WIREWATCH_BINARY + "' classify " + args +
                                " < '" + (dir_ / "in").string() + "' > '" +
                                (dir_ / "out").string() + "' 2> '" + (dir_ / "err").string() + "'";
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir_ / "out"), slurp(dir_ / "err")};
  }

  std::string rules_flag() const { return "--rules '" + (kSource / "config/rules").string() + "'"; }

  std::filesystem::path dir_;
};

std::vector<nlohmann::ordered_json> lines_of(const std::string& text) {
  std::vector<nlohmann::ordered_json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out.push_back(nlohmann::ordered_json::parse(line));
  }
  return out;
}

TEST_F(ClassifyCommand, KeepsEveryFieldAndOrderAndSetsTheVerdict) {
  const CommandResult result = run(
      rules_flag(),
      R"({"id":"a","title":"G20 summit opens in New Delhi","x":{"y":[1,2]},"labels":{"summit":true}})"
      "\n"
      R"({"id":"b","title":"Bakery wins award","summary":null})"
      "\n");
  ASSERT_EQ(result.status, 0) << result.err;
  const auto lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].dump(), std::string(R"({"id":"a","title":"G20 summit opens in New Delhi",)"
                                         R"("x":{"y":[1,2]},"labels":["summit"],)") +
                                 R"("scores":)" + lines[0]["scores"].dump() + R"(,"evidence":)" +
                                 lines[0]["evidence"].dump() + "}");
  EXPECT_EQ(lines[0]["evidence"]["summit"][0]["field"], "title");
  EXPECT_GE(lines[0]["scores"]["summit"].get<double>(), 0.5);
  EXPECT_LT(lines[0]["scores"]["climate_diplomacy"].get<double>(), 0.5);
  EXPECT_EQ(lines[1]["id"], "b");
  EXPECT_TRUE(lines[1]["labels"].empty());
  EXPECT_TRUE(lines[1]["evidence"].empty());
}

TEST_F(ClassifyCommand, ReportsBadLinesWithTheirNumberAndGoesOn) {
  const CommandResult result = run(rules_flag(),
                                   "{\"title\":\"COP28 opens in Dubai\"}\n"
                                   "not json\n"
                                   "\n"
                                   "[1,2]\n"
                                   "{\"title\":42}\n"
                                   "{\"title\":\"Everest summit\"}\n");
  EXPECT_EQ(result.status, 65);
  EXPECT_EQ(lines_of(result.out).size(), 2u);
  EXPECT_THAT(result.err, HasSubstr("wirewatch: <stdin>:2: not JSON: "));
  EXPECT_THAT(result.err, HasSubstr("wirewatch: <stdin>:4: expected a JSON object, got array"));
  EXPECT_THAT(result.err, HasSubstr("wirewatch: <stdin>:5: \"title\" must be a string"));
  EXPECT_THAT(result.err, HasSubstr("wirewatch: <stdin>: skipped 3 bad lines"));
}

TEST_F(ClassifyCommand, RejectsABrokenRulesFileWithFileAndLine) {
  std::filesystem::create_directories(dir_ / "rules");
  std::ofstream(dir_ / "rules/summit.yaml")
      << "label: summit\nthreshold: 2\ngroups:\n  meeting:\n    wieght: 1\n    terms: [summit]\n";
  const CommandResult result = run("--rules '" + (dir_ / "rules").string() + "'", "{}\n");
  EXPECT_EQ(result.status, 78);
  EXPECT_THAT(result.err, HasSubstr((dir_ / "rules/summit.yaml").string() +
                                    ":5: unknown key \"wieght\" in group \"meeting\""));
  EXPECT_EQ(result.out, "");
}

TEST_F(ClassifyCommand, FindsTheShippedRulesByDefault) {
  const CommandResult result =
      run("", "{\"title\":\"NATO leaders gather for summit in Vilnius\"}\n");
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("\"labels\":[\"summit\"]"));
}

TEST_F(ClassifyCommand, ReadsAFileArgument) {
  std::ofstream(dir_ / "stories.jsonl") << "{\"title\":\"COP28 opens\"}\n";
  const CommandResult result =
      run(rules_flag() + " '" + (dir_ / "stories.jsonl").string() + "'", "");
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(lines_of(result.out).size(), 1u);
  EXPECT_EQ(run(rules_flag() + " '" + (dir_ / "missing.jsonl").string() + "'", "").status, 66);
}

TEST_F(ClassifyCommand, ExplainsAPlainTextStory) {
  const CommandResult result =
      run(rules_flag() + " --explain '" +
              (kSource / "tests/fixtures/classify/envoys_before_apec.txt").string() + "'",
          "");
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("climate_diplomacy: YES"));
  EXPECT_THAT(result.out, HasSubstr("summit: YES"));
  EXPECT_THAT(result.out, HasSubstr("\"climate envoy*\""));
  EXPECT_THAT(result.out, HasSubstr("climate_diplomacy.yaml:"));
}

}  // namespace
