#include "domain/routing.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;

using namespace std::chrono_literals;

namespace {

const crm::clock_time t0 = crm::clock_time{} + 1'000'000s;

crm::agent_candidate agent(std::string id, int open_chats = 0, int capacity = 3,
                           std::vector<std::string> skills = {},
                           std::vector<std::string> campaigns = {"c1"},
                           crm::clock_time idle_since = t0) {
  crm::agent_candidate result;
  result.id = std::move(id);
  result.status = "available";
  result.open_chats = open_chats;
  result.capacity = capacity;
  result.skills = std::move(skills);
  result.campaigns = std::move(campaigns);
  result.idle_since = idle_since;
  return result;
}

crm::waiting_chat chat(std::string campaign = "c1", std::vector<std::string> skills = {},
                       crm::clock_time queued_at = t0) {
  crm::waiting_chat result;
  result.chat_id = "chat-1";
  result.campaign_id = std::move(campaign);
  result.queued_at = queued_at;
  result.required_skills = std::move(skills);
  return result;
}

crm::routing_policy policy(crm::strategy kind) {
  crm::routing_policy result;
  result.kind = kind;
  return result;
}

/// Runs select_agent with a fresh cursor (for the strategies that do not use it).
std::optional<std::string> pick(crm::strategy kind, const std::vector<crm::agent_candidate>& agents,
                                const crm::waiting_chat& c, crm::clock_time now = t0) {
  crm::routing_cursor cursor;
  return crm::select_agent(policy(kind), agents, c, cursor, now);
}

/// The picked agent's id, "-" for nullopt (printable, and never dereferences nothing).
std::string shown(const std::optional<std::string>& id) {
  return id ? *id : "-";
}

/// Picks `n` times in a row with round robin, sharing `cursor`; "-" stands for nullopt.
std::vector<std::string> rotate(const std::vector<crm::agent_candidate>& agents,
                                const crm::waiting_chat& c, crm::routing_cursor& cursor, int n) {
  std::vector<std::string> result;
  for (int i = 0; i < n; ++i) {
    result.push_back(
        shown(crm::select_agent(policy(crm::strategy::round_robin), agents, c, cursor, t0)));
  }
  return result;
}

using ids = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_SUITE(routing)

// -- names --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(strategy_names_round_trip) {
  BOOST_CHECK_EQUAL(crm::to_string(crm::strategy::round_robin), "round_robin");
  BOOST_CHECK_EQUAL(crm::to_string(crm::strategy::least_busy), "least_busy");
  BOOST_CHECK_EQUAL(crm::to_string(crm::strategy::skills_based), "skills_based");
  for (auto s :
       {crm::strategy::round_robin, crm::strategy::least_busy, crm::strategy::skills_based})
    BOOST_CHECK(crm::parse_strategy(crm::to_string(s)) == s);
  BOOST_CHECK(!crm::parse_strategy(""));
  BOOST_CHECK(!crm::parse_strategy("Round_Robin"));
  BOOST_CHECK(!crm::parse_strategy("least-busy"));
}

BOOST_AUTO_TEST_CASE(default_policy_is_least_busy_with_a_120_second_fallback) {
  crm::routing_policy p;
  BOOST_CHECK(p.kind == crm::strategy::least_busy);
  BOOST_CHECK(p.skills_fallback_after == 120s);
}

// -- eligibility --------------------------------------------------------------

BOOST_DATA_TEST_CASE(only_available_agents_are_eligible,
                     bdata::make({"available", "busy", "break", "offline", "Available", ""}) ^
                         bdata::make({true, false, false, false, false, false}),
                     status, expected) {
  auto a = agent("a");
  a.status = status;
  BOOST_CHECK_EQUAL(crm::eligible(a, chat()), expected);
}

// A capacity of 0 takes no chats, even with a (corrupt) negative load.
BOOST_DATA_TEST_CASE(only_agents_below_capacity_are_eligible,
                     bdata::make({0, 2, 3, 4, 0, 0, -1}) ^ bdata::make({3, 3, 3, 3, 1, 0, 0}) ^
                         bdata::make({true, true, false, false, true, false, false}),
                     open_chats, capacity, expected) {
  BOOST_CHECK_EQUAL(crm::eligible(agent("a", open_chats, capacity), chat()), expected);
}

