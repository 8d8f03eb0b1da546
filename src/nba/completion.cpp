#include "nba/catalog.hpp"

namespace fastbreak::nba {

Result<Completion> Complete(ArgumentKind /*kind*/, std::string_view /*prefix*/, size_t /*limit*/,
                            CallContext& /*context*/) {
  return Completion{};
}

}  // namespace fastbreak::nba
