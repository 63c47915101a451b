// YAML text → Config: the top level, feeds and sinks. Sections go through the key tables
// (tables.cpp); what spans keys (URLs with allow_file, ids, intervals, names) is checked here.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "config/checks.hpp"
#include "config/config.hpp"
#include "config/tables.hpp"
#include "normalize/normalize.hpp"

namespace wirewatch::config {
namespace {

using namespace std::chrono_literals;
using detail::Binding;
using detail::Context;
using detail::Present;

constexpr std::size_t kMaxConfigBytes = 4u << 20;

#ifndef WIREWATCH_VERSION
#define WIREWATCH_VERSION "0"
#endif
// The default User-Agent (documented as wirewatch/VERSION in the key table).
constexpr const char* kUserAgent =
    "wirewatch/" WIREWATCH_VERSION " (+https://github.com/wirewatch/wirewatch)";

// Below this, a remote host gets a warning: publishers expect minutes, not seconds.
constexpr Duration kPoliteInterval = 1min;

YAML::Mark mark_of(const Present& present, std::string_view key, const YAML::Mark& fallback) {
  const auto found = present.values.find(key);
  if (found == present.values.end()) return fallback;
  return detail::usable(found->second.Mark(), present.marks.find(key)->second);
}

// Reads an optional nested section, or just its defaults when it is absent or malformed.
template <class Section>
Present read_optional(const Present& top, std::string_view key,
                      const std::vector<Binding<Section>>& bindings, Section& section,
                      Context& context) {
  const auto found = top.values.find(key);
  if (found == top.values.end() || !found->second.IsMap()) {
    detail::apply_defaults(bindings, section);
    return {};
  }
  return detail::read_section(found->second, key, bindings, section, context);
}

void check_defaults(const FetchDefaults& d, const Present& present, const YAML::Mark& top,
                    Context& context) {
  if (d.min_interval > d.max_interval) {
    context.error(mark_of(present, "min_interval", top),
                  "defaults.min_interval: " + format_duration(d.min_interval) +
                      " is above max_interval " + format_duration(d.max_interval));
  } else if (d.interval < d.min_interval || d.interval > d.max_interval) {
    context.error(mark_of(present, "interval", top),
                  "defaults.interval: " + format_duration(d.interval) +
                      " is outside min_interval " + format_duration(d.min_interval) +
                      " to max_interval " + format_duration(d.max_interval));
  }
  if (d.connect_timeout > d.timeout) {
    context.warning(mark_of(present, "connect_timeout", top),
                    "defaults.connect_timeout: longer than timeout, so timeout applies first");
  }
}

struct SeenFeed {
  std::string path;
  int line;
};

void read_feed(const YAML::Node& item, const std::string& path, const FetchDefaults& defaults,
               Context& context, Config& config, std::map<std::string, SeenFeed>& ids) {
  if (!item.IsMap()) {
    context.error(item.Mark(),
                  path + ": expected a mapping with at least url:, got " +
                      (item.IsScalar() ? "'" + item.Scalar() + "'" : "something else"));
    return;
  }
  FeedConfig feed;
  feed.interval = defaults.interval;
  feed.min_interval = defaults.min_interval;
  feed.max_interval = defaults.max_interval;
  feed.location = {item.Mark().line + 1, item.Mark().column + 1};
  const Present present = detail::read_section(item, path, detail::feed_bindings(), feed, context);
  const auto url_node = present.values.find("url");
  if (url_node == present.values.end() || !url_node->second.IsScalar()) return;
  std::string host;
  const auto url_mark = mark_of(present, "url", item.Mark());
  // "file:samples/feed.xml" (no "//") names a file relative to the config's directory, so
  // bundled configs work wherever the project is checked out.
  if (feed.allow_file && feed.url.starts_with("file:") && !feed.url.starts_with("file://") &&
      !context.base_dir.empty()) {
    feed.url = "file://" + (context.base_dir / feed.url.substr(5)).lexically_normal().string();
  }
  const std::string problem =
      detail::check_url(feed.url, feed.allow_file ? "http|https|file" : "http|https", host);
  if (!problem.empty()) {
    context.error(url_mark, path + ".url: '" + feed.url + "' " + problem);
    return;
  }
  YAML::Mark id_mark = mark_of(present, "id", item.Mark());
  if (!present.values.contains("id")) {
    feed.id = normalize::feed_id_from_url(feed.url);
    feed.id_derived = true;
    id_mark = url_mark;
  }
  if (const auto [first, inserted] = ids.emplace(feed.id, SeenFeed{path, id_mark.line + 1});
      !inserted) {
    std::string message = path + (feed.id_derived ? ".url: derives" : ".id: duplicate") +
                          " feed id '" + feed.id + "', already used by " + first->second.path +
                          " (line " + std::to_string(first->second.line) + ")";
    if (feed.id_derived) message += "; give one of them an id";
    context.error(id_mark, message);
  }
  feed.min_interval = std::min(feed.min_interval, feed.interval);
  feed.max_interval = std::max(feed.max_interval, feed.interval);
  if (feed.interval < kPoliteInterval && !detail::is_local_host(host) && feed.enabled) {
    context.warning(mark_of(present, "interval", item.Mark()),
                    path + ".interval: " + format_duration(feed.interval) + " polls " + host +
                        " very often; remote publishers usually expect 15m or more");
  }
  config.feeds.push_back(std::move(feed));
}

std::optional<SinkType> sink_type_named(std::string_view name) {
  for (const auto type :
       {SinkType::directory, SinkType::socket, SinkType::stdout, SinkType::nats}) {
    if (to_string(type) == name) return type;
  }
  return std::nullopt;
}

// "(not a key of a stdout sink; directory, socket sinks have it)" for keys of other types.
std::map<std::string_view, std::string> other_type_notes(SinkType type) {
  std::map<std::string_view, std::string> owners;
  for (const auto other :
       {SinkType::directory, SinkType::socket, SinkType::stdout, SinkType::nats}) {
    if (other == type) continue;
    for (const auto& binding : detail::sink_type_bindings(other)) {
      auto& text = owners[binding.spec.name];
      text += (text.empty() ? "" : ", ") + std::string(to_string(other));
    }
  }
  std::map<std::string_view, std::string> notes;
  for (auto& [key, types] : owners) {
    notes[key] =
        "(not a key of a " + std::string(to_string(type)) + " sink; " + types + " sinks have it)";
  }
  return notes;
}

void read_sink(const YAML::Node& item, const std::string& path, Context& context, Config& config,
               std::map<std::string, SeenFeed>& names) {
  if (!item.IsMap()) {
    context.error(item.Mark(), path + ": expected a mapping like {type: stdout}");
    return;
  }
  YAML::Node type_node;
  bool has_type = false;
  for (const auto& pair : item) {
    if (pair.first.IsScalar() && pair.first.Scalar() == "type" && !has_type) {
      type_node = pair.second;
      has_type = true;
    }
  }
  if (!has_type) {
    context.error(item.Mark(),
                  path + ": missing required key 'type' (directory, socket, stdout or nats)");
    return;
  }
  const auto type = sink_type_named(type_node.IsScalar() ? type_node.Scalar() : "");
  if (!type) {
    const auto text = type_node.IsScalar() ? "'" + type_node.Scalar() + "'" : "not a name";
    context.error(detail::usable(type_node.Mark(), item.Mark()),
                  path + ".type: " + text + " is not one of directory, socket, stdout, nats");
    return;
  }
  SinkConfig sink;
  sink.type = *type;
  sink.location = {item.Mark().line + 1, item.Mark().column + 1};
  switch (*type) {
    case SinkType::directory:
      sink.settings = DirectorySinkConfig{};
      break;
    case SinkType::socket:
      sink.settings = SocketSinkConfig{};
      break;
    case SinkType::stdout:
      sink.settings = StdoutSinkConfig{};
      break;
    case SinkType::nats:
      sink.settings = NatsSinkConfig{};
      break;
  }
  auto bindings = detail::sink_common_bindings();
  const auto& specific = detail::sink_type_bindings(*type);
  bindings.insert(bindings.end(), specific.begin(), specific.end());
  const Present present =
      detail::read_section(item, path, bindings, sink, context, other_type_notes(*type));
  if (const auto* nats = std::get_if<NatsSinkConfig>(&sink.settings);
      nats && nats->create_stream && nats->stream.empty()) {
    context.error(mark_of(present, "create_stream", item.Mark()),
                  path + ".create_stream: needs a stream name (stream:)");
  }
  if (!present.values.contains("name")) {
    if (const auto* directory = std::get_if<DirectorySinkConfig>(&sink.settings)) {
      sink.name = "directory:" + directory->path.string();
    } else if (const auto* socket = std::get_if<SocketSinkConfig>(&sink.settings)) {
      sink.name = "socket:" + socket->path.string();
    } else if (const auto* nats = std::get_if<NatsSinkConfig>(&sink.settings)) {
      sink.name = "nats:" + nats->subject;
    } else {
      sink.name = "stdout";
    }
  }
  const auto name_mark = mark_of(present, "name", item.Mark());
  if (const auto [first, inserted] = names.emplace(sink.name, SeenFeed{path, name_mark.line + 1});
      !inserted) {
    context.error(name_mark, path + ": another sink is already named '" + sink.name + "' (" +
                                 first->second.path + ", line " +
                                 std::to_string(first->second.line) +
                                 "); give one of them a distinct name");
  }
  config.sinks.push_back(std::move(sink));
}

void read_config(const YAML::Node& root, Context& context, Config& config) {
  const Present top = detail::read_section(root, "", detail::top_level_bindings(), config, context);
  config.defaults.user_agent = kUserAgent;
  const std::size_t errors_before_defaults = context.errors.size();
  const Present defaults =
      read_optional(top, "defaults", detail::defaults_bindings(), config.defaults, context);
  // Values are checked against each other only when each was read: a bad interval keeps its
  // default, and "15m is outside ..." would be about a value nobody wrote.
  if (context.errors.size() == errors_before_defaults) {
    check_defaults(config.defaults, defaults, mark_of(top, "defaults", root.Mark()), context);
  }
  read_optional(top, "classifier", detail::classifier_bindings(), config.classifier, context);
  read_optional(top, "metrics", detail::metrics_bindings(), config.metrics, context);
  read_optional(top, "store", detail::store_bindings(), config.store, context);

  if (const auto feeds = top.values.find("feeds");
      feeds != top.values.end() && feeds->second.IsSequence()) {
    std::map<std::string, SeenFeed> ids;
    std::size_t index = 0;
    for (const auto& item : feeds->second) {
      read_feed(item, "feeds[" + std::to_string(index++) + "]", config.defaults, context, config,
                ids);
    }
    if (index == 0)
      context.warning(feeds->second.Mark(), "feeds: the list is empty; nothing will be polled");
  }
  if (const auto sinks = top.values.find("sinks");
      sinks != top.values.end() && sinks->second.IsSequence()) {
    std::map<std::string, SeenFeed> names;
    std::size_t index = 0;
    for (const auto& item : sinks->second) {
      read_sink(item, "sinks[" + std::to_string(index++) + "]", context, config, names);
    }
    if (index == 0) {
      context.error(detail::usable(sinks->second.Mark(), top.marks.at("sinks")),
                    "sinks: at least one sink is needed, e.g. - {type: stdout}");
    }
  }
}

}  // namespace

std::string Diagnostic::to_string() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

LoadResult parse_config(std::string_view text, std::string_view name,
                        const std::filesystem::path& base_dir) {
  Context context;
  context.file = std::string(name);
  context.base_dir = base_dir;
  LoadResult result;
  Config config;
  try {
    if (text.find('\0') != std::string_view::npos) {
      context.error(YAML::Mark::null_mark(), "contains a NUL byte; a config file is UTF-8 text");
    } else {
      const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
      if (documents.empty() || documents.front().IsNull()) {
        context.error(YAML::Mark::null_mark(),
                      "the file is empty; it needs at least state_dir, feeds and sinks");
      } else if (documents.size() > 1) {
        context.error(documents[1].Mark(), "a second YAML document ('---'); put everything in one");
      } else if (!documents.front().IsMap()) {
        context.error(documents.front().Mark(),
                      "expected a mapping of keys (state_dir:, feeds:, …) at the top");
      } else {
        read_config(documents.front(), context, config);
      }
    }
  } catch (const YAML::Exception& error) {
    context.error(error.mark, "YAML syntax error: " + error.msg);
  } catch (const std::exception& error) {
    context.error(YAML::Mark::null_mark(), std::string("cannot be read: ") + error.what());
  }
  // Sections are read in a fixed order; report in file order, as a compiler would.
  auto by_position = [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  };
  std::stable_sort(context.errors.begin(), context.errors.end(), by_position);
  std::stable_sort(context.warnings.begin(), context.warnings.end(), by_position);
  if (context.truncated) {
    context.errors.push_back({context.file, 0, 0, "too many errors; stopped reporting"});
  }
  result.warnings = std::move(context.warnings);
  result.errors = std::move(context.errors);
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

LoadResult load_config(const std::filesystem::path& path) {
  auto failed = [&](std::string message) {
    LoadResult result;
    result.errors.push_back({path.string(), 0, 0, std::move(message)});
    return result;
  };
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    return failed("is a directory, not a config file");
  std::ifstream file(path, std::ios::binary);
  if (!file) return failed("cannot open: " + std::string(std::strerror(errno)));
  std::string text;
  text.resize(kMaxConfigBytes + 1);
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (file.bad()) return failed("cannot read: " + std::string(std::strerror(errno)));
  text.resize(static_cast<std::size_t>(file.gcount()));
  if (text.size() > kMaxConfigBytes)
    return failed("is larger than 4 MiB; is it really the config?");
  const auto absolute = std::filesystem::absolute(path, error);
  return parse_config(text, path.string(), error ? path.parent_path() : absolute.parent_path());
}

}  // namespace wirewatch::config
