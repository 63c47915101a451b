#include "config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace wirewatch::config {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The ten-line file the design promises is a working daemon.
constexpr std::string_view kMinimal = R"(state_dir: /var/lib/wirewatch
feeds:
  - id: unfccc-news
    url: https://example.org/news/rss.xml
  - id: apec
    url: https://apec.example.net/feed.atom
sinks:
  - type: stdout
)";

LoadResult parse(std::string_view text) {
  return parse_config(text, "cfg.yaml");
}

// The errors of text, as check-config prints them.
std::vector<std::string> errors(std::string_view text) {
  const LoadResult result = parse(text);
  EXPECT_FALSE(result.ok()) << text;
  std::vector<std::string> lines;
  for (const auto& error : result.errors) lines.push_back(error.to_string());
  return lines;
}

std::vector<std::string> warnings(std::string_view text) {
  const LoadResult result = parse(text);
  EXPECT_TRUE(result.ok()) << (result.errors.empty() ? "" : result.errors[0].to_string());
  std::vector<std::string> lines;
  for (const auto& warning : result.warnings) lines.push_back(warning.to_string());
  return lines;
}

// kMinimal with one more line under the top level.
std::string minimal_plus(std::string_view lines) {
  return std::string(kMinimal) + std::string(lines);
}

TEST(Config, TheTenLineFileWorksAndEverythingElseDefaults) {
  const LoadResult result = parse(kMinimal);
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  EXPECT_TRUE(result.warnings.empty());
  const Config& config = *result.config;
  EXPECT_EQ(config.state_dir, "/var/lib/wirewatch");
  EXPECT_EQ(config.defaults.interval, 15min);
  EXPECT_EQ(config.defaults.min_interval, 5min);
  EXPECT_EQ(config.defaults.max_interval, 6h);
  EXPECT_EQ(config.defaults.timeout, 30s);
  EXPECT_EQ(config.defaults.connect_timeout, 10s);
  EXPECT_EQ(config.defaults.max_body, 20u << 20);
  EXPECT_EQ(config.defaults.low_speed_limit, 1024u);
  EXPECT_EQ(config.defaults.low_speed_time, 20s);
  EXPECT_THAT(config.defaults.user_agent, ::testing::StartsWith("wirewatch/"));
  EXPECT_THAT(config.defaults.user_agent, HasSubstr("(+https://"));
  EXPECT_EQ(config.defaults.max_concurrency, 16u);
  EXPECT_EQ(config.defaults.per_host_concurrency, 2u);
  EXPECT_EQ(config.defaults.max_redirects, 5u);

  ASSERT_EQ(config.feeds.size(), 2u);
  const FeedConfig& feed = config.feeds[0];
  EXPECT_EQ(feed.id, "unfccc-news");
  EXPECT_FALSE(feed.id_derived);
  EXPECT_EQ(feed.url, "https://example.org/news/rss.xml");
  EXPECT_EQ(feed.interval, 15min);
  EXPECT_EQ(feed.min_interval, 5min);
  EXPECT_EQ(feed.max_interval, 6h);
  EXPECT_TRUE(feed.tags.empty());
  EXPECT_TRUE(feed.headers.empty());
  EXPECT_EQ(feed.timezone, "UTC");
  EXPECT_TRUE(feed.enabled);
  EXPECT_FALSE(feed.allow_file);
  EXPECT_EQ(feed.location.line, 3);
  EXPECT_EQ(feed.location.column, 5);

  ASSERT_EQ(config.sinks.size(), 1u);
  EXPECT_EQ(config.sinks[0].type, SinkType::stdout);
  EXPECT_EQ(config.sinks[0].name, "stdout");
  EXPECT_EQ(config.sinks[0].labels.mode, LabelSelection::Mode::every);

  EXPECT_TRUE(config.classifier.rules.empty());  // the shipped rules (classify::default_rules_dir)
  EXPECT_TRUE(config.classifier.thresholds.empty());
  EXPECT_TRUE(config.metrics.enabled);
  EXPECT_EQ(config.metrics.listen, "127.0.0.1:9464");
  EXPECT_EQ(config.store.outbox_retention, 24h);
  EXPECT_EQ(config.store.seen_retention, 90 * 24h);
}

TEST(Config, FeedIdIsDerivedFromTheUrlWhenAbsent) {
  const LoadResult result = parse(R"(state_dir: /s
feeds:
  - url: https://www.example.org/news/rss.xml
sinks: [{type: stdout}]
)");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.config->feeds[0].id, "example.org-news-rss.xml");
  EXPECT_TRUE(result.config->feeds[0].id_derived);
}

