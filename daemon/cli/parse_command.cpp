// `wirewatch parse FILE|- [--base-url URL] [--charset NAME] [--content-type TYPE]
//                  [--feed-id ID] [--fetched TIME]`
// Feed document in, one record per entry out (document order), no network.
#include <chrono>
#include <filesystem>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "core/record_json.hpp"
#include "core/time.hpp"
#include "normalize/normalize.hpp"
#include "parse/parser.hpp"

namespace wirewatch::cli {
namespace {

struct ParseOptions {
  std::string path;
  std::string base_url;
  std::string charset;
  std::string content_type;
  std::string feed_id;
  std::string fetched;
};

constexpr std::size_t kMaxInputBytes = 64u << 20;

std::string file_url(const std::string& path) {
  std::error_code error;
  const auto absolute = std::filesystem::absolute(path, error);
  return "file://" + (error ? path : absolute.lexically_normal().string());
}

int run_parse(const ParseOptions& options) {
  const std::string source = options.path == "-" ? "<stdin>" : options.path;
  std::string error;
  const auto body = read_input(options.path, kMaxInputBytes, error);
  if (!body) {
    print_error(source + ": cannot read: " + error);
    return kExitNoInput;
  }
  core::Timestamp fetched =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (!options.fetched.empty()) {
    auto parsed = core::parse_rfc3339_utc(options.fetched);
    if (!parsed) {
      print_error("--fetched: expected a UTC time like 2023-11-09T10:00:00Z, got \"" +
                  options.fetched + "\"");
      return kExitUsage;
    }
    fetched = *parsed;
  }
  std::string base_url = options.base_url;
  if (base_url.empty() && options.path != "-") base_url = file_url(options.path);

  parse::Input input{*body, options.content_type, base_url, options.charset};
  const parse::Result result = parse::parse_feed(input);
  if (result.status == parse::Status::failed) {
    print_error(source + ": " + result.message);
    return kExitData;
  }
  core::FeedRef feed;
  feed.id = !options.feed_id.empty()
                ? options.feed_id
                : normalize::feed_id_from_url(base_url.empty() ? source : base_url);
  feed.url = base_url;
  feed.title = result.document.title;
  feed.link = result.document.link;
  for (const auto& entry : result.document.entries) {
    if (!write_line(core::to_json_line(normalize::to_record(entry, feed, fetched)))) break;
  }
  if (!flush_output()) {
    print_error("stdout: write failed");
    return kExitIo;
  }
  if (result.status == parse::Status::recovered) {
    print_error(source + ": " + result.message + " (kept " +
                std::to_string(result.document.entries.size()) + " entries)");
    return kExitData;
  }
  if (!result.message.empty()) print_error(source + ": " + result.message);
  return kExitOk;
}

}  // namespace

void add_parse_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ParseOptions>();
  CLI::App* command = app.add_subcommand(
      "parse",
      "Parse a feed document (RSS, Atom, RDF or JSON Feed) and print one JSON record per "
      "entry. No network. Exit 65 when the document is not a feed, or was not well-formed "
      "(the entries that could be read are still printed).");
  command->add_option("FILE", options->path, "Feed file, or - for standard input")->required();
  command->add_option("--base-url", options->base_url,
                      "URL the document was fetched from; relative links resolve against it "
                      "(default: the file's file:// URL)");
  command->add_option("--charset", options->charset,
                      "Decode the bytes as this charset unless they start with a BOM");
  command->add_option("--content-type", options->content_type,
                      "HTTP Content-Type the document came with (its charset is honoured)");
  command->add_option("--feed-id", options->feed_id,
                      "Feed id for the records (default: derived from the base URL)");
  command->add_option("--fetched", options->fetched,
                      "Time to stamp as fetched, RFC 3339 UTC (default: now)");
  command->callback([options, &exit_code] { exit_code = run_parse(*options); });
}

}  // namespace wirewatch::cli
