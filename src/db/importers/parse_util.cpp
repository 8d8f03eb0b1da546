#include "db/importers/parse_util.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "db/schema/nba_schema.hpp"
#include "db/schema/teams.hpp"

namespace fastbreak::db::detail {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Trimmed, without a leading '+' ("+-3" keeps its '+' so that it does not parse).
std::string_view TrimPlus(std::string_view text) {
  text = Trim(text);
  if (text.size() > 1 && text[0] == '+' && text[1] != '-') text.remove_prefix(1);
  return text;
}

bool IsLeap(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

Result<std::string> FormatDate(int64_t year, int64_t month, int64_t day, std::string_view text) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1 ||
      day > kDays[month - 1] + (month == 2 && IsLeap(year) ? 1 : 0)) {
    return MakeError(ErrorCode::kParseError, "invalid date '{}'", text);
  }
  return fmt::format("{:04}-{:02}-{:02}", year, month, day);
}

// "OCT 24, 2023"
Result<std::string> ParseMonthNameDate(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  const size_t space = text.find(' ');
  const size_t comma = text.find(',');
  if (space == std::string_view::npos || comma == std::string_view::npos || comma < space) {
    return MakeError(ErrorCode::kParseError, "invalid date '{}'", text);
  }
  const std::string_view month_name = text.substr(0, std::min<size_t>(space, 3));
  int64_t month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (EqualsIgnoreCase(month_name, kMonths[i])) month = static_cast<int64_t>(i) + 1;
  }
  auto day = ParseInt(text.substr(space + 1, comma - space - 1));
  auto year = ParseInt(text.substr(comma + 1));
  if (month == 0 || !day || !year) {
    return MakeError(ErrorCode::kParseError, "invalid date '{}'", text);
  }
  return FormatDate(*year, month, *day, text);
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

std::optional<int64_t> ParseInt(std::string_view text) {
  text = TrimPlus(text);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<double> ParseDouble(std::string_view text) {
  text = TrimPlus(text);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> IntegralValue(double value) {
  if (!std::isfinite(value) || std::fabs(value) > 9e15) return std::nullopt;
  const double rounded = std::round(value);
  if (std::fabs(rounded - value) > 1e-6) return std::nullopt;
  return static_cast<int64_t>(rounded);
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return MakeError(ErrorCode::kNotFound, "{}: no such file", path);
    }
    return MakeError(ErrorCode::kIo, "{}: cannot open for reading", path);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return MakeError(ErrorCode::kIo, "{}: read failed", path);
  return std::move(buffer).str();
}

Result<std::string> ParseDate(std::string_view text) {
  text = Trim(text);
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-' &&
      (text.size() == 10 || text[10] == 'T' || text[10] == ' ')) {
    auto year = ParseInt(text.substr(0, 4));
    auto month = ParseInt(text.substr(5, 2));
    auto day = ParseInt(text.substr(8, 2));
    if (!year || !month || !day) {
      return MakeError(ErrorCode::kParseError, "invalid date '{}'", text);
    }
    return FormatDate(*year, *month, *day, text);
  }
  return ParseMonthNameDate(text);
}

std::optional<int64_t> SecondsFromMinutes(double minutes, double seconds) {
  constexpr double kMaxMinutes = 10000;
  // Negated comparisons so that NaN is rejected too.
  if (!(minutes >= 0 && minutes <= kMaxMinutes && seconds >= 0 && seconds < 60.5)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(minutes * 60 + seconds));
}

Result<int64_t> ParseMinutes(std::string_view text) {
  const std::string_view original = text;
  text = Trim(text);
  auto invalid = [&] {
    return MakeError(ErrorCode::kParseError, "invalid minutes '{}'", original);
  };
  double minutes = 0;
  double seconds = 0;
  if (text.starts_with("PT")) {  // PT34M12.00S
    text.remove_prefix(2);
    const size_t m = text.find('M');
    if (m != std::string_view::npos) {
      auto value = ParseDouble(text.substr(0, m));
      if (!value) return invalid();
      minutes = *value;
      text.remove_prefix(m + 1);
    }
    if (!text.empty()) {
      if (text.back() != 'S') return invalid();
      auto value = ParseDouble(text.substr(0, text.size() - 1));
      if (!value) return invalid();
      seconds = *value;
    }
  } else if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
    auto whole = ParseDouble(text.substr(0, colon));  // "34.000000" in BoxScoreTraditionalV2
    auto secs = ParseDouble(text.substr(colon + 1));
    if (!whole || !secs) return invalid();
    minutes = std::floor(*whole);
    seconds = *secs;
  } else {
    auto value = ParseDouble(text);
    if (!value) return invalid();
    minutes = *value;
  }
  auto total = SecondsFromMinutes(minutes, seconds);
  if (!total) return invalid();
  return *total;
}

