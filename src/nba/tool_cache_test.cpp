#include "nba/tool_cache.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "nba/nba_test_util.hpp"
#include "nba/tool_result.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Tools with answers the tests choose: "season_line" names the season it is asked for and a
// player; "nobody" never finds anything. The generated league's newest season is 2024.
Catalog TestCatalog(int* runs) {
  Catalog catalog;
  ToolSpec season;
  season.name = "season_line";
  season.run = [runs](const Json& arguments, CallContext&) -> Result<ToolOutput> {
    ++*runs;
    ToolOutput output;
    output.structured = {{"season", arguments.value("season", 2024)}, {"player_id", 2544}};
    output.text = "a line";
    return output;
  };
  catalog.tools.push_back(season);
  ToolSpec nobody;
  nobody.name = "nobody";
  nobody.run = [runs](const Json&, CallContext&) -> Result<ToolOutput> {
    ++*runs;
    return MakeError(ErrorCode::kNotFound, "no player named 'Jordn'");
  };
  catalog.tools.push_back(nobody);
  ToolSpec stats;
  stats.name = "get_cache_stats";
  stats.cacheable = false;
  catalog.tools.push_back(stats);
  return catalog;
}

class ToolCacheTest : public ::testing::Test {
 protected:
  explicit ToolCacheTest(milliseconds negative_ttl = seconds(10)) {
    catalog_ = TestCatalog(&runs_);
    ToolCacheOptions options;
    options.ttl_current = seconds(60);
    options.ttl_historical = hours(1);
    options.negative_ttl = negative_ttl;
    Build(options);
  }

  void Build(const ToolCacheOptions& options) {
    tool_cache_.reset();
    layered_ = std::make_unique<cache::LayeredCache>(cache::LayeredOptions{},
                                                     ToolCache::GroupNames(catalog_), nullptr,
                                                     nullptr, registry_, clock_);
    tool_cache_ = std::make_unique<ToolCache>(catalog_, *layered_, options);
  }

  Result<cache::Served> Serve(size_t tool, const Json& arguments) {
    auto key = tool_cache_->KeyFor(tool, arguments);
    EXPECT_TRUE(key.has_value());
    CallContext context{*db_, nullptr, tool_cache_.get()};
    return tool_cache_->Serve(tool, key.value_or(""), arguments, context);
  }

  static milliseconds FreshFor(const cache::Entry& entry) {
    return std::chrono::duration_cast<milliseconds>(entry.fresh_until - entry.stored_at);
  }

  int runs_ = 0;
  Catalog catalog_;
  ManualClock clock_;
  telemetry::MetricsRegistry registry_;
  std::unique_ptr<db::Connection> db_ = testing::OpenGeneratedLeague();
  std::unique_ptr<cache::LayeredCache> layered_;
  std::unique_ptr<ToolCache> tool_cache_;
};

TEST_F(ToolCacheTest, FinishedSeasonsLiveLongAndTheCurrentOneShort) {
  auto old = Serve(0, {{"season", 2019}});
  ASSERT_OK(old);
  EXPECT_EQ(FreshFor(*old->entry), hours(1));
  auto current = Serve(0, {{"season", 2024}});
  ASSERT_OK(current);
  EXPECT_EQ(FreshFor(*current->entry), seconds(60));
  EXPECT_EQ(runs_, 2);
  // The second call of each is served from the L1 without running the tool.
  ASSERT_OK(Serve(0, {{"season", 2019}}));
  EXPECT_EQ(runs_, 2);
}

TEST_F(ToolCacheTest, EntriesCarryTableAndEntityTags) {
  auto served = Serve(0, {{"season", 2019}});
  ASSERT_OK(served);
  const auto& tags = served->entry->tags;
  for (const char* tag : {"player:2544", "season:2019", "table:games", "table:players"}) {
    EXPECT_NE(std::find(tags.begin(), tags.end(), tag), tags.end()) << tag;
  }
  const auto result = Json::parse(StructuredPart(served->entry->value()));
  EXPECT_EQ(result["season"], 2019);
  ASSERT_OK(tool_cache_->Invalidate({{"player:2544"}, {}, {}, {}, false}));
  EXPECT_FALSE(layered_->Contains(served->entry->key()));
}

