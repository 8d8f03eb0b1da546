// A count-min sketch of 4-bit access counters (TinyLFU's frequency estimate): four counters per
// key, all in one 64-byte block so that an update touches one cache line. Counters are halved
// every `10 x capacity` increments, so the estimate follows the recent popularity of a key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cache/policy_table.hpp"

namespace fastbreak::cache::detail {

class FrequencySketch {
 public:
  // Sized for a cache of `capacity` entries: 16 counters (8 bytes) per entry, rounded up to a
  // power of two.
  explicit FrequencySketch(size_t capacity);

  // The estimated number of recent accesses to `key`, 0..15.
  int Estimate(uint64_t key) const {
    const uint64_t hash = MixKey(key);
    const uint64_t* block = &table_[(hash & block_mask_) * kBlockWords];
    int estimate = 15;
    for (int i = 0; i < 4; ++i) {
      const int value = static_cast<int>((block[Word(hash, i)] >> Shift(hash, i)) & 0xf);
      estimate = value < estimate ? value : estimate;
    }
    return estimate;
  }

  void Increment(uint64_t key) {
    const uint64_t hash = MixKey(key);
    uint64_t* block = &table_[(hash & block_mask_) * kBlockWords];
    bool added = false;
    for (int i = 0; i < 4; ++i) {
      uint64_t& word = block[Word(hash, i)];
      const int shift = Shift(hash, i);
      if (((word >> shift) & 0xf) != 0xf) {
        word += uint64_t{1} << shift;
        added = true;
      }
    }
    if (added && ++additions_ >= sample_size_) Age();
  }

  void Clear();
  size_t bytes() const { return table_.size() * sizeof(uint64_t); }

 private:
  static constexpr size_t kBlockWords = 8;

  // Counter i of a key lives in word 2i or 2i+1 of the key's block.
  static size_t Word(uint64_t hash, int i) {
    return static_cast<size_t>(2 * i) + ((hash >> (40 + i)) & 1);
  }
  static int Shift(uint64_t hash, int i) {
    return static_cast<int>((hash >> (44 + 4 * i)) & 0xf) * 4;
  }
  // Halves every counter.
  void Age();

  std::vector<uint64_t> table_;
  uint64_t block_mask_ = 0;
  uint64_t additions_ = 0;
  uint64_t sample_size_ = 0;
};

}  // namespace fastbreak::cache::detail