BOOST_DATA_TEST_CASE(only_agents_of_the_chats_campaign_are_eligible,
                     bdata::make({"c1", "c2", "c3", ""}) ^ bdata::make({true, true, false, true}) ^
                         bdata::make({false, false, false, true}),
                     campaign, expected_with_campaigns, expected_without_campaigns) {
  // An agent working c1 and c2, and one working no campaign at all.
  auto worker = agent("a", 0, 3, {}, {"c1", "c2"});
  auto loner = agent("b", 0, 3, {}, {});
  BOOST_CHECK_EQUAL(crm::eligible(worker, chat(campaign)), expected_with_campaigns);
  BOOST_CHECK_EQUAL(crm::eligible(loner, chat(campaign)), expected_without_campaigns);
}

BOOST_AUTO_TEST_CASE(a_chat_without_campaign_still_needs_an_available_agent_below_capacity) {
  auto busy = agent("a", 0, 3, {}, {});
  busy.status = "busy";
  BOOST_CHECK(!crm::eligible(busy, chat("")));
  BOOST_CHECK(!crm::eligible(agent("b", 3, 3, {}, {}), chat("")));
}

BOOST_DATA_TEST_CASE(a_campaign_cap_holds_agents_below_it_whatever_their_capacity,
                     bdata::make({"round_robin", "least_busy", "skills_based"}), name) {
  auto kind = crm::parse_strategy(name);
  BOOST_REQUIRE(kind);
  auto capped = policy(*kind);
  capped.max_chats_per_agent = 2;
  // "a" has room by its own capacity (5) but not by the campaign's cap (2).
  std::vector<crm::agent_candidate> agents{agent("a", 2, 5), agent("b", 1, 5)};
  crm::routing_cursor cursor;
  BOOST_CHECK_EQUAL(shown(crm::select_agent(capped, agents, chat(), cursor, t0 + 1h)), "b");
  agents[1].open_chats = 2;
  BOOST_CHECK_EQUAL(shown(crm::select_agent(capped, agents, chat(), cursor, t0 + 1h)), "-");
  capped.max_chats_per_agent = 0; // no cap: the agents' own capacity
  BOOST_CHECK_NE(shown(crm::select_agent(capped, agents, chat(), cursor, t0 + 1h)), "-");
}

BOOST_DATA_TEST_CASE(nobody_eligible_means_nobody_is_picked,
                     bdata::make({"round_robin", "least_busy", "skills_based"}), name) {
  auto kind = crm::parse_strategy(name);
  BOOST_REQUIRE(kind);
  auto offline = agent("a");
  offline.status = "offline";
  std::vector<crm::agent_candidate> agents{offline, agent("b", 3, 3), agent("c", 0, 3, {}, {"c2"})};
  crm::routing_cursor cursor;
  // Long past the skills fallback, so skills_based has every chance to find someone.
  BOOST_CHECK(!crm::select_agent(policy(*kind), agents, chat(), cursor, t0 + 1h));
  BOOST_CHECK(!crm::select_agent(policy(*kind), {}, chat(), cursor, t0 + 1h));
  BOOST_CHECK(cursor.last_by_campaign.empty());
}

// -- round robin --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(round_robin_rotates_by_id_and_wraps_around) {
  // Given out of order: the rotation follows ids, not the order of the candidates.
  std::vector<crm::agent_candidate> agents{agent("b", 2, 3), agent("c"), agent("a", 2, 3)};
  crm::routing_cursor cursor;
  BOOST_CHECK(rotate(agents, chat(), cursor, 7) == (ids{"a", "b", "c", "a", "b", "c", "a"}));
  BOOST_CHECK_EQUAL(cursor.last_by_campaign.at("c1"), "a");
}

