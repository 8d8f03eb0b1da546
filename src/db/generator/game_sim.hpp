// Plays one game possession by possession and records it: every event of the play-by-play is
// attributed to players on the floor, and the box scores are the sums of those events, so the
// play-by-play, player lines, team lines and line score agree by construction.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "db/generator/game_model.hpp"
#include "db/generator/game_plan.hpp"
#include "db/generator/game_record.hpp"
#include "db/generator/league.hpp"
#include "db/generator/lineup.hpp"
#include "db/generator/possessions.hpp"
#include "db/generator/rng.hpp"

namespace fastbreak::db::detail {

struct GameSetup {
  int home_team = 0;  // team indices into NbaTeams()
  int away_team = 0;
  std::span<const int> home_listed;  // league player indices dressed for the game, best first
  std::span<const int> away_listed;
  bool playoffs = false;
};

// Holds buffers reused from game to game. Not thread-safe; one per simulation thread.
class GameSimulator {
 public:
  // Every game has kMinEvents..kMaxEvents play-by-play events (real games: ~450-475). A game
  // outside (about 3% of attempts) is replayed, up to kMaxAttempts times; should every attempt
  // fall outside, the one with the fewest events is kept and FitEventCount() adds timeouts or
  // removes them. That covers every case but one: every attempt over kMaxEvents by more than its
  // timeouts (~12 a game), a chance far below 1e-100.
  static constexpr int kMinEvents = 410;
  static constexpr int kMaxEvents = 510;
  static constexpr int kMaxAttempts = 64;

  // Simulates a game into `out` (cleared first): teams, scores, periods, attendance, line score,
  // box scores and play-by-play. The caller sets the id, season, type, date and playoff fields.
  // REQUIRES: at least five players listed per team.
  void Simulate(const GameModel& model, const StrengthScale& scale, const League& league,
                const GameSetup& setup, Rng& rng, GameRecord& out);

 private:
  void SimulateOnce(const GameModel& model, const StrengthScale& scale, const League& league,
                    const GameSetup& setup, Rng& rng, GameRecord& out);
  void SetUpSide(size_t s, int team, std::span<const int> listed, bool playoffs);
  void PlayPeriod(int period);
  void StartLineups(int period, int period_end);
  void JumpBall();
  void PlayPossession(const Possession& p, int start_ms, int end_ms);
  void DeadBall(const Possession& last, int now_ms);
  void Substitutions(size_t s, int now_ms, int max_swaps);
  void MadeShot(size_t s, int ms, bool three, int and_one);
  void MissedShot(size_t s, int ms, bool three);
  void FreeThrows(size_t s, int ms, int attempts, int made_mask, int shooter);
  void ShootingFoul(size_t defense, int ms, int shooter);
  void Rebound(size_t s, int ms, bool offensive);
  void Turnover(size_t s, int ms);
  void PersonalFoul(size_t defense, int ms);
  void Finish();

  int Pick(size_t s, double RoleWeights::*role, int exclude = -1);
  int PickFouler(size_t s);
  void AddPoints(size_t s, int points);
  PbpEvent& Emit(int event_type, int ms, std::string_view action, size_t s);
  void Close(PbpEvent& event);
  std::string_view Name(size_t s, int slot) const;
  int64_t Id(size_t s, int slot) const;

  const GameModel* model_ = nullptr;
  const League* league_ = nullptr;
  Rng* rng_ = nullptr;
  GameRecord* out_ = nullptr;
  std::array<TeamSide, 2> sides_;
  ScorePlan plan_;
  PeriodScratch scratch_;
  std::vector<Possession> script_;
  std::array<int, 2> score_{};
  std::array<std::array<int, kMaxPeriods>, 2> period_points_{};
  int period_ = 0;
  int period_ms_ = 0;       // length of the current period
  int period_start_s_ = 0;  // game second the period started
  int game_seconds_ = 0;    // length of the whole game
  int last_ms_ = 0;         // time of the last event within the period
  int opening_tip_ = 0;     // side that won the opening tip
};

// Brings the number of events of a simulated game to at least `min_events` by adding timeouts
// (after made field goals, called by the team scored upon) and then to at most `max_events` by
// removing timeouts, last first, as far as there are timeouts; renumbers the timeouts. Timeouts
// carry no statistics: scores, box scores and every other event stay as they are.
void FitEventCount(int min_events, int max_events, GameRecord& record);

}  // namespace fastbreak::db::detail
