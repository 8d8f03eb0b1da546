#include "cache/policy_table.hpp"

#include <algorithm>
#include <bit>

namespace fastbreak::cache::detail {

KeyIndex::KeyIndex(size_t max_entries) {
  const size_t wanted = std::max<size_t>(8, max_entries + max_entries / 2 + 1);
  const size_t buckets = std::bit_ceil(wanted);
  buckets_.resize(buckets);
  mask_ = buckets - 1;
  shift_ = 32 - std::countr_zero(buckets);
}

void KeyIndex::Insert(uint64_t key, uint32_t slot) {
  const uint32_t fingerprint = Fingerprint(key);
  size_t i = Home(fingerprint);
  while (buckets_[i].slot != kNil) i = (i + 1) & mask_;
  buckets_[i] = Bucket{fingerprint, slot};
}

bool KeyIndex::Erase(uint64_t key, uint32_t slot) {
  size_t hole = Home(Fingerprint(key));
  for (;; hole = (hole + 1) & mask_) {
    if (buckets_[hole].slot == kNil) return false;
    if (buckets_[hole].slot == slot) break;
  }
  // Backward shift: pull later members of the probe run into the hole when their home slot
  // is at or before it, so that lookups never need tombstones.
  for (size_t j = (hole + 1) & mask_; buckets_[j].slot != kNil; j = (j + 1) & mask_) {
    const size_t home = Home(buckets_[j].fingerprint);
    if (((j - home) & mask_) >= ((j - hole) & mask_)) {
      buckets_[hole] = buckets_[j];
      hole = j;
    }
  }
  buckets_[hole].slot = kNil;
  return true;
}

void KeyIndex::Clear() {
  for (Bucket& bucket : buckets_) bucket.slot = kNil;
}

}  // namespace fastbreak::cache::detail
