// What `once` and `run` share before the engine starts: the config loaded and validated, and
// the classifier's rules loaded, with every problem printed.
#pragma once

#include <string>

#include "config/config.hpp"
#include "pipeline/engine.hpp"

namespace wirewatch::cli {

/// A loaded config and classifier, or the exit code for why not (problems already printed).
struct EngineSetup {
  bool ok = false;
  int exit_code = 0;
  config::Config config;
  pipeline::ClassifierHandle classifier;
};

/// Loads the config file and the classifier rules it names; prints warnings and errors.
EngineSetup load_engine_setup(const std::string& config_path);

}  // namespace wirewatch::cli
