// `wirewatch status --config FILE [--json]`: per-feed health and per-sink position, read from
// the store without its lock, so it works while the daemon runs.
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "config/config.hpp"
#include "core/time.hpp"
#include "store/store.hpp"

namespace wirewatch::cli {
namespace {

struct StatusOptions {
  std::string config_path;
  bool json = false;
};

std::string relative(std::optional<core::Timestamp> time, core::Timestamp now) {
  if (!time) return "-";
  const auto delta = std::chrono::duration_cast<std::chrono::seconds>(*time - now).count();
  const auto magnitude = delta < 0 ? -delta : delta;
  std::string amount = magnitude < 120      ? std::to_string(magnitude) + "s"
                       : magnitude < 7200   ? std::to_string(magnitude / 60) + "m"
                       : magnitude < 172800 ? std::to_string(magnitude / 3600) + "h"
                                            : std::to_string(magnitude / 86400) + "d";
  return delta < 0 ? amount + " ago" : "in " + amount;
}

nlohmann::json optional_time(std::optional<core::Timestamp> time) {
  return time ? nlohmann::json(core::format_rfc3339(*time)) : nlohmann::json(nullptr);
}

int run_status(const StatusOptions& options) {
  auto loaded = config::load_config(options.config_path);
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) print_error(error.to_string());
    return kExitConfig;
  }
  const config::Config& config = *loaded.config;
  auto opened = store::Store::open_read_only(config.state_dir);
  if (!opened) {
    print_error(opened.error().message);
    return kExitNoInput;
  }
  store::Store& store = *opened;
  auto states = store.load_feed_states();
  auto cursors = store.sink_cursors();
  if (!states || !cursors) {
    print_error(!states ? states.error().message : cursors.error().message);
    return kExitIo;
  }
  std::map<std::string, store::FeedState> by_id;
  for (auto& state : *states) by_id.emplace(state.feed_id, std::move(state));
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());

  if (options.json) {
    nlohmann::json out{{"state_dir", config.state_dir.string()}, {"last_seq", store.last_seq()}};
    auto feeds = nlohmann::json::array();
    for (const auto& feed : config.feeds) {
      nlohmann::json item{{"id", feed.id}, {"enabled", feed.enabled}};
      if (auto it = by_id.find(feed.id); it != by_id.end()) {
        const auto& state = it->second;
        item.update({{"url", state.url},
                     {"health", state.health},
                     {"http_status", state.last_status},
                     {"failures", state.failures},
                     {"error_class", state.error_class},
                     {"error", state.error_message},
                     {"last_attempt", optional_time(state.last_attempt)},
                     {"last_success", optional_time(state.last_success)},
                     {"next_due", optional_time(state.next_due)}});
      } else {
        item.update({{"url", feed.url}, {"health", "never polled"}});
      }
      feeds.push_back(std::move(item));
    }
    out["feeds"] = std::move(feeds);
    auto sinks = nlohmann::json::array();
    for (const auto& cursor : *cursors) {
      sinks.push_back({{"name", cursor.name},
                       {"cursor", cursor.seq},
                       {"behind", store.last_seq() - cursor.seq}});
    }
    out["sinks"] = std::move(sinks);
    write_line(out.dump());
    return flush_output() ? kExitOk : kExitIo;
  }

  std::printf("state_dir %s, last seq %lld\n\n", config.state_dir.c_str(),
              static_cast<long long>(store.last_seq()));
  std::printf("%-28s %-13s %4s %8s  %-16s %-16s %s\n", "feed", "health", "http", "failures",
              "last success", "next poll", "error");
  for (const auto& feed : config.feeds) {
    auto it = by_id.find(feed.id);
    if (it == by_id.end()) {
      std::printf("%-28s %-13s\n", feed.id.c_str(), feed.enabled ? "never polled" : "disabled");
      continue;
    }
    const auto& state = it->second;
    const std::string http = state.last_status > 0 ? std::to_string(state.last_status) : "-";
    std::printf("%-28s %-13s %4s %8d  %-16s %-16s %s\n", feed.id.c_str(),
                feed.enabled ? state.health.c_str() : "disabled", http.c_str(), state.failures,
                relative(state.last_success, now).c_str(), relative(state.next_due, now).c_str(),
                state.error_message.c_str());
  }
  std::printf("\n%-48s %10s %8s\n", "sink", "cursor", "behind");
  for (const auto& cursor : *cursors) {
    std::printf("%-48s %10lld %8lld\n", cursor.name.c_str(), static_cast<long long>(cursor.seq),
                static_cast<long long>(store.last_seq() - cursor.seq));
  }
  return kExitOk;
}

}  // namespace

void add_status_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* command = app.add_subcommand(
      "status",
      "Show each feed's health (last HTTP status, failures, last success, next poll, error) "
      "and each sink's position in the outbox. Reads the store without locking it, so it "
      "works while the daemon runs.");
  command->add_option("-c,--config", options->config_path, "The config file")->required();
  command->add_flag("--json", options->json, "One JSON object instead of tables");
  command->callback([options, &exit_code] { exit_code = run_status(*options); });
}

}  // namespace wirewatch::cli
