// Stat formulas: per-game and per-36 rates, shooting percentages, TS%, eFG%, usage estimate.
#pragma once
