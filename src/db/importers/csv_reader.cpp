#include "db/importers/csv_reader.hpp"

namespace fastbreak::db::detail {

CsvReader::CsvReader(std::string text) : text_(std::move(text)) {
  if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
}

Result<bool> CsvReader::Next(std::vector<std::string>& fields) {
  fields.clear();
  // Skip empty lines between records.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= text_.size()) return false;
  record_line_ = line_;
  std::string field;
  while (true) {
    if (pos_ < text_.size() && text_[pos_] == '"') {
      // Quoted field: runs to the next quote not followed by another quote.
      const int64_t opened_at = line_;
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) {
          return MakeError(ErrorCode::kParseError,
                           "line {}: quoted field opened on line {} is never closed", line_,
                           opened_at);
        }
        const char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field += '"';
            ++pos_;
            continue;
          }
          break;
        }
        if (c == '\n') ++line_;
        field += c;
      }
      const bool at_end =
          pos_ >= text_.size() || text_[pos_] == ',' || text_[pos_] == '\n' ||
          (text_[pos_] == '\r' && (pos_ + 1 >= text_.size() || text_[pos_ + 1] == '\n'));
      if (!at_end) {
        return MakeError(ErrorCode::kParseError, "line {}: unexpected '{}' after a closing quote",
                         line_, text_[pos_]);
      }
    } else {
      while (pos_ < text_.size()) {
        const char c = text_[pos_];
        if (c == ',' || c == '\n') break;
        if (c == '\r' && (pos_ + 1 >= text_.size() || text_[pos_ + 1] == '\n')) break;
        field += c;  // a lone CR or a stray quote is data
        ++pos_;
      }
    }
    fields.push_back(std::move(field));
    field.clear();
    if (pos_ >= text_.size()) return true;
    const char separator = text_[pos_++];
    if (separator == ',') continue;
    if (separator == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
}

}  // namespace fastbreak::db::detail
