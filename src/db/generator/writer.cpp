#include "db/generator/writer.hpp"

#include <fmt/format.h>

#include <string>

#include "db/calendar.hpp"

namespace fastbreak::db::detail {
namespace {

constexpr int kEventColumns = 15;
constexpr std::string_view kCoachsDecision = "Coach's decision";

constexpr std::string_view kSeasonSql =
    "INSERT INTO seasons(season_id, label, start_date, end_date) VALUES (?, ?, ?, NULL) "
    "ON CONFLICT(season_id) DO UPDATE SET start_date = excluded.start_date";
constexpr std::string_view kSeasonEndSql = "UPDATE seasons SET end_date = ? WHERE season_id = ?";
constexpr std::string_view kDeactivateSql =
    "UPDATE players SET is_active = 0 WHERE player_id >= ? AND is_active = 1 AND to_year < ?";
constexpr std::string_view kPlayerSql =
    "INSERT INTO players(player_id, first_name, last_name, full_name, birth_date, height_cm, "
    "weight_kg, position, country, draft_year, draft_round, draft_number, from_year, to_year, "
    "is_active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
    "ON CONFLICT(player_id) DO UPDATE SET to_year = excluded.to_year, is_active = 1";
constexpr std::string_view kGameSql =
    "INSERT INTO games(game_id, season_id, game_type, game_date, home_team_id, away_team_id, "
    "status, home_score, away_score, periods, neutral_site, playoff_round, series_game, "
    "attendance, source) VALUES (?, ?, ?, ?, ?, ?, 'final', ?, ?, ?, 0, ?, ?, ?, 'generated')";
constexpr std::string_view kPeriodSql =
    "INSERT INTO game_periods(game_id, team_id, period, points) VALUES (?, ?, ?, ?)";
constexpr std::string_view kTeamLineSql =
    "INSERT INTO team_game_stats(game_id, team_id, opponent_id, is_home, win, seconds, pts, fgm, "
    "fga, fg3m, fg3a, ftm, fta, oreb, dreb, reb, ast, stl, blk, tov, pf, plus_minus) VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kPlayerLineSql =
    "INSERT INTO player_game_stats(game_id, player_id, team_id, starter, position, seconds, "
    "dnp_reason, pts, fgm, fga, fg3m, fg3a, ftm, fta, oreb, dreb, reb, ast, stl, blk, tov, pf, "
    "plus_minus) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kEventSqlPrefix =
    "INSERT INTO play_by_play(game_id, event_num, period, clock_ms, event_type, action, team_id, "
    "player_id, player2_id, shot_value, shot_made, shot_distance, home_score, away_score, "
    "description) VALUES ";

// ?1 is the game id, shared by every row; row r's other 14 columns are ?(2 + 14r) onwards.
std::string EventSql(int rows) {
  std::string sql(kEventSqlPrefix);
  for (int r = 0; r < rows; ++r) {
    sql += r == 0 ? "(?1" : ",(?1";
    for (int c = 0; c < kEventColumns - 1; ++c) {
      fmt::format_to(std::back_inserter(sql), ",?{}", 2 + r * (kEventColumns - 1) + c);
    }
    sql += ')';
  }
  return sql;
}

// Binds `value`, or NULL when it equals `null_value`.
void BindOrNull(Statement& s, int index, int64_t value, int64_t null_value) {
  if (value == null_value) {
    s.BindNull(index);
  } else {
    s.Bind(index, value);
  }
}

// Text is bound without a copy: every buffer bound here (the record being written, static
// strings, locals of the calling function) outlives the Run() that follows the binding.
void BindText(Statement& s, int index, std::string_view value) { s.BindStatic(index, value); }

// Binds `value`, or NULL when it is empty; not copied (see BindText).
void BindTextOrNull(Statement& s, int index, std::string_view value) {
  if (value.empty()) {
    s.BindNull(index);
  } else {
    s.BindStatic(index, value);
  }
}

// Binds the counting stats from pts to plus_minus (15 values, reb derived) from `first`.
void BindStats(Statement& s, int first, const StatLine& l) {
  const int64_t values[] = {l.pts, l.fgm,  l.fga,  l.fg3m,          l.fg3a, l.ftm,
                            l.fta, l.oreb, l.dreb, l.oreb + l.dreb, l.ast,  l.stl,
                            l.blk, l.tov,  l.pf,   l.plus_minus};
  for (int64_t v : values) s.Bind(first++, v);
}

// Binds one event's columns after the game id, from parameter `first`.
void BindEvent(Statement& s, int first, int event_num, const GameRecord& record,
               const PbpEvent& e) {
  s.Bind(first, event_num);
  s.Bind(first + 1, e.period);
  s.Bind(first + 2, e.clock_ms);
  s.Bind(first + 3, e.event_type);
  BindTextOrNull(s, first + 4, e.action);
  BindOrNull(s, first + 5, e.team_id, 0);
  BindOrNull(s, first + 6, e.player_id, 0);
  BindOrNull(s, first + 7, e.player2_id, 0);
  BindOrNull(s, first + 8, e.shot_value, -1);
  BindOrNull(s, first + 9, e.shot_made, -1);
  BindOrNull(s, first + 10, e.shot_distance, -1);
  s.Bind(first + 11, e.home_score);
  s.Bind(first + 12, e.away_score);
  BindTextOrNull(s, first + 13, record.Description(e));
}

}  // namespace

BulkLoadSettings::BulkLoadSettings(Connection& connection) : connection_(connection) {
  auto mode = connection.QueryScalar("PRAGMA journal_mode");
  if (const std::string* current = mode ? std::get_if<std::string>(&*mode) : nullptr;
      current != nullptr && *current == "wal") {
    auto changed = connection.QueryScalar("PRAGMA journal_mode = TRUNCATE");
    const std::string* now = changed ? std::get_if<std::string>(&*changed) : nullptr;
    if (now != nullptr && *now == "truncate") journal_mode_ = *current;
  }
  for (Setting& setting : settings_) {
    auto value = connection.QueryScalar(std::string("PRAGMA ") + setting.name);
    const int64_t* current = value ? std::get_if<int64_t>(&*value) : nullptr;
    if (current == nullptr) continue;
    if (connection.ExecuteScript(fmt::format("PRAGMA {} = {}", setting.name, setting.bulk))) {
      setting.saved = *current;
    }
  }
}

BulkLoadSettings::~BulkLoadSettings() {
  for (const Setting& setting : settings_) {
    if (setting.saved) {
      (void)connection_.ExecuteScript(fmt::format("PRAGMA {} = {}", setting.name, *setting.saved));
    }
  }
  if (!journal_mode_.empty()) {
    (void)connection_.QueryScalar("PRAGMA journal_mode = " + journal_mode_);
  }
}

Result<std::unique_ptr<LeagueWriter>> LeagueWriter::Create(Connection& connection,
                                                           int64_t first_player_id,
                                                           bool play_by_play) {
  std::unique_ptr<LeagueWriter> w(new LeagueWriter(connection, first_player_id, play_by_play));
  FB_ASSIGN_OR_RETURN(w->season_, connection.Prepare(kSeasonSql));
  FB_ASSIGN_OR_RETURN(w->season_end_, connection.Prepare(kSeasonEndSql));
  FB_ASSIGN_OR_RETURN(w->deactivate_, connection.Prepare(kDeactivateSql));
  FB_ASSIGN_OR_RETURN(w->player_, connection.Prepare(kPlayerSql));
  FB_ASSIGN_OR_RETURN(w->game_, connection.Prepare(kGameSql));
  FB_ASSIGN_OR_RETURN(w->period_, connection.Prepare(kPeriodSql));
  FB_ASSIGN_OR_RETURN(w->team_line_, connection.Prepare(kTeamLineSql));
  FB_ASSIGN_OR_RETURN(w->player_line_, connection.Prepare(kPlayerLineSql));
  if (play_by_play) {
    for (size_t i = 0; i < kEventBatchRows.size(); ++i) {
      FB_ASSIGN_OR_RETURN(w->events_[i], connection.Prepare(EventSql(kEventBatchRows[i])));
    }
  }
  return w;
}

LeagueWriter::~LeagueWriter() { Abort(); }

void LeagueWriter::Abort() {
  if (transaction_) {
    (void)transaction_->Rollback();
    transaction_.reset();
  }
}

Status LeagueWriter::BeginSeason(int season, int start_day) {
  FB_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(connection_));
  transaction_.emplace(std::move(transaction));
  const std::string label = SeasonLabel(season);
  const DateText start = FormatDate(start_day);
  season_->Bind(1, season);
  BindText(*season_, 2, label);
  BindText(*season_, 3, std::string_view(start.data(), 10));
  FB_RETURN_IF_ERROR(season_->Run());
  ++counts_.season_rows;
  return Ok();
}

