#include "domain/waiting_queue.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace std::chrono_literals;

namespace {

const crm::clock_time t0 = crm::clock_time{} + 1'000'000s;

crm::waiting_chat chat(std::string id, crm::priority prio, crm::clock_time queued_at) {
  crm::waiting_chat result;
  result.chat_id = std::move(id);
  result.campaign_id = "c1";
  result.prio = prio;
  result.queued_at = queued_at;
  return result;
}

std::vector<std::string> ids_of(const std::vector<crm::waiting_chat>& chats) {
  std::vector<std::string> result;
  for (const auto& c : chats)
    result.push_back(c.chat_id);
  return result;
}

std::vector<std::string> ids_of(const crm::waiting_queue& q) {
  return ids_of(q.ordered());
}

/// The serving order written out independently of the queue's comparator.
int rank(crm::priority p) {
  return p == crm::priority::urgente ? 0
         : p == crm::priority::alta  ? 1
         : p == crm::priority::media ? 2
                                     : 3;
}

bool served_before(const crm::waiting_chat& a, const crm::waiting_chat& b) {
  return std::tuple{rank(a.prio), a.queued_at, a.chat_id} <
         std::tuple{rank(b.prio), b.queued_at, b.chat_id};
}

using ids = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_SUITE(waiting_queue)

BOOST_AUTO_TEST_CASE(a_new_queue_is_empty) {
  crm::waiting_queue aut;
  BOOST_CHECK(aut.empty());
  BOOST_CHECK_EQUAL(aut.size(), 0u);
  BOOST_CHECK(aut.ordered().empty());
  BOOST_CHECK(!aut.oldest());
  BOOST_CHECK(aut.find("x") == nullptr);
}

BOOST_AUTO_TEST_CASE(urgente_is_served_first_then_by_waiting_time) {
  crm::waiting_queue aut;
  BOOST_CHECK(aut.push(chat("baja-old", crm::priority::baja, t0)));
  BOOST_CHECK(aut.push(chat("media-new", crm::priority::media, t0 + 30s)));
  BOOST_CHECK(aut.push(chat("urgente-new", crm::priority::urgente, t0 + 50s)));
  BOOST_CHECK(aut.push(chat("alta", crm::priority::alta, t0 + 20s)));
  BOOST_CHECK(aut.push(chat("media-old", crm::priority::media, t0 + 10s)));
  BOOST_CHECK(aut.push(chat("urgente-old", crm::priority::urgente, t0 + 40s)));
  BOOST_CHECK(aut.push(chat("baja-new", crm::priority::baja, t0 + 60s)));
  BOOST_CHECK_EQUAL(aut.size(), 7u);
  BOOST_CHECK(!aut.empty());
  BOOST_CHECK(ids_of(aut) == (ids{"urgente-old", "urgente-new", "alta", "media-old", "media-new",
                                  "baja-old", "baja-new"}));
}

BOOST_AUTO_TEST_CASE(chats_queued_at_the_same_time_are_served_by_id) {
  crm::waiting_queue aut;
  aut.push(chat("c2", crm::priority::alta, t0));
  aut.push(chat("c3", crm::priority::alta, t0));
  aut.push(chat("c1", crm::priority::alta, t0));
  aut.push(chat("c0", crm::priority::alta, t0 + 1s));
  BOOST_CHECK(ids_of(aut) == (ids{"c1", "c2", "c3", "c0"}));
}

BOOST_AUTO_TEST_CASE(a_chat_already_queued_is_refused) {
  crm::waiting_queue aut;
  BOOST_CHECK(aut.push(chat("c1", crm::priority::baja, t0)));
  // Same id, whatever else differs: refused, and the queued one is unchanged.
  BOOST_CHECK(!aut.push(chat("c1", crm::priority::urgente, t0 - 1h)));
  BOOST_CHECK(!aut.push(chat("c1", crm::priority::baja, t0)));
  BOOST_CHECK_EQUAL(aut.size(), 1u);
  BOOST_REQUIRE(aut.find("c1") != nullptr);
  BOOST_CHECK(aut.find("c1")->prio == crm::priority::baja);
  BOOST_CHECK(aut.find("c1")->queued_at == t0);
}

BOOST_AUTO_TEST_CASE(remove_takes_a_chat_out_once) {
  crm::waiting_queue aut;
  aut.push(chat("a", crm::priority::urgente, t0));
  aut.push(chat("b", crm::priority::alta, t0));
  aut.push(chat("c", crm::priority::baja, t0));
  BOOST_CHECK(aut.remove("b"));
  BOOST_CHECK(!aut.remove("b"));
  BOOST_CHECK(!aut.remove("never-queued"));
  BOOST_CHECK_EQUAL(aut.size(), 2u);
  BOOST_CHECK(aut.find("b") == nullptr);
  BOOST_CHECK(ids_of(aut) == (ids{"a", "c"}));
  // Once removed, the id can be queued again (e.g. re-queued after an agent went offline).
  BOOST_CHECK(aut.push(chat("b", crm::priority::media, t0 + 5s)));
  BOOST_CHECK(ids_of(aut) == (ids{"a", "b", "c"}));
  BOOST_CHECK(aut.remove("a"));
  BOOST_CHECK(aut.remove("b"));
  BOOST_CHECK(aut.remove("c"));
  BOOST_CHECK(aut.empty());
}

BOOST_AUTO_TEST_CASE(find_returns_the_queued_chat) {
  crm::waiting_queue aut;
  auto c = chat("c7", crm::priority::media, t0 + 3s);
  c.campaign_id = "c9";
  c.required_skills = {"legal", "es"};
  aut.push(c);
  aut.push(chat("c8", crm::priority::alta, t0));
  const auto* found = aut.find("c7");
  BOOST_REQUIRE(found != nullptr);
  BOOST_CHECK_EQUAL(found->chat_id, "c7");
  BOOST_CHECK_EQUAL(found->campaign_id, "c9");
  BOOST_CHECK(found->prio == crm::priority::media);
  BOOST_CHECK(found->queued_at == t0 + 3s);
  BOOST_CHECK(found->required_skills == (ids{"legal", "es"}));
  BOOST_CHECK(aut.find("c") == nullptr);
  BOOST_CHECK(aut.find("c77") == nullptr);
}

BOOST_AUTO_TEST_CASE(oldest_is_the_longest_wait_whatever_the_priority) {
  crm::waiting_queue aut;
  aut.push(chat("urgente", crm::priority::urgente, t0 + 30s));
  aut.push(chat("media", crm::priority::media, t0 + 10s));
  aut.push(chat("baja", crm::priority::baja, t0 + 5s));
  aut.push(chat("alta", crm::priority::alta, t0 + 20s));
  BOOST_CHECK(aut.oldest() == t0 + 5s);
  aut.remove("baja");
  BOOST_CHECK(aut.oldest() == t0 + 10s);
  aut.remove("media");
  BOOST_CHECK(aut.oldest() == t0 + 20s);
  aut.remove("alta");
  BOOST_CHECK(aut.oldest() == t0 + 30s);
  aut.remove("urgente");
  BOOST_CHECK(!aut.oldest());
}

BOOST_AUTO_TEST_CASE(for_each_visits_in_serving_order_until_told_to_stop) {
  crm::waiting_queue aut;
  aut.push(chat("c", crm::priority::baja, t0));
  aut.push(chat("a", crm::priority::urgente, t0 + 2s));
  aut.push(chat("b", crm::priority::alta, t0 + 1s));
  ids all;
  aut.for_each([&](const crm::waiting_chat& c) {
    all.push_back(c.chat_id);
    return true;
  });
  BOOST_CHECK(all == (ids{"a", "b", "c"}));
  ids first_two;
  aut.for_each([&](const crm::waiting_chat& c) {
    first_two.push_back(c.chat_id);
    return first_two.size() < 2;
  });
  BOOST_CHECK(first_two == (ids{"a", "b"}));
  int calls = 0;
  aut.for_each([&](const crm::waiting_chat&) {
    ++calls;
    return false;
  });
  BOOST_CHECK_EQUAL(calls, 1);
  // The visited chats are the queued ones, not copies.
  const crm::waiting_chat* visited = nullptr;
  aut.for_each([&](const crm::waiting_chat& c) {
    visited = &c;
    return false;
  });
  BOOST_CHECK(visited == aut.find("a"));
}

BOOST_AUTO_TEST_CASE(copies_and_moves_are_independent_and_moved_from_queues_are_empty) {
  crm::waiting_queue original;
  original.push(chat("b", crm::priority::baja, t0));
  original.push(chat("a", crm::priority::alta, t0));
  crm::waiting_queue copy{original};
  BOOST_CHECK(copy.remove("a"));
  BOOST_CHECK(copy.push(chat("c", crm::priority::urgente, t0)));
  BOOST_CHECK(copy.find("b") != original.find("b"));
  BOOST_CHECK(ids_of(original) == (ids{"a", "b"}));
  BOOST_CHECK(ids_of(copy) == (ids{"c", "b"}));
  copy = original;
  BOOST_CHECK(ids_of(copy) == (ids{"a", "b"}));
  BOOST_CHECK(copy.remove("a"));
  BOOST_CHECK(original.find("a") != nullptr);
  crm::waiting_queue moved{std::move(copy)};
  BOOST_CHECK(ids_of(moved) == ids{"b"});
  // A moved-from queue is empty and usable.
  BOOST_CHECK(copy.empty());
  BOOST_CHECK(copy.find("b") == nullptr);
  BOOST_CHECK(copy.push(chat("b", crm::priority::media, t0)));
  moved = std::move(original); // replaces the "b" it held
  BOOST_CHECK(ids_of(moved) == (ids{"a", "b"}));
  BOOST_CHECK(moved.find("a") != nullptr);
  BOOST_CHECK(!moved.push(chat("a", crm::priority::baja, t0)));
  BOOST_CHECK(original.empty());
  BOOST_CHECK(original.find("b") == nullptr);
  BOOST_CHECK(original.push(chat("b", crm::priority::media, t0)));
  BOOST_CHECK(moved.find("b")->prio == crm::priority::baja);
}

BOOST_AUTO_TEST_CASE(random_pushes_and_removes_stay_in_serving_order) {
  std::mt19937 rng{20240601};
  std::uniform_int_distribution<int> id_of{0, 299}; // few ids: duplicates and hits on remove
  std::uniform_int_distribution<int> prio_of{0, 3};
  std::uniform_int_distribution<int> second_of{0, 50}; // narrow: many same-time ties
  std::uniform_int_distribution<int> op_of{0, 2};      // two pushes for one remove
  const crm::priority prios[] = {crm::priority::urgente, crm::priority::alta, crm::priority::media,
                                 crm::priority::baja};
  crm::waiting_queue aut;
  std::map<std::string, crm::waiting_chat> reference;
  for (int step = 0; step < 10'000; ++step) {
    auto id = "chat-" + std::to_string(id_of(rng));
    if (op_of(rng) < 2) {
      auto c = chat(id, prios[prio_of(rng)], t0 + std::chrono::seconds{second_of(rng)});
      BOOST_REQUIRE_EQUAL(aut.push(c), reference.emplace(id, c).second);
    } else {
      BOOST_REQUIRE_EQUAL(aut.remove(id), reference.erase(id) == 1);
    }
    BOOST_REQUIRE_EQUAL(aut.size(), reference.size());
    BOOST_REQUIRE_EQUAL(aut.empty(), reference.empty());
    if (step % 50 != 0 && step != 9'999)
      continue;
    std::vector<crm::waiting_chat> expected;
    for (const auto& [_, c] : reference)
      expected.push_back(c);
    std::sort(expected.begin(), expected.end(), served_before);
    BOOST_REQUIRE(ids_of(aut) == ids_of(expected));
    std::vector<crm::waiting_chat> visited;
    aut.for_each([&](const crm::waiting_chat& c) {
      visited.push_back(c);
      return true;
    });
    BOOST_REQUIRE(ids_of(visited) == ids_of(expected));
    if (expected.empty()) {
      BOOST_REQUIRE(!aut.oldest());
    } else {
      auto oldest =
          std::min_element(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
            return a.queued_at < b.queued_at;
          })->queued_at;
      BOOST_REQUIRE(aut.oldest() == oldest);
    }
    for (const auto& [id, c] : reference) {
      const auto* found = aut.find(id);
      BOOST_REQUIRE(found != nullptr);
      BOOST_REQUIRE(found->prio == c.prio && found->queued_at == c.queued_at);
    }
  }
  BOOST_TEST_MESSAGE("left queued: " << aut.size());
  BOOST_CHECK(!aut.empty()); // the mix leaves chats queued, so the last comparison meant something
}

BOOST_AUTO_TEST_SUITE_END()