TEST(Config, FeedsOverrideDefaultsAndAnExplicitIntervalMovesTheBounds) {
  const LoadResult result = parse(R"(state_dir: /s
defaults: {interval: 10m, min_interval: 2m, max_interval: 1h}
feeds:
  - {url: "http://127.0.0.1:8080/feed.xml", interval: 1s}
  - {url: "https://example.org/slow", interval: 1d, tags: [un, climate], enabled: false}
  - url: https://example.org/c
    headers: {Authorization: "Bearer x"}
    timezone: "-05:00"
  - {url: "file:///srv/feeds/local.xml", allow_file: true}
sinks: [{type: stdout}]
)");
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  EXPECT_TRUE(result.warnings.empty());
  const auto& feeds = result.config->feeds;
  EXPECT_EQ(feeds[0].interval, 1s);
  EXPECT_EQ(feeds[0].min_interval, 1s);
  EXPECT_EQ(feeds[0].max_interval, 1h);
  EXPECT_EQ(feeds[1].interval, 24h);
  EXPECT_EQ(feeds[1].min_interval, 2min);
  EXPECT_EQ(feeds[1].max_interval, 24h);
  EXPECT_THAT(feeds[1].tags, ElementsAre("un", "climate"));
  EXPECT_FALSE(feeds[1].enabled);
  EXPECT_EQ(feeds[2].interval, 10min);
  EXPECT_EQ(feeds[2].headers.at("Authorization"), "Bearer x");
  EXPECT_EQ(feeds[2].timezone, "-05:00");
  EXPECT_EQ(feeds[3].url, "file:///srv/feeds/local.xml");
}

TEST(Config, FastPollingOfARemoteHostIsAWarningNotAnError) {
  EXPECT_THAT(warnings(R"(state_dir: /s
feeds:
  - url: https://example.org/rss
    interval: 5s
sinks: [{type: stdout}]
)"),
              ElementsAre("cfg.yaml:4:15: feeds[0].interval: 5s polls example.org very often; "
                          "remote publishers usually expect 15m or more"));
  EXPECT_THAT(warnings(R"(state_dir: /s
feeds:
  - {url: "http://localhost:9000/rss", interval: 1s}
sinks: [{type: stdout}]
)"),
              ElementsAre());
}

TEST(Config, UnknownKeysAreErrorsWithASuggestionForNearMisses) {
  EXPECT_THAT(errors(minimal_plus("intervall: 5m\n")),
              ElementsAre("cfg.yaml:9:1: intervall: unknown key"));
  EXPECT_THAT(errors(minimal_plus("sink: []\n")),
              ElementsAre("cfg.yaml:9:1: sink: unknown key (did you mean 'sinks'?)"));
  EXPECT_THAT(
      errors(minimal_plus("defaults:\n  intervall: 5m\n  user-agent: me\n")),
      ElementsAre("cfg.yaml:10:3: defaults.intervall: unknown key (did you mean 'interval'?)",
                  "cfg.yaml:11:3: defaults.user-agent: unknown key (did you mean "
                  "'user_agent'?)"));
  EXPECT_THAT(errors(R"(state_dir: /s
feeds:
  - {url: "https://example.org/", tgas: [a]}
sinks: [{type: stdout}]
)"),
              ElementsAre("cfg.yaml:3:35: feeds[0].tgas: unknown key (did you mean 'tags'?)"));
}

TEST(Config, WrongTypesNameTheKeyAndWhatWasFound) {
  EXPECT_THAT(
      errors(R"(state_dir: /s
defaults:
  max_concurrency: many
  timeout: [30s]
  interval:
feeds:
  - url: https://example.org/
    tags: un
    enabled: yes
    headers: [a]
sinks: [{type: stdout}]
)"),
      ElementsAre("cfg.yaml:3:20: defaults.max_concurrency: expected a whole number, got 'many'",
                  "cfg.yaml:4:12: defaults.timeout: expected a duration like 90s, 15m or 6h, "
                  "got a list",
                  "cfg.yaml:5:3: defaults.interval: expected a duration like 90s, 15m or "
                  "6h, got nothing",
                  "cfg.yaml:8:11: feeds[0].tags: expected a list like [a, b], got 'un'",
                  "cfg.yaml:9:14: feeds[0].enabled: expected true or false, got 'yes'",
                  "cfg.yaml:10:14: feeds[0].headers: expected a mapping of names to values, "
                  "got a list"));
  EXPECT_THAT(errors("state_dir: /s\nfeeds: {url: x}\nsinks: stdout\n"),
              ElementsAre("cfg.yaml:2:8: feeds: expected a list, got a mapping",
                          "cfg.yaml:3:8: sinks: expected a list, got 'stdout'"));
}

