#include "cli/engine_setup.hpp"

#include "cli/commands.hpp"
#include "cli/io.hpp"

namespace wirewatch::cli {

EngineSetup load_engine_setup(const std::string& config_path) {
  EngineSetup setup;
  config::LoadResult loaded = config::load_config(config_path);
  for (const auto& warning : loaded.warnings) print_error("warning: " + warning.to_string());
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) print_error(error.to_string());
    setup.exit_code = kExitConfig;
    return setup;
  }
  setup.config = std::move(*loaded.config);
  setup.ok = true;
  return setup;
}

}  // namespace wirewatch::cli
