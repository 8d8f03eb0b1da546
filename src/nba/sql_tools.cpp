// SQL tools: describe_schema (tables, views, columns and what the ids mean) and run_sql
// (one read-only query under an authorizer, a deadline and a row cap).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>

#include "nba/args.hpp"
#include "nba/catalog_parts.hpp"
#include "nba/render.hpp"

namespace fastbreak::nba::detail {
namespace {

// ---------------------------------------------------------------------------------------------
// describe_schema

// What each table and view holds, one line each, in the order they are listed.
struct KnownTable {
  std::string_view name;
  std::string_view description;
};
constexpr std::array<KnownTable, 13> kKnownTables = {{
    {"teams", "One row per franchise (30): abbreviation, city, nickname, conference, division."},
    {"players", "One row per player: names, bio, draft, first/last season, is_active."},
    {"seasons", "One row per season: season_id is the start year, label '2023-24'."},
    {"games",
     "One row per game: season, game_type, date, home/away team and score, periods, status."},
    {"game_periods", "Line score: a team's points in one period (5, 6, ... are overtimes)."},
    {"team_game_stats", "Team box score: one row per team per game, with opponent and win."},
    {"player_game_stats",
     "Player box score: one row per player per game he was listed for (seconds 0 or NULL with "
     "a dnp_reason when he did not play)."},
    {"play_by_play", "One row per event of a game, in event_num order, with the running score."},
    {"player_season_totals",
     "View: a player's summed stats per season, game_type and team (a traded player has one "
     "row per team); only games he played."},
    {"team_season_totals", "View: a team's summed stats, wins and losses per season and type."},
    {"standings", "View: regular-season records, win_pct, games behind, conference rank."},
    {"imports", "Provenance: one row per import or generation run."},
    {"schema_migrations", "Applied schema versions."},
}};

constexpr std::string_view kConventions = R"md(## Conventions
- Read-only (SQLite, or PostgreSQL in production). Query it with `run_sql` (one SELECT/WITH statement; add LIMIT).
- **Teams**: NBA.com ids 1610612737 (ATL) .. 1610612766 (CHA); join on `team_id`.
- **Players**: NBA.com person ids; generated players have ids from 5000000 up.
- **Games**: `game_id` is TEXT of ten digits, '00' + type digit + 2-digit season + 5-digit
  sequence: '0022300061' is regular-season game 61 of 2023-24. Type digits: 1 preseason,
  2 regular, 4 playoffs, 5 play-in, 6 cup final. Always quote it: `game_id = '0022300061'`.
- **Seasons**: `season_id` is the start year: 2023 is 2023-24. `games.game_type` is one of
  'regular', 'playin', 'playoffs', 'preseason', 'cup_final' (most questions mean 'regular').
- **Time**: `seconds` played (divide by 60 for minutes; a team has 14400 player-seconds per
  game plus 1500 per overtime); `clock_ms` is time left in the period in milliseconds.
- **Box scores**: pts, fgm/fga, fg3m/fg3a, ftm/fta, oreb/dreb/reb, ast, stl, blk, tov, pf,
  plus_minus. Averages: SUM(x) / COUNT(*) over games with `seconds > 0`.
- **Play-by-play `event_type`**: 1 made field goal, 2 missed field goal, 3 free throw
  (`shot_made` says made or missed), 4 rebound, 5 turnover, 6 foul, 7 violation,
  8 substitution, 9 timeout, 10 jump ball, 11 ejection, 12 period start, 13 period end,
  18 instant replay, 0 a credit row (`action` 'Block' or 'Steal'). `player_id` is the shooter,
  rebounder, fouler or player leaving; `player2_id` the assister, fouled player or player
  entering.
)md";

// Meanings the CREATE statements do not carry as comments: coded values and flags.
struct KnownNote {
  std::string_view column;  // "table.column", or "*.column" for every table
  std::string_view note;
};
constexpr std::array<KnownNote, 14> kKnownNotes = {{
    {"teams.conference", "'East' or 'West'"},
    {"teams.division", "'Atlantic', 'Central', 'Southeast', 'Northwest', 'Pacific', 'Southwest'"},
    {"games.game_type", "'regular', 'playin', 'playoffs', 'preseason', 'cup_final'"},
    {"games.status", "'final' or 'scheduled'"},
    {"games.playoff_round", "1-4 in playoffs, else NULL"},
    {"games.series_game", "game number 1-7 in a playoff series"},
    {"*.is_active", "1 if active in the latest season"},
    {"*.neutral_site", "1 if played at a neutral site"},
    {"*.is_home", "1 for the home team"},
    {"*.win", "1 win, 0 loss"},
    {"*.starter", "1 if he started"},
    {"*.season_id", "season start year: 2023 is 2023-24"},
    {"play_by_play.event_type", "see the event_type codes above"},
    {"*.game_type", "'regular', 'playin', 'playoffs', 'preseason', 'cup_final'"},
}};

std::optional<std::string> KnownColumnNote(std::string_view table, std::string_view column) {
  for (const KnownNote& known : kKnownNotes) {
    const size_t dot = known.column.find('.');
    const std::string_view owner = known.column.substr(0, dot);
    if ((owner == "*" || owner == table) && known.column.substr(dot + 1) == column) {
      return std::string(known.note);
    }
  }
  return std::nullopt;
}

struct ColumnInfo {
  std::string name;
  std::string type;
  bool not_null = false;
  int primary_key = 0;  // position in the primary key, 0 when not part of it
  std::optional<std::string> references;
  std::optional<std::string> note;
};

struct TableInfo {
  std::string name;
  std::string kind;  // "table" or "view"
  std::string description;
  std::vector<ColumnInfo> columns;
};

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

// The `-- comment` that follows a column's definition on its line in the CREATE statement.
std::optional<std::string> ColumnNote(std::string_view create_sql, std::string_view column) {
  size_t start = 0;
  while (start < create_sql.size()) {
    size_t end = create_sql.find('\n', start);
    if (end == std::string_view::npos) end = create_sql.size();
    const std::string_view line = create_sql.substr(start, end - start);
    start = end + 1;
    const size_t dash = line.find("--");
    if (dash == std::string_view::npos) continue;
    const std::string_view code = Trim(line.substr(0, dash));
    if (code.size() > column.size() && code.starts_with(column) &&
        (code[column.size()] == ' ' || code[column.size()] == '\t')) {
      return std::string(Trim(line.substr(dash + 2)));
    }
  }
  return std::nullopt;
}

// PostgreSQL's catalog described the way SQLite describes the same schema, so that
// describe_schema answers alike on both backends: declared types INTEGER, TEXT and REAL (a view
// column has its table column's type when it passes that column through unchanged, else none,
// as SQLite derives it); NOT NULL as declared (PostgreSQL adds it to a one-column primary key,
// which SQLite does not); notes from column comments, which the PostgreSQL schema carries where
// SQLite's has comments beside the columns. Columns: name, type, not null (0/1), position in the
// primary key, comment, referenced table.column.
constexpr std::string_view kPostgresColumns = R"sql(
SELECT a.attname,
       CASE WHEN c.relkind IN ('v', 'm') AND NOT EXISTS (
              SELECT 1 FROM pg_rewrite r
              JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
              JOIN pg_attribute b ON b.attrelid = d.refobjid AND b.attnum = d.refobjsubid
              WHERE r.ev_class = c.oid AND d.refobjid <> c.oid AND b.attname = a.attname
                AND b.atttypid = a.atttypid) THEN ''
            WHEN a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) THEN 'INTEGER'
            WHEN a.atttypid = 'text'::regtype THEN 'TEXT'
            WHEN a.atttypid IN ('float4'::regtype, 'float8'::regtype) THEN 'REAL'
            ELSE upper(format_type(a.atttypid, a.atttypmod)) END,
       CASE WHEN a.attnotnull AND pk.conkey IS DISTINCT FROM ARRAY[a.attnum] THEN 1 ELSE 0 END,
       COALESCE(array_position(pk.conkey, a.attnum), 0),
       col_description(c.oid, a.attnum),
       (SELECT ft.relname || '.' || fa.attname FROM pg_constraint f
        JOIN pg_class ft ON ft.oid = f.confrelid
        JOIN pg_attribute fa ON fa.attrelid = f.confrelid
         AND fa.attnum = f.confkey[array_position(f.conkey, a.attnum)]
        WHERE f.conrelid = c.oid AND f.contype = 'f' AND a.attnum = ANY (f.conkey)
        ORDER BY f.conname LIMIT 1)
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
WHERE c.relname = ?1
  AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
