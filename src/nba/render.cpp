#include "nba/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace fastbreak::nba {

std::string RenderTable(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows,
                        const std::vector<bool>& numeric) {
  std::vector<size_t> widths(headers.size());
  for (size_t c = 0; c < headers.size(); ++c) widths[c] = headers[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  std::string out;
  auto append_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t c = 0; c < widths.size(); ++c) {
      const std::string empty;
      const std::string& cell = c < cells.size() ? cells[c] : empty;
      if (c > 0) line += "  ";
      const bool right = c < numeric.size() && numeric[c];
      const size_t pad = widths[c] - std::min(widths[c], cell.size());
      if (right) line.append(pad, ' ');
      line += cell;
      if (!right && c + 1 < widths.size()) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  append_row(headers);
  size_t total = 0;
  for (size_t c = 0; c < widths.size(); ++c) total += widths[c] + (c > 0 ? 2 : 0);
  out.append(total, '-');
  out += '\n';
  for (const auto& row : rows) append_row(row);
  return out;
}

std::string FormatNumber(std::optional<double> value, int decimals) {
  if (!value || !std::isfinite(*value)) return "-";
  return fmt::format("{:.{}f}", *value, decimals);
}

std::string FormatPct(std::optional<double> fraction) {
  if (!fraction || !std::isfinite(*fraction)) return "-";
  std::string text = fmt::format("{:.3f}", *fraction);
  if (text.starts_with("0.")) text.erase(0, 1);
  return text;
}

std::string FormatMinutes(int64_t seconds) {
  return fmt::format("{}:{:02}", seconds / 60, seconds % 60);
}

}  // namespace fastbreak::nba
