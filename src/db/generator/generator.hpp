// `fastbreak generate`: a deterministic synthetic NBA league written into the NBA schema —
// the 30 real franchises, fictional players with careers, full regular seasons, play-in,
// playoffs, box scores and play-by-play that all agree with each other.
#pragma once

#include <cstdint>
#include <functional>

#include "core/error.hpp"
#include "db/database.hpp"

namespace fastbreak::db {

struct GeneratorOptions {
  // Number of consecutive seasons, 1..60. Each season is ~1,320 games and, with play-by-play,
  // ~600,000 rows.
  int seasons = 3;
  // Start year of the first season (2023 = 2023-24), 1946..2045 for every generated season;
  // 0 = the last `seasons` seasons ending with 2025-26 (i.e. 2026 - seasons).
  int start_season = 0;
  // Same seed and options => identical table contents, on any machine and build: the generator
  // draws from its own PRNG and distributions, never from the standard library's, the clock or
  // hash order; it computes exp and log itself from IEEE-754 basic arithmetic (libm's last bits
  // differ between CPUs and libraries) and is compiled without fused multiply-add.
  uint64_t seed = 42;
  // false skips play_by_play rows (about 90% of all rows): much faster demos. Everything else
  // is identical to a run with play-by-play.
  bool play_by_play = true;
  // Called on the calling thread after every game is written. games_total is an estimate
  // (playoff series lengths are unknown in advance) and never below games_done; the last call
  // has games_done == games_total. May be empty.
  std::function<void(int64_t games_done, int64_t games_total)> on_progress = nullptr;
};

struct GeneratorReport {
  int seasons = 0;
  int64_t games = 0;
  int64_t team_game_rows = 0;
  int64_t player_game_rows = 0;
  int64_t play_by_play_rows = 0;
  int64_t players = 0;         // distinct players who appear in a box score
  int64_t rows = 0;            // all rows written, every table
  double seconds = 0;          // wall time of the whole call
  double rows_per_second = 0;  // rows / seconds
};

// Migrates the schema, seeds the teams and writes the league, one transaction per season (a
// failure leaves no partial season; earlier seasons stay committed). Generated players get ids
// from 5,000,000 up (above any NBA.com person id), after any generated players already present.
//
// For the duration of the call the connection runs in bulk-load mode, restored before
// returning: a rollback journal instead of the WAL when no other connection has the database
// open, synchronous = OFF, a small page cache and foreign keys unenforced (every reference is
// valid by construction). A power loss during the call may therefore damage the file; the
// switch back to the WAL at the end flushes it to disk (part of `seconds`).
//
// Errors: kInvalidArgument for bad options; kAlreadyExists when the database already has games
// in any requested season (nothing is written then: leagues are never mixed); database errors
// as they come. REQUIRES: a read-write connection with no open transaction, used by no other
// thread during the call. Threads: simulates on a second thread while this one writes.
Result<GeneratorReport> GenerateLeague(Connection& connection, const GeneratorOptions& options);

}  // namespace fastbreak::db
