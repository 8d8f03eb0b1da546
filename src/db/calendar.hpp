// Civil-date arithmetic shared by the generator and the importers: dates are day numbers (days
// since 1970-01-01) so that they can be added and compared; formatted as YYYY-MM-DD only when
// written. Pure functions, thread-safe.
#pragma once

#include <array>
#include <string>

namespace fastbreak::db {

// Day number of a proleptic Gregorian date (H. Hinnant's algorithm).
constexpr int DaysFromCivil(int year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int yoe = year - era * 400;
  const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct CivilDate {
  int year;
  int month;
  int day;
};

constexpr CivilDate CivilFromDays(int days) {
  days += 719468;
  const int era = (days >= 0 ? days : days - 146096) / 146097;
  const int doe = days - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int day = doy - (153 * mp + 2) / 5 + 1;
  const int month = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// 0 = Sunday ... 6 = Saturday.
constexpr int Weekday(int days) { return ((days % 7 + 7) % 7 + 4) % 7; }

// "YYYY-MM-DD" into a fixed buffer (10 characters plus a terminating NUL).
using DateText = std::array<char, 11>;
inline DateText FormatDate(int days) {
  const CivilDate date = CivilFromDays(days);
  DateText out{};
  int year = date.year;
  for (int i = 3; i >= 0; --i, year /= 10)
    out[static_cast<size_t>(i)] = static_cast<char>('0' + year % 10);
  out[4] = '-';
  out[5] = static_cast<char>('0' + date.month / 10);
  out[6] = static_cast<char>('0' + date.month % 10);
  out[7] = '-';
  out[8] = static_cast<char>('0' + date.day / 10);
  out[9] = static_cast<char>('0' + date.day % 10);
  out[10] = '\0';
  return out;
}

// "2023-24" for the season starting in 2023.
inline std::string SeasonLabel(int start_year) {
  const int next = (start_year + 1) % 100;
  return std::to_string(start_year) + '-' + static_cast<char>('0' + next / 10) +
         static_cast<char>('0' + next % 10);
}

}  // namespace fastbreak::db