TEST(Config, MissingRequiredKeysPointAtTheirSection) {
  EXPECT_THAT(errors("feeds: []\nsinks: [{type: stdout}]\n"),
              ElementsAre("cfg.yaml:1:1: missing required key 'state_dir'"));
  EXPECT_THAT(errors(R"(state_dir: /s
feeds:
  - id: no-url
sinks:
  - type: directory
)"),
              ElementsAre("cfg.yaml:3:5: feeds[0]: missing required key 'url'",
                          "cfg.yaml:5:5: sinks[0]: missing required key 'path'"));
}

TEST(Config, DuplicateFeedIdsAndDuplicateKeys) {
  EXPECT_THAT(errors(R"(state_dir: /s
feeds:
  - {id: un, url: "https://example.org/a"}
  - {id: un, url: "https://example.org/b"}
  - url: https://example.org/c
  - url: https://example.org/c
sinks: [{type: stdout}]
)"),
              ElementsAre("cfg.yaml:4:10: feeds[1].id: duplicate feed id 'un', already used by "
                          "feeds[0] (line 3)",
                          "cfg.yaml:6:10: feeds[3].url: derives feed id 'example.org-c', already "
                          "used by feeds[2] (line 5); give one of them an id"));
  EXPECT_THAT(errors(minimal_plus("state_dir: /t\n")),
              ElementsAre("cfg.yaml:9:1: state_dir: duplicate key (first given at line 1)"));
}

TEST(Config, BadUrls) {
  EXPECT_THAT(
      errors(R"(state_dir: /s
feeds:
  - url: ftp://example.org/feed
  - url: example.org/feed
  - url: file:///tmp/feed.xml
  - url: "https://"
  - url: "https://exa mple.org/"
sinks: [{type: stdout}]
)"),
      ElementsAre("cfg.yaml:3:10: feeds[0].url: 'ftp://example.org/feed' scheme 'ftp' is "
                  "not allowed (use http, https)",
                  "cfg.yaml:4:10: feeds[1].url: 'example.org/feed' is not an absolute URL "
                  "(missing scheme://)",
                  "cfg.yaml:5:10: feeds[2].url: 'file:///tmp/feed.xml' scheme 'file' is not "
                  "allowed (use http, https); set allow_file: true on this feed to read "
                  "local files",
                  ::testing::StartsWith("cfg.yaml:6:10: feeds[3].url: 'https://' is not a "
                                        "valid URL ("),
                  "cfg.yaml:7:10: feeds[4].url: 'https://exa mple.org/' contains whitespace"));
}

TEST(Config, BadDurationsAndSizesCarryTheParserReason) {
  EXPECT_THAT(errors(R"(state_dir: /s
defaults:
  interval: 15x
  timeout: 0s
  max_body: 20Mb
  min_interval: -5m
feeds:
  - {url: "https://example.org/", interval: 1.5h}
sinks: [{type: stdout}]
)"),
              ElementsAre("cfg.yaml:3:13: defaults.interval: bad duration: unknown unit 'x' in "
                          "'15x'; units are ms, s, m, h, d",
                          "cfg.yaml:4:12: defaults.timeout: must be at least 100ms",
                          "cfg.yaml:5:13: defaults.max_body: bad size: unknown unit 'Mb' in '20Mb' "
                          "(did you mean 'MB'?); units are B, KB, MB, GB, TB, KiB, MiB, GiB, TiB",
                          "cfg.yaml:6:17: defaults.min_interval: bad duration: '-5m' is negative",
                          "cfg.yaml:8:45: feeds[0].interval: bad duration: '1.5h': use whole "
                          "numbers (write 90m, not 1.5h; 1536KiB, not 1.5MiB)"));
  EXPECT_THAT(errors(minimal_plus("defaults: {min_interval: 1h, max_interval: 30m}\n")),
              ElementsAre("cfg.yaml:9:26: defaults.min_interval: 1h is above max_interval 30m"));
  EXPECT_THAT(errors(minimal_plus("defaults: {interval: 7h}\n")),
              ElementsAre("cfg.yaml:9:22: defaults.interval: 7h is outside min_interval 5m to "
                          "max_interval 6h"));
  // A bad interval is reported once: not again as its default (15m) against a max it exceeds.
  EXPECT_THAT(errors(minimal_plus("defaults: {interval: 15x, max_interval: 30s, "
                                  "min_interval: 1s}\n")),
              ElementsAre("cfg.yaml:9:22: defaults.interval: bad duration: unknown unit 'x' in "
                          "'15x'; units are ms, s, m, h, d"));
}

