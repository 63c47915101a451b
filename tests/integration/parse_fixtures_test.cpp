// Runs every feed fixture in tests/fixtures/feeds/ through the real `wirewatch parse` and
// compares standard output with <stem>.golden.jsonl, and the exit status and standard error
// with <stem>.status (absent: exit 0, nothing on stderr). The invocation is the one
// scripts/update-goldens.sh uses (see tests/fixtures/feeds/README.md):
//
//   cd tests/fixtures/feeds && wirewatch parse FILE --fetched 2024-01-01T00:00:00Z
//       [--base-url https://fixtures.wirewatch.test/feeds/FILE]   (unless FILE's .args has one)
//       [arguments of <stem>.args, one per line]
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace wirewatch {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(WIREWATCH_SOURCE_DIR) / "tests" / "fixtures" / "feeds";
constexpr const char* kFetched = "2024-01-01T00:00:00Z";
constexpr const char* kDefaultBase = "https://fixtures.wirewatch.test/feeds/";

/// Feed fixtures: every file that is not a golden, a status, an args file, a script or a README.
std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  if (!fs::is_directory(kFixtures)) return names;
  for (const auto& file : fs::directory_iterator(kFixtures)) {
    if (!file.is_regular_file()) continue;
    const std::string name = file.path().filename().string();
    const std::string extension = file.path().extension().string();
    if (name.ends_with(".golden.jsonl") || extension == ".status" || extension == ".args" ||
        extension == ".py" || extension == ".md") {
      continue;
    }
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string stem_of(const std::string& name) {
  return fs::path(name).stem().string();
}

std::vector<std::string> read_args(const std::string& name) {
  std::vector<std::string> args;
  std::istringstream lines(read_file(kFixtures / (stem_of(name) + ".args")));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    args.push_back(line);
  }
  return args;
}

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs argv in `directory` with stdout and stderr captured to files (no pipe can fill up).
RunResult run_in(const fs::path& directory, const std::vector<std::string>& argv) {
  const fs::path scratch =
      fs::temp_directory_path() / ("wirewatch-parse-fixture-" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  const fs::path out_path = scratch / "out";
  const fs::path err_path = scratch / "err";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || in < 0 || ::chdir(directory.c_str()) != 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  RunResult run;
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid) {
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  run.out = read_file(out_path);
  run.err = read_file(err_path);
  fs::remove_all(scratch);
  return run;
}

/// The expected exit status and standard error of a fixture: "exit N" and "stderr LINE".
struct Expected {
  int exit_code = 0;
  std::string err;
};

Expected read_status(const std::string& name) {
  Expected expected;
  const fs::path path = kFixtures / (stem_of(name) + ".status");
  if (!fs::exists(path)) return expected;
  std::istringstream lines(read_file(path));
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("exit ")) expected.exit_code = std::atoi(line.c_str() + 5);
    if (line.starts_with("stderr ")) expected.err += line.substr(7) + "\n";
  }
  return expected;
}

/// The first line where two JSONL texts differ, for a readable failure.
std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream a(expected), b(actual);
  std::string x, y;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, x));
    const bool more_b = static_cast<bool>(std::getline(b, y));
    if (!more_a && !more_b) return "no difference";
    if (!more_a || !more_b || x != y) {
      return "line " + std::to_string(line) + "\n  golden: " + (more_a ? x : "(none)") +
             "\n  actual: " + (more_b ? y : "(none)");
    }
  }
}

class ParseFixture : public testing::TestWithParam<std::string> {};

TEST_P(ParseFixture, MatchesGolden) {
  const std::string& name = GetParam();
  const fs::path golden = kFixtures / (stem_of(name) + ".golden.jsonl");
  ASSERT_TRUE(fs::exists(golden)) << "no golden for " << name
                                  << "; run scripts/update-goldens.sh and review it";
  std::vector<std::string> argv{WIREWATCH_BINARY, "parse", name, "--fetched", kFetched};
  const std::vector<std::string> extra = read_args(name);
  if (std::find(extra.begin(), extra.end(), "--base-url") == extra.end()) {
    argv.insert(argv.end(), {"--base-url", std::string(kDefaultBase) + name});
  }
  argv.insert(argv.end(), extra.begin(), extra.end());

  const RunResult run = run_in(kFixtures, argv);
  const Expected expected = read_status(name);
  const std::string expected_out = read_file(golden);
  EXPECT_EQ(run.exit_code, expected.exit_code) << name;
  EXPECT_EQ(run.err, expected.err) << name;
  EXPECT_TRUE(run.out == expected_out)
      << name << ": output differs from " << golden.filename().string() << " at "
      << first_difference(expected_out, run.out);
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Feeds, ParseFixture, testing::ValuesIn(fixture_names()), test_name);

// The fixture set itself: large enough, every fixture has a golden, no golden is orphaned.
TEST(ParseFixtures, EveryFixtureHasAGoldenAndEveryGoldenAFixture) {
  const std::vector<std::string> names = fixture_names();
  EXPECT_GE(names.size(), 80u);
  std::set<std::string> stems;
  for (const auto& name : names) {
    EXPECT_TRUE(stems.insert(stem_of(name)).second) << "two fixtures share the stem of " << name;
  }
  for (const auto& file : fs::directory_iterator(kFixtures)) {
    const std::string name = file.path().filename().string();
    for (const std::string suffix : {".golden.jsonl", ".status", ".args"}) {
      if (!name.ends_with(suffix)) continue;
      const std::string stem = name.substr(0, name.size() - suffix.size());
      EXPECT_TRUE(stems.count(stem) == 1) << name << " belongs to no fixture";
    }
  }
}

}  // namespace
}  // namespace wirewatch
