// The SQLite cost model over EXPLAIN QUERY PLAN (described in advisor.hpp).
#include <algorithm>
#include <cctype>
#include <cmath>

#include "query/advisor_internal.hpp"

namespace fastbreak::query::detail {
namespace {

// Rows assumed for a plan name that is neither a table nor a subquery seen before.
constexpr double kUnknownRows = 100;
// Rows per key SQLite assumes for an equality on an index without statistics.
constexpr double kDefaultRowsPerKey = 10;
// Each range bound keeps this fraction of the rows.
constexpr double kRangeFactor = 1.0 / 3.0;

double Log2(double n) { return std::log2(std::max(n, 2.0)); }

// The parts of one SCAN/SEARCH detail the model needs.
struct Loop {
  std::string name;   // as the plan names it (an alias, a table, "(subquery-1)")
  std::string index;  // empty for none
  bool covering = false;
  bool automatic = false;
  bool rowid = false;  // INTEGER PRIMARY KEY
  int equalities = 0;  // leading key columns fixed (= or IN), skip-scanned ones included
  int skipped = 0;     // leading columns skip-scanned: ANY(col)
  int ranges = 0;
};

Loop ParseLoop(std::string_view detail) {
  Loop loop;
  const size_t space = detail.find(' ');
  std::string_view rest = space == std::string_view::npos ? "" : detail.substr(space + 1);
  if (rest.starts_with("TABLE ")) rest.remove_prefix(6);  // older SQLite: "SCAN TABLE t AS a"
  size_t end = rest.find(" USING ");
  const size_t virtual_table = rest.find(" VIRTUAL TABLE");
  end = std::min(end, virtual_table);
  std::string_view name = rest.substr(0, end);
  if (const size_t as = name.find(" AS "); as != std::string_view::npos) {
    name = name.substr(as + 4);
  }
  loop.name = std::string(name);
  if (end == std::string_view::npos || end == virtual_table) return loop;
  std::string_view using_part = rest.substr(end + 7);
  if (using_part.starts_with("AUTOMATIC ")) loop.automatic = true;
  loop.covering = using_part.find("COVERING INDEX") != std::string_view::npos;
  if (using_part.starts_with("INTEGER PRIMARY KEY")) {
    loop.rowid = true;
  } else if (const size_t at = using_part.find("INDEX ");
             at != std::string_view::npos && !loop.automatic) {
    std::string_view index = using_part.substr(at + 6);
    index = index.substr(0, index.find(" ("));
    loop.index = std::string(index);
  } else if (using_part.starts_with("PRIMARY KEY")) {
    loop.index = "primary key";
  }
  const size_t open = using_part.find('(');
  const size_t close = using_part.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return loop;
  }
  std::string_view terms = using_part.substr(open + 1, close - open - 1);
  while (!terms.empty()) {
    const size_t sep = terms.find(" AND ");
    const std::string_view term = terms.substr(0, sep);
    if (term.find('<') != std::string_view::npos || term.find('>') != std::string_view::npos) {
      ++loop.ranges;
    } else if (term.starts_with("ANY(")) {
      ++loop.equalities;
      ++loop.skipped;
    } else if (term.find('=') != std::string_view::npos) {
      ++loop.equalities;
    }
    if (sep == std::string_view::npos) break;
    terms.remove_prefix(sep + 5);
  }
  return loop;
}

class CostWalker {
 public:
  CostWalker(const SqliteCostInputs& inputs, PlanCost& out) : in_(inputs), out_(out) {}

  // Costs sibling nodes run as nested loops under `outer` rows; returns {cost, rows out}.
  std::pair<double, double> Sequence(const std::vector<PlanNode>& nodes, double outer) {
    double rows = outer;
    double cost = 0;
    for (const auto& node : nodes) {
      const std::string_view detail = node.detail;
      if (detail.starts_with("SCAN ") || detail.starts_with("SEARCH ")) {
        const auto [per_loop, produced, once] = LoopCost(detail);
        cost += once + rows * per_loop;
        rows *= std::max(produced, 1.0);
        cost += Sequence(node.children, 1).first;
      } else if (detail.starts_with("USE TEMP B-TREE")) {
        cost += rows * Log2(rows);
      } else if (detail.starts_with("BLOOM FILTER")) {
        // Cheap and only filters: no cost of its own.
      } else if (detail.starts_with("CO-ROUTINE ") || detail.starts_with("MATERIALIZE ")) {
        const auto [sub_cost, sub_rows] = Sequence(node.children, 1);
        cost += sub_cost;
        produced_[Lower(detail.substr(detail.find(' ') + 1))] = sub_rows;
      } else if (detail.starts_with("COMPOUND QUERY") || detail.starts_with("MULTI-INDEX OR")) {
        double parts_rows = 0;
        for (const auto& part : node.children) {
          const auto [part_cost, part_rows] =
              Sequence(part.children.empty() ? std::vector<PlanNode>{part} : part.children, 1);
          cost += rows * part_cost;
          parts_rows += part_rows;
        }
        rows *= std::max(parts_rows, 1.0);
      } else {
        // Subqueries (LIST, SCALAR, EXISTS...): run once, or once per outer row when
        // correlated.
        const double times = detail.starts_with("CORRELATED ") ? rows : 1;
        cost += times * Sequence(node.children, 1).first;
      }
    }
    return {cost, rows};
  }

