// Test helpers shared by every module's tests: Result assertions, temporary directories and
// the location of the shared real-data folder.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/error.hpp"

#define ASSERT_OK(expr)                                                            \
  do {                                                                             \
    const auto& fb_r_ = (expr);                                                    \
    ASSERT_TRUE(fb_r_.has_value()) << #expr << " -> " << fb_r_.error().ToString(); \
  } while (false)

#define EXPECT_OK(expr)                                                            \
  do {                                                                             \
    const auto& fb_r_ = (expr);                                                    \
    EXPECT_TRUE(fb_r_.has_value()) << #expr << " -> " << fb_r_.error().ToString(); \
  } while (false)

#define EXPECT_ERROR(expr, expected_code)                                        \
  do {                                                                           \
    const auto& fb_r_ = (expr);                                                  \
    ASSERT_FALSE(fb_r_.has_value()) << #expr << " succeeded, expected an error"; \
    EXPECT_EQ(fb_r_.error().code, (expected_code)) << fb_r_.error().ToString();  \
  } while (false)

namespace fastbreak::testing {

// A directory removed (with its contents) when the object goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// ../shared/data beside the checkout (overridable with FASTBREAK_SHARED_DATA), or "" when
// absent. Tests that need it call GTEST_SKIP() with SharedDataMissingMessage().
std::string SharedDataDir();
std::string SharedDataMissingMessage();

// A 127.0.0.1 TCP port that was free a moment ago (bound to port 0, then released); 0 when none
// could be bound. For the servers tests start.
int FreeLoopbackPort();

// True when `path` names a file this process may execute.
bool IsExecutable(const std::string& path);

}  // namespace fastbreak::testing

// Skips the current test when the shared data folder is absent; otherwise declares
// `data_dir` (std::string).
#define FB_REQUIRE_SHARED_DATA(data_dir)                              \
  const std::string data_dir = ::fastbreak::testing::SharedDataDir(); \
  if (data_dir.empty()) GTEST_SKIP() << ::fastbreak::testing::SharedDataMissingMessage()
