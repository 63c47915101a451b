// The key tables. Each key's default is written once, here, as YAML text: the loader applies
// it through the same parser as the file, and docs/config.md shows it verbatim. A default in
// parentheses is computed by the loader.
#include "config/tables.hpp"

#include "config/checks.hpp"

// The tables leave out trailing fields that do not apply (choices; apply for nested sections).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace wirewatch::config::detail {
namespace {

using namespace std::chrono_literals;

std::string at_least(Duration value, Duration minimum) {
  if (value >= minimum) return {};
  return "must be at least " + format_duration(minimum);
}

std::string in_range(std::uint64_t value, std::uint64_t minimum, std::uint64_t maximum) {
  if (value >= minimum && value <= maximum) return {};
  return "must be from " + std::to_string(minimum) + " to " + std::to_string(maximum);
}

template <class T>
T& settings(SinkConfig& sink) {
  return std::get<T>(sink.settings);
}

}  // namespace

const std::vector<Binding<Config>>& top_level_bindings() {
  static const std::vector<Binding<Config>> bindings{
      {{"state_dir", ValueType::path, "", true,
        "Directory for the SQLite store and the single-instance lock. Created if missing."},
       +[](Config& c, const Value& v) {
         c.state_dir = v.path;
         return std::string();
       }},
      {{"defaults", ValueType::mapping, "", false,
        "Fetch settings every feed gets unless it overrides them (see `defaults`)."}},
      {{"feeds", ValueType::mapping_list, "", true, "The feeds to poll (see `feeds[]`)."}},
      {{"classifier", ValueType::mapping, "", false,
        "Where the labeling rules are and their thresholds (see `classifier`)."}},
      {{"sinks", ValueType::mapping_list, "", true,
        "Where records go; at least one (see `sinks[]`)."}},
      {{"metrics", ValueType::mapping, "", false, "The Prometheus text endpoint (see `metrics`)."}},
      {{"store", ValueType::mapping, "", false, "How long the store keeps things (see `store`)."}},
  };
  return bindings;
}

const std::vector<Binding<FetchDefaults>>& defaults_bindings() {
  static const std::vector<Binding<FetchDefaults>> bindings{
      {{"interval", ValueType::duration, "15m", false,
        "How often a feed is polled. Down to 1s is accepted (a warning for remote hosts)."},
       +[](FetchDefaults& d, const Value& v) {
         d.interval = v.duration;
         return at_least(v.duration, 1s);
       }},
      {{"min_interval", ValueType::duration, "5m", false,
        "Lower bound on the poll interval when the server or feed hints at one (ttl, max-age)."},
       +[](FetchDefaults& d, const Value& v) {
         d.min_interval = v.duration;
         return at_least(v.duration, 1s);
       }},
      {{"max_interval", ValueType::duration, "6h", false,
        "Upper bound on hints and on the backoff after failures."},
       +[](FetchDefaults& d, const Value& v) {
         d.max_interval = v.duration;
         return at_least(v.duration, 1s);
       }},
      {{"timeout", ValueType::duration, "30s", false,
        "Whole request, from connecting to the last byte."},
       +[](FetchDefaults& d, const Value& v) {
         d.timeout = v.duration;
         return at_least(v.duration, 100ms);
       }},
      {{"connect_timeout", ValueType::duration, "10s", false,
        "Name lookup plus TCP and TLS handshakes."},
       +[](FetchDefaults& d, const Value& v) {
         d.connect_timeout = v.duration;
         return at_least(v.duration, 100ms);
       }},
      {{"low_speed_limit", ValueType::size, "1KiB", false,
        "Bytes per second below which a transfer counts as stalled; 0 turns the check off."},
       +[](FetchDefaults& d, const Value& v) {
         d.low_speed_limit = v.number;
         return std::string();
       }},
      {{"low_speed_time", ValueType::duration, "20s", false,
        "How long a transfer may stay below low_speed_limit before it is aborted."},
       +[](FetchDefaults& d, const Value& v) {
         d.low_speed_time = v.duration;
         return at_least(v.duration, 1s);
       }},
      {{"max_body", ValueType::size, "20MiB", false,
        "Largest response body accepted, counted after decompression too."},
       +[](FetchDefaults& d, const Value& v) {
         d.max_body = v.number;
         return v.number >= 1024 ? std::string() : "must be at least 1KiB";
       }},
      {{"user_agent", ValueType::string,
        "(wirewatch/VERSION (+https://github.com/wirewatch/wirewatch))", false,
        "The User-Agent header: say who you are and where to read about it."},
       +[](FetchDefaults& d, const Value& v) {
         d.user_agent = v.text;
         const auto problem = check_header("User-Agent", v.text);
         return problem.empty() ? problem : "it " + problem;
       }},
      {{"max_concurrency", ValueType::integer, "16", false,
        "Requests in flight at once, all hosts together."},
       +[](FetchDefaults& d, const Value& v) {
         d.max_concurrency = static_cast<unsigned>(std::min<std::uint64_t>(v.number, 100000));
         return in_range(v.number, 1, 1024);
       }},
      {{"per_host_concurrency", ValueType::integer, "2", false,
        "Requests in flight at once to one host."},
       +[](FetchDefaults& d, const Value& v) {
         d.per_host_concurrency = static_cast<unsigned>(std::min<std::uint64_t>(v.number, 100000));
         return in_range(v.number, 1, 64);
       }},
      {{"max_redirects", ValueType::integer, "5", false, "Redirects followed per request."},
       +[](FetchDefaults& d, const Value& v) {
         d.max_redirects = static_cast<unsigned>(std::min<std::uint64_t>(v.number, 100000));
         return in_range(v.number, 0, 20);
       }},
      {{"ca_file", ValueType::path, "(the system's)", false,
        "PEM file of the certificate authorities https feeds are verified against, instead of "
        "the system's (a private CA). Verification is never turned off."},
       +[](FetchDefaults& d, const Value& v) {
         d.ca_file = v.path;
         std::error_code error;
         if (!std::filesystem::is_regular_file(v.path, error)) {
           return "no such file: " + v.path.string();
         }
         return std::string();
       }},
  };
  return bindings;
}

