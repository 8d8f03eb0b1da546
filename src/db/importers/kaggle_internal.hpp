// Row access and per-table readers for the Kaggle importer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"
#include "db/importers/writer.hpp"

namespace fastbreak::db::detail {

// Streams `SELECT columns FROM table` from the Kaggle file and hands each row to a reader, with
// typed, located access to its values.
class KaggleTable {
 public:
  // REQUIRES: `statement` selects `columns` in order; everything outlives the table.
  KaggleTable(const std::string& path, std::string_view table,
              const std::vector<std::string_view>& columns, Statement& statement)
      : path_(path), table_(table), columns_(columns), statement_(statement) {}

  // Steps through every row, calling `on_row` (which reads the current row through this object)
  // and `on_progress` every `kProgressEvery` rows.
  static constexpr int64_t kProgressEvery = 10000;
  Status ForEachRow(const std::function<Status()>& on_row,
                    const std::function<void(int64_t rows)>& on_progress);

  // Column `c` of the current row. NULL and "" read as absent; reals and numeric text with an
  // integral value read as integers; anything else is a kParseError naming table, row, column.
  Result<OptInt> Int(int c) const;
  // A required integer: absent is an error too.
  Result<int64_t> RequiredInt(int c) const;
  // Text (numbers rendered as text); absent for NULL and "".
  OptText Text(int c) const;
  // Like Int, but an unreadable value is absent rather than an error (biographical data).
  OptInt LenientInt(int c) const;

  // kParseError "<path>: table <t>, row <n>: <what>".
  Error Fail(std::string_view what) const;
  // `error` with the same location put in front.
  Error Locate(Error error) const;

 private:
  const std::string& path_;
  std::string_view table_;
  const std::vector<std::string_view>& columns_;
  Statement& statement_;
  int64_t row_ = 0;  // 1-based number of the current row
};

// Per-table readers. Each prepares its SELECT on `source`, streams it through a KaggleTable and
// writes through `writer`; `progress(rows)` is called as rows are read.
using KaggleProgress = std::function<void(int64_t rows)>;
Status ImportKagglePlayers(Connection& source, const std::string& path, Writer& writer,
                           const KaggleProgress& progress);
Status ImportKagglePlayerInfo(Connection& source, const std::string& path, Writer& writer,
                              const KaggleProgress& progress);
Status ImportKaggleGames(Connection& source, const std::string& path, Writer& writer,
                         const KaggleProgress& progress);
Status ImportKaggleLineScores(Connection& source, const std::string& path, Writer& writer,
                              const KaggleProgress& progress);
Status ImportKagglePlays(Connection& source, const std::string& path, Writer& writer,
                         const KaggleProgress& progress);

// Prepares "SELECT <columns> FROM <table>", or kInvalidArgument naming the first missing column.
Result<StatementPtr> SelectColumns(Connection& source, const std::string& path,
                                   std::string_view table,
                                   const std::vector<std::string_view>& columns);

}  // namespace fastbreak::db::detail
