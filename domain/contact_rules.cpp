#include "domain/contact_rules.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>

namespace crm::contact {

namespace {

using namespace std::chrono;

sys_days next_monday(sys_days d) {
  auto wd = weekday{d};
  auto ahead = (8 - static_cast<int>(wd.c_encoding())) % 7; // Monday = 1
  return d + days{ahead};
}

minutes offset(seconds t, const policy& p) {
  return p.offset_at ? p.offset_at(t) : p.utc_offset;
}

/// The local day holding `t`.
sys_days local_day(seconds t, const policy& p) {
  return floor<days>(t + offset(t, p));
}

/// The UTC instant of a local wall-clock time. Near a daylight-saving change the offset of
/// the first guess may be wrong, so it is taken again at the corrected instant.
seconds utc_of(sys_days local, int minute, const policy& p) {
  auto wall = seconds{local} + minutes{minute};
  auto guess = wall - offset(wall - p.utc_offset, p);
  return wall - offset(guess, p);
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
  auto minute = duration_cast<minutes>(t + offset(t, p) - seconds{day}).count();
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
    return refuse("channel_week", utc_of(week_start(today) + days{7}, 0, p));
  if (today_count >= p.per_day)
    return refuse("per_day", utc_of(today + days{1}, 0, p));
  if (!inside_window(t, p))
    return refuse("window", t);
  return result;
}

std::optional<window> parse_window(const std::string& text) {
  int h1, m1, h2, m2;
  char tail;
  if (std::sscanf(text.c_str(), "%2d:%2d-%2d:%2d%c", &h1, &m1, &h2, &m2, &tail) != 4 ||
      text.size() != 11)
    return std::nullopt;
  if (h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59)
    return std::nullopt;
  window w{h1 * 60 + m1, h2 * 60 + m2};
  if (w.from >= w.to || w.to > 24 * 60)
    return std::nullopt;
  return w;
}

std::string fold(const std::string& text) {
  static const std::pair<std::string_view, char> accents[] = {
      {"á", 'a'}, {"é", 'e'}, {"í", 'i'}, {"ó", 'o'}, {"ú", 'u'}, {"ü", 'u'}, {"ñ", 'n'},
      {"Á", 'a'}, {"É", 'e'}, {"Í", 'i'}, {"Ó", 'o'}, {"Ú", 'u'}, {"Ü", 'u'}, {"Ñ", 'n'}};
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (auto [from, to] : accents)
      if (text.compare(i, from.size(), from) == 0) {
        out += to;
        i += from.size();
        replaced = true;
        break;
      }
    if (replaced)
      continue;
    // Spanish punctuation outside ASCII separates words like any other.
    static const std::string_view marks[] = {"¿", "¡", "«", "»", "“", "”", "‘", "’", "…", "–", "—"};
    auto mark = std::find_if(std::begin(marks), std::end(marks),
                             [&](std::string_view m) { return text.compare(i, m.size(), m) == 0; });
    if (mark != std::end(marks)) {
      i += mark->size();
      if (!out.empty() && out.back() != ' ')
        out += ' ';
      continue;
    }
    auto c = static_cast<unsigned char>(text[i++]);
    if (std::isalnum(c))
      out += static_cast<char>(std::tolower(c));
    else if (c >= 0x80)
      out += static_cast<char>(c); // other letters of other scripts stay as they are
    else if (!out.empty() && out.back() != ' ')
      out += ' ';
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

std::string find_phrase(const std::string& text, const std::vector<std::string>& phrases) {
  auto padded = " " + fold(text) + " ";
  for (auto& p : phrases) {
    auto f = fold(p);
    if (!f.empty() && padded.find(" " + f + " ") != std::string::npos)
      return p;
  }
  return {};
}

bool is_opt_out(const std::string& text, const std::vector<std::string>& phrases) {
  auto folded = fold(text);
  for (auto& p : phrases) {
    auto f = fold(p);
    if (f.empty())
      continue;
    if (folded == f)
      return true;
    if (f.find(' ') != std::string::npos &&
        (" " + folded + " ").find(" " + f + " ") != std::string::npos)
      return true;
  }
  return false;
}

std::vector<std::string> split_phrases(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('|', start);
    if (end == std::string::npos)
      end = text.size();
    auto piece = text.substr(start, end - start);
    if (!fold(piece).empty())
      out.push_back(piece);
    start = end + 1;
  }
  return out;
}

} // namespace crm::contact