const std::vector<Binding<FeedConfig>>& feed_bindings() {
  static const std::vector<Binding<FeedConfig>> bindings{
      {{"id", ValueType::string, "(from the URL)", false,
        "Unique name of the feed in records, logs and metrics: letters, digits, '.', '_', '-'. "
        "Derived from the URL when absent (https://www.example.org/news/rss.xml gives "
        "example.org-news-rss.xml)."},
       +[](FeedConfig& f, const Value& v) {
         f.id = v.text;
         return check_feed_id(v.text);
       }},
      {{"url", ValueType::url, "", true,
        "The feed's http or https URL; with allow_file also file:///abs/path or file:rel/path "
        "(relative to the config file)."},
       +[](FeedConfig& f, const Value& v) {
         f.url = v.text;  // checked by the loader once allow_file is known
         return std::string();
       }},
      {{"interval", ValueType::duration, "(defaults.interval)", false,
        "How often this feed is polled. Below min_interval it lowers this feed's "
        "min_interval; above max_interval it raises its max_interval."},
       +[](FeedConfig& f, const Value& v) {
         f.interval = v.duration;
         return at_least(v.duration, 1s);
       }},
      {{"min_interval", ValueType::duration, "(defaults.min_interval)", false,
        "This feed's lower bound for hinted intervals."},
       +[](FeedConfig& f, const Value& v) {
         f.min_interval = v.duration;
         return at_least(v.duration, 1s);
       }},
      {{"max_interval", ValueType::duration, "(defaults.max_interval)", false,
        "This feed's upper bound for hints and backoff."},
       +[](FeedConfig& f, const Value& v) {
         f.max_interval = v.duration;
         return at_least(v.duration, 1s);
       }},
      {{"tags", ValueType::string_list, "[]", false,
        "Free-form tags, kept with the feed for filtering and status."},
       +[](FeedConfig& f, const Value& v) {
         f.tags = v.list;
         return std::string();
       }},
      {{"headers", ValueType::string_map, "{}", false,
        "Extra request headers, e.g. {Authorization: \"Bearer …\"}."},
       +[](FeedConfig& f, const Value& v) {
         for (const auto& [name, text] : v.strings) {
           if (auto problem = check_header(name, text); !problem.empty()) {
             return "'" + name + "' " + problem;
           }
         }
         f.headers = v.strings;
         return std::string();
       }},
      {{"timezone", ValueType::string, "UTC", false,
        "Zone assumed for dates the feed writes without one: UTC or an offset like -05:00."},
       +[](FeedConfig& f, const Value& v) {
         f.timezone = v.text;
         std::string problem = check_timezone(v.text);
         if (problem.empty()) f.timezone_minutes = timezone_minutes(v.text);
         return problem;
       }},
      {{"enabled", ValueType::boolean, "true", false,
        "false keeps the feed in the file (and its state in the store) without polling it."},
       +[](FeedConfig& f, const Value& v) {
         f.enabled = v.flag;
         return std::string();
       }},
      {{"allow_file", ValueType::boolean, "false", false,
        "Allow a file:// URL for this feed (local files, tests)."},
       +[](FeedConfig& f, const Value& v) {
         f.allow_file = v.flag;
         return std::string();
       }},
  };
  return bindings;
}