Status LeagueWriter::EndSeason(int season, int end_day) {
  const DateText end = FormatDate(end_day);
  BindText(*season_end_, 1, std::string_view(end.data(), 10));
  season_end_->Bind(2, season);
  FB_RETURN_IF_ERROR(season_end_->Run());
  deactivate_->BindAll(first_player_id_, season);
  FB_RETURN_IF_ERROR(deactivate_->Run());
  if (!transaction_) return MakeError(ErrorCode::kInternal, "EndSeason without BeginSeason");
  Status status = transaction_->Commit();
  transaction_.reset();
  return status;
}

Status LeagueWriter::WritePlayers(const GameRecord& record) {
  Statement& s = *player_;
  for (const PlayerBio& p : record.new_players) {
    s.Bind(1, p.player_id);
    BindText(s, 2, p.first_name);
    BindText(s, 3, p.last_name);
    BindText(s, 4, p.full_name);
    BindText(s, 5, std::string_view(p.birth_date.data(), 10));
    s.Bind(6, p.height_cm);
    s.Bind(7, p.weight_kg);
    BindText(s, 8, p.position);
    BindText(s, 9, p.country);
    BindOrNull(s, 10, p.draft_year, 0);
    BindOrNull(s, 11, p.draft_round, 0);
    BindOrNull(s, 12, p.draft_number, 0);
    s.Bind(13, p.from_year);
    s.Bind(14, p.season);
    FB_RETURN_IF_ERROR(s.Run());
    ++counts_.player_rows;
  }
  return Ok();
}

