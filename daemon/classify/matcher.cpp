#include "classify/matcher.hpp"

#include <stdexcept>

namespace wirewatch::classify {

std::uint32_t Matcher::add(std::string_view pattern) {
  const auto [it, inserted] =
      ids_.try_emplace(std::string(pattern), static_cast<std::uint32_t>(patterns_.size()));
  if (inserted) patterns_.emplace_back(pattern);
  return it->second;
}

void Matcher::build() {
  // Byte classes: class 0 for bytes no pattern uses, then one class per used byte, in byte
  // order (so space, digits and ASCII letters share the first cache lines of each row).
  bool used[256] = {};
  for (const auto& pattern : patterns_) {
    for (char c : pattern) used[static_cast<unsigned char>(c)] = true;
  }
  class_count_ = 1;
  for (int byte = 0; byte < 256; ++byte) {
    byte_class_[byte] = used[byte] ? static_cast<std::uint8_t>(class_count_++) : 0;
  }
  shift_ = 0;
  while ((1u << shift_) < class_count_) ++shift_;
  const std::size_t width = std::size_t{1} << shift_;

  // The trie, as a goto table with kNone for missing edges; state 0 is the root.
  constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  std::vector<std::uint32_t> go(width, kNone);
  std::vector<std::vector<std::uint32_t>> ends(1);  // pattern ids that end at each state
  for (std::uint32_t id = 0; id < patterns_.size(); ++id) {
    std::size_t state = 0;
    for (char c : patterns_[id]) {
      const std::size_t slot = state * width + byte_class_[static_cast<unsigned char>(c)];
      if (go[slot] == kNone) {
        go[slot] = static_cast<std::uint32_t>(ends.size());
        ends.emplace_back();
        go.resize(go.size() + width, kNone);
      }
      state = go[slot];
    }
    ends[state].push_back(id);
  }
  const std::size_t states = ends.size();
  if (states >= 0x80000000u) throw std::length_error("classifier automaton too large");

  // Breadth-first: failure links, missing edges filled in from them, outputs merged down.
  std::vector<std::uint32_t> fail(states, 0);
  std::vector<std::uint32_t> order;
  order.reserve(states);
  order.push_back(0);
  for (std::size_t head = 0; head < order.size(); ++head) {
    const std::uint32_t state = order[head];
    if (state != 0) {
      const auto& inherited = ends[fail[state]];
      ends[state].insert(ends[state].end(), inherited.begin(), inherited.end());
    }
    for (std::size_t cls = 0; cls < width; ++cls) {
      std::uint32_t& edge = go[state * width + cls];
      const std::uint32_t fallback = state == 0 ? 0 : go[fail[state] * width + cls];
      if (edge == kNone) {
        edge = fallback;
      } else {
        fail[edge] = fallback;
        order.push_back(edge);
      }
    }
  }

  output_begin_.assign(states + 1, 0);
  outputs_.clear();
  for (std::size_t state = 0; state < states; ++state) {
    output_begin_[state] = static_cast<std::uint32_t>(outputs_.size());
    outputs_.insert(outputs_.end(), ends[state].begin(), ends[state].end());
  }
  output_begin_[states] = static_cast<std::uint32_t>(outputs_.size());

  const auto encode = [&](auto& table, auto flag) {
    using Entry = typename std::decay_t<decltype(table)>::value_type;
    table.resize(go.size());
    for (std::size_t i = 0; i < go.size(); ++i) {
      const std::uint32_t target = go[i];
      table[i] = static_cast<Entry>(target | (ends[target].empty() ? 0u : flag));
    }
  };
  next16_.clear();
  next32_.clear();
  if (states < 0x8000u) {
    encode(next16_, 0x8000u);
  } else {
    encode(next32_, 0x80000000u);
  }
}

}  // namespace wirewatch::classify
