#include <spdlog/spdlog.h>
#include <unistd.h>

#include "app/commands.hpp"
#include "app/service.hpp"
#include "mcp/stdio_transport.hpp"

namespace fastbreak::app {

int RunStdio(const AppOptions& options) {
  auto service = StartService(options);
  if (!service) {
    spdlog::error("{}", service.error().message);
    return kExitFailure;
  }
  spdlog::info("fastbreak MCP on stdio ({})", DatabaseDescription(options));
  auto status = mcp::RunStdio(*(*service)->mcp, STDIN_FILENO, STDOUT_FILENO);
  (*service)->SaveHotKeys();
  if (!status) {
    spdlog::error("{}", status.error().message);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace fastbreak::app
