// The shape AnalyzeSql reads from SQL: predicates by kind, wrapped columns, OR chains, joins,
// ORDER BY / GROUP BY columns, nested SELECTs, UPDATE/DELETE, column resolution, and its
// bounds and errors.
#include "query/sql_model.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/testing.hpp"

namespace fastbreak::query {
namespace {

std::string KindName(PredicateKind kind) {
  switch (kind) {
    case PredicateKind::kEquality:
      return "eq";
    case PredicateKind::kIn:
      return "in";
    case PredicateKind::kRange:
      return "range";
    case PredicateKind::kLike:
      return "like";
    case PredicateKind::kNotEqual:
      return "ne";
    case PredicateKind::kIsNull:
      return "null";
    case PredicateKind::kOther:
      return "other";
  }
  return "?";
}

// "p.full_name@players" (qualifier, column, resolved table).
std::string Column(const ColumnUse& use) {
  return (use.qualifier.empty() ? "" : use.qualifier + ".") + use.column + "@" + use.table;
}

// "eq p.player_id@players", with " wrap(lower)", " or", " pattern(%x)", " leading" as they
// apply.
std::vector<std::string> Predicates(const SelectShape& shape) {
  std::vector<std::string> out;
  for (const Predicate& p : shape.predicates) {
    std::string text = KindName(p.kind) + " " + Column(p.column);
    if (p.wrapped) text += " wrap(" + p.wrapper + ")";
    if (p.under_or) text += " or";
    if (!p.pattern.empty()) text += " pattern(" + p.pattern + ")";
    if (p.leading_wildcard) text += " leading";
    out.push_back(text);
  }
  return out;
}

std::vector<std::string> Joins(const SelectShape& shape) {
  std::vector<std::string> out;
  for (const JoinEdge& j : shape.joins) {
    out.push_back(Column(j.left) + (j.explicit_join ? " = " : " =where ") + Column(j.right));
  }
  return out;
}

std::vector<std::string> Tables(const SelectShape& shape) {
  std::vector<std::string> out;
  for (const TableUse& t : shape.tables) {
    out.push_back(t.name + (t.alias.empty() ? "" : " " + t.alias) + (t.is_cte ? " cte" : ""));
  }
  return out;
}

std::vector<std::string> Columns(const std::vector<ColumnUse>& uses) {
  std::vector<std::string> out;
  for (const ColumnUse& use : uses) out.push_back(Column(use));
  return out;
}

using Strings = std::vector<std::string>;

TableInfo Table(std::string name, std::vector<std::string> columns, int64_t rows = 1000) {
  TableInfo table;
  table.name = std::move(name);
  table.rows = rows;
  for (auto& column : columns)
    table.columns.push_back({std::move(column), "INTEGER", false, false});
  return table;
}

SchemaInfo NbaSchema() {
  SchemaInfo schema;
  schema.tables.push_back(Table("games", {"game_id", "season", "home_team_id", "away_team_id"}));
  schema.tables.push_back(Table("player_game_stats", {"player_id", "game_id", "pts", "season"}));
  schema.tables.push_back(Table("players", {"player_id", "full_name", "team_id"}));
  schema.tables.push_back(Table("teams", {"team_id", "name", "city"}));
  return schema;
}

SqlModel Analyze(std::string_view sql, const SchemaInfo* schema = nullptr) {
  auto model = AnalyzeSql(sql, schema);
  EXPECT_TRUE(model.has_value()) << sql << " -> " << model.error().ToString();
  if (!model) return {};
  return std::move(*model);
}

TEST(SqlModelTest, PredicateKinds) {
  SqlModel model = Analyze(
      "SELECT full_name FROM players WHERE a = ? AND b IN (1, 2) AND c = ANY(?) AND d > 1 "
      "AND e BETWEEN 1 AND 2 AND f LIKE 'x%' AND g ILIKE '%y' AND h <> 1 AND i NOT IN (1, 2) "
      "AND j IS NULL AND k IS NOT NULL AND l IS NOT DISTINCT FROM 1 AND m @> ? AND 5 < n "
      "AND NOT (o = 1) AND p NOT LIKE '%z' AND q IS DISTINCT FROM 2");
  EXPECT_EQ(model.statement, "select");
  ASSERT_EQ(model.selects.size(), 1u);
  const SelectShape& shape = model.selects[0];
  EXPECT_TRUE(shape.has_where);
  EXPECT_EQ(Predicates(shape),
            (Strings{"eq a@players", "in b@players", "in c@players", "range d@players",
                     "range e@players", "like f@players pattern(x%)",
                     "like g@players pattern(%y) leading", "ne h@players", "ne i@players",
                     "null j@players", "null k@players", "eq l@players", "other m@players",
                     "range n@players", "ne o@players", "other p@players", "ne q@players"}));
  EXPECT_EQ(Tables(shape), (Strings{"players"}));
  EXPECT_EQ(shape.predicates[0].location, 36);  // the `a` of `a = ?`
}

TEST(SqlModelTest, WrappedColumns) {
  SqlModel model = Analyze(
      "SELECT 1 FROM players p WHERE lower(p.full_name) = ? AND p.team_id + 1 > ? "
      "AND substr(p.full_name, 1, 4) = 'LeBr' AND CAST(p.player_id AS text) = '1' "
      "AND p.team_id::text = '2' AND coalesce(p.team_id, p.player_id) = 3");
  EXPECT_EQ(Predicates(model.selects[0]),
            (Strings{"eq p.full_name@players wrap(lower)", "range p.team_id@players wrap(+)",
                     "eq p.full_name@players wrap(substr)", "eq p.player_id@players wrap(cast)",
                     "eq p.team_id@players wrap(cast)", "other p.team_id@players wrap(coalesce)",
                     "other p.player_id@players wrap(coalesce)"}));
  EXPECT_EQ(model.selects[0].predicates[0].location, 30);  // where `lower(` starts
}

TEST(SqlModelTest, LikePatterns) {
  SqlModel model = Analyze(
      "SELECT 1 FROM players WHERE full_name LIKE '%' || ? || '%' AND full_name LIKE ? "
      "AND full_name LIKE '_ames' AND full_name LIKE 'x!%%' ESCAPE '!'");
  EXPECT_EQ(Predicates(model.selects[0]),
            (Strings{"like full_name@players pattern(%...) leading", "like full_name@players",
                     "like full_name@players pattern(_ames) leading",
                     "like full_name@players pattern(x!%%)"}));
}

TEST(SqlModelTest, OrChainsAndUnderOrFlags) {
  SqlModel model = Analyze(
      "SELECT 1 FROM player_game_stats WHERE season = ? AND (team_id = 1 OR player_id = 2 "
      "OR pts > 30 OR season = 2020) AND (game_id = 1 OR game_id = 2 OR game_id = 3)");
  const SelectShape& shape = model.selects[0];
  EXPECT_EQ(Predicates(shape),
            (Strings{"eq season@player_game_stats", "eq team_id@player_game_stats or",
                     "eq player_id@player_game_stats or", "range pts@player_game_stats or",
                     "eq season@player_game_stats or", "eq game_id@player_game_stats or",
                     "eq game_id@player_game_stats or", "eq game_id@player_game_stats or"}));
  ASSERT_EQ(shape.or_chains.size(), 2u);
  EXPECT_EQ(shape.or_chains[0].terms, 4);
  EXPECT_EQ(Columns(shape.or_chains[0].columns),
            (Strings{"team_id@player_game_stats", "player_id@player_game_stats",
                     "pts@player_game_stats", "season@player_game_stats"}));
  EXPECT_FALSE(shape.or_chains[0].same_column);
  EXPECT_EQ(shape.or_chains[0].location, 54);  // `team_id`, after the parenthesis
  EXPECT_EQ(shape.or_chains[1].terms, 3);
  EXPECT_TRUE(shape.or_chains[1].same_column);

  // A term testing two columns has no single column; an AND inside an OR is under the OR.
  SqlModel mixed = Analyze("SELECT 1 FROM t WHERE (a = 1 AND b = 2) OR c = 3");
  ASSERT_EQ(mixed.selects[0].or_chains.size(), 1u);
  EXPECT_EQ(mixed.selects[0].or_chains[0].terms, 2);
  EXPECT_EQ(Columns(mixed.selects[0].or_chains[0].columns), (Strings{"c@t"}));
  EXPECT_FALSE(mixed.selects[0].or_chains[0].same_column);
  EXPECT_EQ(Predicates(mixed.selects[0]), (Strings{"eq a@t or", "eq b@t or", "eq c@t or"}));
}

TEST(SqlModelTest, ExplicitJoins) {
  const SchemaInfo schema = NbaSchema();
  SqlModel model = Analyze(
      "SELECT p.full_name FROM players p JOIN teams t ON p.team_id = t.team_id AND t.city = ? "
      "LEFT JOIN player_game_stats s USING (player_id) WHERE s.pts > 30",
      &schema);
  const SelectShape& shape = model.selects[0];
  EXPECT_EQ(Tables(shape), (Strings{"players p", "teams t", "player_game_stats s"}));
  EXPECT_EQ(Joins(shape), (Strings{"p.team_id@players = t.team_id@teams",
                                   "p.player_id@players = s.player_id@player_game_stats"}));
  EXPECT_EQ(Predicates(shape), (Strings{"eq t.city@teams", "range s.pts@player_game_stats"}));
  EXPECT_TRUE(shape.cross_joins.empty());

  // An explicit CROSS JOIN is what was asked for: not reported.
  EXPECT_TRUE(Analyze("SELECT 1 FROM teams CROSS JOIN games").selects[0].cross_joins.empty());
}

TEST(SqlModelTest, WhereJoinsAndCrossJoins) {
  const SchemaInfo schema = NbaSchema();
  SqlModel joined = Analyze(
      "SELECT 1 FROM games g, teams t, players p WHERE g.home_team_id = t.team_id "
      "AND p.team_id = t.team_id AND g.season = 2024",
      &schema);
  EXPECT_EQ(Joins(joined.selects[0]), (Strings{"g.home_team_id@games =where t.team_id@teams",
                                               "p.team_id@players =where t.team_id@teams"}));
  EXPECT_TRUE(joined.selects[0].cross_joins.empty());

  SqlModel cross = Analyze(
      "SELECT 1 FROM games g, teams t, players p WHERE g.home_team_id = t.team_id", &schema);
  ASSERT_EQ(cross.selects[0].cross_joins.size(), 1u);
  EXPECT_EQ(cross.selects[0].cross_joins[0].left, "teams");
  EXPECT_EQ(cross.selects[0].cross_joins[0].right, "players");

  // With a schema, the unqualified columns of a WHERE join resolve to their tables.
  SqlModel unqualified =
      Analyze("SELECT 1 FROM games, teams WHERE home_team_id = team_id AND city = ?", &schema);
  EXPECT_EQ(Joins(unqualified.selects[0]), (Strings{"home_team_id@games =where team_id@teams"}));
  EXPECT_EQ(Predicates(unqualified.selects[0]), (Strings{"eq city@teams"}));
  EXPECT_TRUE(unqualified.selects[0].cross_joins.empty());

  // Without one, a condition over columns of unknown tables may join them: nothing reported.
  SqlModel unknown = Analyze("SELECT 1 FROM games, teams WHERE home_team_id = team_id");
  EXPECT_TRUE(unknown.selects[0].cross_joins.empty());
  EXPECT_TRUE(unknown.selects[0].joins.empty());
  EXPECT_EQ(Predicates(unknown.selects[0]), (Strings{"other home_team_id@", "other team_id@"}));

  // A comma join with a derived table is not reported (often a single row).
  SqlModel derived = Analyze("SELECT 1 FROM games g, (SELECT max(season) AS s FROM games) m");
  EXPECT_TRUE(derived.selects[0].cross_joins.empty());
  SqlModel bare = Analyze("SELECT 1 FROM games, teams");
  ASSERT_EQ(bare.selects[0].cross_joins.size(), 1u);
  EXPECT_EQ(bare.selects[0].cross_joins[0].left, "games");
  EXPECT_EQ(bare.selects[0].cross_joins[0].right, "teams");
}

TEST(SqlModelTest, OrderGroupLimitAndTargets) {
  SqlModel model = Analyze(
      "SELECT p.team_id AS team, count(*) AS n FROM players p WHERE p.player_id > 0 "
      "GROUP BY p.team_id, 1, lower(p.full_name) ORDER BY team DESC, 2, p.full_name, "
      "length(p.full_name) LIMIT 10");
  const SelectShape& shape = model.selects[0];
  EXPECT_TRUE(shape.has_group_by);
  EXPECT_TRUE(shape.has_aggregate);
  EXPECT_TRUE(shape.has_order_by);
  EXPECT_TRUE(shape.has_limit);
  EXPECT_FALSE(shape.select_star);
  EXPECT_EQ(Columns(shape.group_by), (Strings{"p.team_id@players", "p.team_id@players"}));
  ASSERT_EQ(shape.order_by.size(), 2u);  // `team` is p.team_id; 2 is count(*): skipped
  EXPECT_EQ(Column(shape.order_by[0].column), "p.team_id@players");
  EXPECT_TRUE(shape.order_by[0].descending);
  EXPECT_EQ(Column(shape.order_by[1].column), "p.full_name@players");
  EXPECT_FALSE(shape.order_by[1].descending);

  SqlModel expression_only = Analyze("SELECT * FROM t ORDER BY a + b OFFSET 5");
  EXPECT_TRUE(expression_only.selects[0].has_order_by);
  EXPECT_TRUE(expression_only.selects[0].order_by.empty());
  EXPECT_FALSE(expression_only.selects[0].has_limit);
  EXPECT_TRUE(expression_only.selects[0].select_star);
  EXPECT_EQ(expression_only.selects[0].star_location, 7);

  EXPECT_FALSE(Analyze("SELECT a FROM t LIMIT ALL").selects[0].has_limit);
  EXPECT_TRUE(Analyze("SELECT a FROM t FETCH FIRST 3 ROWS ONLY").selects[0].has_limit);
  EXPECT_TRUE(Analyze("SELECT DISTINCT a FROM t").selects[0].distinct);
  // A window function is not an aggregate that reduces rows.
  EXPECT_FALSE(Analyze("SELECT count(*) OVER () FROM t").selects[0].has_aggregate);
  EXPECT_TRUE(Analyze("SELECT coalesce(sum(a), 0) FROM t").selects[0].has_aggregate);
  SqlModel star = Analyze("SELECT t.a, u.* FROM t JOIN u ON t.id = u.id");
  EXPECT_TRUE(star.selects[0].select_star);
  EXPECT_EQ(star.selects[0].star_location, 12);
}

TEST(SqlModelTest, CtesAndSubqueriesAreShapesOfTheirOwn) {
  SqlModel model = Analyze(
      "WITH recent AS (SELECT game_id FROM games WHERE season = ?) "
      "SELECT (SELECT max(pts) FROM player_game_stats x WHERE x.player_id = s.player_id), "
      "r.game_id FROM recent r JOIN player_game_stats s ON s.game_id = r.game_id "
      "JOIN (SELECT team_id FROM teams WHERE city = ?) t ON true "
      "WHERE EXISTS (SELECT 1 FROM players p WHERE p.player_id = s.player_id) "
      "AND s.game_id IN (SELECT game_id FROM games WHERE home_team_id = 5)");
  ASSERT_EQ(model.selects.size(), 6u);
  const SelectShape& outer = model.selects[0];
  EXPECT_EQ(outer.depth, 0);
  EXPECT_EQ(Tables(outer), (Strings{"recent r cte", "player_game_stats s"}));
  // r is a CTE: its columns have no base table.
  EXPECT_EQ(Joins(outer), (Strings{"s.game_id@player_game_stats = r.game_id@"}));
  EXPECT_EQ(Predicates(outer), (Strings{"in s.game_id@player_game_stats"}));

  // The CTE, then the scalar subquery of the target list, the derived table, EXISTS, IN.
  EXPECT_EQ(Tables(model.selects[1]), (Strings{"games"}));
  EXPECT_EQ(Predicates(model.selects[1]), (Strings{"eq season@games"}));
  EXPECT_EQ(Tables(model.selects[2]), (Strings{"player_game_stats x"}));
  // A correlated reference is a value for the inner SELECT: a predicate, not a join.
  EXPECT_EQ(Predicates(model.selects[2]), (Strings{"eq x.player_id@player_game_stats"}));
  EXPECT_TRUE(model.selects[2].has_aggregate);
  EXPECT_EQ(Tables(model.selects[3]), (Strings{"teams"}));
  EXPECT_EQ(Tables(model.selects[4]), (Strings{"players p"}));
  EXPECT_EQ(Predicates(model.selects[4]), (Strings{"eq p.player_id@players"}));
  EXPECT_EQ(Tables(model.selects[5]), (Strings{"games"}));
  EXPECT_EQ(Predicates(model.selects[5]), (Strings{"eq home_team_id@games"}));
  for (size_t i = 1; i < model.selects.size(); ++i) EXPECT_EQ(model.selects[i].depth, 1) << i;
}

TEST(SqlModelTest, UnionArms) {
  SqlModel model = Analyze(
      "WITH c AS (SELECT team_id FROM teams) "
      "SELECT home_team_id FROM games WHERE season = 1 UNION ALL "
      "SELECT away_team_id FROM games WHERE season = 2 UNION SELECT team_id FROM c "
      "ORDER BY 1 LIMIT 5");
  ASSERT_EQ(model.selects.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(model.selects[i].depth, 0) << i;
    EXPECT_TRUE(model.selects[i].has_limit) << i;
    EXPECT_TRUE(model.selects[i].has_order_by) << i;
    EXPECT_TRUE(model.selects[i].order_by.empty()) << i;
  }
  EXPECT_EQ(Predicates(model.selects[0]), (Strings{"eq season@games"}));
  EXPECT_EQ(Predicates(model.selects[1]), (Strings{"eq season@games"}));
  EXPECT_EQ(Tables(model.selects[2]), (Strings{"c cte"}));
  EXPECT_EQ(Tables(model.selects[3]), (Strings{"teams"}));
  EXPECT_EQ(model.selects[3].depth, 1);
  EXPECT_FALSE(model.selects[3].has_limit);
}

TEST(SqlModelTest, UpdateDeleteInsertExplain) {
  SqlModel update = Analyze(
      "UPDATE players SET team_id = (SELECT team_id FROM teams WHERE name = ?) "
      "WHERE player_id = ? AND lower(full_name) LIKE 'x%'");
  EXPECT_EQ(update.statement, "update");
  ASSERT_EQ(update.selects.size(), 2u);
  EXPECT_EQ(Tables(update.selects[0]), (Strings{"players"}));
  EXPECT_TRUE(update.selects[0].has_where);
  EXPECT_EQ(Predicates(update.selects[0]),
            (Strings{"eq player_id@players", "like full_name@players wrap(lower) pattern(x%)"}));
  EXPECT_EQ(Predicates(update.selects[1]), (Strings{"eq name@teams"}));

  SqlModel del = Analyze(
      "DELETE FROM games AS g USING teams t WHERE g.home_team_id = t.team_id "
      "AND t.city = 'Nowhere'");
  EXPECT_EQ(del.statement, "delete");
  EXPECT_EQ(Tables(del.selects[0]), (Strings{"games g", "teams t"}));
  EXPECT_EQ(Joins(del.selects[0]), (Strings{"g.home_team_id@games =where t.team_id@teams"}));
  EXPECT_EQ(Predicates(del.selects[0]), (Strings{"eq t.city@teams"}));
  SqlModel everything = Analyze("DELETE FROM games");
  EXPECT_FALSE(everything.selects[0].has_where);

  SqlModel insert = Analyze("INSERT INTO t (a) SELECT a FROM u WHERE b = 1");
  EXPECT_EQ(insert.statement, "insert");
  ASSERT_EQ(insert.selects.size(), 1u);
  EXPECT_EQ(Predicates(insert.selects[0]), (Strings{"eq b@u"}));
  SqlModel values = Analyze("INSERT INTO t (a, b) VALUES (?, ?)");
  EXPECT_EQ(values.statement, "insert");
  EXPECT_TRUE(values.selects.empty());

  SqlModel explain = Analyze("EXPLAIN SELECT * FROM games WHERE season = 2024");
  EXPECT_EQ(explain.statement, "explain");
  EXPECT_EQ(Predicates(explain.selects[0]), (Strings{"eq season@games"}));

  SqlModel other = Analyze("CREATE TABLE x (a int)");
  EXPECT_EQ(other.statement, "other");
  EXPECT_TRUE(other.selects.empty());
}

TEST(SqlModelTest, ColumnResolution) {
  const SchemaInfo schema = NbaSchema();
  // By alias, by table name, schema-qualified table, quoted names.
  SqlModel model = Analyze(
      "SELECT 1 FROM public.players AS pl JOIN \"Teams\" ON pl.team_id = \"Teams\".team_id "
      "WHERE players.player_id = 1 AND pl.full_name = ? AND \"Teams\".\"City\" = ? "
      "AND zz.q = 1");
  EXPECT_EQ(Tables(model.selects[0]), (Strings{"players pl", "teams"}));
  EXPECT_EQ(Joins(model.selects[0]), (Strings{"pl.team_id@players = Teams.team_id@teams"}));
  // `players` is not a name in scope once aliased: it stays unresolved (an outer value).
  EXPECT_EQ(Predicates(model.selects[0]),
            (Strings{"eq pl.full_name@players", "eq Teams.City@teams"}));

  // Unqualified: with a schema, to the table that has the column.
  SqlModel with_schema = Analyze(
      "SELECT 1 FROM players JOIN teams ON players.team_id = teams.team_id "
      "WHERE full_name = ? AND city = ? AND nope = 1",
      &schema);
  EXPECT_EQ(Predicates(with_schema.selects[0]), (Strings{"eq full_name@players", "eq city@teams"}));
  // `nope` is in neither table: an outer name, not a predicate here. Without a schema the
  // unqualified columns of a two-table SELECT stay unresolved.
  SqlModel without =
      Analyze("SELECT 1 FROM players JOIN teams ON players.team_id = teams.team_id WHERE city = ?");
  EXPECT_EQ(Predicates(without.selects[0]), (Strings{"eq city@"}));

  // A correlated column found in the enclosing SELECT.
  SqlModel correlated = Analyze(
      "SELECT 1 FROM games g WHERE EXISTS (SELECT 1 FROM teams t WHERE t.team_id = "
      "home_team_id AND city = ?)",
      &schema);
  EXPECT_EQ(Predicates(correlated.selects[1]), (Strings{"eq t.team_id@teams", "eq city@teams"}));

  // A table the schema does not know: the only table still owns unqualified columns.
  SqlModel unknown_table = Analyze("SELECT 1 FROM mystery WHERE a = 1", &schema);
  EXPECT_EQ(Predicates(unknown_table.selects[0]), (Strings{"eq a@mystery"}));
}

TEST(SqlModelTest, NotInSubquery) {
  const SchemaInfo schema = NbaSchema();
  SqlModel model = Analyze(
      "SELECT 1 FROM teams t WHERE t.team_id NOT IN (SELECT g.home_team_id FROM games g) "
      "AND t.team_id NOT IN (SELECT home_team_id FROM games WHERE home_team_id IS NOT NULL) "
      "AND t.team_id NOT IN (SELECT away_team_id FROM games WHERE away_team_id > 0) "
      "AND t.team_id NOT IN (SELECT away_team_id FROM games WHERE away_team_id > 0 OR season = 1) "
      "AND t.team_id NOT IN (1, 2)",
      &schema);
  const auto& not_in = model.selects[0].not_in_subqueries;
  ASSERT_EQ(not_in.size(), 4u);
  EXPECT_EQ(Column(not_in[0].column), "t.team_id@teams");
  EXPECT_EQ(Column(not_in[0].subquery_column), "g.home_team_id@games");
  EXPECT_FALSE(not_in[0].null_filtered);
  EXPECT_EQ(not_in[0].location, 28);
  EXPECT_EQ(Column(not_in[1].subquery_column), "home_team_id@games");
  EXPECT_TRUE(not_in[1].null_filtered);
  EXPECT_TRUE(not_in[2].null_filtered);
  EXPECT_FALSE(not_in[3].null_filtered);
  EXPECT_EQ(Predicates(model.selects[0]),
            (Strings{"ne t.team_id@teams", "ne t.team_id@teams", "ne t.team_id@teams",
                     "ne t.team_id@teams", "ne t.team_id@teams"}));
}

TEST(SqlModelTest, PlaceholderStylesAndLocations) {
  const std::string sql =
      "SELECT 1 FROM t WHERE a = :team AND b = ? AND c = ?5 AND d = @x AND e = $2 "
      "AND f = '?' AND g::text = :team AND h = ?";
  SqlModel model = Analyze(sql);
  EXPECT_EQ(Predicates(model.selects[0]), (Strings{"eq a@t", "eq b@t", "eq c@t", "eq d@t", "eq e@t",
                                                   "eq f@t", "eq g@t wrap(cast)", "eq h@t"}));
  // Offsets are in the SQL as given, not in the rewritten text.
  EXPECT_EQ(model.selects[0].predicates[1].location, static_cast<int>(sql.find("b = ?")));
  EXPECT_EQ(model.selects[0].predicates[7].location, static_cast<int>(sql.find("h = ?")));
  EXPECT_EQ(model.selects[0].predicates[7].column.location, static_cast<int>(sql.find("h = ?")));
}

TEST(SqlModelTest, DollarQuotesAndDollarNames) {
  // A dollar-quoted string hides its `?`; `$who` is a named placeholder.
  const std::string sql =
      "SELECT 1 FROM t WHERE a = $$?$$ AND b = $who AND c = $tag$ ? $tag$ AND d = ?";
  SqlModel model = Analyze(sql);
  EXPECT_EQ(Predicates(model.selects[0]), (Strings{"eq a@t", "eq b@t", "eq c@t", "eq d@t"}));
  EXPECT_EQ(model.selects[0].predicates[3].location, static_cast<int>(sql.find("d = ?")));
}

TEST(SqlModelTest, TableFunctionsInFrom) {
  SqlModel model = Analyze(
      "SELECT 1 FROM games g, generate_series(1, 3) AS s(n) WHERE g.season = s.n AND s.n > 1");
  const SelectShape& shape = model.selects[0];
  EXPECT_EQ(Tables(shape), (Strings{"games g"}));  // the function is not a table
  EXPECT_TRUE(shape.cross_joins.empty());
  // s.n belongs to the function: a FROM item of its own, with no base table.
  EXPECT_EQ(Joins(shape), (Strings{"g.season@games =where s.n@"}));
  EXPECT_EQ(Predicates(shape), (Strings{"range s.n@"}));
}

TEST(SqlModelTest, Errors) {
  auto glob = AnalyzeSql("SELECT * FROM players WHERE full_name GLOB 'A*'");
  EXPECT_ERROR(glob, ErrorCode::kSyntax);
  EXPECT_NE(glob.error().message.find("syntax error at or near \"GLOB\""), std::string::npos)
      << glob.error().message;
  EXPECT_NE(glob.error().message.find("at offset 38"), std::string::npos) << glob.error().message;
  // The offset is in the original text even after placeholders were rewritten.
  auto after_params = AnalyzeSql("SELECT ?, ?, ? FROM t WHERE x GLOB 'a'");
  EXPECT_ERROR(after_params, ErrorCode::kSyntax);
  EXPECT_NE(after_params.error().message.find("at offset 30"), std::string::npos)
      << after_params.error().message;

  EXPECT_ERROR(AnalyzeSql("SELECT 1; SELECT 2"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(AnalyzeSql(""), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(AnalyzeSql("  -- nothing here\n"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(AnalyzeSql(std::string_view("SELECT 1\0", 9)), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(AnalyzeSql("SELECT '\xff' FROM t"), ErrorCode::kInvalidArgument);
  EXPECT_ERROR(AnalyzeSql("SELECT '\xed\xa0\x80' FROM t"),
               ErrorCode::kInvalidArgument);                                          // surrogate
  EXPECT_ERROR(AnalyzeSql("SELECT '\xc0\xaf' FROM t"), ErrorCode::kInvalidArgument);  // overlong
  ASSERT_OK(AnalyzeSql("SELECT 'ünïcödé ✓ 🏀' FROM t"));
  EXPECT_ERROR(AnalyzeSql(std::string(kMaxAnalyzedSqlBytes + 1, ' ')), ErrorCode::kPayloadTooLarge);
}

TEST(SqlModelTest, NestingIsBounded) {
  // Subqueries nested past the bound.
  std::string nested = "SELECT 1 FROM t WHERE a IN ";
  for (int i = 0; i < 150; ++i) nested += "(SELECT a FROM t WHERE a IN ";
  nested += "(1)" + std::string(150, ')');
  auto deep = AnalyzeSql(nested);
  EXPECT_ERROR(deep, ErrorCode::kInvalidArgument);
  EXPECT_NE(deep.error().message.find("nested more than 200 levels"), std::string::npos);

  // A left-deep expression of 40,000 terms (about 80 KB): refused before it is walked.
  std::string sum = "SELECT ";
  for (int i = 0; i < 40'000; ++i) sum += "a+";
  sum += "a FROM t";
  ASSERT_LT(sum.size(), kMaxAnalyzedSqlBytes);
  EXPECT_ERROR(AnalyzeSql(sum), ErrorCode::kInvalidArgument);

  // Wide is fine: a 15,000-value IN list.
  std::string wide = "SELECT 1 FROM t WHERE a IN (0";
  for (int i = 1; i < 15'000; ++i) wide += "," + std::to_string(i);
  wide += ")";
  auto model = AnalyzeSql(wide);
  ASSERT_OK(model);
  EXPECT_EQ(Predicates(model->selects[0]), (Strings{"in a@t"}));

  // One expression over 8,000 distinct columns: each becomes a predicate of its own.
  const SchemaInfo schema = NbaSchema();
  std::string columns = "SELECT 1 FROM games g, teams t WHERE coalesce(g.c0";
  for (int i = 1; i < 8'000; ++i) columns += ", g.c" + std::to_string(i);
  columns += ") = t.name";
  ASSERT_LT(columns.size(), kMaxAnalyzedSqlBytes);
  auto many = AnalyzeSql(columns, &schema);
  ASSERT_OK(many);
  EXPECT_EQ(many->selects[0].predicates.size(), 8'001u);
  EXPECT_TRUE(many->selects[0].cross_joins.empty());  // the condition links both tables
}

}  // namespace
}  // namespace fastbreak::query
