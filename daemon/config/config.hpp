// The config stage: one YAML file → a typed Config, or every mistake in it as
// "file:line:col: what is wrong". The key tables in keys.hpp drive validation, defaults and
// docs/config.md. `wirewatch check-config FILE` runs exactly this code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/units.hpp"

namespace wirewatch::config {

/// Fetch settings every feed gets unless it overrides them (`defaults:`).
struct FetchDefaults {
  Duration interval{};              // how often to poll a feed
  Duration min_interval{};          // lower bound for server hints (ttl, max-age)
  Duration max_interval{};          // upper bound for hints and failure backoff
  Duration timeout{};               // whole request, connect to last byte
  Duration connect_timeout{};       // TCP + TLS handshake
  std::uint64_t low_speed_limit{};  // bytes per second below which a transfer is slow…
  Duration low_speed_time{};        // …and aborted when slow for this long
  std::uint64_t max_body{};         // bytes, also after decompression
  std::string user_agent;           // the User-Agent header
  unsigned max_concurrency{};       // requests in flight, all hosts together
  unsigned per_host_concurrency{};  // requests in flight to one host
  unsigned max_redirects{};         // redirects followed per request
  std::filesystem::path ca_file;    // PEM certificates to trust for https; empty: the system's
};

/// Where in the config file something was written (1-based, for messages).
struct Location {
  int line = 0;
  int column = 0;
};

/// One feed to poll (`feeds:` item).
struct FeedConfig {
  std::string id;           // unique; derived from the URL when not given
  bool id_derived = false;  // true when id came from normalize::feed_id_from_url
  std::string url;          // http(s), or file:// when allow_file
  Duration interval{};      // defaults.interval unless given
  Duration min_interval{};  // defaults.min_interval, lowered to interval when that is below
  Duration max_interval{};  // defaults.max_interval, raised to interval when that is above
  std::vector<std::string> tags;
  std::map<std::string, std::string> headers;  // extra request headers
  std::string timezone;      // "UTC" or "±HH:MM": the zone of dates written without one
  int timezone_minutes = 0;  // the same as minutes east of UTC
  bool enabled = true;
  bool allow_file = false;
  Location location;  // the feed's item in the file, for later messages
};

/// Which records a sink wants, by label (the sinks library has the matching filter).
struct LabelSelection {
  enum class Mode {
    every,   // `labels` not given: every record
    any,     // `any`: records with at least one label
    all,     // `all`: records with every label the classifier knows
    listed,  // `[a, b]`: records with at least one of the listed labels
  };
  Mode mode = Mode::every;
  std::vector<std::string> labels;  // for listed
};

/// `type: directory`: NDJSON segment files.
struct DirectorySinkConfig {
  std::filesystem::path path;
  enum class Fsync {
    batch,     // "batch": fsync after every write
    interval,  // "interval": at most every fsync_interval
    none,      // "none": leave it to the kernel
  } fsync = Fsync::batch;
  Duration fsync_interval{};
  enum class Rotate {
    daily,  // "daily": records-YYYY-MM-DD.jsonl
    size,   // "size": a new segment past max_size
  } rotate = Rotate::daily;
  std::uint64_t max_size{};
  bool file_per_record = false;  // one file per record, tmp/ then new/
};

/// `type: socket`: a Unix stream socket serving NDJSON.
struct SocketSinkConfig {
  std::filesystem::path path;
  unsigned mode = 0;        // permission bits, e.g. 0660
  std::uint64_t queue = 0;  // records buffered per client before it is dropped
};

/// `type: stdout`.
struct StdoutSinkConfig {};

/// `type: nats`: JetStream publish.
struct NatsSinkConfig {
  std::string url;      // nats://host:port or tls://host:port
  std::string subject;  // published to
  std::string stream;   // JetStream stream name; empty: plain publish is not offered, required
  bool create_stream = false;
};

/// The kinds of sink, in the order of the key tables.
enum class SinkType {
  directory,  // "directory"
  socket,     // "socket"
  stdout,     // "stdout"
  nats,       // "nats"
};

/// One `sinks:` item.
struct SinkConfig {
  SinkType type = SinkType::stdout;
  std::string name;  // unique; the cursor's name in the store ("directory:/var/lib/…")
  LabelSelection labels;
  std::variant<DirectorySinkConfig, SocketSinkConfig, StdoutSinkConfig, NatsSinkConfig> settings;
  Location location;
};

/// `classifier:`.
struct ClassifierConfig {
  std::filesystem::path rules;               // directory of rule files
  std::map<std::string, double> thresholds;  // per label, overrides the rules' own
};

/// `metrics:`.
struct MetricsConfig {
  bool enabled = true;
  std::string listen;  // "host:port" for the Prometheus text endpoint
};

/// `store:`.
struct StoreConfig {
  Duration outbox_retention{};  // how long delivered records stay for `tail --since`
  Duration seen_retention{};    // how long an entry no longer in its feed is remembered
};

/// The whole file, every default filled in.
struct Config {
  std::filesystem::path state_dir;
  FetchDefaults defaults;
  std::vector<FeedConfig> feeds;
  ClassifierConfig classifier;
  std::vector<SinkConfig> sinks;
  MetricsConfig metrics;
  StoreConfig store;
};

/// One problem, located in the file.
struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem is the file as a whole
  int column = 0;  // 1-based
  std::string message;

  /// "file:line:col: message" (or "file: message" without a line).
  std::string to_string() const;
};

/// A config, or why there is none. Warnings do not stop a config from loading.
struct LoadResult {
  std::optional<Config> config;      // set exactly when errors is empty
  std::vector<Diagnostic> errors;    // every error found, in file order
  std::vector<Diagnostic> warnings;  // e.g. a 1s interval against a remote host

  bool ok() const { return config.has_value(); }
};

/// Parses config text; `name` is used in messages. Relative paths in the file are resolved
/// against base_dir when it is not empty. Never throws.
LoadResult parse_config(std::string_view text, std::string_view name,
                        const std::filesystem::path& base_dir = {});

/// Reads and parses a config file (at most 4 MiB); relative paths are resolved against the
/// file's directory. Never throws.
LoadResult load_config(const std::filesystem::path& path);

/// The SinkType's name in the file: "directory", "socket", "stdout", "nats".
std::string_view to_string(SinkType type);

}  // namespace wirewatch::config