const std::vector<Binding<ClassifierConfig>>& classifier_bindings() {
  static const std::vector<Binding<ClassifierConfig>> bindings{
      {{"rules", ValueType::path, "", false,
        "Directory of YAML rule files. Not given: the shipped rules (config/rules/ for a build "
        "tree, else /etc/wirewatch/rules if it exists, else <prefix>/share/wirewatch/rules)."},
       +[](ClassifierConfig& c, const Value& v) {
         c.rules = v.path;
         return std::string();
       }},
      {{"thresholds", ValueType::number_map, "{}", false,
        "Score from 0 to 1 at which a label is given, per label, overriding the rules' own."},
       +[](ClassifierConfig& c, const Value& v) {
         for (const auto& [label, threshold] : v.numbers) {
           if (threshold < 0.0 || threshold > 1.0) return label + ": must be from 0 to 1";
         }
         c.thresholds = v.numbers;
         return std::string();
       }},
  };
  return bindings;
}

const std::vector<Binding<MetricsConfig>>& metrics_bindings() {
  static const std::vector<Binding<MetricsConfig>> bindings{
      {{"enabled", ValueType::boolean, "true", false, "Serve metrics at all."},
       +[](MetricsConfig& m, const Value& v) {
         m.enabled = v.flag;
         return std::string();
       }},
      {{"listen", ValueType::string, "127.0.0.1:9464", false,
        "host:port of the Prometheus text endpoint (/metrics); keep it on loopback."},
       +[](MetricsConfig& m, const Value& v) {
         m.listen = v.text;
         return check_listen(v.text);
       }},
  };
  return bindings;
}

const std::vector<Binding<StoreConfig>>& store_bindings() {
  static const std::vector<Binding<StoreConfig>> bindings{
      {{"outbox_retention", ValueType::duration, "24h", false,
        "How long records stay in the outbox after every sink has them, for "
        "`wirewatch tail --since`."},
       +[](StoreConfig& s, const Value& v) {
         s.outbox_retention = v.duration;
         return std::string();
       }},
      {{"seen_retention", ValueType::duration, "90d", false,
        "How long an entry that left its feed is remembered; one that comes back later is new. "
        "At least 1h; rows are pruned by a last-seen date kept to the day, so in practice an "
        "entry is remembered at least about a day."},
       +[](StoreConfig& s, const Value& v) {
         s.seen_retention = v.duration;
         return at_least(v.duration, 1h);
       }},
  };
  return bindings;
}

const std::vector<Binding<SinkConfig>>& sink_common_bindings() {
  static const std::vector<Binding<SinkConfig>> bindings{
      {{"type", ValueType::choice, "", true, "What kind of sink this is.",
        "directory|socket|stdout|nats"},
       +[](SinkConfig&, const Value&) { return std::string(); }},  // read first by the loader
      {{"name", ValueType::string, "(type:path)", false,
        "Unique name of the sink's cursor in the store; defaults to directory:PATH, "
        "socket:PATH, stdout or nats:SUBJECT. Renaming a sink makes it start over."},
       +[](SinkConfig& s, const Value& v) {
         s.name = v.text;
         return v.text.empty() ? "must not be empty" : std::string();
       }},
      {{"labels", ValueType::label_filter, "(every record)", false,
        "Which records the sink gets: absent means every record, `any` those with at least one "
        "label, `all` those with every label, [a, b] those with a or b."},
       +[](SinkConfig& s, const Value& v) {
         s.labels = v.labels;
         return std::string();
       }},
  };
  return bindings;
}

