// resolve_url skips curl for absolute http(s) URLs that curl would give back unchanged. The
// property behind the shortcut: for every absolute URL, resolve_url equals curl's own
// normalization, whichever way it went. Checked here against curl on realistic URLs and on many
// random edits of them (case, ports, userinfo, dot segments, escapes, spaces, empty queries…).
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "parse/urls.hpp"
#include "random_edits.hpp"

namespace wirewatch::parse {
namespace {

/// Uppercases the hex digits of escapes, as resolve_url does with curl's output.
std::string uppercase_escapes(std::string out) {
  for (std::size_t i = 0; i + 2 < out.size(); ++i) {
    if (out[i] != '%' || !std::isxdigit(static_cast<unsigned char>(out[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(out[i + 2]))) {
      continue;
    }
    out[i + 1] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i + 1])));
    out[i + 2] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i + 2])));
    i += 2;
  }
  return out;
}

/// What resolve_url does through curl for a relative reference (urls.cpp: the base, then the
/// reference, the same flags, escapes in uppercase), or the reference when curl rejects it.
std::string curl_resolved(const std::string& base, const std::string& reference) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle{curl_url(), curl_url_cleanup};
  constexpr unsigned kFlags = CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE;
  if (curl_url_set(handle.get(), CURLUPART_URL, base.c_str(), kFlags) != CURLUE_OK ||
      curl_url_set(handle.get(), CURLUPART_URL, reference.c_str(), kFlags) != CURLUE_OK) {
    return reference;
  }
  char* raw = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_URL, &raw, 0) != CURLUE_OK || raw == nullptr) {
    return reference;
  }
  std::string out(raw);
  curl_free(raw);
  return uppercase_escapes(std::move(out));
}

/// What resolve_url does through curl for an absolute reference (urls.cpp: the same flags, and
/// escapes in uppercase), or the reference itself when curl rejects it.
std::string curl_normalized(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle{curl_url(), curl_url_cleanup};
  if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(),
                   CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE) != CURLUE_OK) {
    return url;
  }
  char* raw = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_URL, &raw, 0) != CURLUE_OK || raw == nullptr) {
    return url;
  }
  std::string out(raw);
  curl_free(raw);
  for (std::size_t i = 0; i + 2 < out.size(); ++i) {
    if (out[i] != '%' || !std::isxdigit(static_cast<unsigned char>(out[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(out[i + 2]))) {
      continue;
    }
    out[i + 1] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i + 1])));
    out[i + 2] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i + 2])));
    i += 2;
  }
  return out;
}

const std::vector<std::string> kUrls{
    "https://www.example.com/",
    "https://www.example.com/world/2023/11/09/envoys-meet-ahead-of-cop28-1042",
    "http://feeds.example.org/rss/world.xml",
    "https://news.example.co.uk/a/500123?utm_source=rss&utm_medium=feed",
    "https://cdn.example.net/media/clip-77.mp3",
    "https://example.com/search?q=climate+summit#results",
    "https://example.com/path/with%20space/%E2%80%94dash",
    "https://example.com/a/b/c/index.html?x=1&y=2&z=%2F",
    "https://sub-domain.example-site.com/~user/page.php?id=7;x=8",
    "https://example.com/a//b///c",
    "https://example.com/.well-known/feed",
    "https://example.com/a/..b/c..",
    "https://example.com/a?b=/../c#/./d",
    "http://xn--caf-dma.example/menu",
    "https://example.com/a/b#section-2",
    "http://127.0.0.1:32933/feed-00001.xml",
    "http://localhost:8080/rss?x=1",
};

TEST(UrlFastPath, AbsoluteUrlsResolveExactlyAsCurlNormalizesThem) {
  for (const std::string& url : kUrls) {
    EXPECT_EQ(resolve_url("", url), curl_normalized(url)) << url;
    EXPECT_EQ(resolve_url("https://base.example/dir/", url), curl_normalized(url)) << url;
  }
}

TEST(UrlFastPath, RandomEditsOfUrlsNeverDifferFromCurl) {
  static constexpr std::array<std::string_view, 42> kPieces{
      "/./",      "/../", "/.",     "/..",       ":80",    ":443",   ":8080",     "@",
      "user:pw@", "%20",  "%e2",    "%E2%80%94", "%",      "%G1",    "#x",        "#",
      "?",        "?q=1", "//",     "HTTP",      "Www",    "0x7f",   "127.0.0.1", "1.2.3.4",
      "[::1]",    "xn--", "..",     " ",         "\t",     "\\",     "\xC3\xA9",  "{|}",
      "\"<>",     "^`",   ":32933", ":0",        ":65536", ":08080", "256.1.2.3", "01.2.3.4"};
  static constexpr std::string_view kChars = "aZ09-._~:/?#[]@!$&'()*+,;=%";
  std::mt19937 random(20231109);
  std::size_t checked = 0;
  for (int round = 0; round < 60000; ++round) {
    std::string url = kUrls[random() % kUrls.size()];
    const auto edits = 1 + random() % 3;
    url = test_support::apply_random_edits(std::move(url), edits, random, kPieces, kChars);
    // Only absolute http(s) references take the shortcut; the others are resolve_url's business.
    if (!url.starts_with("http://") && !url.starts_with("https://")) continue;
    if (std::isspace(static_cast<unsigned char>(url.back()))) continue;  // resolve_url trims
    ASSERT_EQ(resolve_url("", url), curl_normalized(url)) << url;
    ++checked;
  }
  EXPECT_GT(checked, 30000U);
}