Result<int64_t> ParseClock(std::string_view text) {
  const std::string_view original = text;
  text = Trim(text);
  double minutes = 0;
  double seconds = 0;
  bool ok = false;
  if (text.starts_with("PT") && text.size() > 3 && text.back() == 'S') {
    std::string_view body = text.substr(2, text.size() - 3);
    const size_t m = body.find('M');
    std::optional<double> mins = m == std::string_view::npos ? 0.0 : ParseDouble(body.substr(0, m));
    auto secs = ParseDouble(m == std::string_view::npos ? body : body.substr(m + 1));
    if (mins && secs) {
      minutes = *mins;
      seconds = *secs;
      ok = true;
    }
  } else if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
    auto mins = ParseInt(text.substr(0, colon));
    auto secs = ParseDouble(text.substr(colon + 1));
    if (mins && secs) {
      minutes = static_cast<double>(*mins);
      seconds = *secs;
      ok = true;
    }
  }
  if (!ok || minutes < 0 || minutes > 20 || seconds < 0 || seconds >= 60) {
    return MakeError(ErrorCode::kParseError, "invalid game clock '{}'", original);
  }
  return static_cast<int64_t>(std::llround((minutes * 60 + seconds) * 1000));
}

Result<std::string> NormalizeGameId(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text.size() > 10 ||
      text.find_first_not_of("0123456789") != std::string_view::npos) {
    return MakeError(ErrorCode::kParseError, "invalid game id '{}'", text);
  }
  return std::string(10 - text.size(), '0') + std::string(text);
}

std::optional<GameIdInfo> DescribeGameId(std::string_view game_id) {
  if (game_id.size() != 10) return std::nullopt;
  GameIdInfo info;
  switch (game_id[2]) {
    case '1':
      info.game_type = "preseason";
      break;
    case '2':
      info.game_type = schema::kRegular;
      break;
    case '4':
      info.game_type = schema::kPlayoffs;
      break;
    case '5':
      info.game_type = schema::kPlayIn;
      break;
    case '6':
      info.game_type = "cup_final";
      break;
    default:
      return std::nullopt;
  }
  const int64_t yy = (game_id[3] - '0') * 10 + (game_id[4] - '0');
  info.season_id = yy >= 46 ? 1900 + yy : 2000 + yy;
  if (game_id[2] == '4') {
    const int64_t round = game_id[7] - '0';
    const int64_t game = game_id[9] - '0';
    if (round >= 1 && round <= 4) info.playoff_round = round;
    if (game >= 1 && game <= 7) info.series_game = game;
  }
  return info;
}

std::optional<ImportedGame> GameFromId(const std::string& game_id) {
  auto info = DescribeGameId(game_id);
  if (!info) return std::nullopt;
  ImportedGame game;
  game.game_id = game_id;
  game.season_id = info->season_id;
  game.game_type = info->game_type;
  game.playoff_round = info->playoff_round;
  game.series_game = info->series_game;
  game.game_date = std::string(kUnknownGameDate);
  return game;
}

OptInt PeriodsFromTeamSeconds(OptInt seconds) {
  constexpr int64_t kRegulation = 240 * 60;
  constexpr int64_t kOvertime = 25 * 60;
  if (!seconds || *seconds < kRegulation || (*seconds - kRegulation) % kOvertime != 0) {
    return std::nullopt;
  }
  return 4 + (*seconds - kRegulation) / kOvertime;
}

std::optional<int64_t> HeightToCm(std::string_view feet_inches) {
  const size_t dash = feet_inches.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto feet = ParseInt(feet_inches.substr(0, dash));
  auto inches = ParseInt(feet_inches.substr(dash + 1));
  if (!feet || !inches || *feet < 0 || *feet > 9 || *inches < 0 || *inches > 11) {
    return std::nullopt;
  }
  const int64_t cm = std::llround(static_cast<double>(*feet * 12 + *inches) * 2.54);
  if (cm < 150 || cm > 240) return std::nullopt;
  return cm;
}

std::optional<int64_t> PoundsToKg(double pounds) {
  if (!(pounds > 0 && pounds < 1000)) return std::nullopt;
  const int64_t kg = std::llround(pounds * 0.45359237);
  if (kg < 50 || kg > 180) return std::nullopt;
  return kg;
}

bool IsNbaTeam(int64_t id) { return FindTeam(id) != nullptr; }

Error AtLocation(Error error, std::string_view location) {
  error.message = fmt::format("{}: {}", location, error.message);
  return error;
}

}  // namespace fastbreak::db::detail
