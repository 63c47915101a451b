#include "cli/engine_setup.hpp"

#include "classify/classifier.hpp"
#include "classify/rules.hpp"
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
  const std::filesystem::path rules_dir = setup.config.classifier.rules.empty()
                                              ? classify::default_rules_dir()
                                              : setup.config.classifier.rules;
  classify::LoadOptions options;
  options.score_thresholds = setup.config.classifier.thresholds;
  classify::LoadResult rules = classify::load_rules(rules_dir, options);
  if (!rules.rules) {
    for (const auto& error : rules.errors) print_error(error);
    setup.exit_code = kExitConfig;
    return setup;
  }
  for (const auto& label : rules.rules->labels) setup.classifier.labels.push_back(label.name);
  setup.classifier.classify = [shared = rules.rules](core::Record& record) {
    classify::classify(*shared, record);
  };
  setup.ok = true;
  return setup;
}

}  // namespace wirewatch::cli