ORDER BY a.attnum
)sql";

// Tables and views of the current schema, as (name, "table" or "view", ""), by name; objects
// that belong to an extension (pg_stat_statements' views) are left out.
constexpr std::string_view kPostgresTables = R"sql(
SELECT c.relname, CASE WHEN c.relkind IN ('v', 'm') THEN 'view' ELSE 'table' END, ''
FROM pg_class c
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
  AND c.relkind IN ('r', 'p', 'v', 'm')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.relname
)sql";

Result<std::vector<ColumnInfo>> PostgresColumns(db::Connection& db, const std::string& table) {
  FB_ASSIGN_OR_RETURN(auto columns, db.Prepare(kPostgresColumns));
  columns->Bind(1, table);
  std::vector<ColumnInfo> out;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, columns->Step());
    if (!row) break;
    ColumnInfo& column = out.emplace_back();
    column.name = std::string(columns->GetText(0));
    column.type = std::string(columns->GetText(1));
    column.not_null = columns->GetInt(2) != 0;
    column.primary_key = static_cast<int>(columns->GetInt(3));
    if (!columns->IsNull(4)) column.note = std::string(columns->GetText(4));
    if (!column.note) column.note = KnownColumnNote(table, column.name);
    if (!columns->IsNull(5)) column.references = std::string(columns->GetText(5));
  }
  return out;
}

