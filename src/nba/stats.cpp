#include "nba/stats.hpp"

#include <fmt/format.h>

#include <cmath>

#include "nba/args.hpp"

namespace fastbreak::nba {
namespace {

// A counting stat: its JSON key and where it lives in CountingStats.
struct StatField {
  const char* key;
  int64_t CountingStats::*member;
  const char* description;
};

constexpr StatField kFields[] = {
    {"points", &CountingStats::pts, "points"},
    {"fgm", &CountingStats::fgm, "field goals made"},
    {"fga", &CountingStats::fga, "field goals attempted"},
    {"fg3m", &CountingStats::fg3m, "three-pointers made"},
    {"fg3a", &CountingStats::fg3a, "three-pointers attempted"},
    {"ftm", &CountingStats::ftm, "free throws made"},
    {"fta", &CountingStats::fta, "free throws attempted"},
    {"oreb", &CountingStats::oreb, "offensive rebounds"},
    {"dreb", &CountingStats::dreb, "defensive rebounds"},
    {"rebounds", &CountingStats::reb, "total rebounds"},
    {"assists", &CountingStats::ast, "assists"},
    {"steals", &CountingStats::stl, "steals"},
    {"blocks", &CountingStats::blk, "blocks"},
    {"turnovers", &CountingStats::tov, "turnovers"},
    {"fouls", &CountingStats::pf, "personal fouls"},
    {"plus_minus", &CountingStats::plus_minus, "plus-minus"},
};

}  // namespace

CountingStats& CountingStats::operator+=(const CountingStats& other) {
  games += other.games;
  starts += other.starts;
  seconds += other.seconds;
  for (const auto& field : kFields) this->*field.member += other.*field.member;
  return *this;
}

std::string CountingSelect(std::string_view alias) {
  const std::string a(alias);
  std::string select = fmt::format(
      "COUNT(CASE WHEN {0}.seconds > 0 THEN 1 END), "
      "SUM(CASE WHEN {0}.seconds > 0 THEN {0}.starter ELSE 0 END), SUM({0}.seconds)",
      a);
  for (const char* column : {"pts", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb",
                             "reb", "ast", "stl", "blk", "tov", "pf", "plus_minus"}) {
    select += fmt::format(", SUM({}.{})", a, column);
  }
  return select;
}

CountingStats ReadCountingStats(const db::Statement& statement, int first_column) {
  auto read = [&](int offset) -> int64_t {
    const int column = first_column + offset;
    return statement.IsNull(column) ? 0 : statement.GetInt(column);
  };
  CountingStats stats;
  stats.games = read(0);
  stats.starts = read(1);
  stats.seconds = read(2);
  int offset = 3;
  for (const auto& field : kFields) stats.*field.member = read(offset++);
  return stats;
}

std::optional<double> Ratio(int64_t made, int64_t attempts) {
  if (attempts <= 0) return std::nullopt;
  return static_cast<double>(made) / static_cast<double>(attempts);
}

std::optional<double> PerGame(double total, int64_t games) {
  if (games <= 0) return std::nullopt;
  return total / static_cast<double>(games);
}

std::optional<double> Per36(double total, int64_t seconds) {
  if (seconds <= 0) return std::nullopt;
  return total * 36.0 * 60.0 / static_cast<double>(seconds);
}

double Minutes(int64_t seconds) { return static_cast<double>(seconds) / 60.0; }

std::optional<double> Round(std::optional<double> value, int decimals) {
  if (!value || !std::isfinite(*value)) return std::nullopt;
  const double scale = std::pow(10.0, decimals);
  return std::round(*value * scale) / scale;
}

ShootingLine Shooting(const CountingStats& s) {
  ShootingLine line;
  line.fg_pct = Ratio(s.fgm, s.fga);
  line.fg3_pct = Ratio(s.fg3m, s.fg3a);
  line.ft_pct = Ratio(s.ftm, s.fta);
  const double true_attempts =
      2.0 * (static_cast<double>(s.fga) + 0.44 * static_cast<double>(s.fta));
  if (true_attempts > 0) line.ts_pct = static_cast<double>(s.pts) / true_attempts;
  if (s.fga > 0) {
    line.efg_pct = (static_cast<double>(s.fgm) + 0.5 * static_cast<double>(s.fg3m)) /
                   static_cast<double>(s.fga);
  }
  return line;
}

std::optional<double> UsageRate(const CountingStats& player, const TeamShare& team) {
  const double team_possessions = static_cast<double>(team.fga) +
                                  0.44 * static_cast<double>(team.fta) +
                                  static_cast<double>(team.tov);
  const double minutes = Minutes(player.seconds);
  if (minutes <= 0 || team_possessions <= 0 || team.seconds <= 0) return std::nullopt;
  const double player_possessions = static_cast<double>(player.fga) +
                                    0.44 * static_cast<double>(player.fta) +
                                    static_cast<double>(player.tov);
  return 100.0 * (player_possessions * (Minutes(team.seconds) / 5.0)) /
         (minutes * team_possessions);
}

namespace {

Json Value(std::optional<double> value) { return value ? Json(*value) : Json(nullptr); }

}  // namespace

Json CountingJson(const CountingStats& stats, Scale scale) {
  Json out = Json::object();
  switch (scale) {
    case Scale::kTotals:
      out["games"] = stats.games;
      out["games_started"] = stats.starts;
      out["minutes"] = *Round(Minutes(stats.seconds), 1);
      for (const auto& field : kFields) out[field.key] = stats.*field.member;
      break;
    case Scale::kPerGame:
      out["minutes"] = Value(Round(PerGame(Minutes(stats.seconds), stats.games), 1));
      for (const auto& field : kFields) {
        out[field.key] =
            Value(Round(PerGame(static_cast<double>(stats.*field.member), stats.games), 1));
      }
      break;
    case Scale::kPer36:
      for (const auto& field : kFields) {
        out[field.key] =
            Value(Round(Per36(static_cast<double>(stats.*field.member), stats.seconds), 1));
      }
      break;
  }
  return out;
}

Json CountingSchema(Scale scale) {
  Json properties = Json::object();
  std::vector<std::string> required;
  auto add = [&](const std::string& key, Json schema) {
    properties[key] = std::move(schema);
    required.push_back(key);
  };
  switch (scale) {
    case Scale::kTotals:
      add("games", schema::Integer("games played (with minutes)"));
      add("games_started", schema::Integer("games started"));
      add("minutes", schema::Number("minutes played"));
      for (const auto& field : kFields) add(field.key, schema::Integer(field.description));
      break;
    case Scale::kPerGame:
      add("minutes", schema::Nullable(schema::Number("minutes per game")));
      for (const auto& field : kFields) {
        add(field.key,
            schema::Nullable(schema::Number(std::string(field.description) + " per game")));
      }
      break;
    case Scale::kPer36:
      for (const auto& field : kFields) {
        add(field.key,
            schema::Nullable(schema::Number(std::string(field.description) + " per 36 minutes")));
      }
      break;
  }
  return schema::Object(std::move(properties), std::move(required));
}

Json ShootingJson(const ShootingLine& line) {
  return {{"fg_pct", Value(Round(line.fg_pct, 3))},
          {"fg3_pct", Value(Round(line.fg3_pct, 3))},
          {"ft_pct", Value(Round(line.ft_pct, 3))},
          {"ts_pct", Value(Round(line.ts_pct, 3))},
          {"efg_pct", Value(Round(line.efg_pct, 3))}};
}

Json ShootingSchema() {
  auto pct = [](const char* what) {
    return schema::Nullable(
        schema::Number(std::string(what) + " as a fraction (0.475); null without attempts"));
  };
  return schema::Object({{"fg_pct", pct("field goal percentage")},
                         {"fg3_pct", pct("three-point percentage")},
                         {"ft_pct", pct("free throw percentage")},
                         {"ts_pct", pct("true shooting: PTS / (2 * (FGA + 0.44 * FTA))")},
                         {"efg_pct", pct("effective FG: (FGM + 0.5 * 3PM) / FGA")}},
                        {"fg_pct", "fg3_pct", "ft_pct", "ts_pct", "efg_pct"});
}

Json AdvancedJson(const CountingStats& stats, std::optional<double> usage) {
  const ShootingLine line = Shooting(stats);
  return {{"ts_pct", Value(Round(line.ts_pct, 3))},
          {"efg_pct", Value(Round(line.efg_pct, 3))},
          {"usage_pct", Value(Round(usage, 1))},
          {"ast_to_tov", Value(Round(Ratio(stats.ast, stats.tov), 2))},
          {"fg3a_rate", Value(Round(Ratio(stats.fg3a, stats.fga), 3))},
          {"ft_rate", Value(Round(Ratio(stats.fta, stats.fga), 3))}};
}

Json AdvancedSchema() {
  auto number = [](const char* what) { return schema::Nullable(schema::Number(what)); };
  return schema::Object(
      {{"ts_pct", number("true shooting percentage (fraction)")},
       {"efg_pct", number("effective field goal percentage (fraction)")},
       {"usage_pct", number("usage estimate, percent of team possessions used while on the floor")},
       {"ast_to_tov", number("assists per turnover; null without turnovers")},
       {"fg3a_rate", number("share of field goal attempts that were threes")},
       {"ft_rate", number("free throw attempts per field goal attempt")}},
      {"ts_pct", "efg_pct", "usage_pct", "ast_to_tov", "fg3a_rate", "ft_rate"});
}

const std::vector<std::string>& CountingKeys() {
  static const auto* keys = [] {
    auto* out = new std::vector<std::string>();
    for (const auto& field : kFields) out->push_back(field.key);
    return out;
  }();
  return *keys;
}

}  // namespace fastbreak::nba
