#include "app/health_monitor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "testing/testing.hpp"

namespace fastbreak::app {
namespace {

TEST(HealthMonitorTest, TheFirstResultIsAvailableAtOnce) {
  HealthMonitor monitor([] { return MakeError(ErrorCode::kConnection, "db down"); },
                        std::chrono::hours(1));
  EXPECT_ERROR(monitor.Current(), ErrorCode::kConnection);
}

TEST(HealthMonitorTest, LaterChecksReplaceTheResult) {
  std::atomic<int> calls{0};
  std::promise<void> third_call;
  HealthMonitor monitor(
      [&]() -> Status {
        const int n = ++calls;
        if (n == 1) return MakeError(ErrorCode::kBusy, "warming up");
        if (n == 3) third_call.set_value();
        return Ok();
      },
      std::chrono::milliseconds(1));
  third_call.get_future().wait();
  // Call 3 runs only after the result of call 2 (Ok) was stored.
  EXPECT_OK(monitor.Current());
}

TEST(HealthMonitorTest, DestructionStopsAWaitingThreadPromptly) {
  const auto start = std::chrono::steady_clock::now();
  {
    HealthMonitor monitor([] { return Ok(); }, std::chrono::hours(1));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace fastbreak::app
