// `wirewatch run --config FILE`: the long-running daemon (systemd Type=notify). SIGHUP reloads
// the config and rules (an invalid file is logged and the old config keeps running);
// SIGTERM/SIGINT stop scheduling, let polls in flight finish within the grace period, flush
// the sinks and exit 0.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdlib>

#include "cli/commands.hpp"
#include "cli/engine_setup.hpp"
#include "cli/io.hpp"
#include "config/units.hpp"
#include "pipeline/engine.hpp"
#include "pipeline/metrics.hpp"

namespace wirewatch::cli {
namespace {

namespace asio = boost::asio;

struct RunOptions {
  std::string config_path;
  std::string grace = "20s";
  bool verbose = false;
};

/// Logs to stderr; under systemd (JOURNAL_STREAM set) without our own timestamps, since the
/// journal adds its own.
void setup_logging(bool verbose) {
  auto logger = spdlog::stderr_color_mt("wirewatch");
  if (std::getenv("JOURNAL_STREAM") != nullptr) {
    logger->set_pattern("<%l> %v");
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  }
  spdlog::set_default_logger(logger);
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::flush_on(spdlog::level::info);
}

/// Pings the systemd watchdog at half its interval, when one is configured.
class Watchdog {
 public:
  explicit Watchdog(asio::io_context& io) : timer_(io) {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
    period_ = std::chrono::microseconds{usec / 2};
    tick();
  }

 private:
  void tick() {
    sd_notify(0, "WATCHDOG=1");
    timer_.expires_after(period_);
    timer_.async_wait([this](boost::system::error_code error) {
      if (!error) tick();
    });
  }
  asio::steady_timer timer_;
  std::chrono::microseconds period_{0};
};

int run_daemon(const RunOptions& options) {
  setup_logging(options.verbose);
  const auto grace = config::parse_duration(options.grace);
  if (!std::holds_alternative<config::Duration>(grace)) {
    print_error("--grace: " + std::get<std::string>(grace));
    return kExitUsage;
  }
  auto setup = load_engine_setup(options.config_path);
  if (!setup.ok) return setup.exit_code;
  const auto metrics_config = setup.config.metrics;
  asio::io_context io;
  pipeline::Engine engine(io, std::move(setup.config), std::move(setup.classifier));
  if (sd_listen_fds(1) >= 1) engine.set_inherited_socket(SD_LISTEN_FDS_START);
  if (const auto problems = engine.open(); !problems.empty()) {
    for (const auto& problem : problems) spdlog::critical("Cannot start. error=\"{}\"", problem);
    return problems.front().find("another wirewatch") != std::string::npos ? kExitTempFail
                                                                           : kExitConfig;
  }
  std::unique_ptr<pipeline::MetricsServer> metrics;
  if (metrics_config.enabled && !metrics_config.listen.empty()) {
    metrics = std::make_unique<pipeline::MetricsServer>(
        io, [&engine] { return engine.metrics().render(); });
    if (auto error = metrics->listen(metrics_config.listen); !error.empty()) {
      spdlog::error("Metrics endpoint not started. error=\"{}\"", error);
      metrics.reset();
    }
  }
  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  std::function<void()> wait_for_signal;
  wait_for_signal = [&] {
    signals.async_wait([&](boost::system::error_code error, int number) {
      if (error) return;
      if (number == SIGHUP) {
        sd_notify(0, "RELOADING=1");
        spdlog::info("Reloading. config={}", options.config_path);
        auto reloaded = load_engine_setup(options.config_path);
        if (!reloaded.ok) {
          spdlog::error("Reload rejected: the config is invalid; the old one keeps running.");
          engine.count_failed_reload();
        } else {
          for (const auto& problem :
               engine.reload(std::move(reloaded.config), std::move(reloaded.classifier))) {
            spdlog::error("Reload problem. error=\"{}\"", problem);
          }
          spdlog::info("Reloaded.");
        }
        sd_notify(0, "READY=1");
        wait_for_signal();
        return;
      }
      spdlog::info("Stopping. signal={} grace={}", number, options.grace);
      sd_notify(0, "STOPPING=1");
      if (metrics) metrics->close();
      engine.stop(std::get<config::Duration>(grace), [&] {
        signals.cancel();
        io.stop();
      });
    });
  };
  wait_for_signal();
  engine.start();
  Watchdog watchdog(io);
  sd_notify(0, "READY=1");
  spdlog::info("Started. feeds={} state_dir={}", engine.feed_count(), engine.state_dir().string());
  io.run();
  spdlog::info("Stopped cleanly.");
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand(
      "run",
      "Run the daemon in the foreground (systemd Type=notify): poll feeds when due, deliver "
      "records to the sinks. SIGHUP reloads the config and rules; SIGTERM or SIGINT drain and "
      "exit 0.");
  command->add_option("-c,--config", options->config_path, "The config file")->required();
  command
      ->add_option("--grace", options->grace,
                   "How long SIGTERM waits for polls in flight before cancelling them")
      ->capture_default_str();
  command->add_flag("-v,--verbose", options->verbose, "Log at debug level");
  command->callback([options, &exit_code] { exit_code = run_daemon(*options); });
}

}  // namespace wirewatch::cli
