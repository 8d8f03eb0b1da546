// LeagueSimulator: the play-in tournament and the playoffs. Ids follow NBA.com: play-in
// 005YY00RS1 and playoffs 004YY00RSG (R = round, S = series index, G = game of the series).
#include <algorithm>
#include <utility>

#include "db/generator/season_sim.hpp"
#include "db/schema/nba_schema.hpp"

namespace fastbreak::db::detail {
namespace {

constexpr uint64_t kPlayInStream = 3'000'000;
constexpr uint64_t kPlayoffStream = 4'000'000;
constexpr int kWinsNeeded = 4;

// Round-one pairs by seed index: 1v8, 2v7, 3v6, 4v5 (series 0..3 in the East, 4..7 in the West).
constexpr std::array<std::pair<size_t, size_t>, 4> kFirstRound = {{{0, 7}, {1, 6}, {2, 5}, {3, 4}}};

bool HostsGame(int game) { return game == 1 || game == 2 || game == 5 || game == 7; }

}  // namespace

bool LeagueSimulator::PlaySeeding(int& day, std::array<std::array<int, 8>, 2>& seeds) {
  const std::array<std::vector<int>, 2> standings = Standings();
  for (size_t c = 0; c < 2; ++c) {
    for (size_t i = 0; i < 8; ++i) seeds[c][i] = standings[c][i];
  }
  if (season_ < kFirstPlayInSeason) return true;
  // Seeds 7 v 8 (winner is the 7th seed) and 9 v 10 (loser is out), East the first night and
  // West the second; then the 7-8 loser hosts the 9-10 winner for the 8th seed.
  std::array<GameResult, 2> seven_eight{};
  std::array<GameResult, 2> nine_ten{};
  for (size_t c = 0; c < 2; ++c) {
    const int night = day + 2 + static_cast<int>(c);
    const int series = 2 * static_cast<int>(c);
    if (!Play(standings[c][6], standings[c][7], night, schema::kPlayIn,
              FormatGameId('5', season_, 100 + series * 10 + 1), 0, 0,
              kPlayInStream + static_cast<uint64_t>(series), seven_eight[c]) ||
        !Play(standings[c][8], standings[c][9], night, schema::kPlayIn,
              FormatGameId('5', season_, 100 + (series + 1) * 10 + 1), 0, 0,
              kPlayInStream + static_cast<uint64_t>(series) + 1, nine_ten[c])) {
      return false;
    }
  }
  day += 5;
  for (size_t c = 0; c < 2; ++c) {
    GameResult last_chance;
    if (!Play(seven_eight[c].loser, nine_ten[c].winner, day, schema::kPlayIn,
              FormatGameId('5', season_, 200 + static_cast<int>(c) * 10 + 1), 0, 0,
              kPlayInStream + 4 + c, last_chance)) {
      return false;
    }
    seeds[c][6] = seven_eight[c].winner;
    seeds[c][7] = last_chance.winner;
  }
  return true;
}

bool LeagueSimulator::PlaySeries(int high, int low, int round, int series, int start_day,
                                 int& winner, int& last_day) {
  std::array<int, 2> wins = {0, 0};
  int day = start_day;
  for (int game = 1; wins[0] < kWinsNeeded && wins[1] < kWinsNeeded; ++game) {
    const int home = HostsGame(game) ? high : low;
    const int away = home == high ? low : high;
    const int sequence = round * 100 + series * 10 + game;
    GameResult result;
    if (!Play(home, away, day, schema::kPlayoffs, FormatGameId('4', season_, sequence), round, game,
              kPlayoffStream + static_cast<uint64_t>(sequence), result)) {
      return false;
    }
    ++wins[result.winner == high ? 0 : 1];
    last_day = day;
    day += 2;
  }
  winner = wins[0] == kWinsNeeded ? high : low;
  return true;
}

bool LeagueSimulator::PlayPlayoffs(const std::array<std::array<int, 8>, 2>& seeds, int& day) {
  // Each round starts two days after the previous round's last game.
  std::array<int, 8> round_one{};
  int start = day + 3;
  int round_end = start;
  for (size_t c = 0; c < 2; ++c) {
    for (size_t k = 0; k < kFirstRound.size(); ++k) {
      const size_t series = c * 4 + k;
      int last = 0;
      if (!PlaySeries(seeds[c][kFirstRound[k].first], seeds[c][kFirstRound[k].second], 1,
                      static_cast<int>(series), start + static_cast<int>(k % 2), round_one[series],
                      last)) {
        return false;
      }
      round_end = std::max(round_end, last);
    }
  }
  // Later rounds: the bracket halves meet; home court to the better regular-season record.
  auto play_round = [&](int round, std::span<const int> previous, std::span<int> winners) {
    start = round_end + 2;
    for (size_t series = 0; series < winners.size(); ++series) {
      int a = previous[2 * series];
      int b = previous[2 * series + 1];
      if (round == 2) {
        // Within a conference's four: 1/8 meets 4/5 and 2/7 meets 3/6.
        const size_t base = series / 2 * 4;
        a = previous[base + (series % 2 == 0 ? 0 : 1)];
        b = previous[base + (series % 2 == 0 ? 3 : 2)];
      }
      const int high = Better(a, b) ? a : b;
      const int low = high == a ? b : a;
      int last = 0;
      if (!PlaySeries(high, low, round, static_cast<int>(series),
                      start + static_cast<int>(series % 2), winners[series], last)) {
        return false;
      }
      round_end = std::max(round_end, last);
    }
    return true;
  };
  std::array<int, 4> round_two{};
  std::array<int, 2> conference_finals{};
  std::array<int, 1> champion{};
  if (!play_round(2, round_one, round_two) || !play_round(3, round_two, conference_finals) ||
      !play_round(4, conference_finals, champion)) {
    return false;
  }
  day = round_end;
  return true;
}

}  // namespace fastbreak::db::detail
