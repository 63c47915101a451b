// Random edits of a string, for the differential tests of the URL shortcuts: each edit inserts
// one of `chars`, erases a byte, or inserts one of `pieces`, at a random place.
#pragma once

#include <random>
#include <string>
#include <string_view>

namespace wirewatch::test_support {

template <class Pieces>
std::string apply_random_edits(std::string text, unsigned long edits, std::mt19937& random,
                               const Pieces& pieces, std::string_view chars) {
  for (; edits > 0; --edits) {
    const std::size_t at = random() % (text.size() + 1);
    switch (random() % 3) {
      case 0:
        text.insert(at, 1, chars[random() % chars.size()]);
        break;
      case 1:
        if (at < text.size()) text.erase(at, 1);
        break;
      default:
        text.insert(at, pieces[random() % pieces.size()]);
        break;
    }
  }
  return text;
}

}  // namespace wirewatch::test_support
