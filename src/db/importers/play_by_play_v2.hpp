// Turns NBA stats PlayByPlayV2 events (nba_api JSON and the Kaggle play_by_play table share the
// columns) into play_by_play rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "db/importers/writer.hpp"

namespace fastbreak::db::detail {

// One PlayByPlayV2 row, as read from either source.
struct V2Event {
  std::string game_id;  // normalized
  int64_t event_num = 0;
  int64_t event_type = 0;  // EVENTMSGTYPE
  int64_t period = 0;
  std::string clock;  // PCTIMESTRING "11:43"
  OptText home_description, neutral_description, visitor_description;
  OptText score;  // "100 - 98" (away - home), null when unchanged
  OptInt player1_id, player1_team_id, player2_id;
};

// Converts events in game order, carrying the running score forward between events that do not
// change it. Not thread-safe.
class V2PlayConverter {
 public:
  // kParseError (without a location; the caller adds it) for a bad clock or score.
  Result<PlayRecord> Convert(const V2Event& event);

 private:
  std::string game_id_;  // game of the running score
  int64_t home_score_ = 0;
  int64_t away_score_ = 0;
};

// The shot distance in feet written as "26'" in a play description, if any.
OptInt ShotDistanceFromDescription(std::string_view description);

}  // namespace fastbreak::db::detail
