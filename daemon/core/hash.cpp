#include "core/hash.hpp"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack instead of malloc'd
#include <xxhash.h>

#include <array>
#include <cstring>

namespace wirewatch::core {
namespace {

constexpr char kSeparator = '\x1f';

// Parts that fit are hashed in one call over a copy on the stack: the same bytes as the
// streaming path, so the same hash (XXH3's streaming and one-shot forms agree), and a record's
// content hash (a few KiB) is one call instead of two per part.
constexpr std::size_t kOneShotBytes = 8192;

std::string to_hex(XXH128_hash_t hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (std::size_t i = 0; i < 16; ++i) {
    out[15 - i] = kDigits[(hash.high64 >> (4 * i)) & 0xF];
    out[31 - i] = kDigits[(hash.low64 >> (4 * i)) & 0xF];
  }
  return out;
}

}  // namespace

std::string hash_hex(std::initializer_list<std::string_view> parts) {
  std::size_t total = 0;
  for (auto part : parts) total += part.size() + 1;
  if (total <= kOneShotBytes) {
    std::array<char, kOneShotBytes> buffer;
    char* at = buffer.data();
    for (auto part : parts) {
      if (!part.empty()) std::memcpy(at, part.data(), part.size());
      at += part.size();
      *at++ = kSeparator;
    }
    return to_hex(XXH3_128bits(buffer.data(), static_cast<std::size_t>(at - buffer.data())));
  }
  XXH3_state_t state;
  XXH3_INITSTATE(&state);
  XXH3_128bits_reset(&state);
  for (auto part : parts) {
    XXH3_128bits_update(&state, part.data(), part.size());
    XXH3_128bits_update(&state, &kSeparator, 1);
  }
  return to_hex(XXH3_128bits_digest(&state));
}

}  // namespace wirewatch::core
