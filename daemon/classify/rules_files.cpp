// The I/O half of rules loading: reading a rules directory, and finding the default one.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include "classify/rules.hpp"

namespace wirewatch::classify {
namespace {

constexpr std::uintmax_t kMaxRulesFileBytes = 4u << 20;

bool is_rules_file(const std::filesystem::directory_entry& entry) {
  const auto extension = entry.path().extension();
  std::error_code error;
  return (extension == ".yaml" || extension == ".yml") && entry.is_regular_file(error);
}

std::filesystem::path executable_dir() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path{} : self.parent_path();
}

bool is_dir(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::is_directory(path, error);
}

}  // namespace

LoadResult load_rules(const std::filesystem::path& dir, const LoadOptions& options) {
  LoadResult result;
  std::error_code error;
  std::vector<std::filesystem::path> paths;
  std::filesystem::directory_iterator it(dir, error);
  if (error) {
    result.errors.push_back(dir.string() + ": cannot read rules directory: " + error.message());
    return result;
  }
  for (const auto& entry : it) {
    if (is_rules_file(entry)) paths.push_back(entry.path());
  }
  if (paths.empty()) {
    result.errors.push_back(dir.string() + ": no rules files (*.yaml, *.yml)");
    return result;
  }
  std::sort(paths.begin(), paths.end());
  std::vector<RuleSource> sources;
  for (const auto& path : paths) {
    const auto size = std::filesystem::file_size(path, error);
    if (!error && size > kMaxRulesFileBytes) {
      result.errors.push_back(path.string() + ": larger than 4 MiB, not a rules file");
      continue;
    }
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    if (!file) {
      result.errors.push_back(path.string() + ": cannot read");
      continue;
    }
    sources.push_back(RuleSource{path.string(), text.str()});
  }
  if (!result.errors.empty()) return result;
  return compile_rules(sources, options);
}

std::filesystem::path default_rules_dir() {
  const std::filesystem::path build_dir = WIREWATCH_BUILD_DIR;
  const std::filesystem::path source_rules = WIREWATCH_SOURCE_RULES_DIR;
  std::error_code error;
  const auto here = executable_dir();
  if (!here.empty() && std::filesystem::equivalent(here, build_dir, error) &&
      is_dir(source_rules)) {
    return source_rules;
  }
  if (is_dir("/etc/wirewatch/rules")) return "/etc/wirewatch/rules";
  if (!here.empty()) {  // an installation moved or installed under another prefix
    const auto relative = here.parent_path() / "share/wirewatch/rules";
    if (is_dir(relative)) return relative;
  }
  return WIREWATCH_INSTALLED_RULES_DIR;
}

}  // namespace wirewatch::classify
