// The subcommands of the one `wirewatch` binary. Each add_* registers its CLI11 subcommand and
// sets exit_code when it runs. Exit codes follow sysexits.h.
#pragma once

#include <CLI/CLI.hpp>

namespace wirewatch::cli {

/// Exit codes (sysexits.h).
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 64,        // EX_USAGE: bad command line
  kExitData = 65,         // EX_DATAERR: the input is not what it should be
  kExitNoInput = 66,      // EX_NOINPUT: an input file cannot be opened
  kExitUnavailable = 69,  // EX_UNAVAILABLE: nothing could be reached
  kExitSoftware = 70,     // EX_SOFTWARE: an internal error
  kExitIo = 74,           // EX_IOERR: reading or writing failed
  kExitTempFail = 75,     // EX_TEMPFAIL: try again later (another instance holds the lock)
  kExitConfig = 78,       // EX_CONFIG: a configuration (or rules) error
};

/// `wirewatch parse FILE|-`: feed document → records, no network.
void add_parse_command(CLI::App& app, int& exit_code);

/// `wirewatch classify [--rules DIR] [FILE|-]` and `--explain FILE.txt`: stories → labels.
void add_classify_command(CLI::App& app, int& exit_code);

/// `wirewatch once --config FILE`: every feed once through the pipeline.
void add_once_command(CLI::App& app, int& exit_code);

/// `wirewatch run --config FILE`: the daemon.
void add_run_command(CLI::App& app, int& exit_code);

/// `wirewatch status --config FILE`: per-feed health and sink positions.
void add_status_command(CLI::App& app, int& exit_code);

/// `wirewatch tail`: the socket sink's client.
void add_tail_command(CLI::App& app, int& exit_code);

/// `wirewatch check-config FILE`: every config mistake as file:line:col, or "FILE: ok".
void add_check_config_command(CLI::App& app, int& exit_code);

}  // namespace wirewatch::cli
