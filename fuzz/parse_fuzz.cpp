// libFuzzer target for the parse stage: byte 0 selects the Content-Type, a charset override and
// tight or default limits (parse_fuzz_input.hpp); the rest is the feed body.
#include <cstddef>
#include <cstdint>

#include "parse_fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto [input, limits] = wirewatch::fuzz::decode_parse_case(data, size);
  const auto result = wirewatch::parse::parse_feed(input, limits);
  // The one invariant cheap enough to check on every input: the entry cap holds.
  if (result.document.entries.size() > limits.max_entries) __builtin_trap();
  return 0;
}