Status LeagueWriter::WriteGame(const GameRecord& r) {
  FB_RETURN_IF_ERROR(WritePlayers(r));
  const std::string_view id = r.GameId();
  Statement& g = *game_;
  BindText(g, 1, id);
  g.Bind(2, r.season);
  BindText(g, 3, r.game_type);
  BindText(g, 4, std::string_view(r.game_date.data(), 10));
  g.Bind(5, r.home_team_id);
  g.Bind(6, r.away_team_id);
  g.Bind(7, r.home_score);
  g.Bind(8, r.away_score);
  g.Bind(9, r.periods);
  BindOrNull(g, 10, r.playoff_round, 0);
  BindOrNull(g, 11, r.series_game, 0);
  g.Bind(12, r.attendance);
  FB_RETURN_IF_ERROR(g.Run());
  ++counts_.games;
  for (const PeriodPoints& p : r.line_score) {
    BindText(*period_, 1, id);
    period_->Bind(2, p.team_id);
    period_->Bind(3, p.period);
    period_->Bind(4, p.points);
    FB_RETURN_IF_ERROR(period_->Run());
    ++counts_.line_score_rows;
  }
  for (const TeamLine& t : r.teams) {
    Statement& s = *team_line_;
    BindText(s, 1, id);
    s.Bind(2, t.team_id);
    s.Bind(3, t.opponent_id);
    s.Bind(4, t.home ? 1 : 0);
    s.Bind(5, t.win ? 1 : 0);
    s.Bind(6, t.stats.seconds);
    BindStats(s, 7, t.stats);
    FB_RETURN_IF_ERROR(s.Run());
    ++counts_.team_game_rows;
  }
  // One row per statement: with the table's two secondary indexes, multi-row INSERTs measured
  // 2.5 times slower here (play_by_play, with none, gains from them).
  for (const PlayerLine& p : r.players) {
    Statement& s = *player_line_;
    BindText(s, 1, id);
    s.Bind(2, p.player_id);
    s.Bind(3, p.team_id);
    s.Bind(4, p.starter ? 1 : 0);
    BindTextOrNull(s, 5, p.position);
    s.Bind(6, p.played ? p.stats.seconds : 0);
    if (p.played) {
      s.BindNull(7);
      BindStats(s, 8, p.stats);
    } else {
      BindText(s, 7, kCoachsDecision);
      for (int i = 8; i <= 23; ++i) s.BindNull(i);
    }
    FB_RETURN_IF_ERROR(s.Run());
    ++counts_.player_game_rows;
  }
  if (play_by_play_) FB_RETURN_IF_ERROR(WritePlayByPlay(r));
  return Ok();
}

Status LeagueWriter::WritePlayByPlay(const GameRecord& r) {
  const std::string_view id = r.GameId();
  const int n = static_cast<int>(r.events.size());
  int i = 0;
  for (size_t size_index = 0; size_index < kEventBatchRows.size(); ++size_index) {
    const int rows = kEventBatchRows[size_index];
    Statement& s = *events_[size_index];
    for (; i + rows <= n; i += rows) {
      BindText(s, 1, id);
      for (int k = 0; k < rows; ++k) {
        BindEvent(s, 2 + k * (kEventColumns - 1), i + k + 1, r,
                  r.events[static_cast<size_t>(i + k)]);
      }
      FB_RETURN_IF_ERROR(s.Run());
    }
  }
  counts_.play_by_play_rows += n;
  return Ok();
}

}  // namespace fastbreak::db::detail