BOOST_AUTO_TEST_CASE(round_robin_ignores_load) {
  std::vector<crm::agent_candidate> agents{agent("a", 2, 3), agent("b", 0, 3)};
  crm::routing_cursor cursor;
  BOOST_CHECK(rotate(agents, chat(), cursor, 1) == ids{"a"});
}

BOOST_AUTO_TEST_CASE(round_robin_skips_ineligible_agents) {
  auto on_break = agent("b");
  on_break.status = "break";
  std::vector<crm::agent_candidate> agents{agent("a"), on_break, agent("c", 3, 3), agent("d"),
                                           agent("e", 0, 3, {}, {"c2"})};
  crm::routing_cursor cursor;
  BOOST_CHECK(rotate(agents, chat(), cursor, 5) == (ids{"a", "d", "a", "d", "a"}));
}

BOOST_AUTO_TEST_CASE(round_robin_continues_after_an_agent_that_became_ineligible) {
  std::vector<crm::agent_candidate> agents{agent("a"), agent("b"), agent("c")};
  crm::routing_cursor cursor;
  BOOST_CHECK(rotate(agents, chat(), cursor, 2) == (ids{"a", "b"}));
  agents[1].status = "offline"; // the last one picked leaves
  BOOST_CHECK(rotate(agents, chat(), cursor, 2) == (ids{"c", "a"}));
}

BOOST_AUTO_TEST_CASE(round_robin_keeps_a_cursor_per_campaign) {
  std::vector<std::string> both{"c1", "c2"};
  std::vector<crm::agent_candidate> agents{agent("a", 0, 9, {}, both), agent("b", 0, 9, {}, both),
                                           agent("c", 0, 9, {}, both)};
  crm::routing_cursor cursor;
  auto next = [&](const char* campaign) {
    return rotate(agents, chat(campaign), cursor, 1)[0];
  };
  BOOST_CHECK_EQUAL(next("c1"), "a");
  BOOST_CHECK_EQUAL(next("c1"), "b");
  BOOST_CHECK_EQUAL(next("c2"), "a"); // c2 starts its own rotation
  BOOST_CHECK_EQUAL(next("c1"), "c");
  BOOST_CHECK_EQUAL(next("c2"), "b");
  BOOST_CHECK_EQUAL(next("c1"), "a");
  BOOST_CHECK_EQUAL(next("c2"), "c");
  BOOST_CHECK_EQUAL(next("c2"), "a");
  BOOST_CHECK_EQUAL(cursor.last_by_campaign.size(), 2u);
  BOOST_CHECK_EQUAL(cursor.last_by_campaign.at("c1"), "a");
  BOOST_CHECK_EQUAL(cursor.last_by_campaign.at("c2"), "a");
}

BOOST_AUTO_TEST_CASE(round_robin_rotates_chats_without_campaign_over_everyone) {
  std::vector<crm::agent_candidate> agents{agent("a", 0, 3, {}, {"c1"}), agent("b", 0, 3, {}, {})};
  crm::routing_cursor cursor;
  BOOST_CHECK(rotate(agents, chat(""), cursor, 3) == (ids{"a", "b", "a"}));
  BOOST_CHECK_EQUAL(cursor.last_by_campaign.at(""), "a");
}

BOOST_AUTO_TEST_CASE(an_agent_joining_mid_rotation_takes_its_turn) {
  std::vector<crm::agent_candidate> agents{agent("a"), agent("c")};
  crm::routing_cursor cursor;
  BOOST_CHECK(rotate(agents, chat(), cursor, 1) == ids{"a"});
  agents.push_back(agent("b")); // joins between the last pick and the next one
  BOOST_CHECK(rotate(agents, chat(), cursor, 4) == (ids{"b", "c", "a", "b"}));
  agents.push_back(agent("0")); // joins before the last pick: waits for the wrap
  BOOST_CHECK(rotate(agents, chat(), cursor, 4) == (ids{"c", "0", "a", "b"}));
}

// -- least busy ---------------------------------------------------------------

