#include "db/importers/writer.hpp"

#include <array>

#include "db/calendar.hpp"
#include "db/importers/upserter.hpp"

namespace fastbreak::db::detail {
namespace {

Value V(const OptInt& value) { return value ? Value(*value) : Value(); }
Value V(const OptText& value) { return value ? Value(*value) : Value(); }
Value V(std::string_view value) { return Value(std::string(value)); }
Value V(const std::string& value) { return Value(value); }
Value V(int64_t value) { return Value(value); }
Value V(bool value) { return Value(int64_t{value ? 1 : 0}); }
// For NOT NULL DEFAULT columns: the default when inserting without a value.
Value Or(const OptInt& value, int64_t fallback) { return Value(value.value_or(fallback)); }

constexpr std::array<std::string_view, 16> kBoxColumns = {
    "pts",  "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb",
    "dreb", "reb", "ast", "stl",  "blk",  "tov", "pf",  "plus_minus"};

void AppendBox(std::vector<Value>& values, const BoxLine& box) {
  for (const OptInt* stat :
       {&box.pts, &box.fgm, &box.fga, &box.fg3m, &box.fg3a, &box.ftm, &box.fta, &box.oreb,
        &box.dreb, &box.reb, &box.ast, &box.stl, &box.blk, &box.tov, &box.pf, &box.plus_minus}) {
    values.push_back(V(*stat));
  }
}

constexpr std::string_view kFinal = "final";

// The status a new game is stored with: final only with both scores.
std::string_view InsertStatus(const ImportedGame& game) {
  return game.status == kFinal && game.home_score && game.away_score ? kFinal : "scheduled";
}

// games columns, in the order of the games upserter; NOT NULL defaults filled in.
constexpr size_t kStatusColumn = 6;
std::vector<Value> GameValues(const ImportedGame& game, const std::string& source) {
  return {V(game.game_id),       V(game.season_id),        V(game.game_type),
          V(game.game_date),     V(game.home_team_id),     V(game.away_team_id),
          V(InsertStatus(game)), V(game.home_score),       V(game.away_score),
          V(game.periods),       Or(game.neutral_site, 0), V(game.playoff_round),
          V(game.series_game),   V(game.attendance),       V(source)};
}

std::vector<std::string_view> With(std::vector<std::string_view> columns,
                                   std::span<const std::string_view> more) {
  columns.insert(columns.end(), more.begin(), more.end());
  return columns;
}

}  // namespace

Writer::Writer(Connection& connection, std::string_view source, ImportReport& report)
    : connection_(connection), source_(source), report_(report) {}

Writer::~Writer() = default;

Result<std::unique_ptr<Writer>> Writer::Create(Connection& connection, std::string_view source,
                                               ImportReport& report) {
  std::unique_ptr<Writer> w(new Writer(connection, source, report));
  auto& t = report.tables;
  FB_ASSIGN_OR_RETURN(w->seasons_upsert_, Upserter::Create(connection, "seasons", {"season_id"}, {},
                                                           {"label"}, t["seasons"]));
  FB_ASSIGN_OR_RETURN(
      w->games_, Upserter::Create(connection, "games", {"game_id"},
                                  {"season_id", "game_type", "game_date", "home_team_id",
                                   "away_team_id", "status", "home_score", "away_score", "periods",
                                   "neutral_site", "playoff_round", "series_game", "attendance"},
                                  {"source"}, t["games"]));
  FB_ASSIGN_OR_RETURN(w->periods_,
                      Upserter::Create(connection, "game_periods", {"game_id", "team_id", "period"},
                                       {"points"}, {}, t["game_periods"]));
  FB_ASSIGN_OR_RETURN(
      w->team_games_,
      Upserter::Create(connection, "team_game_stats", {"game_id", "team_id"},
                       With({"opponent_id", "is_home", "win", "seconds"}, kBoxColumns), {},
                       t["team_game_stats"]));
  FB_ASSIGN_OR_RETURN(
      w->player_games_,
      Upserter::Create(
          connection, "player_game_stats", {"game_id", "player_id"},
          With({"team_id", "starter", "position", "seconds", "dnp_reason"}, kBoxColumns), {},
          t["player_game_stats"]));
  const std::vector<std::string_view> names = {"first_name", "last_name", "full_name"};
  const std::vector<std::string_view> bio = {
      "birth_date", "height_cm",   "weight_kg",    "position",  "country",
      "draft_year", "draft_round", "draft_number", "from_year", "to_year"};
  FB_ASSIGN_OR_RETURN(
      w->players_,
      Upserter::Create(connection, "players", {"player_id"},
                       With(With(names, bio), std::array<std::string_view, 1>{"is_active"}), {},
                       t["players"]));
  FB_ASSIGN_OR_RETURN(
      w->players_bio_,
      Upserter::Create(connection, "players", {"player_id"}, bio,
                       With(names, std::array<std::string_view, 1>{"is_active"}), t["players"]));
  FB_ASSIGN_OR_RETURN(w->plays_,
                      Upserter::Create(connection, "play_by_play", {"game_id", "event_num"},
                                       {"period", "clock_ms", "event_type", "action", "team_id",
                                        "player_id", "player2_id", "shot_value", "shot_made",
                                        "shot_distance", "home_score", "away_score", "description"},
                                       {}, t["play_by_play"]));
  FB_ASSIGN_OR_RETURN(w->find_game_,
                      connection.Prepare("SELECT game_id FROM games WHERE home_team_id = ? AND "
                                         "game_date = ? AND away_team_id = ?"));
  FB_ASSIGN_OR_RETURN(w->drop_synthetic_,
                      connection.Prepare("DELETE FROM games WHERE home_team_id = ? AND game_date = "
                                         "? AND away_team_id = ? AND game_id LIKE '5%'"));
  // After an update: final with both scores when the source says so or it already was final,
  // scheduled otherwise (which also repairs a final game stored without scores).
  constexpr std::string_view kSettled =
      "CASE WHEN home_score IS NOT NULL AND away_score IS NOT NULL "
      "AND (status = 'final' OR ?2 = 1) THEN 'final' ELSE 'scheduled' END";
  FB_ASSIGN_OR_RETURN(w->settle_status_,
                      connection.Prepare(fmt::format("UPDATE games SET status = {0} WHERE game_id "
                                                     "= ?1 AND status IS DISTINCT FROM {0}",
                                                     kSettled)));
  FB_ASSIGN_OR_RETURN(w->game_teams_, connection.Prepare("SELECT home_team_id, away_team_id "
                                                         "FROM games WHERE game_id = ?"));
  FB_ASSIGN_OR_RETURN(
      w->fill_placeholder_,
      connection.Prepare("UPDATE players SET first_name = ?2, last_name = ?3, full_name = ?4 "
                         "WHERE player_id = ?1 AND first_name = '' AND last_name = '' AND "
                         "(?2 <> '' OR ?3 <> '')"));
  return w;
}

Status Writer::EnsureSeason(int64_t season_id) {
  if (!seasons_.insert(season_id).second) return Ok();
  const std::array<Value, 2> values = {V(season_id), V(SeasonLabel(static_cast<int>(season_id)))};
  FB_RETURN_IF_ERROR(seasons_upsert_->Upsert(values));
  return Ok();
}

Status Writer::UpsertGame(const ImportedGame& game) {
  FB_RETURN_IF_ERROR(EnsureSeason(game.season_id));
  const std::vector<Value> insert = GameValues(game, source_);
  std::vector<Value> update = insert;
  if (game.game_date == kUnknownGameDate) update[3] = Value();
  update[kStatusColumn] = Value();  // settled below from the merged scores
  update[10] = V(game.neutral_site);
  // A FiveThirtyEight game (synthesized id, "5...") for the same date and teams is the same game:
  // the real id replaces it.
  int64_t replaced = 0;
  if (!game.game_id.starts_with('5') && game.game_date != kUnknownGameDate) {
    drop_synthetic_->BindAll(game.home_team_id, game.game_date, game.away_team_id);
    FB_RETURN_IF_ERROR(drop_synthetic_->Run());
    replaced = connection_.Changes();
  }
  FB_ASSIGN_OR_RETURN(UpsertOutcome outcome, games_->Upsert(insert, update));
  TableCounts& counts = report_.tables["games"];
  if (replaced > 0 && outcome == UpsertOutcome::kInserted) {
    --counts.inserted;
    ++counts.updated;
  }
  if (outcome != UpsertOutcome::kInserted) {
    settle_status_->BindAll(game.game_id, int64_t{game.status == kFinal ? 1 : 0});
    FB_RETURN_IF_ERROR(settle_status_->Run());
    if (connection_.Changes() > 0 && outcome == UpsertOutcome::kSkipped) {
      --counts.skipped;
      ++counts.updated;
    }
  }
  last_existing_game_ = game.game_id;
  return Ok();
}

Status Writer::EnsureGame(const ImportedGame& game) {
  FB_RETURN_IF_ERROR(EnsureSeason(game.season_id));
  FB_RETURN_IF_ERROR(games_->InsertIfMissing(GameValues(game, source_)));
  last_existing_game_ = game.game_id;
  return Ok();
}

Result<bool> Writer::GameExists(const std::string& game_id) {
  if (!last_existing_game_.empty() && game_id == last_existing_game_) return true;
  FB_ASSIGN_OR_RETURN(auto teams, GameTeams(game_id));
  if (teams) last_existing_game_ = game_id;
  return teams.has_value();
}

Result<std::optional<std::pair<int64_t, int64_t>>> Writer::GameTeams(const std::string& game_id) {
  game_teams_->Bind(1, game_id);
  auto row = game_teams_->Step();
  std::optional<std::pair<int64_t, int64_t>> teams;
  if (row && *row) teams.emplace(game_teams_->GetInt(0), game_teams_->GetInt(1));
  game_teams_->Reset();
  if (!row) return tl::unexpected(row.error());
  return teams;
}

Result<std::optional<std::string>> Writer::FindGame(std::string_view date, int64_t home_team_id,
                                                    int64_t away_team_id) {
  find_game_->BindAll(home_team_id, date, away_team_id);
  auto row = find_game_->Step();
  std::optional<std::string> id;
  if (row && *row) id.emplace(find_game_->GetText(0));
  find_game_->Reset();
  if (!row) return tl::unexpected(row.error());
  return id;
}

Status Writer::UpsertPeriod(const std::string& game_id, int64_t team_id, int64_t period,
                            int64_t points) {
  const std::array<Value, 4> values = {V(game_id), V(team_id), V(period), V(points)};
  FB_RETURN_IF_ERROR(periods_->Upsert(values));
  return Ok();
}

Status Writer::UpsertTeamGame(const TeamGameRecord& row) {
  std::vector<Value> values = {V(row.game_id), V(row.team_id), V(row.opponent_id),
                               V(row.is_home), V(row.win),     V(row.seconds)};
  values.reserve(values.size() + kBoxColumns.size());
  AppendBox(values, row.box);
  FB_RETURN_IF_ERROR(team_games_->Upsert(values));
  return Ok();
}

Status Writer::UpsertPlayerGame(const PlayerGameRecord& row) {
  std::vector<Value> insert = {V(row.game_id),     V(row.player_id), V(row.team_id),
                               Or(row.starter, 0), V(row.position),  V(row.seconds),
                               V(row.dnp_reason)};
  insert.reserve(insert.size() + kBoxColumns.size());
  AppendBox(insert, row.box);
  std::vector<Value> update = insert;
  update[3] = V(row.starter);
  FB_RETURN_IF_ERROR(player_games_->Upsert(insert, update));
  return Ok();
}

Status Writer::UpsertPlayer(const PlayerRecord& p) {
  const std::vector<Value> names = {V(p.first_name), V(p.last_name), V(p.full_name)};
  const std::vector<Value> bio = {
      V(p.birth_date), V(p.height_cm),   V(p.weight_kg),    V(p.position),  V(p.country),
      V(p.draft_year), V(p.draft_round), V(p.draft_number), V(p.from_year), V(p.to_year)};
  std::vector<Value> values = {V(p.player_id)};
  if (p.names_authoritative) {
    values.insert(values.end(), names.begin(), names.end());
    values.insert(values.end(), bio.begin(), bio.end());
    values.push_back(Or(p.is_active, 0));
    std::vector<Value> update = values;
    update.back() = V(p.is_active);
    FB_RETURN_IF_ERROR(players_->Upsert(values, update));
  } else {
    values.insert(values.end(), bio.begin(), bio.end());
    values.insert(values.end(), names.begin(), names.end());
    values.push_back(Or(p.is_active, 0));
    FB_RETURN_IF_ERROR(players_bio_->Upsert(values));
  }
  return Ok();
}

Status Writer::EnsurePlayer(int64_t player_id, std::string_view first_name,
                            std::string_view last_name, std::string_view full_name) {
  std::string full(full_name);
  if (full.empty()) full = fmt::format("Player {}", player_id);
  std::vector<Value> values = {V(player_id), V(first_name), V(last_name), V(full)};
  values.resize(players_->column_count() - 1);
  values.push_back(V(int64_t{0}));  // is_active
  FB_ASSIGN_OR_RETURN(bool inserted, players_->InsertIfMissing(values));
  if (inserted || (first_name.empty() && last_name.empty())) return Ok();
  fill_placeholder_->BindAll(player_id, first_name, last_name, full);
  FB_RETURN_IF_ERROR(fill_placeholder_->Run());
  if (connection_.Changes() > 0) ++report_.tables["players"].updated;
  return Ok();
}

Status Writer::UpsertPlay(const PlayRecord& play) {
  const std::array<Value, 15> values = {
      V(play.game_id),    V(play.event_num),  V(play.period),     V(play.clock_ms),
      V(play.event_type), V(play.action),     V(play.team_id),    V(play.player_id),
      V(play.player2_id), V(play.shot_value), V(play.shot_made),  V(play.shot_distance),
      V(play.home_score), V(play.away_score), V(play.description)};
  FB_RETURN_IF_ERROR(plays_->Upsert(values));
  return Ok();
}

void Writer::Skip(std::string_view table, std::string_view reason, int64_t count) {
  report_.tables[std::string(table)].skipped += count;
  report_.skip_reasons[std::string(reason)] += count;
}

Status Writer::Finish() {
  FB_ASSIGN_OR_RETURN(
      StatementPtr update,
      connection_.Prepare(
          "UPDATE seasons SET start_date = s.first_day, end_date = s.last_day FROM ("
          " SELECT MIN(CASE WHEN game_type = 'regular' THEN game_date END) AS first_day,"
          "        MAX(game_date) AS last_day"
          " FROM games WHERE season_id = ?1 AND game_date <> '') AS s "
          "WHERE season_id = ?1 "
          "AND (start_date, end_date) IS DISTINCT FROM (s.first_day, s.last_day)"));
  for (int64_t season : seasons_) {
    update->Bind(1, season);
    FB_RETURN_IF_ERROR(update->Run());
  }
  return Ok();
}

}  // namespace fastbreak::db::detail
