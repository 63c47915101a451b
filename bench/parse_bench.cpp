// Parse throughput per file set of the generated corpus, four layers deep: a bare pugixml DOM
// parse, pugixml plus a minimal field walk, wirewatch parse_feed, and parse_feed + to_record +
// JSON line; and html_to_text alone over the HTML fields of the same files (the fast path with
// gumbo as fallback, with its hit rate, and the gumbo path alone for comparison). Counters:
// bytes_per_second and entries (per second).
//   parse_bench [--benchmark_filter=...]   corpus: $WIREWATCH_BENCH_CORPUS or the one the
//   bench_corpus target generated (gen_corpus.py --feeds 200 --seed 42).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "core/record_json.hpp"
#include "corpus.hpp"
#include "normalize/normalize.hpp"
#include "parse/html_fast_path.hpp"
#include "parse/html_text.hpp"
#include "parse/parser.hpp"

namespace {

using wirewatch::bench::CorpusFile;

/// A named group of corpus files and what they hold.
struct FileSet {
  std::string name;
  std::vector<CorpusFile> files;
  std::size_t bytes = 0;
  std::size_t entries = 0;  // as parse_feed counts them
};

wirewatch::parse::Result parse_file(const CorpusFile& file) {
  const wirewatch::parse::Input input{file.body, "", file.base_url, ""};
  return wirewatch::parse::parse_feed(input);
}

void report(benchmark::State& state, const FileSet& set) {
  const auto iterations = static_cast<std::size_t>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(iterations * set.bytes));
  state.counters["entries"] = benchmark::Counter(static_cast<double>(iterations * set.entries),
                                                 benchmark::Counter::kIsRate);
}

void bare_pugixml(benchmark::State& state, const FileSet& set) {
  for (auto _ : state) {
    for (const auto& file : set.files) {
      pugi::xml_document tree;
      benchmark::DoNotOptimize(tree.load_buffer(file.body.data(), file.body.size()));
    }
  }
  report(state, set);
}

/// Touches what any feed reader must read: the name and text of each child of each element
/// that has children (channel, items, entries), one level below the root and two.
std::size_t walk(pugi::xml_node node, int depth) {
  std::size_t touched = 0;
  for (auto child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    touched += std::char_traits<char>::length(child.name()) +
               std::char_traits<char>::length(child.child_value());
    for (auto attribute : child.attributes()) {
      touched += std::char_traits<char>::length(attribute.value());
    }
    if (depth < 3) touched += walk(child, depth + 1);
  }
  return touched;
}

void pugixml_walk(benchmark::State& state, const FileSet& set) {
  for (auto _ : state) {
    for (const auto& file : set.files) {
      pugi::xml_document tree;
      tree.load_buffer(file.body.data(), file.body.size());
      benchmark::DoNotOptimize(walk(tree, 0));
    }
  }
  report(state, set);
}

void parse_feed(benchmark::State& state, const FileSet& set) {
  for (auto _ : state) {
    for (const auto& file : set.files) benchmark::DoNotOptimize(parse_file(file));
  }
  report(state, set);
}

void parse_to_json(benchmark::State& state, const FileSet& set) {
  const wirewatch::core::Timestamp fetched{std::chrono::seconds{1700000000}};
  for (auto _ : state) {
    for (const auto& file : set.files) {
      const auto result = parse_file(file);
      wirewatch::core::FeedRef feed{"bench", file.base_url, result.document.title,
                                    result.document.link};
      std::size_t written = 0;
      for (const auto& entry : result.document.entries) {
        written +=
            wirewatch::core::to_json_line(wirewatch::normalize::to_record(entry, feed, fetched))
                .size();
      }
      benchmark::DoNotOptimize(written);
    }
  }
  report(state, set);
}

/// The HTML-bearing fields (description, content:encoded, summary, content) of set's XML files.
std::vector<std::string> html_fields(const FileSet& set) {
  std::vector<std::string> fields;
  std::vector<pugi::xml_node> stack;
  for (const auto& file : set.files) {
    pugi::xml_document tree;
    if (!tree.load_buffer(file.body.data(), file.body.size())) continue;
    stack.assign(1, tree.document_element());
    while (!stack.empty()) {
      const pugi::xml_node node = stack.back();
      stack.pop_back();
      const std::string_view name = node.name();
      if (name == "description" || name == "content:encoded" || name == "summary" ||
          name == "content") {
        fields.emplace_back(node.child_value());
      }
      for (auto child : node.children()) {
        if (child.type() == pugi::node_element) stack.push_back(child);
      }
    }
  }
  return fields;
}

