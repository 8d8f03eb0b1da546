#include "cache/policy_sketch.hpp"

#include <algorithm>
#include <bit>

namespace fastbreak::cache::detail {

FrequencySketch::FrequencySketch(size_t capacity) {
  const size_t words = std::max<size_t>(kBlockWords, std::bit_ceil(std::max<size_t>(capacity, 1)));
  table_.assign(words, 0);
  block_mask_ = words / kBlockWords - 1;
  sample_size_ = 10 * std::max<size_t>(capacity, 1);
}

void FrequencySketch::Age() {
  for (uint64_t& word : table_) word = (word >> 1) & 0x7777777777777777ULL;
  additions_ /= 2;
}

void FrequencySketch::Clear() {
  std::fill(table_.begin(), table_.end(), 0);
  additions_ = 0;
}

}  // namespace fastbreak::cache::detail
