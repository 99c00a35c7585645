#pragma once

#include "actors/messages.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <vector>

namespace crm {

/// The STORAGE: the only storage handle the rest of the system sees (pg_pool).
/// Writes are group-committed and answered after COMMIT; reads go to a worker.
using storage_actor = caf::typed_actor<
    // Appends an inbound message (deduped on number + provider id); answers once durable.
    caf::replies_to<append_message>::with<inbound_ack>,
    // Records a provider status and applies it monotonically to its message.
    caf::replies_to<status_event>::with<atom::ok>,
    // Stores unroutable or error-reporting provider traffic as it came.
    caf::replies_to<provider_event>::with<atom::ok>,
    // Finds or creates the open chat of a number and phone (group-committed).
    caf::replies_to<open_chat_request>::with<chat_snapshot>,
    // Resolves a provider's number key to our number.
    caf::replies_to<number_lookup>::with<number_info>,
    // Loads every open chat (start-up).
    caf::replies_to<atom::load>::with<std::vector<chat_snapshot>>,
    // Readiness: answers ok when PostgreSQL answers.
    caf::replies_to<atom::ping>::with<atom::ok>>;

/// A storage WORKER: owns one PostgreSQL connection; runs detached.
using pg_worker_actor = caf::typed_actor<
    // Commits a whole batch in one transaction.
    caf::replies_to<write_batch>::with<write_batch_result>,
    caf::replies_to<number_lookup>::with<number_info>,
    caf::replies_to<atom::load>::with<std::vector<chat_snapshot>>,
    caf::replies_to<atom::ping>::with<atom::ok>>;

/// The WRITE BATCHER: collects writes and their promises, commits them in groups.
using write_batcher_actor = caf::typed_actor<
    // Chat rows are writes too: new conversations are created in groups as well.
    caf::replies_to<open_chat_request>::with<chat_snapshot>,
    caf::replies_to<append_message>::with<inbound_ack>,
    caf::replies_to<status_event>::with<atom::ok>, caf::replies_to<provider_event>::with<atom::ok>,
    // Timer tick: commit what is pending.
    caf::reacts_to<atom::flush>>;

/// REDIS: a detached actor over a hiredis connection.
using redis_actor = caf::typed_actor<
    // Readiness: answers ok when Redis answers PING.
    caf::replies_to<atom::ping>::with<atom::ok>>;

/// A CHAT: one per open conversation; its mailbox is the chat's only lock.
using chat_actor = caf::typed_actor<
    // Takes an inbound message; answers once it is durable (or known).
    caf::replies_to<inbound_envelope>::with<inbound_ack>>;

/// The REGISTRY: number keys -> numbers, chat keys -> CHAT actors (spawned on demand).
using chat_registry_actor = caf::typed_actor<
    // Routes an inbound message to its CHAT, spawning it (and the chat row) on demand.
    caf::replies_to<inbound_envelope>::with<inbound_ack>,
    // Resolves a provider's number key (cached).
    caf::replies_to<number_lookup>::with<number_info>>;

/// A GATEWAY: turns parsed HTTP requests into actor requests and answers the responder.
using gateway_actor = caf::typed_actor<
    // A verified webhook: answered 200 only when everything in it is durable.
    caf::reacts_to<webhook_batch, responder_ptr>,
    // /readyz: 200 when PostgreSQL (and Redis, if configured) answer.
    caf::reacts_to<atom::ready, responder_ptr>>;

} // namespace crm
