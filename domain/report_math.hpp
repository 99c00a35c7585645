#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// The report formulas computed outside SQL (docs/reports.md): the sums come from the
/// database, the ratios and the ranking from here, so each has one definition.
namespace crm::report_math {

/// An average of a sum over `n` items, rounded to tenths; none when n is 0.
std::optional<double> average(double sum, std::int64_t n);

/// SPH: messages sent per hour logged in, to hundredths; none with no time logged in.
std::optional<double> per_hour(std::int64_t count, double seconds_logged);

/// Hours from seconds, to hundredths.
double hours(double seconds);

/// Effectiveness: the share of handled chats that closed with a promise or a payment, to
/// thousandths; none with nothing handled.
std::optional<double> effectiveness(std::int64_t promise_closes, std::int64_t paid_closes,
                                    std::int64_t handled);

/// One agent's value of the ranked metric (none: nothing to rank on).
struct rank_entry {
  std::string agent_id;
  std::optional<double> value;
  int rank = 0; // 1 = best; 0 for entries without a value
};

/// Orders by value (ascending when lower is better), keeping the input order among ties;
/// entries without a value go last, unranked. Ties share no rank: the order is the report's.
std::vector<rank_entry> rank(std::vector<rank_entry> entries, bool lower_is_better);

} // namespace crm::report_math
