// Internal: the key tables with the code that stores each key into the typed Config.
#pragma once

#include <vector>

#include "config/reader.hpp"

namespace wirewatch::config::detail {

/// The top level: state_dir and the nested sections (stored by the loader).
const std::vector<Binding<Config>>& top_level_bindings();
/// `defaults:`.
const std::vector<Binding<FetchDefaults>>& defaults_bindings();
/// One `feeds:` item.
const std::vector<Binding<FeedConfig>>& feed_bindings();
/// `classifier:`.
const std::vector<Binding<ClassifierConfig>>& classifier_bindings();
/// `metrics:`.
const std::vector<Binding<MetricsConfig>>& metrics_bindings();
/// `store:`.
const std::vector<Binding<StoreConfig>>& store_bindings();
/// The keys every sink has (type, name, labels).
const std::vector<Binding<SinkConfig>>& sink_common_bindings();
/// The keys of one sink type, without the common ones; settings must hold that type.
const std::vector<Binding<SinkConfig>>& sink_type_bindings(SinkType type);

}  // namespace wirewatch::config::detail
