#include "fetch/decode.hpp"

#include <brotli/decode.h>
#include <libdeflate.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace wirewatch::fetch {
namespace {

constexpr std::size_t min_guess = 64 * 1024;
// Each coding may inflate up to the cap; a server stacking dozens would multiply the CPU cost.
constexpr std::size_t max_codings = 3;

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// One decompressor per thread: allocating one costs more than inflating a small feed.
libdeflate_decompressor* decompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> instance(
      libdeflate_alloc_decompressor());
  return instance.get();
}

enum class Format { gzip, zlib, raw };

libdeflate_result run(Format format, std::string_view in, char* out, std::size_t avail,
                      std::size_t* in_used, std::size_t* out_used) {
  auto* d = decompressor();
  switch (format) {
    case Format::gzip:
      return libdeflate_gzip_decompress_ex(d, in.data(), in.size(), out, avail, in_used, out_used);
    case Format::zlib:
      return libdeflate_zlib_decompress_ex(d, in.data(), in.size(), out, avail, in_used, out_used);
    case Format::raw:
      return libdeflate_deflate_decompress_ex(d, in.data(), in.size(), out, avail, in_used,
                                              out_used);
  }
  return LIBDEFLATE_BAD_DATA;
}

// Inflates one stream from `in` and appends it to `out`, trying a buffer of `guess` bytes
// first and growing it (re-inflating from the start) up to the room left under the cap.
DecodeStatus inflate_member(Format format, std::string_view in, std::size_t guess,
                            std::size_t max_bytes, std::string& out, std::size_t& in_used) {
  const std::size_t start = out.size();
  const std::size_t room = max_bytes - start;
  guess = std::min(std::max<std::size_t>(guess, 1), room);
  for (;;) {
    out.resize(start + guess);
    std::size_t produced = 0;
    const auto result = run(format, in, out.data() + start, guess, &in_used, &produced);
    if (result == LIBDEFLATE_SUCCESS) {
      out.resize(start + produced);
      return DecodeStatus::ok;
    }
    if (result != LIBDEFLATE_INSUFFICIENT_SPACE) return DecodeStatus::corrupt;
    if (guess >= room) return DecodeStatus::too_large;
    guess = room / 4 < guess ? room : guess * 4;
  }
}

std::uint32_t gzip_isize(std::string_view in) {
  const auto* tail = reinterpret_cast<const unsigned char*>(in.data() + in.size() - 4);
  return static_cast<std::uint32_t>(tail[0]) | static_cast<std::uint32_t>(tail[1]) << 8 |
         static_cast<std::uint32_t>(tail[2]) << 16 | static_cast<std::uint32_t>(tail[3]) << 24;
}

bool gzip_magic(std::string_view in) {
  return in.size() >= 18 && static_cast<unsigned char>(in[0]) == 0x1f &&
         static_cast<unsigned char>(in[1]) == 0x8b;
}

// gzip allows several members back to back; trailing garbage after a member is ignored
// (like gzip -d does). The last member's ISIZE is the usual exact size of a single member.
DecodeStatus gunzip(std::string_view in, std::size_t max_bytes, std::string& out) {
  if (!gzip_magic(in)) return DecodeStatus::corrupt;
  std::size_t guess = gzip_isize(in);
  if (guess == 0) guess = std::max(min_guess, in.size() * 4);
  while (gzip_magic(in)) {
    std::size_t in_used = 0;
    const auto status = inflate_member(Format::gzip, in, guess, max_bytes, out, in_used);
    if (status != DecodeStatus::ok) return status;
    in.remove_prefix(std::min(in_used, in.size()));
    guess = std::max(min_guess, in.size() * 4);
  }
  return DecodeStatus::ok;
}

// HTTP "deflate" means a zlib stream, but some servers send raw deflate: accept both.
DecodeStatus inflate_deflate(std::string_view in, std::size_t max_bytes, std::string& out) {
  const std::size_t guess = std::max(min_guess, in.size() * 8);
  std::size_t in_used = 0;
  const auto status = inflate_member(Format::zlib, in, guess, max_bytes, out, in_used);
  if (status != DecodeStatus::corrupt) return status;
  out.clear();
  return inflate_member(Format::raw, in, guess, max_bytes, out, in_used);
}

DecodeStatus unbrotli(std::string_view in, std::size_t max_bytes, std::string& out) {
  std::unique_ptr<BrotliDecoderState, decltype(&BrotliDecoderDestroyInstance)> state(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), &BrotliDecoderDestroyInstance);
  if (!state) return DecodeStatus::corrupt;
  std::size_t available_in = in.size();
  const auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
  std::vector<std::uint8_t> chunk(64 * 1024);
  for (;;) {
    std::size_t available_out = chunk.size();
    std::uint8_t* next_out = chunk.data();
    const auto result = BrotliDecoderDecompressStream(state.get(), &available_in, &next_in,
                                                      &available_out, &next_out, nullptr);
    const std::size_t produced = chunk.size() - available_out;
    if (out.size() + produced > max_bytes) return DecodeStatus::too_large;
    out.append(reinterpret_cast<const char*>(chunk.data()), produced);
    if (result == BROTLI_DECODER_RESULT_SUCCESS) return DecodeStatus::ok;
    if (result != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) return DecodeStatus::corrupt;
  }
}

std::string lower_trimmed(std::string_view text) {
  constexpr std::string_view space = " \t";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  text = text.substr(first, text.find_last_not_of(space) - first + 1);
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  return result;
}

}  // namespace

DecodeStatus decode_body(std::string_view content_encoding, std::string& body,
                         std::size_t max_bytes, std::string& error) {
  std::vector<std::string> codings;
  while (!content_encoding.empty()) {
    const auto comma = content_encoding.find(',');
    auto coding = lower_trimmed(content_encoding.substr(0, comma));
    if (!coding.empty() && coding != "identity") codings.push_back(std::move(coding));
    content_encoding =
        comma == std::string_view::npos ? std::string_view{} : content_encoding.substr(comma + 1);
  }
  if (codings.size() > max_codings) {
    error = "more than " + std::to_string(max_codings) + " stacked Content-Encodings";
    return DecodeStatus::unsupported;
  }
  // Codings are listed in the order they were applied, so undo them from the last.
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    const auto& coding = *it;
    std::string out;
    DecodeStatus status;
    if (coding == "gzip" || coding == "x-gzip") {
      status = gunzip(body, max_bytes, out);
    } else if (coding == "deflate") {
      status = inflate_deflate(body, max_bytes, out);
    } else if (coding == "br") {
      status = unbrotli(body, max_bytes, out);
    } else {
      error = "unsupported Content-Encoding " + coding;
      return DecodeStatus::unsupported;
    }
    if (status == DecodeStatus::too_large) {
      error = coding + " body inflates beyond " + std::to_string(max_bytes) + " bytes";
      return status;
    }
    if (status == DecodeStatus::corrupt) {
      error = "corrupt " + coding + " data";
      return status;
    }
    body = std::move(out);
  }
  return DecodeStatus::ok;
}

}  // namespace wirewatch::fetch
