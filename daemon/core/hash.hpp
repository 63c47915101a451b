// Content hashes and stable ids (XXH3-128 from libxxhash): fast, stable across platforms.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace wirewatch::core {

/// 32 lowercase hex digits of the XXH3-128 hash of the parts, each followed by a 0x1F
/// separator so ("ab","c") and ("a","bc") differ.
std::string hash_hex(std::initializer_list<std::string_view> parts);

}  // namespace wirewatch::core
