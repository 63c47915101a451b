// `wirewatch check-config FILE`: loads the config exactly as `run` would and reports every
// mistake as file:line:col: message, one per line. `--keys` prints the documented key tables.
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "config/config.hpp"
#include "config/keys.hpp"

namespace wirewatch::cli {
namespace {

struct CheckConfigOptions {
  std::string path;
  bool keys = false;
};

int run_check_config(const CheckConfigOptions& options) {
  if (options.keys) {
    std::fputs(config::keys_markdown().c_str(), stdout);
    return flush_output() ? kExitOk : kExitIo;
  }
  if (options.path.empty()) {
    print_error("check-config: give the config FILE to check (or --keys)");
    return kExitUsage;
  }
  const config::LoadResult result = config::load_config(options.path);
  for (const auto& warning : result.warnings) {
    auto located = warning;
    located.message = "warning: " + located.message;
    std::fprintf(stderr, "%s\n", located.to_string().c_str());
  }
  if (!result.ok()) {
    for (const auto& error : result.errors) std::fprintf(stderr, "%s\n", error.to_string().c_str());
    return kExitConfig;
  }
  const auto& config = *result.config;
  std::printf("%s: ok (%zu feed%s, %zu sink%s)\n", options.path.c_str(), config.feeds.size(),
              config.feeds.size() == 1 ? "" : "s", config.sinks.size(),
              config.sinks.size() == 1 ? "" : "s");
  return flush_output() ? kExitOk : kExitIo;
}

}  // namespace

void add_check_config_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CheckConfigOptions>();
  auto* command = app.add_subcommand(
      "check-config",
      "Check a config file: print 'FILE: ok (N feeds, M sinks)', or every mistake as "
      "file:line:col: message and exit 78.");
  command->add_option("FILE", options->path, "The YAML config file");
  command->add_flag("--keys", options->keys,
                    "Print every config key with its type, default and meaning (Markdown)");
  command->callback([options, &exit_code] { exit_code = run_check_config(*options); });
}

}  // namespace wirewatch::cli
