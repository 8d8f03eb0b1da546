#include "nba/lookup.hpp"

namespace fastbreak::nba {}  // namespace fastbreak::nba