TEST(Config, ValuesCheckedBeyondTheirType) {
  EXPECT_THAT(errors(R"(state_dir: /s
defaults: {max_concurrency: 0, max_redirects: 50, user_agent: "a\nb"}
feeds:
  - url: https://example.org/
    id: "has space"
    timezone: Europe/Paris
    headers: {"X Bad": v}
classifier: {thresholds: {summit: 1.5}}
metrics: {listen: localhost}
sinks: [{type: stdout}]
)"),
              ElementsAre("cfg.yaml:2:29: defaults.max_concurrency: must be from 1 to 1024",
                          "cfg.yaml:2:47: defaults.max_redirects: must be from 0 to 20",
                          "cfg.yaml:2:63: defaults.user_agent: it has a control character (line "
                          "break?) in its value",
                          "cfg.yaml:5:9: feeds[0].id: 'has space' may only contain letters, "
                          "digits, '.', '_' and '-'",
                          "cfg.yaml:6:15: feeds[0].timezone: 'Europe/Paris' is not a zone: write "
                          "UTC or an offset like +01:00",
                          "cfg.yaml:7:14: feeds[0].headers: 'X Bad' is not a valid header name",
                          "cfg.yaml:8:26: classifier.thresholds: summit: must be from 0 to 1",
                          "cfg.yaml:9:19: metrics.listen: 'localhost' has no port (write "
                          "host:port, e.g. 127.0.0.1:9464)"));
}

TEST(Config, SinksAreCheckedByTheirType) {
  EXPECT_THAT(errors(R"(state_dir: /s
feeds: []
sinks:
  - {type: nats, subjet: news}
  - {type: stdout, path: /x}
  - {type: socket, path: /run/w.sock, mode: 999}
  - {type: directory, path: /d, fsync: always}
  - {type: fax}
  - {path: /x}
  - {type: nats, subject: news, create_stream: true}
  - {type: stdout, labels: [], name: out}
)"),
              ElementsAre("cfg.yaml:4:5: sinks[0]: missing required key 'subject'",
                          "cfg.yaml:4:18: sinks[0].subjet: unknown key (did you mean 'subject'?)",
                          "cfg.yaml:5:20: sinks[1].path: unknown key (not a key of a stdout sink; "
                          "directory, socket sinks have it)",
                          "cfg.yaml:6:45: sinks[2].mode: '999' is not an octal mode like \"0660\"",
                          "cfg.yaml:7:40: sinks[3].fsync: 'always' is not one of batch, interval, "
                          "none",
                          "cfg.yaml:8:12: sinks[4].type: 'fax' is not one of directory, socket, "
                          "stdout, nats",
                          "cfg.yaml:9:5: sinks[5]: missing required key 'type' (directory, socket, "
                          "stdout or nats)",
                          "cfg.yaml:10:48: sinks[6].create_stream: needs a stream name (stream:)",
                          "cfg.yaml:11:28: sinks[7].labels: an empty list would let no record "
                          "through; leave labels out for every record"));
  EXPECT_THAT(
      errors("state_dir: /s\nfeeds: []\nsinks: []\n"),
      ElementsAre("cfg.yaml:3:8: sinks: at least one sink is needed, e.g. - {type: stdout}"));
  EXPECT_THAT(errors("state_dir: /s\nfeeds: []\nsinks:\n  - {type: stdout}\n  - type: stdout\n"),
              ElementsAre("cfg.yaml:5:5: sinks[1]: another sink is already named 'stdout' "
                          "(sinks[0], line 4); give one of them a distinct name"));
}

