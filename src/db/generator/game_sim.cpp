// GameSimulator: game set-up, periods, lineups and the final box score. The events of a
// possession are in game_events.cpp.
#include "db/generator/game_sim.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "db/generator/pbp_text.hpp"
#include "db/generator/portable_math.hpp"
#include "db/schema/teams.hpp"

namespace fastbreak::db::detail {
namespace {

constexpr int kRegulationPeriodSeconds = 720;
constexpr int kOvertimeSeconds = 300;

int PeriodSeconds(int period) { return period <= 4 ? kRegulationPeriodSeconds : kOvertimeSeconds; }

}  // namespace

void GameSimulator::Simulate(const GameModel& model, const StrengthScale& scale,
                             const League& league, const GameSetup& setup, Rng& rng,
                             GameRecord& out) {
  // Attempts draw one after another from `rng`; the fallback replays the attempt with the fewest
  // events from a copy of the stream as it was before that attempt.
  Rng fewest_start = rng;
  size_t fewest = SIZE_MAX;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const Rng start = rng;
    SimulateOnce(model, scale, league, setup, rng, out);
    const int events = static_cast<int>(out.events.size());
    if (events >= kMinEvents && events <= kMaxEvents) return;
    if (out.events.size() < fewest) {
      fewest = out.events.size();
      fewest_start = start;
    }
  }
  SimulateOnce(model, scale, league, setup, fewest_start, out);
  FitEventCount(kMinEvents, kMaxEvents, out);
}

void FitEventCount(int min_events, int max_events, GameRecord& record) {
  std::vector<PbpEvent>& events = record.events;
  if (static_cast<int>(events.size()) < min_events) {
    // Dead balls after a made field goal that no free throw follows: the team scored upon calls
    // time out. Spread the additions over them, several per dead ball if there are too few.
    std::vector<size_t> dead_balls;
    for (size_t i = 0; i < events.size(); ++i) {
      const PbpEvent& e = events[i];
      const bool and_one = i + 1 < events.size() && events[i + 1].period == e.period &&
                           events[i + 1].clock_ms == e.clock_ms;
      if (e.event_type == 1 && !and_one) dead_balls.push_back(i);
    }
    if (dead_balls.empty()) dead_balls.push_back(0);  // no basket at all: after the first event
    const size_t missing = static_cast<size_t>(min_events) - events.size();
    std::vector<size_t> extra(dead_balls.size(), 0);  // timeouts after each dead ball
    for (size_t k = 0; k < missing; ++k) ++extra[k * dead_balls.size() / missing];
    std::vector<PbpEvent> merged;
    merged.reserve(static_cast<size_t>(min_events));
    size_t next = 0;
    for (size_t i = 0; i < events.size(); ++i) {
      merged.push_back(events[i]);
      if (next < dead_balls.size() && dead_balls[next] == i) {
        for (size_t k = 0; k < extra[next]; ++k) {
          PbpEvent timeout;
          timeout.period = events[i].period;
          timeout.clock_ms = events[i].clock_ms;
          timeout.event_type = 9;
          timeout.action = "Regular";
          timeout.team_id =
              events[i].team_id == record.home_team_id ? record.away_team_id : record.home_team_id;
          timeout.home_score = events[i].home_score;
          timeout.away_score = events[i].away_score;
          merged.push_back(timeout);
        }
        ++next;
      }
    }
    events.swap(merged);
  }
  // Drop timeouts, last first, while there are too many events.
  for (size_t i = events.size(); i-- > 0 && static_cast<int>(events.size()) > max_events;) {
    if (events[i].event_type == 9) events.erase(events.begin() + static_cast<std::ptrdiff_t>(i));
  }
  // Renumber every timeout in order, per team (descriptions are appended to the text).
  std::array<int, 2> called{};
  for (PbpEvent& e : events) {
    if (e.event_type != 9) continue;
    const TeamInfo* team = FindTeam(e.team_id);
    e.text_begin = static_cast<uint32_t>(record.text.size());
    AppendTimeout(record.text, team != nullptr ? team->nickname : std::string_view(),
                  ++called[e.team_id == record.home_team_id ? 0 : 1]);
    e.text_size = static_cast<uint32_t>(record.text.size() - e.text_begin);
  }
}

