// Test databases for the NBA tools: a generated league, made once per test binary.
#pragma once

#include <memory>
#include <string>

#include "db/database.hpp"

namespace fastbreak::nba::testing {

// Path of a SQLite database holding one generated season (2024-25, seed 7) with play-by-play,
// created on first use in a temporary directory removed at exit.
const std::string& GeneratedLeaguePath();

// A fresh read-only connection to GeneratedLeaguePath().
std::unique_ptr<db::Connection> OpenGeneratedLeague();

}  // namespace fastbreak::nba::testing
