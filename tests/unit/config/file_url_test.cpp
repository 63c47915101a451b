#include <gtest/gtest.h>

#include "config/config.hpp"

namespace wirewatch::config {
namespace {

TEST(FileUrls, RelativeFileUrlsResolveAgainstTheConfigDirectory) {
  const auto loaded = parse_config(
      "state_dir: state\n"
      "feeds:\n"
      "  - {id: local, url: \"file:samples/feed.xml\", allow_file: true}\n"
      "  - {id: absolute, url: \"file:///srv/feeds/a.xml\", allow_file: true}\n"
      "sinks:\n  - {type: stdout}\n",
      "demo.yaml", "/etc/wirewatch");
  ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
  EXPECT_EQ(loaded.config->feeds[0].url, "file:///etc/wirewatch/samples/feed.xml");
  EXPECT_EQ(loaded.config->feeds[1].url, "file:///srv/feeds/a.xml");
}

TEST(FileUrls, StillRefusedWithoutAllowFile) {
  const auto loaded = parse_config(
      "state_dir: state\nfeeds:\n  - {id: local, url: \"file:samples/feed.xml\"}\n"
      "sinks:\n  - {type: stdout}\n",
      "demo.yaml", "/etc/wirewatch");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.errors[0].to_string().find("allow_file"), std::string::npos)
      << loaded.errors[0].to_string();
}

}  // namespace
}  // namespace wirewatch::config
