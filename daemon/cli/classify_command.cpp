// `wirewatch classify [--rules DIR] [FILE|-]`: NDJSON records in, the same records out with
// labels, scores and evidence set, in order.
// `wirewatch classify --explain FILE.txt [--rules DIR]`: a readable verdict on a plain-text story.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "classify/classifier.hpp"
#include "classify/rules.hpp"
#include "cli/commands.hpp"
#include "cli/io.hpp"

namespace wirewatch::cli {
namespace {

struct ClassifyOptions {
  std::string rules_dir;
  std::string input = "-";
  std::string explain;
};

constexpr std::size_t kMaxLineBytes = 64u << 20;
constexpr std::size_t kMaxStoryBytes = 16u << 20;

std::shared_ptr<const classify::Rules> load(const ClassifyOptions& options) {
  const std::filesystem::path dir = options.rules_dir.empty()
                                        ? classify::default_rules_dir()
                                        : std::filesystem::path(options.rules_dir);
  auto result = classify::load_rules(dir);
  for (const auto& error : result.errors) print_error(error);
  return result.rules;
}

/// The message of a JSON parse error without the "[json.exception.parse_error.101] " prefix.
std::string json_error_text(const std::exception& error) {
  std::string text = error.what();
  if (!text.empty() && text.front() == '[') {
    const auto end = text.find("] ");
    if (end != std::string::npos) text.erase(0, end + 2);
  }
  return text;
}

/// A text field of an input object: a string, or empty when missing or null.
bool text_field(const nlohmann::ordered_json& object, const char* key, std::string_view& out,
                std::string& error) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_string()) {
    error = std::string("\"") + key + "\" must be a string";
    return false;
  }
  out = it->get_ref<const std::string&>();
  return true;
}

/// Sets labels, scores and evidence on a JSON object, in the record's own format.
void set_verdict(nlohmann::ordered_json& object, const core::Record& record) {
  object["labels"] = record.labels;
  auto scores = nlohmann::ordered_json::object();
  for (const auto& [label, score] : record.scores) scores[label] = score;
  object["scores"] = std::move(scores);
  auto evidence = nlohmann::ordered_json::object();
  for (const auto& [label, items] : record.evidence) {
    auto terms = nlohmann::ordered_json::array();
    for (const auto& item : items) terms.push_back({{"term", item.term}, {"field", item.field}});
    evidence[label] = std::move(terms);
  }
  object["evidence"] = std::move(evidence);
}

/// Classifies one input line; false (and why) when it is not a JSON object with text fields.
bool classify_line(const classify::Rules& rules, std::string_view line, std::string& out,
                   std::string& error) {
  nlohmann::ordered_json object;
  try {
    object = nlohmann::ordered_json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    error = "not JSON: " + json_error_text(e);
    return false;
  }
  if (!object.is_object()) {
    error = "expected a JSON object, got " + std::string(object.type_name());
    return false;
  }
  classify::Text text;
  if (!text_field(object, "title", text.title, error) ||
      !text_field(object, "summary", text.summary, error) ||
      !text_field(object, "content", text.content, error)) {
    return false;
  }
  core::Record record;
  classify::apply(classify::classify(rules, text), record);
  set_verdict(object, record);
  out = object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return true;
}

int run_stream(const classify::Rules& rules, const std::string& path) {
  const std::string source = path == "-" ? "<stdin>" : path;
  std::unique_ptr<FILE, int (*)(FILE*)> file{path == "-" ? stdin : std::fopen(path.c_str(), "rb"),
                                             path == "-" ? [](FILE*) { return 0; } : &std::fclose};
  if (!file) {
    print_error(source + ": cannot read: " + std::strerror(errno));
    return kExitNoInput;
  }
  char* buffer = nullptr;
  std::size_t capacity = 0;
  std::unique_ptr<char, void (*)(void*)> owner{nullptr, &std::free};
  std::size_t line_number = 0;
  std::size_t bad_lines = 0;
  std::string output;
  std::string error;
  int status = kExitOk;
  while (true) {
    const ssize_t got = ::getline(&buffer, &capacity, file.get());
    owner.release();
    owner.reset(buffer);
    if (got < 0) break;
    ++line_number;
    std::string_view line(buffer, static_cast<std::size_t>(got));
    if (line.find_first_not_of(" \t\r\n") == std::string_view::npos) continue;
    bool ok = false;
    if (line.size() > kMaxLineBytes) {
      error = "line longer than 64 MiB";
    } else {
      ok = classify_line(rules, line, output, error);
    }
    if (!ok) {
      print_error(source + ":" + std::to_string(line_number) + ": " + error);
      ++bad_lines;
      continue;
    }
    if (!write_line(output)) {
      status = kExitIo;
      break;
    }
  }
  if (std::ferror(file.get())) {
    print_error(source + ": read failed: " + std::strerror(errno));
    return kExitIo;
  }
  if (!flush_output() || status == kExitIo) {
    print_error("stdout: write failed");
    return kExitIo;
  }
  if (bad_lines > 0) {
    print_error(source + ": skipped " + std::to_string(bad_lines) + " bad line" +
                (bad_lines == 1 ? "" : "s"));
    return kExitData;
  }
  return kExitOk;
}

