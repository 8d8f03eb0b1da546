#include "db/generator/game_record.hpp"

namespace fastbreak::db::detail {

void StatLine::Add(const StatLine& o) {
  seconds += o.seconds;
  pts += o.pts;
  fgm += o.fgm;
  fga += o.fga;
  fg3m += o.fg3m;
  fg3a += o.fg3a;
  ftm += o.ftm;
  fta += o.fta;
  oreb += o.oreb;
  dreb += o.dreb;
  ast += o.ast;
  stl += o.stl;
  blk += o.blk;
  tov += o.tov;
  pf += o.pf;
  plus_minus += o.plus_minus;
}

void GameRecord::Clear() {
  game_id.fill('\0');
  season = 0;
  game_type = {};
  game_date.fill('\0');
  home_team_id = away_team_id = 0;
  home_score = away_score = 0;
  periods = 4;
  playoff_round = series_game = attendance = 0;
  line_score.clear();
  teams = {};
  players.clear();
  events.clear();
  text.clear();
  new_players.clear();
}

}  // namespace fastbreak::db::detail