TEST_F(ToolCacheTest, NotFoundIsCachedBrieflyWithItsErrorClass) {
  auto first = Serve(1, Json::object());
  ASSERT_OK(first);
  EXPECT_TRUE(first->entry->negative);
  EXPECT_EQ(FreshFor(*first->entry), seconds(10));
  EXPECT_EQ(ToolErrorOf(first->entry->value()).code, ErrorCode::kNotFound);
  ASSERT_OK(Serve(1, Json::object()));
  EXPECT_EQ(runs_, 1);
  clock_.Advance(seconds(11));
  ASSERT_OK(Serve(1, Json::object()));
  EXPECT_EQ(runs_, 2);
}

class NoNegativeCacheTest : public ToolCacheTest {
 protected:
  NoNegativeCacheTest() : ToolCacheTest(milliseconds(0)) {}
};

TEST_F(NoNegativeCacheTest, ZeroNegativeTtlKeepsNothing) {
  ASSERT_OK(Serve(1, Json::object()));
  ASSERT_OK(Serve(1, Json::object()));
  EXPECT_EQ(runs_, 2);
}

TEST_F(ToolCacheTest, CacheToolsAndPerToolTtlOverrides) {
  EXPECT_FALSE(tool_cache_->KeyFor(2, Json::object()).has_value());
  ToolCacheOptions options;
  options.tool_ttl_ms["season_line"] = 5000;
  Build(options);
  auto served = Serve(0, {{"season", 2019}});
  ASSERT_OK(served);
  EXPECT_EQ(FreshFor(*served->entry), seconds(5));
}

TEST_F(ToolCacheTest, InvalidateByToolDropsOnlyThatTool) {
  ASSERT_OK(Serve(0, {{"season", 2019}}));
  ASSERT_OK(Serve(0, {{"season", 2020}}));
  ASSERT_OK(Serve(1, Json::object()));
  auto result = tool_cache_->Invalidate({{}, {"season_line"}, {}, {}, false});
  ASSERT_OK(result);
  EXPECT_EQ((*result)["removed_l1"], 2);
  EXPECT_EQ((*result)["broadcast"], false);
  EXPECT_TRUE(layered_->Contains(*tool_cache_->KeyFor(1, Json::object())));
}

TEST_F(ToolCacheTest, HotKeysSurviveARestartAndWarmTheNextCache) {
  for (int i = 0; i < 3; ++i) ASSERT_OK(Serve(0, {{"season", 2019}}));
  ASSERT_OK(Serve(0, {{"season", 2020}}));
  ASSERT_OK(Serve(1, Json::object()));  // negative: not worth warming
  fastbreak::testing::TempDir dir;
  const std::string path = dir.File("hot-keys");
  ASSERT_OK(tool_cache_->SaveHotKeys(path, 10));
  {
    std::ofstream append(path, std::ios::app);
    append << "not json\n"
           << R"({"tool":"no_such_tool"})"
           << "\n";
  }

  Build(ToolCacheOptions{});
  size_t skipped = 0;
  auto calls = tool_cache_->ReadWarmFile(path, 100, &skipped);
  ASSERT_OK(calls);
  ASSERT_EQ(calls->size(), 2u);
  EXPECT_EQ(skipped, 2u);
  EXPECT_EQ((*calls)[0].arguments, Json({{"season", 2019}}));  // most requested first
  const int before = runs_;
  CallContext context{*db_, nullptr, tool_cache_.get()};
  auto warmed = tool_cache_->Warm(*calls, false, context);
  ASSERT_OK(warmed);
  EXPECT_EQ((*warmed)["warmed"], 2);
  EXPECT_EQ(runs_, before + 2);
  auto again = tool_cache_->Warm(*calls, false, context);
  ASSERT_OK(again);
  EXPECT_EQ((*again)["already_cached"], 2);
  EXPECT_EQ(runs_, before + 2);
  EXPECT_ERROR(tool_cache_->ReadWarmFile(dir.File("absent"), 10), ErrorCode::kNotFound);
}

TEST_F(ToolCacheTest, StatsReportEveryLevelAndRecommendations) {
  ASSERT_OK(Serve(0, {{"season", 2019}}));
  const Json stats = tool_cache_->Stats();
  EXPECT_EQ(stats["enabled"], true);
  EXPECT_EQ(stats["l1"]["entries"], 1);
  EXPECT_EQ(stats["l2"]["configured"], false);
  ASSERT_TRUE(stats["recommendations"].is_array());
  bool found = false;
  for (const auto& tool : stats["tools"]) {
    if (tool["tool"] == "season_line") {
      found = true;
      EXPECT_EQ(tool["computed"], 1);
      EXPECT_EQ(tool["ttl_ms"], 60000.0);
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace fastbreak::nba
