// Small format-neutral helpers shared by the importers: numbers, dates, clocks, minutes, NBA.com
// game ids, skip reasons. Errors are kParseError with a message that does not name the file;
// callers prefix the location.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "db/importers/writer.hpp"

namespace fastbreak::db::detail {

// Skip reasons (ImportReport::skip_reasons) shared by every format.
inline constexpr std::string_view kUnstoredType = "game type not stored (All-Star or exhibition)";
inline constexpr std::string_view kForeignTeam = "team not among the 30 NBA teams";

// ASCII case-insensitive equality ("Period" == "PERIOD").
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Whole-string integer / real ("12", "-3", "12.0" is not an integer). Surrounding spaces allowed.
std::optional<int64_t> ParseInt(std::string_view text);
std::optional<double> ParseDouble(std::string_view text);
// A real with an integral value within 1e-6 ("17", "17.0") as an integer, else nullopt.
std::optional<int64_t> IntegralValue(double value);

// Reads a whole file. kNotFound when it does not exist, kIo when it cannot be read.
Result<std::string> ReadFile(const std::string& path);

// "2023-10-24", "2023-10-24T00:00:00", "2023-10-24 00:00:00" or "OCT 24, 2023" (PlayerGameLog)
// -> "2023-10-24". Validates the calendar date.
Result<std::string> ParseDate(std::string_view text);

// Minutes (and seconds) played -> whole seconds, rounded; nullopt unless 0 <= minutes <= 10000
// and 0 <= seconds < 60.5 (so that absurd input cannot overflow).
std::optional<int64_t> SecondsFromMinutes(double minutes, double seconds = 0);

// Minutes played -> seconds: "34:12", "34.000000:12" (BoxScoreTraditionalV2), "PT34M12.00S" (V3
// ISO 8601), "34" or "34.5" (minutes). Fractions of a second are rounded.
Result<int64_t> ParseMinutes(std::string_view text);

// Game clock -> milliseconds left in the period: "11:43", "0:04.5", "PT11M43.00S".
Result<int64_t> ParseClock(std::string_view text);

// Pads a numeric game id to NBA.com's ten digits: 22300061 -> "0022300061". kParseError unless
// 1-10 digits.
Result<std::string> NormalizeGameId(std::string_view text);

// What an NBA.com game id says: "00" + type digit + season start yy + 5-digit sequence; for
// playoffs the sequence is "00" + round + series + game ("0042300215": round 2, game 5).
// yy >= 46 is 19yy, else 20yy.
struct GameIdInfo {
  int64_t season_id = 0;       // season start year
  std::string_view game_type;  // schema::kRegular, ...
  std::optional<int64_t> playoff_round;
  std::optional<int64_t> series_game;
};
// nullopt when the type digit is not one the schema stores (3 All-Star, ...).
// REQUIRES: a normalized (ten-digit) id.
std::optional<GameIdInfo> DescribeGameId(std::string_view game_id);

// A game record with season, type, round and series game from the id and game_date
// kUnknownGameDate; nullopt when the id's game type is not stored (the caller skips the record).
std::optional<ImportedGame> GameFromId(const std::string& game_id);

// Periods played from team player-seconds: 14400 (240 minutes) -> 4, 15900 -> 5; nullopt when
// not of that form.
OptInt PeriodsFromTeamSeconds(OptInt seconds);

// Feet and inches "6-9" -> cm, pounds -> kg; nullopt when unparsable, when feet or inches are
// out of range (0-9 feet, 0-11 inches) or the result is outside the schema's plausible range
// (height 150-240 cm, weight 50-180 kg).
std::optional<int64_t> HeightToCm(std::string_view feet_inches);
std::optional<int64_t> PoundsToKg(double pounds);

// True when `id` is one of the 30 NBA team ids.
bool IsNbaTeam(int64_t id);

// "Error: message" with `location` ("file: line 3") put in front of the message.
Error AtLocation(Error error, std::string_view location);

}  // namespace fastbreak::db::detail
