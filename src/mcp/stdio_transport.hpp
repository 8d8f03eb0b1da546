// MCP over stdio: newline-delimited JSON-RPC messages on an input descriptor, one response or
// notification per line on an output descriptor and nothing else there.
#pragma once

#include <cstddef>

#include "core/error.hpp"
#include "mcp/server.hpp"

namespace fastbreak::mcp {

struct StdioOptions {
  // Longest accepted line (one message); a longer one is answered with a parse error and
  // skipped up to its newline.
  size_t max_message_bytes = size_t{4} << 20;
};

// Serves one session until `in_fd` reaches end of file, then waits for the requests still
// running and returns. Requests run concurrently (so a notifications/cancelled is read while
// the call it cancels runs); responses are written whole, one per line, in completion order.
// kIo when reading or writing fails (e.g. the client closed stdout).
Status RunStdio(McpServer& server, int in_fd, int out_fd, const StdioOptions& options = {});

}  // namespace fastbreak::mcp