Result<std::vector<ColumnInfo>> Columns(db::Connection& db, const std::string& table,
                                        std::string_view create_sql) {
  if (db.dialect() == db::Dialect::kPostgres) return PostgresColumns(db, table);
  FB_ASSIGN_OR_RETURN(auto columns,
                      db.Prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)"));
  columns->Bind(1, table);
  std::vector<ColumnInfo> out;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, columns->Step());
    if (!row) break;
    ColumnInfo& column = out.emplace_back();
    column.name = std::string(columns->GetText(0));
    column.type = std::string(columns->GetText(1));
    column.not_null = columns->GetInt(2) != 0;
    column.primary_key = static_cast<int>(columns->GetInt(3));
    column.note = ColumnNote(create_sql, column.name);
    if (!column.note) column.note = KnownColumnNote(table, column.name);
  }
  FB_ASSIGN_OR_RETURN(auto keys, db.Prepare("SELECT \"from\", \"table\", \"to\" "
                                            "FROM pragma_foreign_key_list(?)"));
  keys->Bind(1, table);
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, keys->Step());
    if (!row) break;
    const std::string_view from = keys->GetText(0);
    for (ColumnInfo& column : out) {
      if (column.name == from) {
        column.references = fmt::format("{}.{}", keys->GetText(1), keys->GetText(2));
      }
    }
  }
  return out;
}

// Tables and views in listing order: the known ones first, then any other alphabetically.
// `only` restricts the list to one name; an unknown name gives kNotFound listing them all.
Result<std::vector<TableInfo>> ReadSchema(db::Connection& db,
                                          const std::optional<std::string>& only) {
  FB_ASSIGN_OR_RETURN(
      auto statement,
      db.Prepare(db.dialect() == db::Dialect::kPostgres
                     ? kPostgresTables
                     : "SELECT name, type, COALESCE(sql, '') FROM sqlite_schema "
                       "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
                       "ORDER BY name"));
  std::vector<std::array<std::string, 3>> found;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row) break;
    found.push_back({std::string(statement->GetText(0)), std::string(statement->GetText(1)),
                     std::string(statement->GetText(2))});
  }
  statement.reset();
  auto rank = [](const std::string& name) {
    for (size_t i = 0; i < kKnownTables.size(); ++i) {
      if (kKnownTables[i].name == name) return i;
    }
    return kKnownTables.size();
  };
  std::stable_sort(found.begin(), found.end(),
                   [&](const auto& a, const auto& b) { return rank(a[0]) < rank(b[0]); });
  if (only) {
    auto it = std::find_if(found.begin(), found.end(),
                           [&](const auto& entry) { return entry[0] == *only; });
    if (it == found.end()) {
      std::vector<std::string> names;
      for (const auto& entry : found) names.push_back(entry[0]);
      return MakeError(ErrorCode::kNotFound, "no table or view named '{}'; there are: {}", *only,
                       fmt::join(names, ", "));
    }
    found = {*it};
  }
  std::vector<TableInfo> tables;
  for (const auto& [name, kind, sql] : found) {
    TableInfo& table = tables.emplace_back();
    table.name = name;
    table.kind = kind;
    const size_t known = rank(name);
    if (known < kKnownTables.size()) table.description = kKnownTables[known].description;
    FB_ASSIGN_OR_RETURN(table.columns, Columns(db, name, sql));
  }
  return tables;
}

