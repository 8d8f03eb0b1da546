// An injectable clock, so TTLs, windows and timeouts are testable without sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace fastbreak {

// Thread-safe: both implementations may be read from any thread.
class Clock {
 public:
  using Duration = std::chrono::nanoseconds;
  using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

  virtual ~Clock() = default;
  // Monotonic time, for durations and deadlines.
  virtual TimePoint Now() const = 0;
  // Wall-clock time in microseconds since the Unix epoch, for timestamps people read.
  virtual int64_t WallMicros() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  int64_t WallMicros() const override;
  // A process-wide instance; stateless, so sharing it is safe.
  static SystemClock& Instance();
};

// A clock that moves only when told to. For tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_wall_micros = 1'700'000'000'000'000)
      : wall_start_(start_wall_micros) {}
  TimePoint Now() const override { return TimePoint(Duration(nanos_.load())); }
  int64_t WallMicros() const override { return wall_start_ + nanos_.load() / 1000; }
  void Advance(Duration d) { nanos_.fetch_add(d.count()); }

 private:
  int64_t wall_start_;
  std::atomic<int64_t> nanos_{0};
};

}  // namespace fastbreak
