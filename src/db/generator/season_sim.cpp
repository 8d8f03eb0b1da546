#include "db/generator/season_sim.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "db/generator/schedule.hpp"
#include "db/generator/season_facts.hpp"
#include "db/schema/nba_schema.hpp"
#include "db/schema/teams.hpp"

namespace fastbreak::db::detail {
namespace {

constexpr uint64_t kScheduleStream = 2'000'001;
// Trade windows, as the share of the regular-season schedule played.
constexpr std::array<double, 5> kTradeWindows = {0.15, 0.3, 0.45, 0.62, 0.8};

int Conference(int team) {
  return NbaTeams()[static_cast<size_t>(team)].conference == "East" ? 0 : 1;
}

}  // namespace

std::string FormatGameId(char type, int season, int sequence) {
  return fmt::format("00{}{:02}{:05}", type, season % 100, sequence);
}

LeagueSimulator::LeagueSimulator(uint64_t seed, int64_t first_player_id)
    : seed_(seed), league_(seed, first_player_id) {}

bool LeagueSimulator::SimulateSeason(int season, GameSink& sink) {
  sink_ = &sink;
  season_ = season;
  if (!created_) {
    league_.CreateInitial(season);
    created_ = true;
  } else {
    league_.RunOffseason(season, draft_order_);
  }
  model_ = BuildGameModel(FactsForSeason(season));
  scale_ = MeasureLeague(league_, model_.net_sd);
  wins_.fill(0);
  point_diff_.fill(0);
  int day = 0;
  if (!PlayRegularSeason(day)) return false;
  std::array<std::array<int, 8>, 2> seeds{};
  if (!PlaySeeding(day, seeds) || !PlayPlayoffs(seeds, day)) return false;
  draft_order_.resize(kTeamCount);
  for (int t = 0; t < kTeamCount; ++t) draft_order_[static_cast<size_t>(t)] = t;
  std::sort(draft_order_.begin(), draft_order_.end(), [&](int a, int b) { return Better(b, a); });
  return sink.EndSeason(season, day);
}

bool LeagueSimulator::Better(int a, int b) const {
  const size_t x = static_cast<size_t>(a);
  const size_t y = static_cast<size_t>(b);
  if (wins_[x] != wins_[y]) return wins_[x] > wins_[y];
  if (point_diff_[x] != point_diff_[y]) return point_diff_[x] > point_diff_[y];
  return a < b;
}

std::array<std::vector<int>, 2> LeagueSimulator::Standings() const {
  std::array<std::vector<int>, 2> out;
  for (int t = 0; t < kTeamCount; ++t) out[static_cast<size_t>(Conference(t))].push_back(t);
  for (auto& conference : out) {
    std::sort(conference.begin(), conference.end(), [&](int a, int b) { return Better(a, b); });
  }
  return out;
}

bool LeagueSimulator::Play(int home, int away, int day, std::string_view type,
                           std::string_view game_id, int round, int series_game, uint64_t stream,
                           GameResult& result) {
  GameRecord* record = sink_->NextRecord();
  if (record == nullptr) return false;
  Rng rng(DeriveSeed(seed_, static_cast<uint64_t>(season_), stream));
  league_.PrepareForGame(home, rng, home_listed_);
  league_.PrepareForGame(away, rng, away_listed_);
  GameSetup setup;
  setup.home_team = home;
  setup.away_team = away;
  setup.home_listed = home_listed_;
  setup.away_listed = away_listed_;
  setup.playoffs = type == schema::kPlayoffs;
  simulator_.Simulate(model_, scale_, league_, setup, rng, *record);
  std::copy(game_id.begin(), game_id.end(), record->game_id.begin());
  record->season = season_;
  record->game_type = type;
  record->game_date = FormatDate(day);
  record->playoff_round = round;
  record->series_game = series_game;
  for (const std::vector<int>* listed : {&home_listed_, &away_listed_}) {
    for (int index : *listed) {
      Player& p = league_.player(index);
      if (p.last_listed_season == season_) continue;
      p.last_listed_season = season_;
      if (p.from_year == 0) p.from_year = season_;
      PlayerBio& bio = record->new_players.emplace_back();
      bio.player_id = p.id;
      bio.first_name = p.first_name;
      bio.last_name = p.last_name;
      bio.full_name = p.full_name;
      bio.birth_date = FormatDate(p.birth_days);
      bio.height_cm = p.height_cm;
      bio.weight_kg = p.weight_kg;
      bio.position = PositionCode(p.position);
      bio.country = p.country;
      bio.draft_year = p.draft_year;
      bio.draft_round = p.draft_round;
      bio.draft_number = p.draft_number;
      bio.from_year = p.from_year;
      bio.season = season_;
    }
  }
  const bool home_won = record->home_score > record->away_score;
  result.winner = home_won ? home : away;
  result.loser = home_won ? away : home;
  result.margin = std::abs(record->home_score - record->away_score);
  return sink_->Submit(record);
}

bool LeagueSimulator::PlayRegularSeason(int& last_day) {
  Rng rng(DeriveSeed(seed_, static_cast<uint64_t>(season_), kScheduleStream));
  const std::vector<ScheduledGame> schedule = BuildRegularSeason(season_, rng);
  if (!sink_->BeginSeason(season_, schedule.front().day)) return false;
  size_t window = 0;
  for (size_t i = 0; i < schedule.size(); ++i) {
    if (window < kTradeWindows.size() &&
        static_cast<double>(i) >= kTradeWindows[window] * static_cast<double>(schedule.size())) {
      league_.RunTradeWindow(season_, static_cast<int>(window++));
    }
    const ScheduledGame& g = schedule[i];
    GameResult result;
    if (!Play(g.home, g.away, g.day, schema::kRegular,
              FormatGameId('2', season_, static_cast<int>(i) + 1), 0, 0, i + 1, result)) {
      return false;
    }
    ++wins_[static_cast<size_t>(result.winner)];
    point_diff_[static_cast<size_t>(result.winner)] += result.margin;
    point_diff_[static_cast<size_t>(result.loser)] -= result.margin;
  }
  last_day = schedule.back().day;
  return true;
}

}  // namespace fastbreak::db::detail
