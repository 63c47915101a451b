// The in-process timing loop bench/parse_compare.sh runs for the C++ contenders: reads the
// corpus into memory first, then times passes over it (no process start-up, no disk I/O).
//   parse_loop --tool pugixml|wirewatch|wirewatch-records --corpus DIR
//              [--formats rss20,atom10,rss10] [--passes N]
// Prints one line: tool, files, bytes and entries per pass, median and best pass seconds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/record_json.hpp"
#include "corpus.hpp"
#include "normalize/normalize.hpp"
#include "parse/parser.hpp"

namespace {

using wirewatch::bench::CorpusFile;

/// Parses every file once the way tool does; returns the entries found.
std::size_t run_pass(std::string_view tool, const std::vector<CorpusFile>& files) {
  std::size_t entries = 0;
  const wirewatch::core::Timestamp fetched{std::chrono::seconds{1700000000}};
  for (const auto& file : files) {
    if (tool == "pugixml") {
      pugi::xml_document tree;
      tree.load_buffer(file.body.data(), file.body.size());
      // Count items the way a reader finds them: under the root (RDF) or the channel.
      for (auto parent : {tree.document_element(), tree.document_element().child("channel")}) {
        for (auto child : parent.children()) {
          const std::string_view name = child.name();
          entries += name == "item" || name == "entry" || name.ends_with(":item");
        }
      }
      continue;
    }
    const auto result = wirewatch::parse::parse_feed({file.body, "", file.base_url, ""});
    entries += result.document.entries.size();
    if (tool == "wirewatch-records") {
      const wirewatch::core::FeedRef feed{"bench", file.base_url, result.document.title,
                                          result.document.link};
      std::size_t written = 0;
      for (const auto& entry : result.document.entries) {
        written +=
            wirewatch::core::to_json_line(wirewatch::normalize::to_record(entry, feed, fetched))
                .size();
      }
      if (written == 0 && !result.document.entries.empty()) std::abort();
    }
  }
  return entries;
}

int usage() {
  std::fputs(
      "usage: parse_loop --tool pugixml|wirewatch|wirewatch-records --corpus DIR "
      "[--formats LIST] [--passes N]\n",
      stderr);
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  std::string tool, corpus_dir, formats = "rss20,atom10,rss10";
  int passes = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--tool")
      tool = argv[i + 1];
    else if (flag == "--corpus")
      corpus_dir = argv[i + 1];
    else if (flag == "--formats")
      formats = argv[i + 1];
    else if (flag == "--passes")
      passes = std::max(1, std::atoi(argv[i + 1]));
    else
      return usage();
  }
  if (argc % 2 == 0 || corpus_dir.empty() ||
      (tool != "pugixml" && tool != "wirewatch" && tool != "wirewatch-records")) {
    return usage();
  }
  std::vector<CorpusFile> files;
  try {
    files = wirewatch::bench::select_formats(wirewatch::bench::load_corpus(corpus_dir), formats);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "parse_loop: %s\n", error.what());
    return 66;
  }
  std::size_t entries = run_pass(tool, files);  // warm-up: page in code, allocator pools
  std::vector<double> seconds;
  for (int pass = 0; pass < passes; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    entries = run_pass(tool, files);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  std::printf("tool=%s files=%zu bytes=%zu entries=%zu passes=%d median_s=%.6f best_s=%.6f\n",
              tool.c_str(), files.size(), wirewatch::bench::total_bytes(files), entries, passes,
              seconds[seconds.size() / 2], seconds.front());
  return 0;
}
