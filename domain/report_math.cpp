#include "domain/report_math.hpp"

#include <algorithm>
#include <cmath>

namespace crm::report_math {

namespace {

/// Rounded to 1/scale, divided last so that 33.3 is the double closest to 33.3.
double round_to(double x, double scale) {
  return std::round(x * scale) / scale;
}

} // namespace

std::optional<double> average(double sum, std::int64_t n) {
  if (n <= 0)
    return std::nullopt;
  return round_to(sum / static_cast<double>(n), 10);
}

std::optional<double> per_hour(std::int64_t count, double seconds_logged) {
  if (seconds_logged <= 0)
    return std::nullopt;
  return round_to(static_cast<double>(count) / (seconds_logged / 3600), 100);
}

double hours(double seconds) {
  return round_to(seconds / 3600, 100);
}

std::optional<double> effectiveness(std::int64_t promise_closes, std::int64_t paid_closes,
                                    std::int64_t handled) {
  if (handled <= 0)
    return std::nullopt;
  return round_to(static_cast<double>(promise_closes + paid_closes) / static_cast<double>(handled),
                  1000);
}

std::vector<rank_entry> rank(std::vector<rank_entry> entries, bool lower_is_better) {
  auto unvalued = std::stable_partition(entries.begin(), entries.end(),
                                        [](const rank_entry& e) { return e.value.has_value(); });
  std::stable_sort(entries.begin(), unvalued, [&](const rank_entry& x, const rank_entry& y) {
    return lower_is_better ? *x.value < *y.value : *x.value > *y.value;
  });
  int next = 0;
  for (auto it = entries.begin(); it != entries.end(); ++it)
    it->rank = it < unvalued ? ++next : 0;
  return entries;
}

} // namespace crm::report_math