Json SchemaJson(const std::vector<TableInfo>& tables) {
  Json out = Json::array();
  for (const TableInfo& table : tables) {
    Json columns = Json::array();
    for (const ColumnInfo& column : table.columns) {
      columns.push_back({{"name", column.name},
                         {"type", column.type},
                         {"not_null", column.not_null},
                         {"primary_key", column.primary_key},
                         {"references", column.references ? Json(*column.references) : Json()},
                         {"note", column.note ? Json(*column.note) : Json()}});
    }
    out.push_back({{"name", table.name},
                   {"kind", table.kind},
                   {"description", table.description},
                   {"columns", std::move(columns)}});
  }
  return out;
}

std::string SchemaMarkdown(const std::vector<TableInfo>& tables) {
  std::string out = "# fastbreak NBA database schema\n\n";
  out += kConventions;
  for (const TableInfo& table : tables) {
    out += fmt::format("\n## {} ({})\n", table.name, table.kind);
    if (!table.description.empty()) out += fmt::format("{}\n", table.description);
    out += "\n| column | type | key | note |\n|---|---|---|---|\n";
    for (const ColumnInfo& column : table.columns) {
      std::string key;
      if (column.primary_key > 0) key = "PK";
      if (column.references) key += (key.empty() ? "-> " : ", -> ") + *column.references;
      std::string type = column.type.empty() ? "any" : column.type;
      if (column.not_null) type += " NOT NULL";
      out +=
          fmt::format("| {} | {} | {} | {} |\n", column.name, type, key, column.note.value_or(""));
    }
  }
  return out;
}

ToolSpec DescribeSchemaTool() {
  ToolSpec tool;
  tool.name = "describe_schema";
  tool.title = "Describe the database schema";
  tool.description =
      "Lists the tables and views of the NBA database with their columns, types, keys and "
      "meanings, plus how ids, seasons, game types and play-by-play event types are encoded. "
      "Read this before writing SQL for run_sql. Pass `table` (e.g. \"player_game_stats\") for "
      "one table only.";
  tool.input_schema = schema::Object(
      {{"table", schema::String("One table or view name; all of them when omitted.")}});
  const Json column = schema::Object(
      {{"name", schema::String("column name")},
       {"type", schema::String("declared column type")},
       {"not_null", schema::Boolean("NOT NULL")},
       {"primary_key", schema::Integer("position in the primary key, 0 if not in it")},
       {"references", schema::Nullable(schema::String("foreign key target, table.column"))},
       {"note", schema::Nullable(schema::String("meaning or unit"))}},
      {"name", "type", "not_null", "primary_key", "references", "note"});
  const Json table = schema::Object({{"name", schema::String("table or view name")},
                                     {"kind", schema::Enum("table or view", {"table", "view"})},
                                     {"description", schema::String("one row per ...")},
                                     {"columns", schema::Array(column)}},
                                    {"name", "kind", "description", "columns"});
  tool.output_schema = schema::Object(
      {{"tables", schema::Array(table)},
       {"conventions", schema::String("ids, seasons, game types and event types (Markdown)")}},
      {"tables", "conventions"});
  tool.run = [](const Json& arguments, CallContext& context) -> Result<ToolOutput> {
    FB_RETURN_IF_ERROR(CheckArguments(arguments, {"table"}));
    FB_ASSIGN_OR_RETURN(auto only, OptionalStringArgument(arguments, "table", 64));
    FB_ASSIGN_OR_RETURN(auto tables, ReadSchema(context.db, only));
    ToolOutput output;
    output.structured = {{"tables", SchemaJson(tables)}, {"conventions", kConventions}};
    output.text = SchemaMarkdown(tables);
    return output;
  };
  return tool;
}

