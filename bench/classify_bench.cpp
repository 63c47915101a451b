// Classifier cost, measured next to the parser in the same run:
// - ParseItem: parse_feed on one-item RSS 2.0 documents cut from the generated corpus (the
//   channel header, one <item>, the closing tags), then to_record, per item;
// - ClassifyRecord: classify() on the records those items become, per record (labels, scores
//   and evidence written into the record, as the daemon does);
// - Classify/<text set>: throughput in bytes of title + summary + content, over short fixture
//   stories (~200 bytes), generated RSS records (~1 KB) and one 64 KiB article (the fixed
//   cost per record shows in the first);
// - Fold: fold_text alone (it writes the folded string; classify folds and matches in one
//   pass without writing it).
// After the run it prints classify cost / parse cost per item (the target is below 0.2).
//   classify_bench [--benchmark_filter=...]   corpus: $WIREWATCH_BENCH_CORPUS or the one the
//   bench_corpus target generated; rules: config/rules of the source tree.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "classify/classifier.hpp"
#include "classify/text.hpp"
#include "core/record_json.hpp"
#include "corpus.hpp"
#include "normalize/normalize.hpp"
#include "parse/parser.hpp"

namespace {

namespace classify = wirewatch::classify;
using wirewatch::core::Record;

/// One RSS item as its own document, and the record parse_feed + to_record make of it.
struct Item {
  std::string document;
  std::string base_url;
  Record record;
};

/// Cuts each RSS 2.0 file into one-item documents: header, one <item>...</item>, footer.
std::vector<Item> one_item_documents(const std::vector<wirewatch::bench::CorpusFile>& files) {
  std::vector<Item> items;
  for (const auto& file : files) {
    const auto first = file.body.find("<item>");
    const auto footer = file.body.rfind("</channel>");
    if (first == std::string::npos || footer == std::string::npos) continue;
    const std::string header = file.body.substr(0, first);
    const std::string tail = file.body.substr(footer);
    for (auto start = first; start != std::string::npos && start < footer;) {
      const auto end = file.body.find("</item>", start);
      if (end == std::string::npos) break;
      items.push_back(
          {header + file.body.substr(start, end + 7 - start) + "\n" + tail, file.base_url, {}});
      start = file.body.find("<item>", end);
    }
  }
  return items;
}

Record parse_item(const Item& item) {
  const wirewatch::parse::Input input{item.document, "", item.base_url, ""};
  const auto result = wirewatch::parse::parse_feed(input);
  const wirewatch::core::FeedRef feed{"bench", item.base_url, result.document.title,
                                      result.document.link};
  const auto fetched = wirewatch::core::Timestamp{std::chrono::seconds{1700000000}};
  return result.document.entries.empty()
             ? Record{}
             : wirewatch::normalize::to_record(result.document.entries.front(), feed, fetched);
}

struct Fixture {
  std::shared_ptr<const classify::Rules> rules;
  std::vector<Item> items;
  std::map<std::string, std::vector<Record>> text_sets;  // name → records to classify
};

std::size_t text_bytes(const std::vector<Record>& records) {
  std::size_t bytes = 0;
  for (const auto& r : records) bytes += r.title.size() + r.summary.size() + r.content.size();
  return bytes;
}

std::vector<Record> fixture_stories() {
  std::vector<Record> out;
  std::ifstream file(std::string(WIREWATCH_SOURCE_DIR) + "/tests/fixtures/classify/stories.jsonl");
  for (std::string line; std::getline(file, line);) {
    out.push_back(wirewatch::core::record_from_json(nlohmann::json::parse(line)));
  }
  return out;
}

/// One long article: the corpus records' text run together to 64 KiB.
std::vector<Record> long_article(const std::vector<Item>& items) {
  Record article;
  article.title = "Long read";
  for (std::size_t i = 0; article.content.size() < (64u << 10) && !items.empty(); ++i) {
    const Record& r = items[i % items.size()].record;
    article.content += r.summary + " " + r.content + " ";
  }
  return {article};
}

const Fixture& fixture() {
  static const Fixture loaded = [] {
    Fixture f;
    auto result = classify::load_rules(WIREWATCH_RULES_DIR);
    for (const auto& error : result.errors) std::cerr << error << "\n";
    if (!result.rules) std::exit(1);
    f.rules = result.rules;
    const char* dir = std::getenv("WIREWATCH_BENCH_CORPUS");
    const auto files = wirewatch::bench::select_formats(
        wirewatch::bench::load_corpus(dir ? dir : WIREWATCH_BENCH_CORPUS_DIR), "rss20");
    f.items = one_item_documents(files);
    std::vector<Record> records;
    for (auto& item : f.items) {
      item.record = parse_item(item);
      records.push_back(item.record);
    }
    f.text_sets["long_article"] = long_article(f.items);
    f.text_sets["corpus_records"] = std::move(records);
    f.text_sets["fixture_stories"] = fixture_stories();
    return f;
  }();
  return loaded;
}

void BM_ParseItem(benchmark::State& state) {
  const auto& items = fixture().items;
  for (auto _ : state) {
    for (const auto& item : items) benchmark::DoNotOptimize(parse_item(item));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(items.size()));
}

void BM_ClassifyRecord(benchmark::State& state) {
  const auto& f = fixture();
  std::vector<Record> records;
  for (const auto& item : f.items) records.push_back(item.record);
  for (auto _ : state) {
    for (auto& record : records) classify::classify(*f.rules, record);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(records.size()));
}

void BM_Classify(benchmark::State& state, const std::string& set) {
  const auto& f = fixture();
  std::vector<Record> records = f.text_sets.at(set);
  for (auto _ : state) {
    for (auto& record : records) classify::classify(*f.rules, record);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text_bytes(records)));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(records.size()));
}

