#include "domain/routing.hpp"

#include <algorithm>

namespace crm {

namespace {

bool contains(const std::vector<std::string>& xs, const std::string& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

bool has_skills(const agent_candidate& a, const waiting_chat& c) {
  return std::all_of(c.required_skills.begin(), c.required_skills.end(),
                     [&](const std::string& skill) { return contains(a.skills, skill); });
}

/// Whether `a` should be preferred to `b` under least busy: lower load ratio (compared exactly
/// by cross-multiplication; capacities are positive for eligible agents), then longer idle,
/// then smaller id.
bool less_busy(const agent_candidate& a, const agent_candidate& b) {
  auto lhs = static_cast<long long>(a.open_chats) * b.capacity;
  auto rhs = static_cast<long long>(b.open_chats) * a.capacity;
  if (lhs != rhs)
    return lhs < rhs;
  if (a.idle_since != b.idle_since)
    return a.idle_since < b.idle_since;
  return a.id < b.id;
}

/// The least busy eligible agent that also satisfies `keep`.
template <class Predicate>
std::optional<std::string> least_busy(const std::vector<agent_candidate>& agents,
                                      const waiting_chat& chat, Predicate keep) {
  const agent_candidate* best = nullptr;
  for (const auto& a : agents)
    if (eligible(a, chat) && keep(a) && (!best || less_busy(a, *best)))
      best = &a;
  if (!best)
    return std::nullopt;
  return best->id;
}

std::optional<std::string> round_robin(const std::vector<agent_candidate>& agents,
                                       const waiting_chat& chat, routing_cursor& cursor) {
  auto last = cursor.last_by_campaign.find(chat.campaign_id);
  const agent_candidate* first = nullptr; // smallest id: where the rotation wraps to
  const agent_candidate* next = nullptr;  // smallest id after the last pick
  for (const auto& a : agents) {
    if (!eligible(a, chat))
      continue;
    if (!first || a.id < first->id)
      first = &a;
    if (last != cursor.last_by_campaign.end() && a.id > last->second && (!next || a.id < next->id))
      next = &a;
  }
  const auto* result = next ? next : first;
  if (!result)
    return std::nullopt;
  cursor.last_by_campaign[chat.campaign_id] = result->id;
  return result->id;
}

} // namespace

std::string_view to_string(strategy s) {
  switch (s) {
  case strategy::round_robin:
    return "round_robin";
  case strategy::least_busy:
    return "least_busy";
  case strategy::skills_based:
    return "skills_based";
  }
  return "least_busy";
}

std::optional<strategy> parse_strategy(std::string_view name) {
  for (auto s : {strategy::round_robin, strategy::least_busy, strategy::skills_based})
    if (to_string(s) == name)
      return s;
  return std::nullopt;
}

bool eligible(const agent_candidate& a, const waiting_chat& c) {
  return a.status == "available" && a.capacity > 0 && a.open_chats < a.capacity &&
         (c.campaign_id.empty() || contains(a.campaigns, c.campaign_id));
}

std::optional<std::string> select_agent(const routing_policy& policy,
                                        const std::vector<agent_candidate>& agents,
                                        const waiting_chat& chat, routing_cursor& cursor,
                                        clock_time now) {
  if (policy.max_chats_per_agent > 0) {
    std::vector<agent_candidate> below;
    for (auto& a : agents)
      if (a.open_chats < policy.max_chats_per_agent)
        below.push_back(a);
    auto uncapped = policy;
    uncapped.max_chats_per_agent = 0;
    return select_agent(uncapped, below, chat, cursor, now);
  }
  auto any = [](const agent_candidate&) {
    return true;
  };
  switch (policy.kind) {
  case strategy::round_robin:
    return round_robin(agents, chat, cursor);
  case strategy::least_busy:
    return least_busy(agents, chat, any);
  case strategy::skills_based: {
    auto skilled = [&](const agent_candidate& a) {
      return has_skills(a, chat);
    };
    if (auto result = least_busy(agents, chat, skilled))
      return result;
    if (now - chat.queued_at >= policy.skills_fallback_after)
      return least_busy(agents, chat, any);
    return std::nullopt;
  }
  }
  return std::nullopt;
}

} // namespace crm
