// GameSimulator: the events of one possession, who is credited with them, and how they are
// recorded (box score, running score, plus-minus, play-by-play row and description).
#include <algorithm>
#include <array>

#include "db/generator/game_sim.hpp"
#include "db/generator/pbp_text.hpp"

namespace fastbreak::db::detail {
namespace {

constexpr int kMaxFouls = 5;  // a player with five fouls is kept from fouling out
// action strings of free throws: kFreeThrowActions[of - 1][number - 1]
constexpr std::array<std::array<std::string_view, 3>, 3> kFreeThrowActions = {{
    {"Free Throw 1 of 1", "", ""},
    {"Free Throw 1 of 2", "Free Throw 2 of 2", ""},
    {"Free Throw 1 of 3", "Free Throw 2 of 3", "Free Throw 3 of 3"},
}};

}  // namespace

int GameSimulator::Pick(size_t s, double RoleWeights::*role, int exclude) {
  const TeamSide& side = sides_[s];
  std::array<double, 5> w{};
  for (size_t k = 0; k < 5; ++k) {
    const int slot = side.court[k];
    w[k] = slot == exclude ? 0.0 : side.weights[static_cast<size_t>(slot)].*role;
  }
  return side.court[rng_->Pick(w)];
}

int GameSimulator::PickFouler(size_t s) {
  const TeamSide& side = sides_[s];
  std::array<double, 5> w{};
  for (size_t k = 0; k < 5; ++k) {
    const size_t slot = static_cast<size_t>(side.court[k]);
    w[k] = side.weights[slot].foul * (side.lines[slot].pf >= kMaxFouls ? 0.001 : 1.0);
  }
  return side.court[rng_->Pick(w)];
}

std::string_view GameSimulator::Name(size_t s, int slot) const {
  return sides_[s].last_names[static_cast<size_t>(slot)];
}

int64_t GameSimulator::Id(size_t s, int slot) const {
  return sides_[s].player_ids[static_cast<size_t>(slot)];
}

void GameSimulator::AddPoints(size_t s, int points) {
  score_[s] += points;
  period_points_[s][static_cast<size_t>(period_ - 1)] += points;
  for (size_t k = 0; k < 2; ++k) {
    TeamSide& side = sides_[k];
    const int delta = k == s ? points : -points;
    for (int slot : side.court) side.lines[static_cast<size_t>(slot)].plus_minus += delta;
  }
}

PbpEvent& GameSimulator::Emit(int event_type, int ms, std::string_view action, size_t s) {
  ms = std::clamp(ms, last_ms_, period_ms_);
  last_ms_ = ms;
  PbpEvent& e = out_->events.emplace_back();
  e.period = period_;
  e.clock_ms = period_ms_ - ms;
  e.event_type = event_type;
  e.action = action;
  e.team_id = s < 2 ? sides_[s].team_id : 0;
  e.home_score = score_[0];
  e.away_score = score_[1];
  e.text_begin = static_cast<uint32_t>(out_->text.size());
  return e;
}

void GameSimulator::Close(PbpEvent& event) {
  event.text_size = static_cast<uint32_t>(out_->text.size() - event.text_begin);
}

void GameSimulator::PlayPossession(const Possession& p, int start_ms, int end_ms) {
  const size_t offense = p.side;
  const size_t defense = 1 - offense;
  const int duration = end_ms - start_ms;
  if (p.personal_foul) PersonalFoul(defense, start_ms + duration / 4);
  const int extra = p.extra_misses;
  const int step = duration / (extra + 2);
  for (int k = 0; k < extra; ++k) {
    const int ms = start_ms + (k + 1) * step;
    MissedShot(offense, ms, rng_->Bernoulli(model_->miss3_share));
    Rebound(offense, ms + std::min(1000, step / 2), true);
  }
  switch (p.outcome) {
    case Outcome::kMade2:
    case Outcome::kMade3:
      MadeShot(offense, end_ms, p.outcome == Outcome::kMade3, p.and_one);
      break;
    case Outcome::kFreeThrows: {
      const int shooter = Pick(offense, &RoleWeights::draw_foul);
      ShootingFoul(defense, end_ms, shooter);
      FreeThrows(offense, end_ms, p.ft_attempts, p.ft_made_mask, shooter);
      break;
    }
    case Outcome::kTurnover:
      Turnover(offense, end_ms);
      break;
    case Outcome::kMiss2:
    case Outcome::kMiss3:
      MissedShot(offense, end_ms - std::min(1000, duration / 4), p.outcome == Outcome::kMiss3);
      Rebound(defense, end_ms, false);
      break;
  }
}

void GameSimulator::MadeShot(size_t s, int ms, bool three, int and_one) {
  TeamSide& side = sides_[s];
  const int shooter = Pick(s, three ? &RoleWeights::made3 : &RoleWeights::made2);
  const bool assisted = rng_->Bernoulli(three ? model_->ast3 : model_->ast2);
  const int assister = assisted ? Pick(s, &RoleWeights::assist, shooter) : -1;
  StatLine& line = side.lines[static_cast<size_t>(shooter)];
  const int value = three ? 3 : 2;
  ++line.fgm;
  ++line.fga;
  if (three) {
    ++line.fg3m;
    ++line.fg3a;
  }
  line.pts += value;
  if (assister >= 0) ++side.lines[static_cast<size_t>(assister)].ast;
  AddPoints(s, value);
  const ShotDetail shot = DrawShot(three, true, *rng_);
  PbpEvent& e = Emit(1, ms, shot.action, s);
  e.player_id = Id(s, shooter);
  e.player2_id = assister >= 0 ? Id(s, assister) : 0;
  e.shot_value = value;
  e.shot_made = 1;
  e.shot_distance = shot.distance;
  AppendMadeShot(out_->text, Name(s, shooter), shot, three, line.pts,
                 assister >= 0 ? Name(s, assister) : std::string_view(),
                 assister >= 0 ? side.lines[static_cast<size_t>(assister)].ast : 0);
  Close(e);
  if (and_one != 0) {
    ShootingFoul(1 - s, ms, shooter);
    FreeThrows(s, ms, 1, and_one == 1 ? 1 : 0, shooter);
  }
}

void GameSimulator::MissedShot(size_t s, int ms, bool three) {
  const size_t defense = 1 - s;
  const int shooter = Pick(s, three ? &RoleWeights::miss3 : &RoleWeights::miss2);
  StatLine& line = sides_[s].lines[static_cast<size_t>(shooter)];
  ++line.fga;
  if (three) ++line.fg3a;
  const bool blocked = rng_->Bernoulli(three ? model_->block3 : model_->block2);
  const int blocker = blocked ? Pick(defense, &RoleWeights::block) : -1;
  if (blocker >= 0) ++sides_[defense].lines[static_cast<size_t>(blocker)].blk;
  const ShotDetail shot = DrawShot(three, false, *rng_);
  PbpEvent& e = Emit(2, ms, shot.action, s);
  e.player_id = Id(s, shooter);
  e.player2_id = blocker >= 0 ? Id(defense, blocker) : 0;
  e.shot_value = three ? 3 : 2;
  e.shot_made = 0;
  e.shot_distance = shot.distance;
  AppendMissedShot(out_->text, Name(s, shooter), shot, three,
                   blocker >= 0 ? Name(defense, blocker) : std::string_view(),
                   blocker >= 0 ? sides_[defense].lines[static_cast<size_t>(blocker)].blk : 0);
  Close(e);
}

void GameSimulator::FreeThrows(size_t s, int ms, int attempts, int made_mask, int shooter) {
  StatLine& line = sides_[s].lines[static_cast<size_t>(shooter)];
  bool last_made = true;
  for (int i = 0; i < attempts; ++i) {
    last_made = (made_mask >> i & 1) != 0;
    ++line.fta;
    if (last_made) {
      ++line.ftm;
      ++line.pts;
      AddPoints(s, 1);
    }
    PbpEvent& e = Emit(
        3, ms, kFreeThrowActions[static_cast<size_t>(attempts - 1)][static_cast<size_t>(i)], s);
    e.player_id = Id(s, shooter);
    e.shot_value = 1;
    e.shot_made = last_made ? 1 : 0;
    AppendFreeThrow(out_->text, Name(s, shooter), i + 1, attempts, last_made, line.pts);
    Close(e);
  }
  if (!last_made) Rebound(1 - s, ms, false);
}

void GameSimulator::ShootingFoul(size_t defense, int ms, int shooter) {
  TeamSide& side = sides_[defense];
  const int fouler = PickFouler(defense);
  StatLine& line = side.lines[static_cast<size_t>(fouler)];
  ++line.pf;
  ++side.team_fouls;
  PbpEvent& e = Emit(6, ms, "Shooting", defense);
  e.player_id = Id(defense, fouler);
  e.player2_id = Id(1 - defense, shooter);
  AppendFoul(out_->text, Name(defense, fouler), "S.FOUL", line.pf, side.team_fouls);
  Close(e);
}

void GameSimulator::PersonalFoul(size_t defense, int ms) {
  TeamSide& side = sides_[defense];
  const int fouler = PickFouler(defense);
  const int fouled = Pick(1 - defense, &RoleWeights::draw_foul);
  StatLine& line = side.lines[static_cast<size_t>(fouler)];
  ++line.pf;
  ++side.team_fouls;
  const bool loose_ball = rng_->Bernoulli(0.25);
  PbpEvent& e = Emit(6, ms, loose_ball ? "Loose Ball" : "Personal", defense);
  e.player_id = Id(defense, fouler);
  e.player2_id = Id(1 - defense, fouled);
  AppendFoul(out_->text, Name(defense, fouler), loose_ball ? "L.B.FOUL" : "P.FOUL", line.pf,
             side.team_fouls);
  Close(e);
}

void GameSimulator::Rebound(size_t s, int ms, bool offensive) {
  TeamSide& side = sides_[s];
  if (!offensive && rng_->Bernoulli(model_->team_rebound)) {
    PbpEvent& e = Emit(4, ms, "Team", s);
    AppendTeamRebound(out_->text, side.nickname);
    Close(e);
    return;
  }
  const int player = Pick(s, &RoleWeights::rebound);
  StatLine& line = side.lines[static_cast<size_t>(player)];
  ++(offensive ? line.oreb : line.dreb);
  PbpEvent& e = Emit(4, ms, offensive ? "Offensive" : "Defensive", s);
  e.player_id = Id(s, player);
  AppendRebound(out_->text, Name(s, player), line.oreb, line.dreb);
  Close(e);
}

void GameSimulator::Turnover(size_t s, int ms) {
  TeamSide& side = sides_[s];
  const size_t defense = 1 - s;
  const int player = Pick(s, &RoleWeights::turnover);
  const bool offensive_foul = rng_->Bernoulli(model_->offensive_foul_per_tov);
  const bool steal = !offensive_foul &&
                     rng_->Bernoulli(model_->steal_per_tov / (1 - model_->offensive_foul_per_tov));
  const TurnoverKind kind = DrawTurnover(steal, offensive_foul, *rng_);
  StatLine& line = side.lines[static_cast<size_t>(player)];
  if (offensive_foul) {
    ++line.pf;
    PbpEvent& foul = Emit(6, ms, "Offensive", s);
    foul.player_id = Id(s, player);
    AppendFoul(out_->text, Name(s, player), "OFF.FOUL", line.pf, side.team_fouls);
    Close(foul);
  }
  ++line.tov;
  ++side.turnovers;
  const int stealer = kind.steal ? Pick(defense, &RoleWeights::steal) : -1;
  if (stealer >= 0) ++sides_[defense].lines[static_cast<size_t>(stealer)].stl;
  PbpEvent& e = Emit(5, ms, kind.action, s);
  e.player_id = Id(s, player);
  e.player2_id = stealer >= 0 ? Id(defense, stealer) : 0;
  AppendTurnover(out_->text, Name(s, player), kind.action, line.tov, side.turnovers,
                 stealer >= 0 ? Name(defense, stealer) : std::string_view(),
                 stealer >= 0 ? sides_[defense].lines[static_cast<size_t>(stealer)].stl : 0);
  Close(e);
}

}  // namespace fastbreak::db::detail
