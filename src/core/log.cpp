#include "core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace fastbreak {

Status InitLogging(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "unknown log level '{}' (trace, debug, info, warn, error, off)", level);
  }
  spdlog::drop("fastbreak");
  auto logger = spdlog::stderr_color_mt("fastbreak");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(parsed);
  spdlog::set_default_logger(std::move(logger));
  return Ok();
}

}  // namespace fastbreak