 private:
  struct LoopFigures {
    double per_loop = 0;  // each time the loop runs
    double produced = 0;  // rows it yields each time
    double once = 0;      // paid once (building an automatic index)
  };

  // The rows behind a plan name, noting the base table read.
  double RowsOf(const std::string& plan_name) {
    const std::string name = Lower(plan_name);
    std::string table = name;
    if (in_.aliases != nullptr) {
      if (auto it = in_.aliases->find(name); it != in_.aliases->end()) table = it->second;
    }
    if (in_.table_rows != nullptr) {
      if (auto it = in_.table_rows->find(table); it != in_.table_rows->end()) {
        out_.tables.insert(table);
        return std::max(it->second, 1.0);
      }
    }
    if (auto it = produced_.find(name); it != produced_.end()) return std::max(it->second, 1.0);
    return kUnknownRows;
  }

  double RowsPerKey(const std::string& index, int equalities, double rows) const {
    if (equalities <= 0) return rows;
    if (in_.index_stats != nullptr) {
      if (auto it = in_.index_stats->find(Lower(index));
          it != in_.index_stats->end() && it->second.size() > 1) {
        const size_t k = std::min<size_t>(static_cast<size_t>(equalities), it->second.size() - 1);
        return std::max(it->second[k], 1.0);
      }
    }
    return std::min(rows, kDefaultRowsPerKey);
  }

  LoopFigures LoopCost(std::string_view detail) {
    if (detail == "SCAN CONSTANT ROW") return {1, 1, 0};
    const Loop loop = ParseLoop(detail);
    const double rows = RowsOf(loop.name);
    if (!loop.index.empty()) out_.indexes.insert(Lower(loop.index));
    // A row found through a non-covering index is then looked up in the table.
    const double fetch = loop.covering ? 1 : 1 + Log2(rows);
    if (detail.starts_with("SCAN ")) {
      return {loop.index.empty() ? rows : rows * fetch, rows, 0};
    }
    double visited = 0;
    double once = 0;
    if (loop.rowid) {
      visited = loop.equalities > 0 ? 1 : rows;
    } else if (loop.automatic) {
      once = rows * Log2(rows);
      visited = loop.equalities > 0 ? std::min(rows, kDefaultRowsPerKey) : rows;
    } else {
      visited = RowsPerKey(loop.index, loop.equalities, rows);
    }
    visited *= std::pow(kRangeFactor, loop.ranges);
    const double per_row = loop.rowid || loop.automatic ? 1 : fetch;
    // A skip-scan seeks once per distinct value of the skipped leading columns.
    const double seeks = loop.skipped > 0 ? rows / RowsPerKey(loop.index, loop.skipped, rows) : 1;
    return {seeks * Log2(rows) + visited * per_row, visited, once};
  }

  const SqliteCostInputs& in_;
  PlanCost& out_;
  std::map<std::string, double> produced_;  // CO-ROUTINE/MATERIALIZE name -> rows
};

}  // namespace

PlanCost SqlitePlanCost(const PlanNode& root, const SqliteCostInputs& inputs) {
  PlanCost out;
  CostWalker walker(inputs, out);
  const std::vector<PlanNode> top =
      root.children.empty() && !root.detail.empty() ? std::vector<PlanNode>{root} : root.children;
  out.cost = walker.Sequence(top, 1).first;
  return out;
}

double EstimateDistinct(double rows, double sample, double distinct_in_sample, double singletons) {
  if (sample <= 0 || distinct_in_sample <= 0) return 1;
  const double scale = std::sqrt(std::max(rows / sample, 1.0));
  const double estimate = scale * singletons + (distinct_in_sample - singletons);
  return std::clamp(estimate, distinct_in_sample, std::max(rows, distinct_in_sample));
}

}  // namespace fastbreak::query::detail
