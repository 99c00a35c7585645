// What debtors type, read as dates and amounts.
#include "bot_flows/engine.hpp"
#include "bot_flows/text.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace crm::bot {

namespace {

using namespace std::chrono;

bool all_digits(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  return true;
}

int to_int(std::string_view s) {
  int result = 0;
  for (char c : s)
    result = result * 10 + (c - '0');
  return result;
}

/// `y-m-d` as an ISO date, or empty when no such day exists.
std::string iso(int y, int m, int d) {
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok())
    return {};
  return detail::iso_date(sys_days{ymd}.time_since_epoch().count());
}

/// Splits "15/12/2026" into its digit groups; empty unless they are separated by one kind
/// of separator (/ - .).
std::vector<std::string_view> groups(std::string_view s) {
  auto sep = s.find_first_of("/-.");
  if (sep == std::string_view::npos)
    return {};
  char separator = s[sep];
  std::vector<std::string_view> result;
  std::size_t pos = 0;
  while (true) {
    auto next = s.find(separator, pos);
    auto part = s.substr(pos, next == std::string_view::npos ? next : next - pos);
    if (!all_digits(part))
      return {};
    result.push_back(part);
    if (next == std::string_view::npos)
      return result;
    pos = next + 1;
  }
}

/// The shift from `today` a word names, or -1.
int relative_day(const std::string& word) {
  if (word == "hoy")
    return 0;
  if (word == "manana")
    return 1;
  if (word == "pasado manana")
    return 2;
  return -1;
}

/// `digits` grouped by `separator` in threes ("1.234.567"), or false.
bool grouped(std::string_view digits, char separator) {
  std::size_t pos = 0;
  bool first = true;
  while (true) {
    auto next = digits.find(separator, pos);
    auto part = digits.substr(pos, next == std::string_view::npos ? next : next - pos);
    if (!all_digits(part) || (first ? part.size() > 3 : part.size() != 3))
      return false;
    if (next == std::string_view::npos)
      return true;
    first = false;
    pos = next + 1;
  }
}

} // namespace

namespace detail {

std::optional<long> iso_days(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s.substr(0, 4)) ||
      !all_digits(s.substr(5, 2)) || !all_digits(s.substr(8, 2)))
    return std::nullopt;
  year_month_day ymd{year{to_int(s.substr(0, 4))},
                     month{static_cast<unsigned>(to_int(s.substr(5, 2)))},
                     day{static_cast<unsigned>(to_int(s.substr(8, 2)))}};
  if (!ymd.ok())
    return std::nullopt;
  return sys_days{ymd}.time_since_epoch().count();
}

std::string iso_date(long n) {
  year_month_day ymd{sys_days{days{n}}};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

} // namespace detail

std::string parse_date(const std::string& text, const std::string& today) {
  auto t = detail::canonical(text);
  auto base = detail::iso_days(today);
  if (auto shift = relative_day(t); shift >= 0)
    return base ? detail::iso_date(*base + shift) : std::string{};
  auto trimmed = detail::trim(text);
  auto g = groups(trimmed);
  if (g.size() == 3 && g[0].size() == 4 && g[1].size() <= 2 && g[2].size() <= 2)
    return iso(to_int(g[0]), to_int(g[1]), to_int(g[2])); // 2026-12-15
  if (g.size() == 3 && g[0].size() <= 2 && g[1].size() <= 2 &&
      (g[2].size() == 4 || g[2].size() == 2)) {
    auto y = to_int(g[2]) + (g[2].size() == 2 ? 2000 : 0);
    return iso(y, to_int(g[1]), to_int(g[0])); // 15/12/2026, 1/2/27
  }
  if (g.size() == 2 && g[0].size() <= 2 && g[1].size() <= 2 && base) {
    // 15/12: the next such day from today on.
    auto y = static_cast<int>(year_month_day{sys_days{days{*base}}}.year());
    auto result = iso(y, to_int(g[1]), to_int(g[0]));
    if (!result.empty() && *detail::iso_days(result) < *base)
      result = iso(y + 1, to_int(g[1]), to_int(g[0]));
    return result;
  }
  return {};
}

std::string parse_amount(const std::string& text) {
  std::string s;
  auto folded = detail::fold(detail::trim(text));
  for (std::string_view unit : {"pesos", "cop"})
    if (folded.size() > unit.size() && folded.ends_with(unit))
      folded.resize(folded.size() - unit.size());
  for (char c : folded)
    if (c != '$' && c != ' ' && c != '\t')
      s += c;
  if (s.empty() || s.front() < '0' || s.front() > '9')
    return {}; // also refuses "-5" and "+5"
  for (char c : s)
    if ((c < '0' || c > '9') && c != '.' && c != ',')
      return {};
  auto dots = std::count(s.begin(), s.end(), '.');
  auto commas = std::count(s.begin(), s.end(), ',');
  char decimal = 0;
  if (dots > 0 && commas > 0) {
    decimal = s[s.find_last_of(".,")];
  } else if (dots + commas == 1) {
    auto after = s.size() - s.find_first_of(".,") - 1;
    if (after == 1 || after == 2)
      decimal = s[s.find_first_of(".,")];
    else if (after != 3)
      return {};
  }
  std::string_view whole = s;
  std::string_view fraction;
  if (decimal) {
    auto point = s.rfind(decimal);
    whole = std::string_view{s}.substr(0, point);
    fraction = std::string_view{s}.substr(point + 1);
    if (fraction.size() > 2 || !all_digits(fraction))
      return {};
  }
  char separator = decimal == '.' ? ',' : '.';
  if (!decimal && commas > 0)
    separator = ',';
  if (!all_digits(whole) && !grouped(whole, separator))
    return {};
  std::string digits;
  for (char c : whole)
    if (c != separator)
      digits += c;
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
  std::string cents{fraction};
  if (!cents.empty() && cents.size() < 2)
    cents += '0';
  if (cents == "00")
    cents.clear();
  if (digits.size() > 15 || (digits == "0" && cents.empty()))
    return {};
  return cents.empty() ? digits : digits + "." + cents;
}

} // namespace crm::bot
