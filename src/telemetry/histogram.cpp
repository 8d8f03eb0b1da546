// HistogramSnapshot: log-linear bucket math and the queries over a snapshot.
#include <algorithm>
#include <bit>
#include <cmath>

#include "telemetry/metrics.hpp"

namespace fastbreak::telemetry {
namespace {

using Snap = HistogramSnapshot;

constexpr double kTwoToThe64 = 18446744073709551616.0;

// Width of the buckets in group `bucket / kSubBuckets`, as a shift: group 0 and group 1 hold
// width-1 buckets (values 0..63 are exact); group g >= 1 covers [2^(g+4), 2^(g+5)).
int WidthShift(int bucket) noexcept { return std::max(0, bucket / Snap::kSubBuckets - 1); }

}  // namespace

int HistogramSnapshot::BucketOf(uint64_t value) noexcept {
  if (value < kSubBuckets) return static_cast<int>(value);
  const int shift = static_cast<int>(std::bit_width(value)) - 1 - kSubBucketBits;  // >= 0
  // value >> shift is in [kSubBuckets, 2 * kSubBuckets): the top kSubBucketBits + 1 bits.
  return (shift + 1) * kSubBuckets + static_cast<int>((value >> shift) - kSubBuckets);
}

uint64_t HistogramSnapshot::BucketLower(int bucket) noexcept {
  if (bucket < kSubBuckets) return static_cast<uint64_t>(bucket);
  const uint64_t mantissa = kSubBuckets + static_cast<uint64_t>(bucket % kSubBuckets);
  return mantissa << WidthShift(bucket);
}

uint64_t HistogramSnapshot::BucketUpper(int bucket) noexcept {
  // lower + (width - 1) cannot overflow: the last bucket's upper is exactly UINT64_MAX.
  return BucketLower(bucket) + ((uint64_t{1} << WidthShift(bucket)) - 1);
}

double HistogramSnapshot::Percentile(double p) const {
  if (count_ == 0) return 0.0;
  const double total = static_cast<double>(count_);
  // The rank of the wanted value among the sorted values, 1-based; the bucket holding the
  // ceil(rank)-th value is the first whose cumulative count reaches rank.
  const double rank = std::clamp(std::clamp(p, 0.0, 100.0) / 100.0 * total, 1.0, total);
  double below = 0;  // values in buckets before `b`
  for (int b = 0; b < kBuckets; ++b) {
    const double in_bucket = static_cast<double>(buckets_[b]);
    if (in_bucket == 0) continue;
    if (below + in_bucket >= rank) {
      const double fraction = (rank - below) / in_bucket;  // in (0, 1]
      const double lower = static_cast<double>(BucketLower(b));
      const double upper = static_cast<double>(BucketUpper(b));
      const double estimate = lower + fraction * (upper - lower);
      // Clamp to [Min(), Max()]; max-then-min stays defined if a racing snapshot has min > max.
      return std::min(std::max(estimate, static_cast<double>(Min())), static_cast<double>(Max()));
    }
    below += in_bucket;
  }
  return static_cast<double>(Max());  // unreachable while count_ == sum of buckets
}

double HistogramSnapshot::CountAtOrBelow(double value) const {
  return CountsAtOrBelow(std::span<const double>(&value, 1)).front();
}

std::vector<double> HistogramSnapshot::CountsAtOrBelow(std::span<const double> ascending) const {
  std::vector<double> counts;
  counts.reserve(ascending.size());
  int next = 0;      // first bucket not yet summed into `below`
  double below = 0;  // values in buckets [0, next)
  for (double value : ascending) {
    if (std::isnan(value) || value < 0) {
      counts.push_back(0.0);
      continue;
    }
    if (value >= kTwoToThe64) {
      counts.push_back(static_cast<double>(count_));
      continue;
    }
    const uint64_t whole = static_cast<uint64_t>(value);  // values are integers: <= floor(value)
    const int target = BucketOf(whole);
    for (; next < target; ++next) below += static_cast<double>(buckets_[next]);
    // Values inside a bucket are taken as spread evenly over its integers; `whole` is the
    // `at_or_below`-th of the bucket's `width` integers.
    const uint64_t at_or_below = whole - BucketLower(target) + 1;
    const uint64_t width = uint64_t{1} << WidthShift(target);
    const double fraction = static_cast<double>(at_or_below) / static_cast<double>(width);
    counts.push_back(below + fraction * static_cast<double>(buckets_[target]));
  }
  return counts;
}

void HistogramSnapshot::Merge(const HistogramSnapshot& other) {
  for (int b = 0; b < kBuckets; ++b) buckets_[b] += other.buckets_[b];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void HistogramSnapshot::Add(uint64_t value, uint64_t times) {
  if (times == 0) return;
  buckets_[BucketOf(value)] += times;
  count_ += times;
  sum_ += value * times;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

}  // namespace fastbreak::telemetry
