#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace crm::contact {

using seconds = std::chrono::sys_seconds;

/// Colombia's public holidays of a date (Ley 51 de 1983): fixed days, days moved to the next
/// Monday ("Emiliani"), and days counted from Easter Sunday.
bool is_holiday(std::chrono::year_month_day day);

/// Easter Sunday of a Gregorian year.
std::chrono::year_month_day easter(std::chrono::year y);

/// One day's contact window in local time: [from, to) minutes after midnight.
struct window {
  int from = 0;
  int to = 0;
};

/// When and how often collection contact is allowed (Ley 2300 de 2023 defaults).
struct policy {
  /// Local time = UTC + offset (America/Bogota: -5 h, no daylight saving time).
  std::chrono::minutes utc_offset{-5 * 60};
  /// By weekday, Sunday = 0; none: no contact that day.
  std::array<std::optional<window>, 7> windows{std::nullopt,
                                               window{7 * 60, 19 * 60},
                                               window{7 * 60, 19 * 60},
                                               window{7 * 60, 19 * 60},
                                               window{7 * 60, 19 * 60},
                                               window{7 * 60, 19 * 60},
                                               window{8 * 60, 15 * 60}};
  bool holidays_closed = true;
  int per_day = 1; // collection contacts per debtor per local day
  bool one_channel_per_week = true;
};

/// True when `t` falls inside a contact window.
bool inside_window(seconds t, const policy& p);

/// The earliest moment at or after `t` inside a contact window (searches a year ahead).
seconds next_window(seconds t, const policy& p);

/// One earlier collection contact of a debtor.
struct past_contact {
  seconds at;
  std::string channel; // "whatsapp", "sms", "call", ... (several numbers: one channel)
};

/// Whether a contact through `channel` at `t` is allowed, and if not, when it next is.
struct decision {
  bool allowed = true;
  std::string rule; // "window" | "per_day" | "channel_week" when refused
  seconds next{};   // the next allowed moment when refused
};

/// Applies the window, the daily cap and the one-channel-per-week rule (weeks run Monday to
/// Sunday, local time) to a debtor's past contacts.
decision check(seconds t, const std::string& channel, const std::vector<past_contact>& history,
               const policy& p);

} // namespace crm::contact
