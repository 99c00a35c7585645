#pragma once

#include <array>
#include <chrono>
#include <functional>
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
  /// The offset at an instant, for zones with daylight saving time (the server sets it from
  /// CRM_TIMEZONE); when empty, utc_offset holds all year.
  std::function<std::chrono::minutes(seconds)> offset_at;
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

/// "HH:MM-HH:MM" as a window (from < to); nullopt for anything else. Empty text: no window.
std::optional<window> parse_window(const std::string& text);

/// Text folded for phrase matching: lower case, Spanish accents removed, punctuation as
/// spaces, runs of spaces as one, trimmed.
std::string fold(const std::string& text);

/// The first of `phrases` that `text` contains as whole words (both folded); empty if none.
std::string find_phrase(const std::string& text, const std::vector<std::string>& phrases);

/// An opt-out request: the whole message is one of the phrases, or it contains one of
/// several words ("no más mensajes, gracias"). A lone "baja" inside a sentence ("la cuota
/// más baja") is not one.
bool is_opt_out(const std::string& text, const std::vector<std::string>& phrases);

/// Phrases separated by '|' (blank ones dropped).
std::vector<std::string> split_phrases(const std::string& text);

/// The compliance settings the server runs with (config: CRM_CONTACT_*, CRM_OPT_OUT_*,
/// CRM_FORBIDDEN_PHRASES, CRM_CLOCK_OFFSET_SECONDS).
struct settings {
  policy rules;
  bool two_way_only = false; // count only contacts the debtor answered
  std::vector<std::string> opt_out_phrases;
  std::string opt_out_reply;
  /// To a debtor waiting for an agent outside business hours; {{nextOpen}} filled in.
  std::string after_hours_reply;
  std::vector<std::string> forbidden_phrases;
  /// Added to the wall clock for every compliance decision (drills and tests).
  std::chrono::seconds clock_offset{0};

  seconds now() const {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
           clock_offset;
  }
};

} // namespace crm::contact
