// Test databases for the NBA tools: a generated league, made once per test binary.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"
#include "nba/catalog.hpp"

namespace fastbreak::nba::testing {

// Path of a SQLite database holding one generated season (2024-25, seed 7) with play-by-play,
// created on first use in a temporary directory removed at exit.
const std::string& GeneratedLeaguePath();

// A fresh read-only connection to GeneratedLeaguePath().
std::unique_ptr<db::Connection> OpenGeneratedLeague();

// Where `value` breaks `schema`, one line per problem prefixed by its JSON path (empty when it
// conforms). Covers the subset of JSON Schema the tool schemas use: type (one or several, with
// "null"), required, properties, additionalProperties, items, enum and oneOf.
std::vector<std::string> SchemaViolations(const Json& schema, const Json& value,
                                          const std::string& path = "$");

// The integer first column of `sql`'s first row; -1 (and a test failure) when the query fails,
// -1 when the value is not an integer.
int64_t QueryInt(db::Connection& db, std::string_view sql, std::vector<db::Value> params = {});

// Runs catalog tool `tool` on `db` and, when it succeeds, checks (as test failures) that its
// structured result conforms to its output schema and that its text is not empty.
Result<ToolOutput> CallTool(db::Connection& db, std::string_view tool, const Json& arguments);

}  // namespace fastbreak::nba::testing
