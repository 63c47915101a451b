#include "core/hash.hpp"

#include <xxhash.h>

#include <cstdio>
#include <memory>

namespace wirewatch::core {

std::string hash_hex(std::initializer_list<std::string_view> parts) {
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state{XXH3_createState(),
                                                                 &XXH3_freeState};
  XXH3_128bits_reset(state.get());
  static constexpr char separator = '\x1f';
  for (auto part : parts) {
    XXH3_128bits_update(state.get(), part.data(), part.size());
    XXH3_128bits_update(state.get(), &separator, 1);
  }
  const XXH128_hash_t hash = XXH3_128bits_digest(state.get());
  char buffer[33];
  std::snprintf(buffer, sizeof buffer, "%016llx%016llx",
                static_cast<unsigned long long>(hash.high64),
                static_cast<unsigned long long>(hash.low64));
  return buffer;
}

}  // namespace wirewatch::core
