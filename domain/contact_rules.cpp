#include "domain/contact_rules.hpp"

#include <algorithm>

namespace crm::contact {

namespace {

using namespace std::chrono;

sys_days next_monday(sys_days d) {
  auto wd = weekday{d};
  auto ahead = (8 - static_cast<int>(wd.c_encoding())) % 7; // Monday = 1
  return d + days{ahead};
}

/// Local midnight of the day holding `t`, as a UTC instant, and the local day itself.
sys_days local_day(seconds t, const policy& p) {
  return floor<days>(t + p.utc_offset);
}

seconds utc_of(sys_days local, int minute, const policy& p) {
  return seconds{local} + minutes{minute} - p.utc_offset;
}

bool open_day(sys_days d, const policy& p) {
  return p.windows[weekday{d}.c_encoding()].has_value() &&
         !(p.holidays_closed && is_holiday(year_month_day{d}));
}

/// Monday of the local week holding `d`.
sys_days week_start(sys_days d) {
  auto wd = static_cast<int>(weekday{d}.iso_encoding()); // Monday = 1 .. Sunday = 7
  return d - days{wd - 1};
}

} // namespace

year_month_day easter(year y) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  int Y = static_cast<int>(y);
  int a = Y % 19, b = Y / 100, c = Y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25,
      g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4,
      l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
  int month_ = (h + l - 7 * m + 114) / 31, day_ = ((h + l - 7 * m + 114) % 31) + 1;
  return year_month_day{y, month{static_cast<unsigned>(month_)}, day{static_cast<unsigned>(day_)}};
}

bool is_holiday(year_month_day ymd) {
  auto y = ymd.year();
  sys_days d{ymd};
  auto fixed = [&](unsigned m, unsigned dd) {
    return sys_days{y / month{m} / day{dd}};
  };
  for (auto [m, dd] : {std::pair{1u, 1u}, {5u, 1u}, {7u, 20u}, {8u, 7u}, {12u, 8u}, {12u, 25u}})
    if (d == fixed(m, dd))
      return true;
  for (auto [m, dd] :
       {std::pair{1u, 6u}, {3u, 19u}, {6u, 29u}, {8u, 15u}, {10u, 12u}, {11u, 1u}, {11u, 11u}})
    if (d == next_monday(fixed(m, dd)))
      return true;
  sys_days e{easter(y)};
  // Holy Thursday and Good Friday stay; Ascension, Corpus Christi and Sacred Heart move to
  // the following Monday (Easter + 43, + 64, + 71).
  for (int offset : {-3, -2, 43, 64, 71})
    if (d == e + days{offset})
      return true;
  return false;
}

bool inside_window(seconds t, const policy& p) {
  auto day = local_day(t, p);
  if (!open_day(day, p))
    return false;
  auto w = *p.windows[weekday{day}.c_encoding()];
  auto minute = duration_cast<minutes>(t + p.utc_offset - seconds{day}).count();
  return minute >= w.from && minute < w.to;
}

seconds next_window(seconds t, const policy& p) {
  if (inside_window(t, p))
    return t;
  auto day = local_day(t, p);
  for (int i = 0; i < 370; ++i, day += days{1}) {
    if (!open_day(day, p))
      continue;
    auto w = *p.windows[weekday{day}.c_encoding()];
    auto start = utc_of(day, w.from, p);
    if (start >= t)
      return start;
    if (utc_of(day, w.to, p) > t)
      return t; // inside (handled above), kept for safety
  }
  return t + days{370};
}

decision check(seconds t, const std::string& channel, const std::vector<past_contact>& history,
               const policy& p) {
  decision result;
  auto today = local_day(t, p);
  int today_count = 0;
  bool other_channel_this_week = false;
  for (auto& c : history) {
    auto d = local_day(c.at, p);
    if (d == today)
      ++today_count;
    if (p.one_channel_per_week && week_start(d) == week_start(today) && c.channel != channel)
      other_channel_this_week = true;
  }
  auto refuse = [&](const char* rule, seconds from) {
    result.allowed = false;
    result.rule = rule;
    result.next = next_window(from, p);
    return result;
  };
  if (other_channel_this_week)
    return refuse("channel_week", seconds{week_start(today) + days{7}} - p.utc_offset);
  if (today_count >= p.per_day)
    return refuse("per_day", seconds{today + days{1}} - p.utc_offset);
  if (!inside_window(t, p))
    return refuse("window", t);
  return result;
}

} // namespace crm::contact