const std::vector<Binding<SinkConfig>>& sink_type_bindings(SinkType type) {
  static const std::vector<Binding<SinkConfig>> directory{
      {{"path", ValueType::path, "", true, "Directory the record files are written to."},
       +[](SinkConfig& s, const Value& v) {
         settings<DirectorySinkConfig>(s).path = v.path;
         return std::string();
       }},
      {{"fsync", ValueType::choice, "batch", false,
        "When written records are made durable: after every batch, at most every "
        "fsync_interval, or never (the kernel decides; survives a crash, not a power cut).",
        "batch|interval|none"},
       +[](SinkConfig& s, const Value& v) {
         auto& d = settings<DirectorySinkConfig>(s);
         d.fsync = v.text == "interval" ? DirectorySinkConfig::Fsync::interval
                   : v.text == "none"   ? DirectorySinkConfig::Fsync::none
                                        : DirectorySinkConfig::Fsync::batch;
         return std::string();
       }},
      {{"fsync_interval", ValueType::duration, "1s", false, "The pace of fsync: interval."},
       +[](SinkConfig& s, const Value& v) {
         settings<DirectorySinkConfig>(s).fsync_interval = v.duration;
         return at_least(v.duration, 1ms);
       }},
      {{"rotate", ValueType::choice, "daily", false,
        "Start a new file every UTC day (records-YYYY-MM-DD.jsonl) or past max_size.",
        "daily|size"},
       +[](SinkConfig& s, const Value& v) {
         settings<DirectorySinkConfig>(s).rotate = v.text == "size"
                                                       ? DirectorySinkConfig::Rotate::size
                                                       : DirectorySinkConfig::Rotate::daily;
         return std::string();
       }},
      {{"max_size", ValueType::size, "64MiB", false, "Segment size for rotate: size."},
       +[](SinkConfig& s, const Value& v) {
         settings<DirectorySinkConfig>(s).max_size = v.number;
         return v.number >= 4096 ? std::string() : "must be at least 4KiB";
       }},
      {{"file_per_record", ValueType::boolean, "false", false,
        "Write each record to its own file (tmp/ then renamed into new/) for inotify "
        "consumers, instead of appending lines."},
       +[](SinkConfig& s, const Value& v) {
         settings<DirectorySinkConfig>(s).file_per_record = v.flag;
         return std::string();
       }},
  };
  static const std::vector<Binding<SinkConfig>> socket{
      {{"path", ValueType::path, "", true, "Path of the Unix stream socket."},
       +[](SinkConfig& s, const Value& v) {
         settings<SocketSinkConfig>(s).path = v.path;
         return std::string();
       }},
      {{"mode", ValueType::string, "\"0660\"", false,
        "Permission bits of the socket file, in octal (quote it)."},
       +[](SinkConfig& s, const Value& v) {
         return parse_mode(v.text, settings<SocketSinkConfig>(s).mode);
       }},
      {{"queue", ValueType::integer, "4096", false,
        "Records buffered per client; a client that falls further behind is disconnected."},
       +[](SinkConfig& s, const Value& v) {
         settings<SocketSinkConfig>(s).queue = v.number;
         return in_range(v.number, 1, 1'000'000);
       }},
  };
  static const std::vector<Binding<SinkConfig>> stdout_keys{};
  static const std::vector<Binding<SinkConfig>> nats{
      {{"url", ValueType::url, "nats://127.0.0.1:4222", false, "The NATS server."},
       +[](SinkConfig& s, const Value& v) {
         std::string host;
         settings<NatsSinkConfig>(s).url = v.text;
         const auto problem = check_url(v.text, "nats|tls", host);
         return problem.empty() ? problem : "'" + v.text + "' " + problem;
       }},
      {{"subject", ValueType::string, "", true, "Subject the records are published to."},
       +[](SinkConfig& s, const Value& v) {
         settings<NatsSinkConfig>(s).subject = v.text;
         const bool bad = v.text.empty() || v.text.find_first_of(" \t*>") != std::string::npos;
         return bad ? "must be a plain subject without spaces or wildcards" : std::string();
       }},
      {{"stream", ValueType::string, "\"\"", false,
        "JetStream stream that captures the subject; required with create_stream."},
       +[](SinkConfig& s, const Value& v) {
         settings<NatsSinkConfig>(s).stream = v.text;
         return std::string();
       }},
      {{"create_stream", ValueType::boolean, "false", false,
        "Create the stream (with duplicate detection) when it does not exist."},
       +[](SinkConfig& s, const Value& v) {
         settings<NatsSinkConfig>(s).create_stream = v.flag;
         return std::string();
       }},
  };
  switch (type) {
    case SinkType::directory:
      return directory;
    case SinkType::socket:
      return socket;
    case SinkType::stdout:
      return stdout_keys;
    case SinkType::nats:
      return nats;
  }
  return stdout_keys;
}

}  // namespace wirewatch::config::detail
