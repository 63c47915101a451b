// Every input the parse fuzzer ever crashed or hung on (tests/fixtures/fuzz/, raw libFuzzer
// inputs: selector byte + body) must parse to a result, under its own selector and all others.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../../../fuzz/parse_fuzz_input.hpp"

namespace wirewatch::parse {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> fixtures() {
  std::vector<fs::path> paths;
  for (const auto& file :
       fs::directory_iterator(fs::path(WIREWATCH_SOURCE_DIR) / "tests" / "fixtures" / "fuzz")) {
    if (file.is_regular_file()) paths.push_back(file.path());
  }
  return paths;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(FuzzRegressions, EveryFixtureParsesUnderEverySelector) {
  const auto paths = fixtures();
  ASSERT_FALSE(paths.empty());
  for (const auto& path : paths) {
    std::string bytes = read_bytes(path);
    ASSERT_FALSE(bytes.empty()) << path;
    for (int selector = 0; selector < 256; ++selector) {
      bytes[0] = static_cast<char>(selector);
      const auto [input, limits] = fuzz::decode_parse_case(
          reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      Result result;
      EXPECT_NO_THROW(result = parse_feed(input, limits)) << path << " selector " << selector;
      EXPECT_LE(result.document.entries.size(), limits.max_entries) << path;
      if (result.status != Status::ok) {
        EXPECT_FALSE(result.message.empty()) << path;
      }
    }
  }
}

TEST(FuzzRegressions, JsonNumberBeyondDoubleIsAnErrorNotAnException) {
  Input input;
  input.body = R"({"version":"https://jsonfeed.org/version/1.1","n":1e401})";
  const Result result = parse_feed(input);
  EXPECT_EQ(result.status, Status::failed);
  EXPECT_EQ(result.message, "invalid JSON: a number out of range");
}

}  // namespace
}  // namespace wirewatch::parse
