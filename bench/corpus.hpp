// The benchmark corpus: files written by bench/gen_corpus.py, read into memory with the
// base URL and format its manifest.tsv gives for each.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace wirewatch::bench {

/// One feed document of the corpus.
struct CorpusFile {
  std::string name;      // "feed-00001.xml"
  std::string format;    // manifest format: "rss20", "atom10", "rss10", "json11"
  std::string base_url;  // the URL it would have been fetched from
  std::string body;
};

/// Reads every file the manifest in dir lists, in manifest order. Throws std::runtime_error
/// when the manifest or a file cannot be read (a benchmark has nothing to measure then).
std::vector<CorpusFile> load_corpus(const std::string& dir);

/// The files whose format is one of the comma-separated formats ("rss20,atom10"), or all
/// files for "all".
std::vector<CorpusFile> select_formats(const std::vector<CorpusFile>& files,
                                       const std::string& formats);

/// Total size of the bodies in bytes.
std::size_t total_bytes(const std::vector<CorpusFile>& files);

}  // namespace wirewatch::bench
