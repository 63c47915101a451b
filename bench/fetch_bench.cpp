// Inflating feed bodies: libdeflate on the whole buffered body (what the fetcher does) against
// zlib inflating as bytes arrive in 16 KiB pieces (what curl does inside its write path), plus
// brotli, plus whole fetches of a gzip feed from a server on 127.0.0.1 with either inflater.
// Figures and the command that produced them: docs/performance.md, section "Fetching".
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "fetch/decode.hpp"
#include "fetch/fetcher.hpp"
#include "http_test_server.hpp"

namespace {

using wirewatch::fetch::DecodeStatus;

constexpr std::size_t cap = 20 * 1024 * 1024;

// A deterministic RSS document of about `target` bytes whose words vary like news copy, so
// it compresses like a feed (about 5x here), not like one repeated line.
std::string make_feed(std::size_t target) {
  static const char* const words[] = {
      "climate",   "envoy",   "summit",  "talks",     "Beijing",     "Washington", "COP28",
      "APEC",      "leaders", "meeting", "emissions", "methane",     "agreement",  "minister",
      "said",      "on",      "the",     "a",         "of",          "and",        "in",
      "to",        "for",     "with",    "after",     "ahead",       "week",       "Tuesday",
      "officials", "energy",  "coal",    "renewable", "finance",     "adaptation", "loss",
      "damage",    "fund",    "UN",      "delegates", "negotiators", "draft",      "text"};
  std::uint32_t state = 42;
  auto next = [&state] {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  std::string feed =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>"
      "<title>World news</title><link>https://news.example/</link>\n";
  for (int item = 0; feed.size() < target; ++item) {
    feed += "<item><title>";
    for (int i = 0; i < 9; ++i) feed += std::string(words[next() % std::size(words)]) + " ";
    feed += "</title><link>https://news.example/world/" + std::to_string(next() % 1000000) +
            "</link><guid isPermaLink=\"false\">urn:uuid:" + std::to_string(next()) + "-" +
            std::to_string(next()) + "</guid><pubDate>Thu, 09 Nov 2023 " +
            std::to_string(10 + item % 12) + ":" + std::to_string(10 + next() % 50) +
            ":00 GMT</pubDate><description>&lt;p&gt;";
    for (int i = 0; i < 60; ++i) feed += std::string(words[next() % std::size(words)]) + " ";
    feed += "&lt;/p&gt;</description></item>\n";
  }
  return feed + "</channel></rss>\n";
}

const std::string& feed() {
  static const std::string text = make_feed(60 * 1024);
  return text;
}

const std::string& gzipped() {
  static const std::string body = wirewatch::test_support::gzip_compress(feed());
  return body;
}

// curl 7.88's gzip path: inflateInit2(MAX_WBITS + 32), inflate into a 16 KiB buffer, hand
// each piece to the write callback, which appends it under the cap.
void BM_InflateZlibStreaming(benchmark::State& state) {
  const auto& in = gzipped();
  std::string piece(16 * 1024, '\0');
  for (auto _ : state) {
    std::string body;
    z_stream stream{};
    inflateInit2(&stream, MAX_WBITS + 32);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    stream.avail_in = static_cast<uInt>(in.size());
    int result = Z_OK;
    while (result == Z_OK) {
      stream.next_out = reinterpret_cast<Bytef*>(piece.data());
      stream.avail_out = static_cast<uInt>(piece.size());
      result = inflate(&stream, Z_NO_FLUSH);
      const std::size_t produced = piece.size() - stream.avail_out;
      if (body.size() + produced > cap) break;
      body.append(piece.data(), produced);
    }
    inflateEnd(&stream);
    if (result != Z_STREAM_END || body.size() != feed().size()) throw std::runtime_error("zlib");
    benchmark::DoNotOptimize(body.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(feed().size()));
}
BENCHMARK(BM_InflateZlibStreaming);

// The fetcher's path: decode_body on the buffered body (libdeflate, ISIZE-sized output).
void BM_InflateLibdeflateWhole(benchmark::State& state) {
  std::string error;
  for (auto _ : state) {
    std::string body = gzipped();
    if (wirewatch::fetch::decode_body("gzip", body, cap, error) != DecodeStatus::ok ||
        body.size() != feed().size())
      throw std::runtime_error("libdeflate");
    benchmark::DoNotOptimize(body.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(feed().size()));
}
BENCHMARK(BM_InflateLibdeflateWhole);

void BM_InflateBrotli(benchmark::State& state) {
  static const std::string compressed = wirewatch::test_support::brotli_compress(feed());
  std::string error;
  for (auto _ : state) {
    std::string body = compressed;
    if (wirewatch::fetch::decode_body("br", body, cap, error) != DecodeStatus::ok)
      throw std::runtime_error("brotli");
    benchmark::DoNotOptimize(body.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(feed().size()));
}
BENCHMARK(BM_InflateBrotli);

// One whole fetch of the gzip feed over HTTP/1.1 on 127.0.0.1 (connection reused), CPU time
// of the fetching thread only (the server runs on its own threads). Arg 1: libdeflate,
// Arg 0: curl's zlib.
void BM_FetchGzipFeed(benchmark::State& state) {
  wirewatch::test_support::HttpTestServer server;
  server.route("/feed", 200, gzipped(),
               {{"Content-Encoding", "gzip"}, {"Content-Type", "application/rss+xml"}});
  boost::asio::io_context io;
  wirewatch::fetch::FetcherLimits limits;
  limits.inflate_with_libdeflate = state.range(0) == 1;
  wirewatch::fetch::Fetcher fetcher(io, limits);
  wirewatch::fetch::FetchRequest request;
  request.url = server.url("/feed");
  for (auto _ : state) {
    std::optional<wirewatch::fetch::FetchResult> result;
    fetcher.fetch(request, [&result](wirewatch::fetch::FetchResult r) { result = std::move(r); });
    io.restart();
    while (!result && io.run_one() > 0) {
    }
    if (!result || result->body.size() != feed().size()) throw std::runtime_error("fetch");
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(feed().size()));
  state.counters["gzip_bytes"] = static_cast<double>(gzipped().size());
}
BENCHMARK(BM_FetchGzipFeed)->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