void GameSimulator::SimulateOnce(const GameModel& model, const StrengthScale& scale,
                                 const League& league, const GameSetup& setup, Rng& rng,
                                 GameRecord& out) {
  model_ = &model;
  league_ = &league;
  rng_ = &rng;
  out_ = &out;
  out.Clear();
  SetUpSide(0, setup.home_team, setup.home_listed, setup.playoffs);
  SetUpSide(1, setup.away_team, setup.away_listed, setup.playoffs);
  const TeamStrength home = scale.Apply(RotationStrength(league, sides_[0].rotation));
  const TeamStrength away = scale.Apply(RotationStrength(league, sides_[1].rotation));
  plan_ = PlanScore(model, scale, home, away, rng);
  const int margin = std::abs(plan_.Total(0) - plan_.Total(1));
  for (TeamSide& side : sides_) AddGarbageTime(margin, rng, side.rotation);
  game_seconds_ = 4 * kRegulationPeriodSeconds + (plan_.periods - 4) * kOvertimeSeconds;
  for (TeamSide& side : sides_) {
    side.target_seconds.resize(side.rotation.shares.size());
    for (size_t i = 0; i < side.rotation.shares.size(); ++i) {
      side.target_seconds[i] = side.rotation.shares[i] * game_seconds_;
    }
  }
  score_ = {0, 0};
  for (auto& side_points : period_points_) side_points.fill(0);
  period_start_s_ = 0;
  for (int period = 1; period <= plan_.periods; ++period) PlayPeriod(period);
  Finish();
}

void GameSimulator::SetUpSide(size_t s, int team, std::span<const int> listed, bool playoffs) {
  TeamSide& side = sides_[s];
  const TeamInfo& info = NbaTeams()[static_cast<size_t>(team)];
  side.team = team;
  side.team_id = info.team_id;
  side.nickname = info.nickname;
  side.team_fouls = 0;
  side.turnovers = 0;
  side.timeouts = 0;
  PlanRotation(*league_, listed, playoffs, rng_, side.rotation);
  const size_t n = side.rotation.players.size();
  side.player_ids.resize(n);
  side.last_names.resize(n);
  side.weights.resize(n);
  side.lines.assign(n, StatLine{});
  side.on_since.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    const Player& p = league_->player(side.rotation.players[i]);
    side.player_ids[i] = p.id;
    side.last_names[i] = p.last_name;
    RoleWeights& w = side.weights[i];
    const double usage = p.usage * Exp(0.10 * p.rating);
    w.made2 = usage * (1 - p.three) * p.shoot;
    w.miss2 = usage * (1 - p.three) * (2 - p.shoot);
    w.made3 = usage * p.three * p.shoot;
    w.miss3 = usage * p.three * (2 - p.shoot);
    w.draw_foul = usage * (1.2 - p.three);
    w.rebound = p.rebound;
    w.assist = p.assist * Exp(0.10 * p.rating);
    w.steal = p.steal;
    w.block = p.block;
    w.foul = p.foul;
    w.turnover = usage * (0.6 + 0.4 * p.assist);
  }
  side.court = {0, 1, 2, 3, 4};
}

void GameSimulator::PlayPeriod(int period) {
  period_ = period;
  const int seconds = PeriodSeconds(period);
  period_ms_ = seconds * 1000;
  last_ms_ = 0;
  const int period_end = period_start_s_ + seconds;
  PbpEvent& start = Emit(12, 0, {}, 2);
  AppendPeriodMarker(out_->text, true, period);
  Close(start);
  StartLineups(period, period_end);
  int first = 0;
  if (period == 1 || period > 4) {
    JumpBall();
    first = static_cast<int>(out_->events.back().team_id == sides_[0].team_id ? 0 : 1);
    if (period == 1) opening_tip_ = first;
  } else {
    first = period == 4 ? opening_tip_ : 1 - opening_tip_;
  }
  const size_t index = static_cast<size_t>(period - 1);
  BuildPeriod(*model_, first, {plan_.points[0][index], plan_.points[1][index]}, plan_.poss_per_team,
              seconds, *rng_, scratch_, script_);
  int t = 0;
  for (size_t i = 0; i < script_.size(); ++i) {
    const int end = t + script_[i].seconds;
    PlayPossession(script_[i], t * 1000, end * 1000);
    if (i + 1 < script_.size()) DeadBall(script_[i], end * 1000);
    t = end;
  }
  for (TeamSide& side : sides_) {
    for (int slot : side.court) {
      side.lines[static_cast<size_t>(slot)].seconds +=
          period_end - side.on_since[static_cast<size_t>(slot)];
      side.on_since[static_cast<size_t>(slot)] = -1;
    }
  }
  PbpEvent& end = Emit(13, period_ms_, {}, 2);
  AppendPeriodMarker(out_->text, false, period);
  Close(end);
  period_start_s_ = period_end;
}

