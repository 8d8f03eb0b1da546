#include "nba/stats.hpp"
