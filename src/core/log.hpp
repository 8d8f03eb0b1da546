// Logging goes to stderr only (stdout belongs to the MCP stdio transport).
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

#include "core/error.hpp"

namespace fastbreak {

// Installs the process logger: stderr, "[time] [level] message". Call once, from main.
// level: trace, debug, info, warn, error, off.
Status InitLogging(std::string_view level);

}  // namespace fastbreak
