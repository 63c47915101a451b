#include "fetch/decode.hpp"

#include <gtest/gtest.h>

#include "http_test_server.hpp"

namespace wirewatch::fetch {
namespace {

const std::string text = [] {
  std::string feed;
  for (int i = 0; i < 2000; ++i) feed += "<item><title>summit " + std::to_string(i) + "</title>";
  return feed;
}();

std::string decoded(std::string_view coding, std::string body, std::size_t cap,
                    DecodeStatus expected) {
  std::string error;
  EXPECT_EQ(decode_body(coding, body, cap, error), expected) << error;
  return body;
}

TEST(Decode, InflatesEveryAdvertisedCoding) {
  EXPECT_EQ(decoded("gzip", test_support::gzip_compress(text), 1 << 20, DecodeStatus::ok), text);
  EXPECT_EQ(decoded("X-GZIP", test_support::gzip_compress(text), 1 << 20, DecodeStatus::ok), text);
  EXPECT_EQ(decoded("deflate", test_support::zlib_compress(text), 1 << 20, DecodeStatus::ok), text);
  EXPECT_EQ(decoded("br", test_support::brotli_compress(text), 1 << 20, DecodeStatus::ok), text);
  EXPECT_EQ(decoded("identity", text, 1 << 20, DecodeStatus::ok), text);
  EXPECT_EQ(decoded("", text, 1 << 20, DecodeStatus::ok), text);
}

TEST(Decode, AcceptsRawDeflateAndConcatenatedGzipMembers) {
  const auto zlib = test_support::zlib_compress(text);
  // A zlib stream minus its 2-byte header and 4-byte Adler-32 is raw deflate.
  EXPECT_EQ(decoded("deflate", zlib.substr(2, zlib.size() - 6), 1 << 20, DecodeStatus::ok), text);
  const auto members =
      test_support::gzip_compress("first ") + test_support::gzip_compress("second");
  EXPECT_EQ(decoded("gzip", members, 1 << 20, DecodeStatus::ok), "first second");
}

TEST(Decode, UndoesStackedCodingsInReverseOrder) {
  const auto twice = test_support::brotli_compress(test_support::gzip_compress(text));
  EXPECT_EQ(decoded("gzip, br", twice, 1 << 20, DecodeStatus::ok), text);
}

TEST(Decode, ABodyOfExactlyTheCapFitsOneByteMoreDoesNot) {
  const auto gz = test_support::gzip_compress(text);
  EXPECT_EQ(decoded("gzip", gz, text.size(), DecodeStatus::ok), text);
  decoded("gzip", gz, text.size() - 1, DecodeStatus::too_large);
  decoded("deflate", test_support::zlib_compress(text), text.size() - 1, DecodeStatus::too_large);
  decoded("br", test_support::brotli_compress(text), text.size() - 1, DecodeStatus::too_large);
}

TEST(Decode, BombsStopAtTheCap) {
  const std::string zeros(16 << 20, '\0');
  std::string error;
  for (const auto& [coding, body] :
       {std::pair<std::string, std::string>{"gzip", test_support::gzip_compress(zeros)},
        {"deflate", test_support::zlib_compress(zeros)},
        {"br", test_support::brotli_compress(zeros)}}) {
    auto copy = body;
    EXPECT_EQ(decode_body(coding, copy, 1 << 20, error), DecodeStatus::too_large) << coding;
    EXPECT_EQ(error, coding + " body inflates beyond 1048576 bytes");
  }
}

TEST(Decode, RejectsCorruptTruncatedAndUnknown) {
  auto gz = test_support::gzip_compress(text);
  decoded("gzip", gz.substr(0, gz.size() - 4), 1 << 20, DecodeStatus::corrupt);
  decoded("gzip", "plain text", 1 << 20, DecodeStatus::corrupt);
  decoded("br", "plain text", 1 << 20, DecodeStatus::corrupt);
  decoded("deflate", "plain text", 1 << 20, DecodeStatus::corrupt);
  std::string body = "data";
  std::string error;
  EXPECT_EQ(decode_body("zstd", body, 1 << 20, error), DecodeStatus::unsupported);
  EXPECT_EQ(error, "unsupported Content-Encoding zstd");
  EXPECT_EQ(body, "data");
  EXPECT_EQ(decode_body("gzip, gzip, gzip, gzip", body, 1 << 20, error), DecodeStatus::unsupported);
}

}  // namespace
}  // namespace wirewatch::fetch
