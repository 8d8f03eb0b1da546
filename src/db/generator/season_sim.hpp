// A whole season: offseason moves, the regular-season schedule, trade windows, the play-in
// tournament and the playoffs, handed game by game to a sink in the order they are played.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "db/generator/game_model.hpp"
#include "db/generator/game_plan.hpp"
#include "db/generator/game_record.hpp"
#include "db/generator/game_sim.hpp"
#include "db/generator/league.hpp"

namespace fastbreak::db::detail {

// Consumer of the simulation (the database writer). Each call returns false when the consumer
// has stopped (after a write error); the simulation then stops too.
class GameSink {
 public:
  virtual ~GameSink() = default;
  // Before the first game of `season`; `start_day` is its first game day.
  virtual bool BeginSeason(int season, int start_day) = 0;
  // An empty record to fill, or null when the consumer stopped.
  virtual GameRecord* NextRecord() = 0;
  // Hands over a record obtained from NextRecord().
  virtual bool Submit(GameRecord* record) = 0;
  // After the last game (the finals) of `season`, played on `end_day`.
  virtual bool EndSeason(int season, int end_day) = 0;
};

// "00" + type digit + 2-digit season + 5-digit sequence, e.g. FormatGameId('2', 2023, 61) is
// "0022300061".
std::string FormatGameId(char type, int season, int sequence);

// Play-in tournament: from the 2020-21 season on, as in the real league.
inline constexpr int kFirstPlayInSeason = 2020;

// Not thread-safe; owns the league and runs on one thread.
class LeagueSimulator {
 public:
  LeagueSimulator(uint64_t seed, int64_t first_player_id);

  // Simulates `season`: creates the league on the first call and runs the offseason before
  // each later one. REQUIRES: consecutive seasons. Returns false when the sink stopped.
  bool SimulateSeason(int season, GameSink& sink);

  const League& league() const { return league_; }

 private:
  struct GameResult {
    int winner = -1;
    int loser = -1;
    int margin = 0;
  };
  // Plays one game and submits it. Returns false when the sink stopped.
  bool Play(int home, int away, int day, std::string_view type, std::string_view game_id, int round,
            int series_game, uint64_t stream, GameResult& result);
  bool PlayRegularSeason(int& last_day);
  // Seeds 1..8 of each conference (play-in decided for seasons that have one).
  bool PlaySeeding(int& day, std::array<std::array<int, 8>, 2>& seeds);
  bool PlayPlayoffs(const std::array<std::array<int, 8>, 2>& seeds, int& day);
  bool PlaySeries(int high, int low, int round, int series, int start_day, int& winner,
                  int& last_day);
  // Conference standings, best first.
  std::array<std::vector<int>, 2> Standings() const;
  bool Better(int a, int b) const;

  uint64_t seed_;
  League league_;
  GameSimulator simulator_;
  GameSink* sink_ = nullptr;
  int season_ = 0;
  bool created_ = false;
  GameModel model_;
  StrengthScale scale_;
  std::array<int, kTeamCount> wins_{};
  std::array<int, kTeamCount> point_diff_{};
  std::vector<int> draft_order_;  // worst record first, for the next offseason
  std::vector<int> home_listed_;
  std::vector<int> away_listed_;
};

}  // namespace fastbreak::db::detail
