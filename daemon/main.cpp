// wirewatch: argv → subcommand. Nothing else lives here.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/version.hpp"

int main(int argc, char** argv) {
  using namespace wirewatch::cli;
  CLI::App app{
      "wirewatch: a news-feed ingestion daemon. Polls RSS, Atom and JSON feeds, normalizes "
      "each entry into one JSON record, flags climate-diplomacy and summit stories, and "
      "delivers the records to files, a socket, stdout or NATS."};
  app.set_version_flag("--version", std::string("wirewatch ") + kVersion);
  app.require_subcommand(1);
  app.fallthrough(false);
  int exit_code = kExitOk;
  add_parse_command(app, exit_code);
  add_classify_command(app, exit_code);
  add_run_command(app, exit_code);
  add_once_command(app, exit_code);
  add_tail_command(app, exit_code);
  add_status_command(app, exit_code);
  add_check_config_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    print_error(error.what());
    std::fprintf(stderr, "Run 'wirewatch --help' for usage.\n");
    return kExitUsage;
  }
  return exit_code;
}
