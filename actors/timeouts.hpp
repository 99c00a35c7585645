#pragma once

#include <chrono>

namespace crm::timeouts {

using namespace std::chrono_literals;

/// A group commit (batcher -> worker -> COMMIT); a longer wait means the database is stuck.
inline constexpr auto commit = 8s;
/// A read answered by a storage worker.
inline constexpr auto read = 8s;
/// A readiness probe (select 1, PING).
inline constexpr auto probe = 2s;
/// An offer to an AGENT (a local actor: a long wait means it is gone).
inline constexpr auto offer = 5s;
/// A send handed to a NUMBER (its provider answers within this, retries included).
inline constexpr auto send = 60s;
/// Routing a message through the REGISTRY to a CHAT and on to storage.
inline constexpr auto route = 9s;
/// The state loaded at start (every open chat, every pending outbound message): a million
/// open chats take tens of seconds to read, and nothing is served from them before.
inline constexpr auto startup = 300s;
/// A CSV import or export of up to 100,000 debtors.
inline constexpr auto import = 120s;

} // namespace crm::timeouts
