#include "domain/contact_rules.hpp"

#include <boost/test/unit_test.hpp>

using crm::contact::check;
using crm::contact::easter;
using crm::contact::inside_window;
using crm::contact::is_holiday;
using crm::contact::next_window;
using crm::contact::past_contact;
using crm::contact::policy;

using namespace std::chrono;
using std::chrono::sys_days;

namespace {

/// A UTC instant from a Bogota local date and time (UTC-5).
crm::contact::seconds bogota(int y, unsigned m, unsigned d, int h, int min = 0) {
  return crm::contact::seconds{sys_days{year{y} / month{m} / day{d}}} + hours{h} + minutes{min} +
         hours{5};
}

} // namespace

BOOST_AUTO_TEST_SUITE(contact_rules)

BOOST_AUTO_TEST_CASE(easter_sundays) {
  BOOST_CHECK(easter(year{2024}) == year{2024} / March / 31);
  BOOST_CHECK(easter(year{2025}) == year{2025} / April / 20);
  BOOST_CHECK(easter(year{2026}) == year{2026} / April / 5);
}

BOOST_AUTO_TEST_CASE(colombian_holidays_of_2026) {
  const year_month_day expected[] = {
      year{2026} / 1 / 1,  year{2026} / 1 / 12,  year{2026} / 3 / 23, year{2026} / 4 / 2,
      year{2026} / 4 / 3,  year{2026} / 5 / 1,   year{2026} / 5 / 18, year{2026} / 6 / 8,
      year{2026} / 6 / 15, year{2026} / 6 / 29,  year{2026} / 7 / 20, year{2026} / 8 / 7,
      year{2026} / 8 / 17, year{2026} / 10 / 12, year{2026} / 11 / 2, year{2026} / 11 / 16,
      year{2026} / 12 / 8, year{2026} / 12 / 25};
  for (auto& d : expected)
    BOOST_CHECK_MESSAGE(is_holiday(d), static_cast<unsigned>(d.month())
                                           << "/" << static_cast<unsigned>(d.day()));
  int count = 0;
  for (sys_days d = sys_days{year{2026} / 1 / 1}; d < sys_days{year{2027} / 1 / 1}; d += days{1})
    count += is_holiday(year_month_day{d});
  BOOST_CHECK_EQUAL(count, 18);
  BOOST_CHECK(!is_holiday(year{2026} / 1 / 6)); // moved to the 12th
  BOOST_CHECK(!is_holiday(year{2026} / 11 / 27));
}

BOOST_AUTO_TEST_CASE(windows_on_weekdays_saturdays_sundays_and_holidays) {
  policy p;
  BOOST_CHECK(!inside_window(bogota(2026, 11, 27, 6, 59), p)); // Friday before 07:00
  BOOST_CHECK(inside_window(bogota(2026, 11, 27, 7), p));
  BOOST_CHECK(inside_window(bogota(2026, 11, 27, 18, 59), p));
  BOOST_CHECK(!inside_window(bogota(2026, 11, 27, 19), p)); // [07:00, 19:00)
  BOOST_CHECK(next_window(bogota(2026, 11, 27, 6, 59), p) == bogota(2026, 11, 27, 7));
  // Friday evening -> Saturday 08:00; Saturday after 15:00 -> Monday 07:00.
  BOOST_CHECK(next_window(bogota(2026, 11, 27, 19), p) == bogota(2026, 11, 28, 8));
  BOOST_CHECK(inside_window(bogota(2026, 11, 28, 14, 59), p));
  BOOST_CHECK(next_window(bogota(2026, 11, 28, 15), p) == bogota(2026, 11, 30, 7));
  BOOST_CHECK(!inside_window(bogota(2026, 11, 29, 10), p)); // Sunday
  // Tuesday 8 December is a holiday: Wednesday 07:00.
  BOOST_CHECK(!inside_window(bogota(2026, 12, 8, 10), p));
  BOOST_CHECK(next_window(bogota(2026, 12, 8, 10), p) == bogota(2026, 12, 9, 7));
  // Friday evening before a Monday holiday (Ascension, 18 May): Saturday still opens.
  BOOST_CHECK(next_window(bogota(2026, 5, 16, 16), p) == bogota(2026, 5, 19, 7));
  // The time zone edge: 23:30 UTC on a Friday is 18:30 in Bogota, still inside.
  BOOST_CHECK(
      inside_window(crm::contact::seconds{sys_days{2026y / 11 / 27}} + hours{23} + minutes{30}, p));
}

BOOST_AUTO_TEST_CASE(one_contact_a_day_and_one_channel_a_week) {
  policy p;
  std::vector<past_contact> history{{bogota(2026, 11, 23, 9), "whatsapp"}}; // Monday
  auto same_day = check(bogota(2026, 11, 23, 15), "whatsapp", history, p);
  BOOST_CHECK(!same_day.allowed);
  BOOST_CHECK_EQUAL(same_day.rule, "per_day");
  BOOST_CHECK(same_day.next == bogota(2026, 11, 24, 7));
  BOOST_CHECK(check(bogota(2026, 11, 24, 9), "whatsapp", history, p).allowed);
  auto other_channel = check(bogota(2026, 11, 24, 9), "sms", history, p);
  BOOST_CHECK(!other_channel.allowed);
  BOOST_CHECK_EQUAL(other_channel.rule, "channel_week");
  BOOST_CHECK(other_channel.next == bogota(2026, 11, 30, 7)); // next Monday
  BOOST_CHECK(check(bogota(2026, 11, 30, 9), "sms", history, p).allowed);
  auto night = check(bogota(2026, 11, 24, 21), "whatsapp", history, p);
  BOOST_CHECK_EQUAL(night.rule, "window");
  BOOST_CHECK(night.next == bogota(2026, 11, 25, 7));
  p.per_day = 2; // configurable (stricter or, here, looser for the test)
  BOOST_CHECK(check(bogota(2026, 11, 23, 15), "whatsapp", history, p).allowed);
}

