// `wirewatch once --config FILE`: one poll of every enabled feed through the whole pipeline
// (fetch, parse, classify, store, sinks), then a summary per feed on stderr.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>

#include "cli/commands.hpp"
#include "cli/engine_setup.hpp"
#include "cli/io.hpp"
#include "pipeline/engine.hpp"

namespace wirewatch::cli {
namespace {

struct OnceOptions {
  std::string config_path;
  bool quiet = false;
  bool verbose = false;
};

std::string count(std::size_t value, bool show) {
  return show ? std::to_string(value) : "-";
}

void print_summary(const std::vector<pipeline::PollSummary>& summaries) {
  std::size_t new_total = 0, updated_total = 0, flagged_total = 0, failed = 0;
  std::fprintf(stderr, "%-28s %-12s %4s %7s %5s %5s %7s  %s\n", "feed", "result", "http", "entries",
               "new", "upd", "flagged", "note");
  for (const auto& summary : summaries) {
    const bool ok = summary.poll_class == "changed" || summary.poll_class == "unchanged";
    if (!ok) ++failed;
    new_total += summary.new_records;
    updated_total += summary.updated;
    flagged_total += summary.flagged;
    const std::string http = summary.http_status > 0 ? std::to_string(summary.http_status) : "-";
    std::fprintf(
        stderr, "%-28s %-12s %4s %7s %5s %5s %7s  %s\n", summary.feed_id.c_str(),
        summary.poll_class.c_str(), http.c_str(),
        count(summary.entries, summary.poll_class == "changed").c_str(),
        count(summary.new_records, ok).c_str(), count(summary.updated, ok).c_str(),
        count(summary.flagged, ok).c_str(),
        summary.message.empty() ? ("next " + summary.next).c_str() : summary.message.c_str());
  }
  std::fprintf(stderr, "%zu feeds: %zu new, %zu updated, %zu flagged, %zu failed\n",
               summaries.size(), new_total, updated_total, flagged_total, failed);
}

int run_once(const OnceOptions& options) {
  // Log lines go to stderr with the summary: stdout is for the records a stdout sink prints.
  spdlog::set_default_logger(spdlog::stderr_color_mt("wirewatch"));
  spdlog::set_level(options.verbose ? spdlog::level::debug : spdlog::level::warn);
  auto setup = load_engine_setup(options.config_path);
  if (!setup.ok) return setup.exit_code;
  boost::asio::io_context io;
  pipeline::Engine engine(io, std::move(setup.config), std::move(setup.classifier));
  const auto problems = engine.open();
  if (!problems.empty()) {
    for (const auto& problem : problems) print_error(problem);
    return problems.front().find("another wirewatch") != std::string::npos ? kExitTempFail
                                                                           : kExitConfig;
  }
  const auto summaries = engine.poll_all_once();
  if (!options.quiet) print_summary(summaries);
  const bool all_failed =
      !summaries.empty() &&
      std::all_of(summaries.begin(), summaries.end(), [](const pipeline::PollSummary& summary) {
        return summary.poll_class != "changed" && summary.poll_class != "unchanged";
      });
  return all_failed ? kExitUnavailable : kExitOk;
}

}  // namespace

void add_once_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<OnceOptions>();
  CLI::App* command = app.add_subcommand(
      "once",
      "Poll every enabled feed once through the whole pipeline (fetch, parse, classify, "
      "store, sinks), print a summary per feed on stderr, and exit. Records go to the "
      "configured sinks (a stdout sink prints them). Exit 69 when every feed failed.");
  command->add_option("-c,--config", options->config_path, "The config file")->required();
  command->add_flag("-q,--quiet", options->quiet, "No summary");
  command->add_flag("-v,--verbose", options->verbose, "Log at debug level");
  command->callback([options, &exit_code] { exit_code = run_once(*options); });
}

}  // namespace wirewatch::cli
