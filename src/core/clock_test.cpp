#include "core/clock.hpp"

#include <gtest/gtest.h>

namespace fastbreak {
namespace {

TEST(ClockTest, ManualClockMovesOnlyWhenAdvanced) {
  ManualClock clock(1'000'000);
  const auto t0 = clock.Now();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(std::chrono::milliseconds(1500));
  EXPECT_EQ(clock.Now() - t0, std::chrono::milliseconds(1500));
  EXPECT_EQ(clock.WallMicros(), 1'000'000 + 1'500'000);
}

TEST(ClockTest, SystemClockIsMonotonic) {
  auto& clock = SystemClock::Instance();
  const auto a = clock.Now();
  const auto b = clock.Now();
  EXPECT_LE(a, b);
  EXPECT_GT(clock.WallMicros(), 1'600'000'000'000'000);
}

}  // namespace
}  // namespace fastbreak