TEST(Config, EverySinkTypeParsesWithItsDefaults) {
  const LoadResult result = parse(R"(state_dir: /s
feeds: []
sinks:
  - {type: directory, path: /var/lib/wirewatch/records, labels: any}
  - {type: socket, path: /run/wirewatch/records.sock, labels: [summit, climate_diplomacy]}
  - {type: stdout, labels: all}
  - {type: nats, subject: news.records, stream: NEWS, create_stream: true, name: js}
)");
  ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
  const auto& sinks = result.config->sinks;
  ASSERT_EQ(sinks.size(), 4u);
  EXPECT_EQ(sinks[0].name, "directory:/var/lib/wirewatch/records");
  EXPECT_EQ(sinks[0].labels.mode, LabelSelection::Mode::any);
  const auto& directory = std::get<DirectorySinkConfig>(sinks[0].settings);
  EXPECT_EQ(directory.fsync, DirectorySinkConfig::Fsync::batch);
  EXPECT_EQ(directory.fsync_interval, 1s);
  EXPECT_EQ(directory.rotate, DirectorySinkConfig::Rotate::daily);
  EXPECT_EQ(directory.max_size, 64u << 20);
  EXPECT_FALSE(directory.file_per_record);
  EXPECT_EQ(sinks[1].name, "socket:/run/wirewatch/records.sock");
  EXPECT_EQ(sinks[1].labels.mode, LabelSelection::Mode::listed);
  EXPECT_THAT(sinks[1].labels.labels, ElementsAre("summit", "climate_diplomacy"));
  const auto& socket = std::get<SocketSinkConfig>(sinks[1].settings);
  EXPECT_EQ(socket.mode, 0660u);
  EXPECT_EQ(socket.queue, 4096u);
  EXPECT_EQ(sinks[2].labels.mode, LabelSelection::Mode::all);
  EXPECT_EQ(sinks[3].name, "js");
  const auto& nats = std::get<NatsSinkConfig>(sinks[3].settings);
  EXPECT_EQ(nats.url, "nats://127.0.0.1:4222");
  EXPECT_EQ(nats.subject, "news.records");
  EXPECT_EQ(nats.stream, "NEWS");
  EXPECT_TRUE(nats.create_stream);
}

TEST(Config, YamlSyntaxErrorsAreLocated) {
  EXPECT_THAT(errors("state_dir: /s\nfeeds: [\n"),
              ElementsAre(::testing::StartsWith("cfg.yaml:3:1: YAML syntax error: ")));
  EXPECT_THAT(errors("state_dir: /s\n  feeds: x\n"),
              ElementsAre(::testing::StartsWith("cfg.yaml:2:8: YAML syntax error: ")));
  EXPECT_THAT(errors(""), ElementsAre("cfg.yaml: the file is empty; it needs at least state_dir, "
                                      "feeds and sinks"));
  EXPECT_THAT(errors("- a\n- b\n"),
              ElementsAre("cfg.yaml:1:1: expected a mapping of keys (state_dir:, feeds:, …) at "
                          "the top"));
  EXPECT_THAT(errors(std::string(kMinimal) + "---\nstate_dir: /t\n"),
              ElementsAre("cfg.yaml:10:1: a second YAML document ('---'); put everything in one"));
  EXPECT_THAT(errors(std::string("state_dir: /s\0\n", 15)),
              ElementsAre("cfg.yaml: contains a NUL byte; a config file is UTF-8 text"));
}

TEST(Config, HostileInputIsBoundedAndNeverThrows) {
  // Deep nesting: yaml-cpp's own depth guard reports it.
  const std::string deep = "state_dir: " + std::string(100000, '[');
  EXPECT_FALSE(parse(deep).ok());
  // Aliases fan out to the same node; a list of them is read once per item, not expanded.
  std::string bomb =
      "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a]\n"
      "state_dir: /s\nfeeds:\n  - url: https://example.org/\n    tags: [";
  for (int i = 0; i < 2000; ++i) bomb += "*b, ";
  bomb += "*b]\nsinks: [{type: stdout}]\n";
  const LoadResult result = parse(bomb);
  ASSERT_FALSE(result.ok());
  EXPECT_LE(result.errors.size(), 101u);
  EXPECT_EQ(result.errors.back().message, "too many errors; stopped reporting");
}

TEST(Config, RelativePathsResolveAgainstTheConfigDirectory) {
  const LoadResult result = parse_config(R"(state_dir: state
feeds: []
classifier: {rules: ../rules}
sinks: [{type: directory, path: out/records}]
)",
                                         "cfg.yaml", "/etc/wirewatch");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.config->state_dir, "/etc/wirewatch/state");
  EXPECT_EQ(result.config->classifier.rules, "/etc/rules");
  EXPECT_EQ(std::get<DirectorySinkConfig>(result.config->sinks[0].settings).path,
            "/etc/wirewatch/out/records");
}

TEST(Config, LoadConfigReportsUnreadableFilesByName) {
  const LoadResult missing = load_config("/nonexistent/wirewatch.yaml");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].to_string(),
            "/nonexistent/wirewatch.yaml: cannot open: No such file or directory");
  const LoadResult directory = load_config("/tmp");
  EXPECT_EQ(directory.errors.at(0).to_string(), "/tmp: is a directory, not a config file");
}

}  // namespace
}  // namespace wirewatch::config
