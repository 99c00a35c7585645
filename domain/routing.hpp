#pragma once

#include "domain/priority.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm {

/// How a campaign's waiting chats are given to its agents.
enum class strategy { round_robin, least_busy, skills_based };

/// "round_robin", "least_busy" or "skills_based", as in the API and configuration.
std::string_view to_string(strategy s);

/// Parses the API name; nullopt for anything else.
std::optional<strategy> parse_strategy(std::string_view name);

/// The clock of queue times and idle times.
using clock_time = std::chrono::system_clock::time_point;

/// What the dispatcher knows of one agent when deciding.
struct agent_candidate {
  std::string id;
  std::string status; // available | busy | break | offline
  int open_chats = 0;
  int capacity = 0; // maxConcurrentChats
  std::vector<std::string> skills;
  std::vector<std::string> campaigns; // campaign ids the agent works
  clock_time idle_since{};            // when its load last went down (or it became available)
};

/// A chat waiting for an agent.
struct waiting_chat {
  std::string chat_id;
  std::string campaign_id; // empty: no campaign (then any available agent is eligible)
  priority prio = priority::baja;
  clock_time queued_at{};
  std::vector<std::string> required_skills;
};

/// A campaign's routing settings.
struct routing_policy {
  strategy kind = strategy::least_busy;
  std::chrono::seconds skills_fallback_after{120};
  /// The campaign's cap on an agent's open chats for automatic assignment (0: the agent's
  /// own capacity only); people assigning by hand are not held to it.
  int max_chats_per_agent = 0;
};

/// Where round robin stopped, per campaign (the last agent id picked).
struct routing_cursor {
  std::map<std::string, std::string> last_by_campaign;
};

/// Available, below capacity, and in the chat's campaign (any agent when the chat has none).
bool eligible(const agent_candidate& a, const waiting_chat& c);

/// The agent to offer the chat to, or nullopt (nobody eligible, or skills not met yet).
/// Round robin updates `cursor`. Deterministic: remaining ties break by agent id.
/// - round robin: the first eligible agent, by id, after the campaign's last pick (wrapping).
/// - least busy: smallest open_chats/capacity, then longest idle (earliest idle_since), then id.
/// - skills-based: least busy among eligible agents having every required skill; when none has
///   them, least busy among all eligible once `now - chat.queued_at >= skills_fallback_after`.
std::optional<std::string> select_agent(const routing_policy& policy,
                                        const std::vector<agent_candidate>& agents,
                                        const waiting_chat& chat, routing_cursor& cursor,
                                        clock_time now);

} // namespace crm