BOOST_AUTO_TEST_CASE(the_daily_cap_counts_the_local_day_across_utc_midnight) {
  policy p;
  // 18:00 Monday in Bogota is 23:00 UTC; 18:30 is already Tuesday in UTC, but the same
  // local day: refused, and allowed again at Tuesday 07:00 local.
  std::vector<past_contact> history{{bogota(2026, 11, 23, 18), "whatsapp"}};
  auto later = check(bogota(2026, 11, 23, 18, 30), "whatsapp", history, p);
  BOOST_CHECK_EQUAL(later.rule, "per_day");
  BOOST_CHECK(later.next == bogota(2026, 11, 24, 7));
  // An early-morning UTC contact (Monday 02:00 UTC = Sunday 21:00 local) is Sunday's.
  std::vector<past_contact> sunday{{bogota(2026, 11, 22, 21), "whatsapp"}};
  BOOST_CHECK(check(bogota(2026, 11, 23, 9), "whatsapp", sunday, p).allowed);
}

BOOST_AUTO_TEST_CASE(a_zone_with_daylight_saving_time_keeps_local_hours) {
  // A made-up zone: UTC-3 from 1 October to 31 March, UTC-4 otherwise (like Santiago).
  policy p;
  p.utc_offset = minutes{-4 * 60};
  p.holidays_closed = false;
  p.offset_at = [](crm::contact::seconds t) {
    auto m = static_cast<unsigned>(year_month_day{floor<days>(t)}.month());
    return minutes{(m >= 10 || m <= 3) ? -3 * 60 : -4 * 60};
  };
  auto local = [](int y, unsigned m, unsigned d, int h, int offset_h) {
    return crm::contact::seconds{sys_days{year{y} / month{m} / day{d}}} + hours{h} +
           hours{offset_h};
  };
  // 07:00 local is 10:00 UTC in summer (January) and 11:00 UTC in winter (July).
  BOOST_CHECK(inside_window(local(2026, 1, 14, 7, 3), p));
  BOOST_CHECK(!inside_window(local(2026, 1, 14, 7, 3) - minutes{1}, p));
  BOOST_CHECK(inside_window(local(2026, 7, 15, 7, 4), p));
  BOOST_CHECK(!inside_window(local(2026, 7, 15, 7, 4) - minutes{1}, p));
  BOOST_CHECK(next_window(local(2026, 7, 15, 20, 4), p) == local(2026, 7, 16, 7, 4));
  // Across the change (Wednesday 30 Sep -> Thursday 1 Oct): the next opening is 07:00 at
  // the new offset.
  BOOST_CHECK(next_window(local(2026, 9, 30, 20, 4), p) == local(2026, 10, 1, 7, 3));
}

BOOST_AUTO_TEST_CASE(windows_parse_from_configuration_text) {
  auto w = crm::contact::parse_window("07:00-19:00");
  BOOST_REQUIRE(w);
  BOOST_CHECK_EQUAL(w->from, 7 * 60);
  BOOST_CHECK_EQUAL(w->to, 19 * 60);
  BOOST_CHECK(crm::contact::parse_window("08:30-15:00")->from == 8 * 60 + 30);
  for (auto bad : {"", "7:00-19:00", "19:00-07:00", "07:00-07:00", "07:00-25:00", "07:60-19:00",
                   "07:00-19:00x", "07-19", "abc"})
    BOOST_CHECK_MESSAGE(!crm::contact::parse_window(bad), bad);
}

BOOST_AUTO_TEST_CASE(phrases_match_whole_words_without_case_or_accents) {
  BOOST_CHECK_EQUAL(crm::contact::fold("  ¿Por QUÉ no ha PAGADO?  "), "por que no ha pagado");
  BOOST_CHECK_EQUAL(crm::contact::fold("¡Año, niño!"), "ano nino");
  std::vector<std::string> forbidden = {"por qué no ha pagado", "motivo del no pago"};
  BOOST_CHECK_EQUAL(crm::contact::find_phrase("Señor, ¿por que NO ha pagado?", forbidden),
                    "por qué no ha pagado");
  BOOST_CHECK_EQUAL(crm::contact::find_phrase("¿Cuál es el motivo del no pago?", forbidden),
                    "motivo del no pago");
  BOOST_CHECK(crm::contact::find_phrase("¿Por qué no hablamos de un acuerdo?", forbidden).empty());
  BOOST_CHECK(crm::contact::find_phrase("Le ofrezco dos cuotas", forbidden).empty());
}

BOOST_AUTO_TEST_CASE(an_opt_out_is_the_whole_message_or_a_several_word_phrase) {
  auto phrases = crm::contact::split_phrases("stop| BAJA |no más mensajes||");
  BOOST_REQUIRE_EQUAL(phrases.size(), 3u);
  for (auto yes : {"STOP", "baja", "Baja.", "  no mas mensajes", "No más mensajes, gracias",
                   "por favor no más mensajes!"})
    BOOST_CHECK_MESSAGE(crm::contact::is_opt_out(yes, phrases), yes);
  for (auto no : {"la cuota más baja", "stop the calls? no", "no", "mensajes", "bajamos la cuota"})
    BOOST_CHECK_MESSAGE(!crm::contact::is_opt_out(no, phrases), no);
}

BOOST_AUTO_TEST_SUITE_END()
