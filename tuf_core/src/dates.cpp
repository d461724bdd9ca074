// TUF "Date-time" (exactly "YYYY-MM-DDTHH:MM:SSZ", UTC) to and from seconds since the epoch,
// through the proleptic Gregorian calendar (no time zone database, no clock).
#include "tuf/dates.h"

#include <cstdint>
#include <string>

namespace tuf {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Reads `n` ASCII digits at text[pos].
bool digits(std::string_view text, std::size_t pos, std::size_t n, unsigned& out) {
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

}  // namespace

Result<Timestamp> parse_datetime(std::string_view text) {
  auto bad = [&] {
    return fail(Errc::invalid_metadata, "", "malformed date-time", "YYYY-MM-DDTHH:MM:SSZ",
                "\"" + std::string(text.substr(0, 64)) + "\"");
  };
  // Fixed shape: no fractional seconds, no offsets other than "Z", no lower-case separators.
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
    return bad();
  }
  unsigned y, mo, d, h, mi, s;
  if (!digits(text, 0, 4, y) || !digits(text, 5, 2, mo) || !digits(text, 8, 2, d) ||
      !digits(text, 11, 2, h) || !digits(text, 14, 2, mi) || !digits(text, 17, 2, s)) {
    return bad();
  }
  // Ranges as Python's datetime enforces them (year >= 1, no leap second).
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
      s > 59) {
    return bad();
  }
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

std::string format_datetime(Timestamp t) {
  // Floor division so that times before 1970 land on the right day.
  std::int64_t days = t / 86400;
  std::int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    days -= 1;
  }
  const Civil c = civil_from_days(days);
  // Years outside 0..9999 print with more digits and do not parse back.
  std::string out;
  out.reserve(20);
  auto digits = [&out](std::int64_t v, int width) {
    std::string d = std::to_string(v < 0 ? -v : v);
    if (v < 0) out.push_back('-');
    if (static_cast<int>(d.size()) < width) out.append(width - d.size(), '0');
    out += d;
  };
  digits(c.year, 4);
  out.push_back('-');
  digits(c.month, 2);
  out.push_back('-');
  digits(c.day, 2);
  out.push_back('T');
  digits(secs / 3600, 2);
  out.push_back(':');
  digits(secs / 60 % 60, 2);
  out.push_back(':');
  digits(secs % 60, 2);
  out.push_back('Z');
  return out;
}

}  // namespace tuf
