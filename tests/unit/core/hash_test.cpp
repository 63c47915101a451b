// hash_hex: ids, content hashes and body hashes are stored in state dirs and compared across
// polls and versions, so the digits of a given input must never change. The expected values
// were printed by the streaming implementation (one XXH3_128bits_update per part and separator)
// before hash_hex hashed small inputs in one call.
#include "core/hash.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wirewatch::core {
namespace {

std::string alphabet(std::size_t size) {
  std::string text(size, 'x');
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + i % 26);
  return text;
}

TEST(HashHex, KnownValuesStayTheSame) {
  EXPECT_EQ(hash_hex({}), "99aa06d3014798d86001c324468d497f");
  EXPECT_EQ(hash_hex({""}), "153283be9f2a26d405087bbed866d0de");
  EXPECT_EQ(hash_hex({"feed-1", "https://example.com/a"}), "599f1f80bd06c51e54825598cc8ee41a");
}

TEST(HashHex, PartsAreSeparated) {
  EXPECT_EQ(hash_hex({"ab", "c"}), "b813eb55acd479c44cb2aa57575b7bc7");
  EXPECT_EQ(hash_hex({"a", "bc"}), "f2ec4efabed0fb4f5c13c7da486b7c01");
}

TEST(HashHex, LargeInputsHashTheSameWayAsSmallOnes) {
  // Past 8 KiB the parts are streamed instead of copied: the digits must not notice.
  const std::string big = alphabet(20000);
  EXPECT_EQ(hash_hex({big}), "ec35a2522b0be8c89efd2ec500769131");
  EXPECT_EQ(hash_hex({"title", big, "", big.substr(0, 5000)}), "3d2be2f54d7ed9259b6a6248dcfd9888");
  // Either side of the 8,192 bytes (parts plus separators) hashed in one call.
  EXPECT_EQ(hash_hex({alphabet(8191)}), "261abed8df4795baf889151009cc4759");
  EXPECT_EQ(hash_hex({alphabet(8192)}), "562d750f28eb69d9c4a444c3bee77988");
  EXPECT_EQ(hash_hex({alphabet(4000), alphabet(4190)}), "096cbd2ce42d1fd6c23a1a689ba52963");
  EXPECT_EQ(hash_hex({alphabet(4000), alphabet(4191)}), "e2771a10bd065928f8c5db4d5f2ea096");
}

}  // namespace
}  // namespace wirewatch::core