void GameSimulator::StartLineups(int period, int period_end) {
  for (size_t s = 0; s < 2; ++s) {
    TeamSide& side = sides_[s];
    side.team_fouls = 0;
    const std::array<int, 5> next = PeriodLineup(side, period, period_end, game_seconds_);
    if (period > 1) {
      // Pair those leaving with those entering, in lineup order.
      std::array<int, 5> leaving{};
      std::array<int, 5> entering{};
      size_t n_out = 0;
      size_t n_in = 0;
      for (int slot : side.court) {
        if (std::find(next.begin(), next.end(), slot) == next.end()) leaving[n_out++] = slot;
      }
      for (int slot : next) {
        if (std::find(side.court.begin(), side.court.end(), slot) == side.court.end()) {
          entering[n_in++] = slot;
        }
      }
      for (size_t k = 0; k < n_out && k < n_in; ++k) {
        PbpEvent& e = Emit(8, 0, {}, s);
        e.player_id = Id(s, leaving[k]);
        e.player2_id = Id(s, entering[k]);
        AppendSubstitution(out_->text, Name(s, entering[k]), Name(s, leaving[k]));
        Close(e);
      }
    }
    side.court = next;
    for (int slot : side.court) side.on_since[static_cast<size_t>(slot)] = period_start_s_;
  }
}

void GameSimulator::JumpBall() {
  std::array<int, 2> jumpers{};
  for (size_t s = 0; s < 2; ++s) {
    const TeamSide& side = sides_[s];
    jumpers[s] = side.court[0];
    for (int slot : side.court) {
      if (side.weights[static_cast<size_t>(slot)].rebound >
          side.weights[static_cast<size_t>(jumpers[s])].rebound) {
        jumpers[s] = slot;
      }
    }
  }
  const size_t winner = rng_->Bernoulli(0.5) ? 0 : 1;
  const int tip_to = Pick(winner, &RoleWeights::assist, jumpers[winner]);
  PbpEvent& e = Emit(10, 0, "Jump Ball", winner);
  e.player_id = Id(0, jumpers[0]);
  e.player2_id = Id(1, jumpers[1]);
  AppendJumpBall(out_->text, Name(0, jumpers[0]), Name(1, jumpers[1]), Name(winner, tip_to));
  Close(e);
}

void GameSimulator::DeadBall(const Possession& last, int now_ms) {
  if (rng_->Bernoulli(model_->p_timeout)) {
    // The team just scored on usually stops the run; otherwise either bench.
    const size_t caller =
        last.Points() > 0 ? static_cast<size_t>(1 - last.side) : (rng_->Bernoulli(0.5) ? 0 : 1);
    PbpEvent& e = Emit(9, now_ms, "Regular", caller);
    AppendTimeout(out_->text, sides_[caller].nickname, ++sides_[caller].timeouts);
    Close(e);
    Substitutions(0, now_ms, 3);
    Substitutions(1, now_ms, 3);
    return;
  }
  for (size_t s = 0; s < 2; ++s) {
    if (rng_->Bernoulli(model_->p_sub_check)) Substitutions(s, now_ms, 2);
  }
}

void GameSimulator::Substitutions(size_t s, int now_ms, int max_swaps) {
  TeamSide& side = sides_[s];
  const int now = period_start_s_ + now_ms / 1000;
  std::array<Substitution, 3> subs{};
  const int n = ProposeSubstitutions(side, now, game_seconds_, max_swaps, subs);
  for (int k = 0; k < n; ++k) {
    const Substitution& sub = subs[static_cast<size_t>(k)];
    ApplySubstitution(side, sub, now);
    PbpEvent& e = Emit(8, now_ms, {}, s);
    e.player_id = Id(s, sub.out);
    e.player2_id = Id(s, sub.in);
    AppendSubstitution(out_->text, Name(s, sub.in), Name(s, sub.out));
    Close(e);
  }
}

void GameSimulator::Finish() {
  GameRecord& out = *out_;
  out.home_team_id = sides_[0].team_id;
  out.away_team_id = sides_[1].team_id;
  out.home_score = score_[0];
  out.away_score = score_[1];
  out.periods = plan_.periods;
  out.attendance = rng_->UniformInt(15800, 20900);
  for (size_t s = 0; s < 2; ++s) {
    const TeamSide& side = sides_[s];
    for (int p = 0; p < plan_.periods; ++p) {
      out.line_score.push_back({side.team_id, p + 1, period_points_[s][static_cast<size_t>(p)]});
    }
    TeamLine& team = out.teams[s];
    team.team_id = side.team_id;
    team.opponent_id = sides_[1 - s].team_id;
    team.home = s == 0;
    team.win = score_[s] > score_[1 - s];
    team.stats = StatLine{};
    for (size_t i = 0; i < side.lines.size(); ++i) {
      PlayerLine& line = out.players.emplace_back();
      line.player_id = side.player_ids[i];
      line.team_id = side.team_id;
      line.starter = i < 5;
      line.position = i < 5 ? side.rotation.starter_positions[i] : std::string_view();
      line.played = side.lines[i].seconds > 0;
      line.stats = side.lines[i];
      team.stats.Add(side.lines[i]);
    }
    team.stats.plus_minus = score_[s] - score_[1 - s];
  }
}

}  // namespace fastbreak::db::detail