void BM_Fold(benchmark::State& state) {
  const auto& records = fixture().text_sets.at("corpus_records");
  classify::FoldedText folded;
  for (auto _ : state) {
    for (const auto& r : records) {
      classify::fold_text(r.title, folded);
      classify::fold_text(r.summary, folded);
      classify::fold_text(r.content, folded);
      benchmark::DoNotOptimize(folded.text.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text_bytes(records)));
}

BENCHMARK(BM_ParseItem)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ClassifyRecord)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Classify, corpus_records, std::string("corpus_records"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Classify, fixture_stories, std::string("fixture_stories"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Classify, long_article, std::string("long_article"))
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Fold)->Unit(benchmark::kMicrosecond);

/// The console reporter, also keeping CPU time per item of the parse and classify runs.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      // One iteration run, or with --benchmark_repetitions the median of them.
      const bool usable =
          run.run_type == Run::RT_Iteration ? run.iterations > 0 : run.aggregate_name == "median";
      if (!usable) continue;
      const auto items = run.counters.find("items_per_second");
      if (items == run.counters.end()) continue;
      // Rates are per CPU second, so this is CPU seconds per item.
      if (items->second.value > 0)
        per_item_[run.run_name.function_name] = 1.0 / items->second.value;
    }
  }

  void print_ratio() const {
    const auto parse = per_item_.find("BM_ParseItem");
    const auto classify = per_item_.find("BM_ClassifyRecord");
    if (parse == per_item_.end() || classify == per_item_.end()) return;
    std::printf(
        "\nper item (CPU): parse_feed + to_record %.2f us, classify %.2f us, "
        "classify/parse = %.3f (target < 0.2)\n",
        parse->second * 1e6, classify->second * 1e6, classify->second / parse->second);
  }

 private:
  std::map<std::string, double> per_item_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const auto& f = fixture();
  std::printf(
      "rules: %zu labels, %zu patterns (%zu matched over words, %zu over bytes); "
      "%zu one-item RSS documents\n",
      f.rules->labels.size(), f.rules->matcher.pattern_count(),
      f.rules->scanner.word_pattern_count(), f.rules->scanner.byte_pattern_count(), f.items.size());
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratio();
  benchmark::Shutdown();
  return 0;
}