// Two agents "x" and "y"; whoever has the smaller open/capacity ratio wins.
BOOST_DATA_TEST_CASE(least_busy_compares_load_relative_to_capacity,
                     bdata::make({1, 2, 0, 3, 1, 4}) ^ bdata::make({2, 5, 1, 4, 3, 10}) ^
                         bdata::make({2, 1, 1, 1, 1, 1}) ^ bdata::make({5, 2, 5, 2, 4, 3}) ^
                         bdata::make({"y", "x", "x", "y", "y", "y"}),
                     x_open, x_capacity, y_open, y_capacity, expected) {
  // x: 1/2 vs y: 2/5 -> y; 2/5 vs 1/2 -> x; 0/1 vs 1/5 -> x; 3/4 vs 1/2 -> y; 1/3 vs 1/4 -> y;
  // 4/10 vs 1/3 -> y. A full tie would go to x (smaller id), so every "y" is decided by load.
  std::vector<crm::agent_candidate> agents{agent("x", x_open, x_capacity),
                                           agent("y", y_open, y_capacity)};
  BOOST_CHECK_EQUAL(shown(pick(crm::strategy::least_busy, agents, chat())), std::string{expected});
}

BOOST_AUTO_TEST_CASE(least_busy_is_not_the_fewest_open_chats) {
  // 2/10 is less busy than 1/2, although it has more open chats.
  std::vector<crm::agent_candidate> agents{agent("a", 1, 2), agent("b", 2, 10)};
  BOOST_CHECK_EQUAL(shown(pick(crm::strategy::least_busy, agents, chat())), "b");
}

BOOST_AUTO_TEST_CASE(least_busy_ties_go_to_the_longest_idle) {
  // 1/2 and 2/4 are the same load: the one idle since earlier wins, whatever its id.
  std::vector<crm::agent_candidate> agents{agent("a", 1, 2, {}, {"c1"}, t0 - 10s),
                                           agent("b", 2, 4, {}, {"c1"}, t0 - 60s),
                                           agent("c", 2, 4, {}, {"c1"}, t0 - 5s)};
  BOOST_CHECK_EQUAL(shown(pick(crm::strategy::least_busy, agents, chat())), "b");
  agents[0].idle_since = t0; // now c has waited longest
  agents[1].idle_since = t0;
  BOOST_CHECK_EQUAL(shown(pick(crm::strategy::least_busy, agents, chat())), "c");
}

BOOST_AUTO_TEST_CASE(least_busy_full_ties_go_to_the_smallest_id) {
  std::vector<crm::agent_candidate> agents{agent("m", 1, 3), agent("k", 1, 3), agent("z", 1, 3)};
  BOOST_CHECK_EQUAL(shown(pick(crm::strategy::least_busy, agents, chat())), "k");
}

BOOST_AUTO_TEST_CASE(least_busy_never_picks_an_ineligible_agent) {
  auto on_break = agent("a", 0, 5);
  on_break.status = "break";
  std::vector<crm::agent_candidate> agents{on_break, agent("b", 0, 5, {}, {"c2"}),
                                           agent("c", 4, 5)};
  BOOST_CHECK_EQUAL(shown(pick(crm::strategy::least_busy, agents, chat())), "c");
}

BOOST_AUTO_TEST_CASE(least_busy_leaves_the_cursor_alone) {
  crm::routing_cursor cursor;
  cursor.last_by_campaign["c1"] = "q";
  std::vector<crm::agent_candidate> agents{agent("a"), agent("b", 1, 3)};
  BOOST_CHECK_EQUAL(
      shown(crm::select_agent(policy(crm::strategy::least_busy), agents, chat(), cursor, t0)), "a");
  BOOST_CHECK_EQUAL(cursor.last_by_campaign.size(), 1u);
  BOOST_CHECK_EQUAL(cursor.last_by_campaign.at("c1"), "q");
}

// -- skills-based -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(skills_based_requires_every_skill) {
  // a is idle but lacks "legal", b lacks "es"; only c has both (and more).
  std::vector<crm::agent_candidate> agents{agent("a", 0, 3, {"es"}), agent("b", 2, 3, {"legal"}),
                                           agent("c", 2, 3, {"vip", "legal", "es"})};
  BOOST_CHECK_EQUAL(shown(pick(crm::strategy::skills_based, agents, chat("c1", {"legal", "es"}))),
                    "c");
}