/// html_to_text (the fast path, gumbo where it declines) or, with `gumbo_only`, the gumbo path
/// alone on the HTML fields of set. Counters: fields per second, the fields' share of the set's
/// bytes, and fast_path_hit_rate, the fraction of fields with markup ('<' or '&') that the fast
/// path decides (counted once, outside the timed loop).
void html_fields_to_text(benchmark::State& state, const FileSet& set, bool gumbo_only) {
  static constexpr std::size_t kMaxBytes = 256 * 1024;  // parse::Limits::max_field_bytes
  const std::vector<std::string> fields = html_fields(set);
  std::size_t bytes = 0;
  std::size_t markup = 0;
  std::size_t decided = 0;
  for (const auto& field : fields) {
    bytes += field.size();
    if (field.find_first_of("<&") == std::string::npos) continue;
    ++markup;
    if (wirewatch::parse::html_to_text_fast(field, kMaxBytes)) ++decided;
  }
  for (auto _ : state) {
    for (const auto& field : fields) {
      benchmark::DoNotOptimize(gumbo_only ? wirewatch::parse::html_to_text_gumbo(field, kMaxBytes)
                                          : wirewatch::parse::html_to_text(field, kMaxBytes));
    }
  }
  state.SetBytesProcessed(
      static_cast<std::int64_t>(static_cast<std::size_t>(state.iterations()) * bytes));
  state.counters["fields"] = benchmark::Counter(
      static_cast<double>(static_cast<std::size_t>(state.iterations()) * fields.size()),
      benchmark::Counter::kIsRate);
  state.counters["share_of_set_bytes"] =
      static_cast<double>(bytes) / static_cast<double>(set.bytes);
  state.counters["fast_path_hit_rate"] =
      markup == 0 ? 0.0 : static_cast<double>(decided) / static_cast<double>(markup);
}

void html_to_text(benchmark::State& state, const FileSet& set) {
  html_fields_to_text(state, set, false);
}

void html_to_text_gumbo(benchmark::State& state, const FileSet& set) {
  html_fields_to_text(state, set, true);
}

std::vector<FileSet> file_sets(const std::vector<CorpusFile>& corpus) {
  std::vector<FileSet> sets;
  for (const char* formats : {"rss20", "atom10", "rss10", "json11", "all"}) {
    FileSet set{formats, wirewatch::bench::select_formats(corpus, formats)};
    if (set.files.empty()) continue;
    set.bytes = wirewatch::bench::total_bytes(set.files);
    for (const auto& file : set.files) set.entries += parse_file(file).document.entries.size();
    sets.push_back(std::move(set));
  }
  return sets;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const char* dir = std::getenv("WIREWATCH_BENCH_CORPUS");
  std::vector<CorpusFile> corpus;
  try {
    corpus = wirewatch::bench::load_corpus(dir != nullptr ? dir : WIREWATCH_BENCH_CORPUS_DIR);
  } catch (const std::exception& error) {
    std::cerr << "parse_bench: " << error.what()
              << " (build the bench_corpus target or set WIREWATCH_BENCH_CORPUS)\n";
    return 1;
  }
  static const std::vector<FileSet> sets = file_sets(corpus);
  for (const auto& set : sets) {
    const bool xml = set.name != "json11";
    if (xml) benchmark::RegisterBenchmark(("pugixml_dom/" + set.name).c_str(), bare_pugixml, set);
    if (xml) benchmark::RegisterBenchmark(("pugixml_walk/" + set.name).c_str(), pugixml_walk, set);
    if (xml) benchmark::RegisterBenchmark(("html_to_text/" + set.name).c_str(), html_to_text, set);
    if (xml) {
      benchmark::RegisterBenchmark(("html_to_text_gumbo/" + set.name).c_str(), html_to_text_gumbo,
                                   set);
    }
    benchmark::RegisterBenchmark(("parse_feed/" + set.name).c_str(), parse_feed, set);
    benchmark::RegisterBenchmark(("parse_to_json/" + set.name).c_str(), parse_to_json, set);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
