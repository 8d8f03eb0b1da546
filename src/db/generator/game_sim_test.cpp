// FitEventCount, the last resort that keeps every game within GameSimulator's event range: it
// only adds or removes timeouts, leaving the rest of the game as simulated.
#include "db/generator/game_sim.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "db/generator/season_sim.hpp"
#include "db/schema/teams.hpp"

namespace fastbreak::db::detail {
namespace {

// Keeps the first game of a season and stops the simulation.
class FirstGameSink final : public GameSink {
 public:
  bool BeginSeason(int, int) override { return true; }
  GameRecord* NextRecord() override { return done_ ? nullptr : &record_; }
  bool Submit(GameRecord*) override {
    done_ = true;
    return false;
  }
  bool EndSeason(int, int) override { return true; }
  const GameRecord& record() const { return record_; }

 private:
  GameRecord record_;
  bool done_ = false;
};

GameRecord FirstGame() {
  LeagueSimulator simulator(11, 5'000'000);
  FirstGameSink sink;
  simulator.SimulateSeason(2023, sink);
  return sink.record();
}

// The events other than timeouts, as comparable text.
std::vector<std::string> OtherEvents(const GameRecord& r) {
  std::vector<std::string> out;
  for (const PbpEvent& e : r.events) {
    if (e.event_type == 9) continue;
    out.push_back(std::to_string(e.period) + "|" + std::to_string(e.clock_ms) + "|" +
                  std::to_string(e.event_type) + "|" + std::string(e.action) + "|" +
                  std::to_string(e.team_id) + "|" + std::to_string(e.player_id) + "|" +
                  std::to_string(e.player2_id) + "|" + std::to_string(e.home_score) + "|" +
                  std::to_string(e.away_score) + "|" + std::string(r.Description(e)));
  }
  return out;
}

int Timeouts(const GameRecord& r) {
  int n = 0;
  for (const PbpEvent& e : r.events) n += e.event_type == 9 ? 1 : 0;
  return n;
}

// Timeouts are numbered 1, 2, ... per team, in order, and sit where the clock allows.
void ExpectWellFormedTimeouts(const GameRecord& r) {
  std::array<int, 2> called{};
  for (size_t i = 0; i < r.events.size(); ++i) {
    const PbpEvent& e = r.events[i];
    if (i > 0 && e.period == r.events[i - 1].period) {
      EXPECT_LE(e.clock_ms, r.events[i - 1].clock_ms) << i;
    }
    if (e.event_type != 9) continue;
    ASSERT_TRUE(e.team_id == r.home_team_id || e.team_id == r.away_team_id);
    const int number = ++called[e.team_id == r.home_team_id ? 0 : 1];
    EXPECT_EQ(r.Description(e), std::string(FindTeam(e.team_id)->nickname) +
                                    " Timeout: Regular (Reg." + std::to_string(number) + ")");
    EXPECT_EQ(e.action, "Regular");
    EXPECT_EQ(e.player_id, 0);
  }
}

TEST(FitEventCount, AddsTimeoutsUpToTheMinimum) {
  const GameRecord original = FirstGame();
  const int n = static_cast<int>(original.events.size());
  ASSERT_GE(n, GameSimulator::kMinEvents);
  ASSERT_LE(n, GameSimulator::kMaxEvents);
  GameRecord fitted = original;
  FitEventCount(n + 150, n + 200, fitted);  // more than the made field goals: several per dead ball
  EXPECT_EQ(static_cast<int>(fitted.events.size()), n + 150);
  EXPECT_EQ(Timeouts(fitted), Timeouts(original) + 150);
  EXPECT_EQ(OtherEvents(fitted), OtherEvents(original));
  ExpectWellFormedTimeouts(fitted);
  // Box scores are untouched.
  EXPECT_EQ(fitted.home_score, original.home_score);
  EXPECT_EQ(fitted.teams[0].stats.pts, original.teams[0].stats.pts);
  EXPECT_EQ(fitted.players.size(), original.players.size());
}

TEST(FitEventCount, RemovesTimeoutsDownToTheMaximum) {
  const GameRecord original = FirstGame();
  const int n = static_cast<int>(original.events.size());
  ASSERT_GE(Timeouts(original), 3);
  GameRecord fitted = original;
  FitEventCount(0, n - 3, fitted);
  EXPECT_EQ(static_cast<int>(fitted.events.size()), n - 3);
  EXPECT_EQ(Timeouts(fitted), Timeouts(original) - 3);
  EXPECT_EQ(OtherEvents(fitted), OtherEvents(original));
  ExpectWellFormedTimeouts(fitted);
  // Never below the timeouts: the other events stay.
  FitEventCount(0, 0, fitted);
  EXPECT_EQ(Timeouts(fitted), 0);
  EXPECT_EQ(OtherEvents(fitted), OtherEvents(original));
}

TEST(FitEventCount, LeavesAGameInRangeAsItIs) {
  const GameRecord original = FirstGame();
  GameRecord fitted = original;
  FitEventCount(GameSimulator::kMinEvents, GameSimulator::kMaxEvents, fitted);
  ASSERT_EQ(fitted.events.size(), original.events.size());
  for (size_t i = 0; i < fitted.events.size(); ++i) {
    EXPECT_EQ(fitted.Description(fitted.events[i]), original.Description(original.events[i]));
  }
}

}  // namespace
}  // namespace fastbreak::db::detail
