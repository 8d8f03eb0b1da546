// The generator's own pseudo-random numbers: xoshiro256** seeded through SplitMix64, with
// distribution transforms written here (std:: distributions differ between standard library
// versions, and the generator promises identical output for identical seeds).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "db/generator/portable_math.hpp"

namespace fastbreak::db::detail {

// One SplitMix64 step: advances `state` and returns a well-mixed 64-bit value.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The seed of an independent stream named by (seed, a, b), e.g. (seed, season, game index), so
// that one game's draws never depend on how many draws another game made.
inline uint64_t DeriveSeed(uint64_t seed, uint64_t a, uint64_t b = 0) {
  uint64_t state = seed ^ 0x6A09E667F3BCC908ULL;
  state = SplitMix64(state) ^ (a * 0x9E3779B97F4A7C15ULL);
  state = SplitMix64(state) ^ (b * 0xC2B2AE3D27D4EB4FULL);
  return SplitMix64(state);
}

// xoshiro256** (Blackman and Vigna). Not thread-safe; one instance per stream.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t state = seed;
    for (uint64_t& word : s_) word = SplitMix64(state);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) {
    const uint64_t threshold = (0 - n) % n;  // rejection keeps it unbiased
    while (true) {
      const uint64_t r = Next();
      if (r >= threshold) return r % n;
    }
  }
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int UniformInt(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(static_cast<int64_t>(hi) - lo + 1)));
  }

  bool Bernoulli(double p) { return Uniform() < p; }

  // Standard normal by Marsaglia's polar method (needs only log and sqrt, which IEEE-754
  // rounds exactly).
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0;
    double v = 0;
    double s = 0;
    do {
      u = Uniform(-1.0, 1.0);
      v = Uniform(-1.0, 1.0);
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * Log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }
  double Normal(double mean, double sd) { return mean + sd * Normal(); }

  // Number of successes before the first failure, each continuing with probability `p`, capped.
  int Geometric(double p, int cap) {
    int n = 0;
    while (n < cap && Bernoulli(p)) ++n;
    return n;
  }

  // Binomial(n, p) for small n.
  int Binomial(int n, double p) {
    int k = 0;
    for (int i = 0; i < n; ++i) k += Bernoulli(p) ? 1 : 0;
    return k;
  }

  // An index drawn with probability proportional to weights[i]; weights must be >= 0. When all
  // are zero, a uniform index. REQUIRES: !weights.empty().
  size_t Pick(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    if (total <= 0) return static_cast<size_t>(Below(weights.size()));
    double x = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.size() - 1;
  }

  // Fisher-Yates.
  template <typename T>
  void Shuffle(std::span<T> items) {
    for (size_t i = items.size(); i > 1; --i) {
      std::swap(items[i - 1], items[static_cast<size_t>(Below(i))]);
    }
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0;
};

}  // namespace fastbreak::db::detail