BOOST_AUTO_TEST_CASE(skills_based_picks_the_least_busy_among_the_skilled) {
  std::vector<crm::agent_candidate> agents{
      agent("a", 0, 3, {}),                          // idle, unskilled
      agent("b", 2, 4, {"legal"}),                   // 1/2
      agent("c", 1, 4, {"legal"}),                   // 1/4
      agent("d", 0, 4, {"legal"}, {"c2"}),           // skilled, wrong campaign
      agent("e", 1, 4, {"legal"}, {"c1"}, t0 - 1s)}; // 1/4, idle longer than c
  BOOST_CHECK_EQUAL(shown(pick(crm::strategy::skills_based, agents, chat("c1", {"legal"}))), "e");
}

BOOST_AUTO_TEST_CASE(a_skilled_agent_at_capacity_does_not_count) {
  std::vector<crm::agent_candidate> agents{agent("a", 0, 3), agent("b", 3, 3, {"legal"})};
  BOOST_CHECK(!pick(crm::strategy::skills_based, agents, chat("c1", {"legal"}), t0 + 10s));
}

// With nobody skilled, the chat waits for `skills_fallback_after`, then goes to the least busy
// eligible agent. The chat was queued at t0; the fallback is 120 s by default.
BOOST_DATA_TEST_CASE(skills_based_falls_back_to_any_eligible_agent_after_the_wait,
                     bdata::make({0, 1, 119, 120, 121, 3600}) ^
                         bdata::make({"-", "-", "-", "b", "b", "b"}),
                     waited_seconds, expected) {
  auto offline = agent("z", 0, 3, {"legal"});
  offline.status = "offline";
  std::vector<crm::agent_candidate> agents{agent("a", 2, 3), agent("b", 1, 3), offline};
  BOOST_CHECK_EQUAL(shown(pick(crm::strategy::skills_based, agents, chat("c1", {"legal"}),
                               t0 + std::chrono::seconds{waited_seconds})),
                    expected);
}

BOOST_AUTO_TEST_CASE(the_fallback_wait_is_configurable) {
  std::vector<crm::agent_candidate> agents{agent("a")};
  auto p = policy(crm::strategy::skills_based);
  p.skills_fallback_after = 30s;
  auto c = chat("c1", {"legal"});
  crm::routing_cursor cursor;
  BOOST_CHECK(!crm::select_agent(p, agents, c, cursor, t0 + 29s));
  BOOST_CHECK_EQUAL(shown(crm::select_agent(p, agents, c, cursor, t0 + 30s)), "a");
  p.skills_fallback_after = 0s; // fall back at once
  BOOST_CHECK_EQUAL(shown(crm::select_agent(p, agents, c, cursor, t0)), "a");
}

BOOST_AUTO_TEST_CASE(skilled_agents_are_preferred_even_after_the_fallback_wait) {
  std::vector<crm::agent_candidate> agents{agent("a", 0, 3), agent("b", 2, 3, {"legal"})};
  BOOST_CHECK_EQUAL(
      shown(pick(crm::strategy::skills_based, agents, chat("c1", {"legal"}), t0 + 1h)), "b");
}

BOOST_AUTO_TEST_CASE(skills_based_without_required_skills_is_least_busy) {
  std::vector<crm::agent_candidate> agents{agent("a", 2, 3, {"legal"}), agent("b", 1, 3),
                                           agent("c", 1, 3, {}, {"c1"}, t0 - 1s)};
  // Right at queue time: no fallback wait is involved.
  BOOST_CHECK_EQUAL(shown(pick(crm::strategy::skills_based, agents, chat("c1", {}), t0)), "c");
  BOOST_CHECK_EQUAL(shown(pick(crm::strategy::least_busy, agents, chat("c1", {}), t0)), "c");
}

BOOST_AUTO_TEST_SUITE_END()