// ---------------------------------------------------------------------------------------------
// run_sql

constexpr size_t kMaxSqlBytes = 10000;
constexpr int64_t kDefaultRows = 100;
constexpr int64_t kMaxRows = 1000;
constexpr int64_t kDefaultTimeoutMs = 2000;
constexpr int64_t kMaxTimeoutMs = 10000;
// Largest single value a query may build or return, and the most bytes of values a result may
// carry before it is cut short (truncated).
constexpr int kMaxValueBytes = 100 * 1024;
constexpr size_t kMaxResultBytes = 1024 * 1024;
// Rows shown in the text rendering, and characters per cell there.
constexpr size_t kTextRows = 50;
constexpr size_t kTextCell = 40;

// `text` with every invalid UTF-8 sequence replaced by U+FFFD, so the result serializes as JSON.
std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t min = 0;
    if (byte < 0x80) {
      length = 1;
    } else if ((byte & 0xE0) == 0xC0) {
      length = 2;
      min = 0x80;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      min = 0x800;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      min = 0x10000;
    }
    bool valid = length > 0 && i + length <= text.size();
    uint32_t code = length <= 1 ? byte : byte & (0x3F >> (length - 1));
    for (size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3F);
    }
    valid = valid && code >= min && code <= 0x10FFFF && (code < 0xD800 || code > 0xDFFF);
    if (valid) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

struct Cell {
  Json json;
  std::string text;
  bool numeric = false;
};

Cell ReadCell(const db::Statement& statement, int column) {
  const db::Value value = statement.GetValue(column);
  if (const auto* integer = std::get_if<int64_t>(&value)) {
    return {Json(*integer), fmt::format("{}", *integer), true};
  }
  if (const auto* real = std::get_if<double>(&value)) {
    return {Json(*real), fmt::format("{}", *real), true};
  }
  if (const auto* text = std::get_if<std::string>(&value)) {
    std::string valid = ValidUtf8(*text);
    std::string shown = valid.size() > kTextCell ? valid.substr(0, kTextCell - 3) + "..." : valid;
    for (char& c : shown) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    return {Json(std::move(valid)), ValidUtf8(shown), false};
  }
  return {Json(), "NULL", false};
}

Error ExplainSqlError(Error error) {
  switch (error.code) {
    case ErrorCode::kNotFound:
      error.message += "; call describe_schema for the tables and columns";
      break;
    case ErrorCode::kInvalidArgument:
      error.message = "run_sql takes one statement: " + error.message;
      break;
    case ErrorCode::kPayloadTooLarge:
      error.message += "; select fewer or shorter values";
      break;
    default:
      break;
  }
  return error;
}

