// One simulated game as rows ready to insert: the game, its line score, two team box scores,
// the player box scores and the play-by-play. Records are reused from game to game (clear()
// keeps the buffers' capacity), and move from the simulation thread to the writer thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "db/calendar.hpp"

namespace fastbreak::db::detail {

// Counting stats of a player or a team in one game.
struct StatLine {
  int seconds = 0;
  int pts = 0;
  int fgm = 0;
  int fga = 0;
  int fg3m = 0;
  int fg3a = 0;
  int ftm = 0;
  int fta = 0;
  int oreb = 0;
  int dreb = 0;
  int ast = 0;
  int stl = 0;
  int blk = 0;
  int tov = 0;
  int pf = 0;
  int plus_minus = 0;

  // Adds every counting stat (plus_minus included).
  void Add(const StatLine& other);
};

struct PlayerLine {
  int64_t player_id = 0;
  int64_t team_id = 0;
  bool starter = false;
  std::string_view position;  // starters only ("G", "F", "C"), static storage
  bool played = false;        // false: did not play, stats are NULL and seconds 0
  StatLine stats;
};

struct TeamLine {
  int64_t team_id = 0;
  int64_t opponent_id = 0;
  bool home = false;
  bool win = false;
  StatLine stats;  // the sum of the team's player lines, plus_minus = the margin
};

struct PeriodPoints {
  int64_t team_id = 0;
  int period = 0;
  int points = 0;
};

// A play-by-play row. Zero ids and negative shot fields mean NULL.
struct PbpEvent {
  int period = 0;
  int clock_ms = 0;
  int event_type = 0;
  std::string_view action;  // static storage; empty = NULL
  int64_t team_id = 0;
  int64_t player_id = 0;
  int64_t player2_id = 0;
  int shot_value = -1;
  int shot_made = -1;
  int shot_distance = -1;
  int home_score = 0;
  int away_score = 0;
  uint32_t text_begin = 0;  // description = GameRecord::text.substr(text_begin, text_size)
  uint32_t text_size = 0;
};

// A player's biography, attached to the first game of each season he is listed for so that the
// writer can upsert the players row before his box-score rows.
struct PlayerBio {
  int64_t player_id = 0;
  std::string first_name;
  std::string last_name;
  std::string full_name;
  DateText birth_date{};
  int height_cm = 0;
  int weight_kg = 0;
  std::string_view position;
  std::string_view country;
  int draft_year = 0;  // 0 = NULL (undrafted)
  int draft_round = 0;
  int draft_number = 0;
  int from_year = 0;
  int season = 0;  // the season being written: to_year
};

struct GameRecord {
  std::array<char, 11> game_id{};  // 10 characters and a NUL
  int season = 0;
  std::string_view game_type;  // schema::kRegular / kPlayIn / kPlayoffs
  DateText game_date{};
  int64_t home_team_id = 0;
  int64_t away_team_id = 0;
  int home_score = 0;
  int away_score = 0;
  int periods = 4;
  int playoff_round = 0;  // 0 = NULL
  int series_game = 0;    // 0 = NULL
  int attendance = 0;

  std::vector<PeriodPoints> line_score;
  std::array<TeamLine, 2> teams;  // home, away
  std::vector<PlayerLine> players;
  std::vector<PbpEvent> events;
  std::string text;  // all event descriptions, back to back
  std::vector<PlayerBio> new_players;

  std::string_view GameId() const { return {game_id.data(), 10}; }
  std::string_view Description(const PbpEvent& e) const {
    return std::string_view(text).substr(e.text_begin, e.text_size);
  }
  void Clear();
};

}  // namespace fastbreak::db::detail
