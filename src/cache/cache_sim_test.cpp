#include "cache/cache_sim.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <string>

#include "testing/testing.hpp"

namespace fastbreak::cache {
namespace {

// The reference hit ratios (%) of ../shared/traces/README.md, "Reference hit ratios (%) to
// beat"; -1 where the README has none. Keep in sync with the README.
struct Row {
  const char* file;
  size_t entries;
  double lru, arc, lirs, wtinylfu_1, wtinylfu_adaptive;

  double Best() const { return std::max({lru, arc, lirs, wtinylfu_1, wtinylfu_adaptive}); }
};

constexpr Row kRows[] = {
    {"lirs_gli.trace.gz", 1000, 11.21, 21.30, 50.72, 50.79, 50.79},
    {"lirs_loop.trace.gz", 512, 0.00, 0.00, 50.05, 50.03, -1},
    {"lirs_multi2.trace.gz", 1000, 47.80, 50.75, 58.15, 55.46, 55.66},
    {"lirs_multi3.trace.gz", 2000, 44.59, 46.72, 62.24, 60.50, -1},
    {"lirs_ps.trace.gz", 200, 12.19, 16.80, 49.44, 45.45, -1},
    {"lirs_sprite.trace.gz", 1000, 90.64, 89.84, 87.71, 83.75, 84.50},
    {"cache2k_orm-busy.trace.xz", 1000, 78.78, 78.53, 73.75, 63.49, 77.25},
    {"cache2k_orm-busy.trace.xz", 5000, 85.46, 85.68, 85.13, 83.11, 85.56},
    {"cache2k_orm-night.trace.xz", 1000, 67.32, 67.68, 61.17, 55.57, 65.85},
    {"cache2k_web12.trace.xz", 500, 55.78, 58.47, 56.36, 57.49, 60.99},
    {"corda_trace_vaultservice.gz", 1000, 33.33, 33.30, 0.59, 1.30, 26.19},
    {"lirs_zigzag.trace.gz", 500, 23.99, 23.01, 0.19, 19.93, -1},
    {"scarab_scarab-recs.trace.xz", 100000, 75.91, 76.09, 74.30, 71.57, -1},
};

// The bar (the issue): fastbreak's policy is within this many points of the best reference
// policy on every row, and never more than this many points below LRU.
constexpr double kBarPoints = 1.0;
// Our LRU must reproduce the README's LRU column (proves the simulator replays correctly).
constexpr double kLruTolerancePoints = 0.05;

void PrintTo(const Row& row, std::ostream* out) { *out << row.file << " @ " << row.entries; }

std::string RowName(const ::testing::TestParamInfo<Row>& info) {
  std::string name = fmt::format("{}_{}", info.param.file, info.param.entries);
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
  return name;
}

class TraceTableTest : public ::testing::TestWithParam<Row> {
 protected:
  void SetUp() override {
    const std::string data_dir = ::fastbreak::testing::SharedDataDir();
    if (data_dir.empty()) {
      GTEST_SKIP() << "../shared/traces not found: "
                   << ::fastbreak::testing::SharedDataMissingMessage();
    }
    path_ = (std::filesystem::path(data_dir).parent_path() / "traces" / GetParam().file).string();
    if (!std::filesystem::exists(path_)) GTEST_SKIP() << "trace file missing: " << path_;
  }

  double HitRatioPercent(PolicyKind policy) {
    SimOptions options;
    options.trace_path = path_;
    options.entries = GetParam().entries;
    options.policy = policy;
    auto result = Simulate(options);
    EXPECT_TRUE(result.has_value()) << result.error().ToString();
    if (!result) return -1;
    EXPECT_GT(result->accesses, 0u);
    std::printf("%s\n", SimResultJson(options, *result).c_str());
    return 100 * result->hit_ratio;
  }

  std::string path_;
};

TEST_P(TraceTableTest, AdaptiveIsWithinOnePointOfTheBestAndOfLru) {
  const Row& row = GetParam();
  const double adaptive = HitRatioPercent(PolicyKind::kAdaptive);
  EXPECT_GE(adaptive, row.Best() - kBarPoints) << row.file << " @ " << row.entries << ": fastbreak "
                                               << adaptive << " vs best " << row.Best();
  EXPECT_GE(adaptive, row.lru - kBarPoints)
      << row.file << " @ " << row.entries << ": fastbreak " << adaptive << " vs LRU " << row.lru;
}

TEST_P(TraceTableTest, LruReproducesTheReference) {
  const Row& row = GetParam();
  EXPECT_NEAR(HitRatioPercent(PolicyKind::kLru), row.lru, kLruTolerancePoints)
      << row.file << " @ " << row.entries;
}

INSTANTIATE_TEST_SUITE_P(Readme, TraceTableTest, ::testing::ValuesIn(kRows), RowName);

// Simulate and SimResultJson on a small file (no shared data needed).
TEST(SimulateTest, CountsHitsAndFormatsJson) {
  ::fastbreak::testing::TempDir dir;
  const std::string path = dir.File("lirs_tiny.trace");
  std::FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  std::fputs("1\n2\n1\n3\n1\n2\n", file);
  std::fclose(file);
  SimOptions options;
  options.trace_path = path;
  options.entries = 2;
  options.policy = PolicyKind::kLru;
  auto result = Simulate(options);
  ASSERT_OK(result);
  EXPECT_EQ(result->accesses, 6u);
  EXPECT_EQ(result->hits, 2u);  // 1, then 1 again; 2 was evicted by 3
  EXPECT_DOUBLE_EQ(result->hit_ratio, 2.0 / 6);
  EXPECT_EQ(result->policy.admitted, 4u);
  const std::string json = SimResultJson(options, *result);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_EQ(json.rfind(R"({"trace":"lirs_tiny.trace","policy":"lru","entries":2,"accesses":6,)"
                       R"("hits":2,"hit_ratio":0.333333,)",
                       0),
            0u)
      << json;

  options.policy = PolicyKind::kAdaptive;
  ASSERT_OK(Simulate(options));
  EXPECT_NE(SimResultJson(options, *Simulate(options)).find(R"("policy":"fastbreak")"),
            std::string::npos);
}

TEST(SimulateTest, RejectsBadOptions) {
  SimOptions options;
  options.trace_path = "lirs_x.trace";
  EXPECT_ERROR(Simulate(options), ErrorCode::kInvalidArgument);  // entries = 0
  options.entries = 10;
  options.trace_path = "/nonexistent/web.trace";
  EXPECT_ERROR(Simulate(options), ErrorCode::kInvalidArgument);  // format not inferable
  options.format = TraceFormat::kI32;
  EXPECT_ERROR(Simulate(options), ErrorCode::kNotFound);
}

TEST(SimulateTest, JsonEscapesTheTraceName) {
  SimOptions options;
  options.trace_path = "/tmp/lirs_\"odd\\name";
  options.entries = 1;
  const std::string json = SimResultJson(options, SimResult{});
  EXPECT_NE(json.find(R"("trace":"lirs_\"odd\\name")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("hit_ratio":0.000000)"), std::string::npos) << json;
}

}  // namespace
}  // namespace fastbreak::cache
