// Lexical rules of the Prometheus text exposition format 0.0.4: names, escaping and numbers.
// Internal to the telemetry module; pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace fastbreak::telemetry::detail {

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(std::string_view name) noexcept;
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved for Prometheus itself).
bool IsValidLabelName(std::string_view name) noexcept;

// Appends `value` with \ " and newline escaped, as a label value between quotes needs.
void AppendEscapedLabelValue(std::string& out, std::string_view value);
// Appends `help` with \ and newline escaped, as a # HELP line needs.
void AppendEscapedHelp(std::string& out, std::string_view help);

// A sample value or "le" bound: shortest round-trip decimal ("0.25", "1e-05", "3"), or "NaN",
// "+Inf", "-Inf".
std::string FormatFloat(double value);

}  // namespace fastbreak::telemetry::detail