const std::vector<std::string> kBases{
    "https://meridian.example/feeds/politics/rss20.xml",
    "https://www.example.com/",
    "http://feeds.example.org/rss/world.xml?format=rss&lang=en",
    "https://example.com/a/b/c/",
    "https://example.com/a//b",
    "https://example.com//b",
    "https://example.com/feed?x=/y/z",
    "https://example.com/feed#part/two",
    "https://example.com/index.php?p=1#frag",
    "https://example.com/%E2%80%94/feed",
    "https://news.example.co.uk/~user/blog/",
    "http://127.0.0.1:32933/feed-00001.xml",
    "http://10.1.2.3:8080/a/",
};

const std::vector<std::string> kReferences{
    "/world/2023/11/09/envoys-meet-ahead-of-cop28-1042",
    "article/77.html",
    "article/77.html?utm_source=rss#top",
    "?page=2",
    "?",
    "//cdn.example.net/media/clip-77.mp3",
    "//cdn.example.net",
    "/",
    "a",
    "./a",
    "../a/b",
    "a/../b",
    "a/./b",
    "/a/%e2%80%94",
    "/a b",
    "caf\xC3\xA9",
    "/path;params?q=1&r=2",
    "%2e%2e/x",
};

TEST(UrlFastPath, RelativeReferencesResolveExactlyAsCurlResolvesThem) {
  std::size_t fast = 0;
  for (const std::string& base : kBases) {
    for (const std::string& reference : kReferences) {
      const std::string expected = curl_resolved(base, reference);
      EXPECT_EQ(resolve_url(base, reference), expected) << base << " + " << reference;
      EXPECT_EQ(resolve_url_with_curl(base, reference), expected) << base << " + " << reference;
      if (auto merged = resolve_relative_fast(base, reference)) {
        EXPECT_EQ(*merged, expected) << base << " + " << reference;
        ++fast;
      }
    }
  }
  EXPECT_GT(fast, kBases.size() * kReferences.size() / 3);  // the shortcut is taken
}

TEST(UrlFastPath, RandomRelativeReferencesNeverDifferFromCurl) {
  static constexpr std::array<std::string_view, 35> kPieces{
      "/./", "/../",  "/.", "/..",      ":80", "@",      "%20",     "%e2",     "%E2%80%94",
      "%",   "%G1",   "#x", "#",        "?",   "?q=1",   "//",      "..",      ".",
      " ",   "\t",    "\\", "\xC3\xA9", "{|}", "\"<>",   "^`",      "/",       "HTTP",
      "Www", "[::1]", ";",  ":443",     ":0",  ":32933", "1.2.3.4", "01.2.3.4"};
  static constexpr std::string_view kChars = "aZ09-._~:/?#[]@!$&'()*+,;=%";
  // --gtest_random_seed=N checks another sample (the default seed is 0).
  std::mt19937 random(20261129u +
                      static_cast<unsigned>(testing::UnitTest::GetInstance()->random_seed()));
  auto edit = [&](std::string text, unsigned max_edits) {
    const auto edits = random() % (max_edits + 1);
    return test_support::apply_random_edits(std::move(text), edits, random, kPieces, kChars);
  };
  std::size_t checked = 0, fast = 0;
  for (int round = 0; round < 60000; ++round) {
    const std::string base = edit(kBases[random() % kBases.size()], random() % 4 == 0 ? 2 : 0);
    const std::string reference = edit(kReferences[random() % kReferences.size()], 3);
    if (reference.empty() || has_scheme(reference) || reference.front() == '#') continue;
    if (!base.starts_with("http://") && !base.starts_with("https://")) continue;
    if (std::isspace(static_cast<unsigned char>(reference.front())) ||
        std::isspace(static_cast<unsigned char>(reference.back())) ||
        std::isspace(static_cast<unsigned char>(base.back()))) {
      continue;  // resolve_url trims
    }
    const std::string expected = curl_resolved(base, reference);
    if (auto merged = resolve_relative_fast(base, reference)) {
      ASSERT_EQ(*merged, expected) << base << " + " << reference;
      ++fast;
    }
    ASSERT_EQ(resolve_url(base, reference), expected) << base << " + " << reference;
    ++checked;
  }
  EXPECT_GT(checked, 30000U);
  EXPECT_GT(fast, 10000U);
}

}  // namespace
}  // namespace wirewatch::parse
