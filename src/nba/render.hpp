// Compact text renderings of tool results: aligned plain-text tables and number formats.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fastbreak::nba {

// A fixed-width table: a header line, a rule, then one line per row. Columns are left-aligned
// when `numeric` is false for them, right-aligned otherwise (missing entries = left).
std::string RenderTable(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows,
                        const std::vector<bool>& numeric = {});

// 27.3 with `decimals` digits; nullopt renders as "-".
std::string FormatNumber(std::optional<double> value, int decimals = 1);
// .563 style for percentages stored as fractions (0.5634 -> ".563"; 1.0 -> "1.000").
std::string FormatPct(std::optional<double> fraction);
// "34:12" from seconds.
std::string FormatMinutes(int64_t seconds);

}  // namespace fastbreak::nba