/// Splits a plain-text story: the first non-blank line is the title, the next one the
/// summary, the rest the content.
classify::Text split_story(std::string_view story) {
  std::string_view parts[2];
  std::size_t found = 0;
  std::size_t position = 0;
  while (found < 2 && position < story.size()) {
    std::size_t end = story.find('\n', position);
    if (end == std::string_view::npos) end = story.size();
    const auto line = story.substr(position, end - position);
    position = end + 1;
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) parts[found++] = line;
  }
  return {parts[0], parts[1], position < story.size() ? story.substr(position) : ""};
}

std::string format_points(double points) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%+.2f", points);
  return buffer;
}

std::string group_list(const classify::Label& label, const std::vector<std::uint32_t>& set) {
  std::string out;
  for (const auto g : set) out += (out.empty() ? "" : " + ") + label.groups[g].name;
  return "[" + out + "]";
}

void print_label(const classify::LabelVerdict& verdict) {
  const classify::Label& label = *verdict.label;
  char line[512];
  std::snprintf(line, sizeof line, "%s: %s  score %.3f  (%.2f points, threshold %.2f)",
                label.name.c_str(), verdict.flagged ? "YES" : "no", verdict.score, verdict.points,
                label.threshold);
  write_line(line);
  if (!label.description.empty()) write_line("  " + label.description);
  if (!label.require.empty()) {
    std::string needs;
    for (const auto& set : label.require)
      needs += (needs.empty() ? "" : " or ") + group_list(label, set);
    write_line(std::string("  requires ") + needs +
               (verdict.requirement_met ? ": met" : ": NOT met"));
  }
  if (verdict.vetoed) write_line("  vetoed by a negative term");
  if (verdict.contributions.empty()) write_line("  (no term matched)");
  for (const auto& c : verdict.contributions) {
    const auto& signal = label.signals[c.signal];
    std::snprintf(line, sizeof line, "  %6s  %-12s %-8s \"%s\"%s  (%s)",
                  c.masked ? "masked" : format_points(c.points).c_str(),
                  label.groups[signal.group].name.c_str(), classify::to_string(c.field),
                  c.term().c_str(), signal.veto ? " veto" : "", signal.location.c_str());
    write_line(line);
  }
}

int run_explain(const classify::Rules& rules, const std::string& path) {
  std::string error;
  const auto story = read_input(path, kMaxStoryBytes, error);
  if (!story) {
    print_error((path == "-" ? std::string("<stdin>") : path) + ": cannot read: " + error);
    return kExitNoInput;
  }
  const classify::Text text = split_story(*story);
  const auto verdict = classify::classify(rules, text);
  write_line("title:   " + std::string(text.title.substr(0, 160)));
  write_line("summary: " + std::string(text.summary.substr(0, 160)));
  write_line("content: " + std::to_string(text.content.size()) + " bytes");
  for (const auto& label : verdict.labels) {
    write_line("");
    print_label(label);
  }
  return flush_output() ? kExitOk : kExitIo;
}

}  // namespace

void add_classify_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ClassifyOptions>();
  CLI::App* command = app.add_subcommand(
      "classify",
      "Label stories with the classifier rules. Reads NDJSON (one object per line with title, "
      "summary, content) and prints each object back, every field kept, with labels, scores "
      "and evidence set. A bad line gets a one-line error naming FILE:LINE and is skipped; "
      "the exit status is then 65. A rules error exits 78.");
  command->add_option("FILE", options->input, "NDJSON input, or - for standard input (default)");
  command->add_option(
      "--rules", options->rules_dir,
      "Directory of rules files (*.yaml); default: " + classify::default_rules_dir().string());
  command->add_option("--explain", options->explain,
                      "Explain the verdict on a plain-text story instead (first line: title, "
                      "second: summary, rest: content)");
  command->callback([options, &exit_code] {
    const auto rules = load(*options);
    if (!rules) {
      exit_code = kExitConfig;
      return;
    }
    exit_code = options->explain.empty() ? run_stream(*rules, options->input)
                                         : run_explain(*rules, options->explain);
  });
}

}  // namespace wirewatch::cli