ToolSpec RunSqlTool() {
  ToolSpec tool;
  tool.name = "run_sql";
  tool.title = "Run a read-only SQL query";
  tool.description =
      "Runs one read-only SQL query (SELECT, WITH or VALUES) against the NBA database (SQLite, "
      "or PostgreSQL in production: write SQL both accept) and returns its columns and rows. "
      "Use it for questions the other tools do not answer; call "
      "describe_schema first for tables, columns and id conventions. Writes, schema changes, "
      "ATTACH, PRAGMA and several statements are refused. At most max_rows rows come back "
      "(truncated: true when there were more) and the query stops after timeout_ms. "
      "Example: SELECT p.full_name, SUM(s.pts) AS pts FROM player_game_stats s JOIN players p "
      "USING (player_id) JOIN games g USING (game_id) WHERE g.season_id = 2023 AND "
      "g.game_type = 'regular' GROUP BY p.player_id, p.full_name ORDER BY pts DESC NULLS LAST "
      "LIMIT 10";
  tool.input_schema = schema::Object(
      {{"sql",
        schema::String(fmt::format("One SELECT statement, at most {} bytes.", kMaxSqlBytes))},
       {"max_rows", schema::Integer("Most rows to return.", 1, kMaxRows, kDefaultRows)},
       {"timeout_ms",
        schema::Integer("Time limit in milliseconds.", 1, kMaxTimeoutMs, kDefaultTimeoutMs)}},
      {"sql"});
  const Json value = {{"type", Json::array({"integer", "number", "string", "null"})}};
  tool.output_schema = schema::Object(
      {{"columns", schema::Array(schema::String("column name"), "result column names")},
       {"rows", schema::Array(schema::Array(value),
                              "rows as arrays of values, in column order; "
                              "blobs read as \"<blob N bytes>\"")},
       {"row_count", schema::Integer("rows returned")},
       {"truncated", schema::Boolean("true when the query had more rows than returned")},
       {"elapsed_ms", schema::Number("time spent compiling and running the query")}},
      {"columns", "rows", "row_count", "truncated", "elapsed_ms"});
  tool.run = [](const Json& arguments, CallContext& context) -> Result<ToolOutput> {
    FB_RETURN_IF_ERROR(CheckArguments(arguments, {"sql", "max_rows", "timeout_ms"}));
    FB_ASSIGN_OR_RETURN(std::string sql, RequiredStringArgument(arguments, "sql", kMaxSqlBytes));
    FB_ASSIGN_OR_RETURN(int64_t max_rows,
                        IntArgument(arguments, "max_rows", kDefaultRows, 1, kMaxRows));
    FB_ASSIGN_OR_RETURN(int64_t timeout_ms,
                        IntArgument(arguments, "timeout_ms", kDefaultTimeoutMs, 1, kMaxTimeoutMs));
    db::UntrustedLimits limits;
    limits.timeout = std::chrono::milliseconds(timeout_ms);
    limits.max_sql_bytes = kMaxSqlBytes;
    limits.max_value_bytes = kMaxValueBytes;
    const auto started = std::chrono::steady_clock::now();
    auto prepared = context.db.PrepareUntrusted(sql, limits);
    if (!prepared) return tl::unexpected(ExplainSqlError(std::move(prepared).error()));
    db::Statement& statement = **prepared;

    const int column_count = statement.ColumnCount();
    std::vector<std::string> headers;
    Json columns = Json::array();
    for (int c = 0; c < column_count; ++c) {
      headers.push_back(ValidUtf8(statement.ColumnName(c)));
      columns.push_back(headers.back());
    }
    Json rows = Json::array();
    std::vector<std::vector<std::string>> text_rows;
    std::vector<bool> numeric(static_cast<size_t>(column_count), false);
    size_t result_bytes = 0;
    bool truncated = false;
    while (true) {
      auto stepped = statement.Step();
      if (!stepped) return tl::unexpected(ExplainSqlError(std::move(stepped).error()));
      if (!*stepped) break;
      if (static_cast<int64_t>(rows.size()) == max_rows || result_bytes > kMaxResultBytes) {
        truncated = true;
        break;
      }
      Json row = Json::array();
      std::vector<std::string> text_row;
      for (int c = 0; c < column_count; ++c) {
        Cell cell = ReadCell(statement, c);
        result_bytes += cell.json.is_string() ? cell.json.get_ref<const std::string&>().size() : 8;
        if (cell.numeric) numeric[static_cast<size_t>(c)] = true;
        row.push_back(std::move(cell.json));
        if (text_rows.size() < kTextRows) text_row.push_back(std::move(cell.text));
      }
      rows.push_back(std::move(row));
      if (text_rows.size() < kTextRows) text_rows.push_back(std::move(text_row));
    }
    prepared->reset();
    const double elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();

    ToolOutput output;
    const size_t row_count = rows.size();
    output.text = column_count > 0 ? RenderTable(headers, text_rows, numeric) : "";
    std::string summary = fmt::format("{} row{}", row_count, row_count == 1 ? "" : "s");
    if (row_count > text_rows.size()) summary += fmt::format(", first {} shown", text_rows.size());
    if (truncated) summary += "; more rows exist (raise max_rows or narrow the query)";
    output.text += fmt::format("({}, {:.1f} ms)\n", summary, elapsed_ms);
    output.structured = {{"columns", std::move(columns)},
                         {"rows", std::move(rows)},
                         {"row_count", row_count},
                         {"truncated", truncated},
                         {"elapsed_ms", elapsed_ms}};
    return output;
  };
  return tool;
}

}  // namespace

void AddSqlTools(Catalog& catalog) {
  catalog.tools.push_back(DescribeSchemaTool());
  catalog.tools.push_back(RunSqlTool());
}

}  // namespace fastbreak::nba::detail
