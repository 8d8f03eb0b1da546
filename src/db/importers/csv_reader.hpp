// A small RFC 4180 CSV reader: comma-separated fields, optional double quotes around a field,
// "" inside quotes for a literal quote, quoted fields may span lines, CRLF or LF line ends. A
// UTF-8 byte order mark at the start is ignored, and so are empty lines. A quote inside an
// unquoted field is kept as a literal character.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace fastbreak::db::detail {

class CsvReader {
 public:
  // Reads from `text` (a whole file), which the reader keeps.
  explicit CsvReader(std::string text);

  // Reads the next record into `fields` (replacing its contents). Returns false at the end of
  // the input. kParseError "line N: ..." for an unterminated quoted field or text after a closing
  // quote.
  Result<bool> Next(std::vector<std::string>& fields);

  // 1-based line on which the record last returned by Next() starts.
  int64_t line() const { return record_line_; }

 private:
  std::string text_;
  size_t pos_ = 0;
  int64_t line_ = 1;  // line of text_[pos_]
  int64_t record_line_ = 0;
};

}  // namespace fastbreak::db::detail
