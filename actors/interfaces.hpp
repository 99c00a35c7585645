#pragma once

#include "actors/instrumented.hpp"
#include "actors/messages.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace crm {

/// What one storage WORKER answers on its own: reads and single-row writes, each in its
/// own transaction.
using storage_single_actor = caf::typed_actor<
    // Resolves a provider's number key to our number.
    caf::replies_to<number_lookup>::with<number_info>,
    // Loads every open chat (start-up).
    caf::replies_to<atom::load>::with<std::vector<chat_snapshot>>,
    // Loads every active agent with its campaigns and open chats (start-up).
    caf::replies_to<atom::load, atom::agents>::with<std::vector<agent_profile>>,
    // Loads every active campaign's routing (start-up).
    caf::replies_to<atom::load, atom::campaigns>::with<std::vector<campaign_routing>>,
    // Loads every active WhatsApp number (start-up).
    caf::replies_to<atom::load, atom::numbers>::with<std::vector<number_profile>>,
    // Creates, updates or deactivates a number.
    caf::replies_to<number_change>::with<number_saved>,
    // Numbers for the API (secrets never included).
    caf::replies_to<number_query>::with<json_page>,
    // A number's connection state changed.
    caf::replies_to<number_health>::with<atom::ok>,
    // Records an assignment, transfer or return to the queue: the chat row and its history;
    // answers the chat as stored.
    caf::replies_to<chat_assignment>::with<json_page>,
    // Closes a chat with its outcome (and promise); answers the chat as stored.
    caf::replies_to<chat_close>::with<json_page>,
    // Stores an outbound message as pending.
    caf::replies_to<outbound_message>::with<stored_message>,
    // A number's pending outbound messages, oldest first (start-up).
    caf::replies_to<atom::load, atom::outbox, number_id>::with<std::vector<outbound_job>>,
    // Records an agent's new status and when it began.
    caf::replies_to<agent_status_event>::with<atom::ok>,
    // Chats for the API (list or one), filtered and limited to the viewer.
    caf::replies_to<chat_query>::with<json_page>,
    // A chat's messages for the API, oldest first.
    caf::replies_to<message_query>::with<json_page>,
    // Where a message's media lives (found only when visible to the viewer).
    caf::replies_to<media_query>::with<media_ref>,
    // Readiness: answers ok when PostgreSQL answers.
    caf::replies_to<atom::ping>::with<atom::ok>>;

/// The group-committed writes: answered only after the COMMIT of their batch.
using storage_batched_actor = caf::typed_actor<
    // Finds or creates the open chat of a number and phone.
    caf::replies_to<open_chat_request>::with<chat_snapshot>,
    // Appends an inbound message (deduped on number + provider id).
    caf::replies_to<append_message>::with<inbound_ack>,
    // Records a provider status and applies it monotonically to its message; answers the
    // message it moved, if any.
    caf::replies_to<status_event>::with<std::vector<message_status_changed>>,
    // Stores unroutable or error-reporting provider traffic as it came.
    caf::replies_to<provider_event>::with<atom::ok>,
    // Counts a send attempt before the request leaves (never sent twice blindly).
    caf::replies_to<atom::attempt, message_id>::with<atom::ok>,
    // Records the provider's answer to a send; answers the message's status afterwards.
    caf::replies_to<send_outcome>::with<message_status_changed>,
    // Appends a row to the hash-chained audit log.
    caf::replies_to<audit_entry>::with<atom::ok>>;

/// The STORAGE: the only storage handle the rest of the system sees (pg_pool): batched
/// writes go to the WRITE BATCHER, everything else to a WORKER.
using storage_actor =
    storage_batched_actor::extend_with<storage_single_actor>::extend_with<caf::typed_actor<
        // Shutdown: commits every write queued before this message; true when all of them
        // committed (false: some failed, e.g. the database is down).
        caf::replies_to<atom::flush, atom::ok>::with<bool>>>;

/// A storage WORKER: owns one PostgreSQL connection; runs detached.
using pg_worker_actor = caf::typed_actor<
    // Commits a whole batch in one transaction.
    caf::replies_to<write_batch>::with<write_batch_result>>::extend_with<storage_single_actor>;

/// The WRITE BATCHER: collects writes and their promises, commits them in groups.
using write_batcher_actor = storage_batched_actor::extend_with<caf::typed_actor<
    // Timer tick: commit what is pending.
    caf::reacts_to<atom::flush>,
    // Shutdown: commit everything queued; answered once nothing is left uncommitted, true
    // when every write since the start committed.
    caf::replies_to<atom::flush, atom::ok>::with<bool>>>;

/// The IDENTITY WORKER: users, roles, sessions (refresh tokens), 2FA and the audit log's
/// reads; detached, with its own PostgreSQL (and Redis) connection, because password
/// hashing is slow on purpose.
using identity_worker_actor = caf::typed_actor<
    // An identity operation, answered in HTTP terms.
    caf::replies_to<api_request>::with<api_reply>,
    // Every user and role, for the access table.
    caf::replies_to<atom::load, atom::access>::with<access_rows>>;

/// The BACKUPS: lists the backup folder, runs the backup command on demand (one run at a
/// time, polled with ticks) and hands a backup file to the HTTP layer to stream; detached,
/// because it reads folders and waits on a child process.
using backup_actor = caf::typed_actor<
    // "backups.list", "backups.create", "backups.get", answered through the responder.
    caf::reacts_to<api_request, responder_ptr>,
    // Checks on the running backup.
    caf::reacts_to<atom::tick>>;

/// The CRM WORKER: debtors and their imports and exports; detached, with its own
/// PostgreSQL connection.
using crm_worker_actor = caf::typed_actor<
    // A records operation ("debtors.*"), answered in HTTP terms.
    caf::replies_to<api_request>::with<api_reply>>;

/// REDIS: a detached actor over a hiredis connection.
using redis_actor = caf::typed_actor<
    // Readiness: answers ok when Redis answers PING.
    caf::replies_to<atom::ping>::with<atom::ok>>;

/// A CHAT: one per open conversation; its mailbox is the chat's only lock.
using chat_actor = caf::typed_actor<
    // Takes an inbound message; answers once it is durable (or known).
    caf::replies_to<inbound_envelope>::with<inbound_ack>,
    // The DISPATCHER gave the chat to an agent: made durable (retried until it is).
    caf::reacts_to<chat_assigned>,
    // A user's command: send, assign, transfer, close, typing.
    caf::replies_to<chat_command>::with<json_page>,
    // Its agent is away: give the chat back to the queue if the agent stopped replying.
    caf::replies_to<requeue_check>::with<std::int64_t>,
    // A message's status moved (send outcome, provider status): pushed as message.status.
    caf::reacts_to<message_status_changed>,
    // Timer: retry making the assignment durable.
    caf::reacts_to<atom::tick>,
    // Timer: the bot's wait with this deadline (unix ms) may have run out.
    caf::reacts_to<atom::bot, std::int64_t>,
    // The REGISTRY found it idle: its snapshot, when nothing is pending (error otherwise).
    caf::replies_to<atom::passivate>::with<chat_snapshot>>;

/// The REGISTRY: number keys -> numbers, chat keys -> CHAT actors (spawned on demand).
using chat_registry_actor = caf::typed_actor<
    // Routes an inbound message to its CHAT, spawning it (and the chat row) on demand.
    caf::replies_to<inbound_envelope>::with<inbound_ack>,
    // Resolves a provider's number key (cached).
    caf::replies_to<number_lookup>::with<number_info>,
    // The DISPATCHER's decisions, routed to their CHAT (spawned if dormant).
    caf::reacts_to<chat_assigned>,
    // A user's command, routed to its CHAT (404 for a chat that is not open).
    caf::replies_to<chat_command>::with<json_page>,
    // A reserved proactive contact: the chat of (number, phone) opened or reused, the
    // template sent in it; answers the stored message.
    caf::replies_to<outreach_request>::with<json_page>,
    // An away agent's check of one of its chats, routed to the CHAT.
    caf::replies_to<requeue_check>::with<std::int64_t>,
    // A CHAT closed: forget it (the next message from its phone opens a new chat).
    caf::reacts_to<atom::remove, chat_id>,
    // A message's status moved: routed to its CHAT, which pushes it.
    caf::reacts_to<message_status_changed>,
    // A number was removed: forget it (its traffic is kept as unrouted from now on).
    caf::reacts_to<atom::remove, number_id>,
    // Timer: put the CHATs idle for chat_peers::idle_after to sleep (snapshot, no actor).
    caf::reacts_to<atom::passivate>>;

/// A NUMBER: one per WhatsApp number; owns its provider client and its outbound queue
/// (paced to the number's rate limit, retried with backoff, resumed from the database).
using number_actor = caf::typed_actor<
    // A stored message to send; its outcome is recorded and reaches the CHAT.
    caf::reacts_to<outbound_job>,
    // The provider answered one send (posted by net/).
    caf::reacts_to<provider_reply>,
    // Timer: the next send slot is due.
    caf::reacts_to<atom::tick>,
    // Connects the REGISTRY, through which outcomes reach their CHAT.
    caf::reacts_to<chat_registry_actor>,
    // The number was edited: new settings and provider client.
    caf::reacts_to<number_profile, provider_client_ptr>,
    // Its provider client, for reads that need no pacing (media downloads).
    caf::replies_to<atom::media>::with<provider_client_ptr>>;

/// NUMBERS: the NUMBER of each active number, started at start and on creation.
using number_pool_actor = caf::typed_actor<
    // A stored message to send: handed to its NUMBER (failed when the number is gone).
    caf::reacts_to<outbound_job>,
    // POST/PATCH/DELETE /whatsapp/numbers: stored, then the NUMBER follows.
    caf::replies_to<number_change>::with<json_page>,
    // A number's provider client (not_found when the number is not active).
    caf::replies_to<atom::media, number_id>::with<provider_client_ptr>,
    // Connects the REGISTRY (passed on to every NUMBER).
    caf::reacts_to<chat_registry_actor>>;

/// An AGENT: one per user with the agent role; the single source of truth for "can this
/// agent take one more chat".
using agent_actor = caf::typed_actor<
    // The DISPATCHER offers a chat: true when accepted (capacity is never exceeded).
    caf::replies_to<atom::offer, chat_offer>::with<bool>,
    // A chat left the agent (closed or transferred away): capacity comes back.
    caf::reacts_to<atom::released, chat_id>,
    // Changes the agent's status; answers with its load afterwards.
    caf::replies_to<status_change>::with<agent_load>,
    // Replaces capacity, skills and campaigns; answers with its load afterwards.
    caf::replies_to<agent_update>::with<agent_load>,
    // The agent's current load.
    caf::replies_to<atom::status>::with<agent_load>,
    // Connects the REGISTRY (re-queueing the chats of an agent who is away).
    caf::reacts_to<chat_registry_actor>,
    // Timer: look again at the chats of an agent who is away.
    caf::reacts_to<atom::tick>>;

/// user id -> AGENT, shared by the actors that address agents by id; it grows as agents are
/// created through the API (thread-safe: a lookup holds the lock for one map find).
class agent_book {
 public:
  agent_book() = default;
  explicit agent_book(std::unordered_map<std::string, agent_actor> initial)
      : agents_{std::move(initial)} {}

  /// The AGENT of a user, if the user is (or was, since start) an active agent.
  std::optional<agent_actor> find(const std::string& id) const {
    std::lock_guard lock{mutex_};
    auto it = agents_.find(id);
    return it == agents_.end() ? std::nullopt : std::optional<agent_actor>{it->second};
  }

  void put(const std::string& id, agent_actor handle) {
    std::lock_guard lock{mutex_};
    agents_[id] = std::move(handle);
  }

  /// Every entry (for start-up wiring and shutdown).
  std::vector<std::pair<std::string, agent_actor>> all() const {
    std::lock_guard lock{mutex_};
    return {agents_.begin(), agents_.end()};
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, agent_actor> agents_;
};

/// The shared AGENT book, as actors hold it.
struct agent_directory {
  std::shared_ptr<agent_book> table;
};

/// The WS_HUB: rooms of WebSocket sessions (per agent, supervisors) and the fan-out.
using ws_hub_actor = caf::typed_actor<
    // A session opened (after its token was verified).
    caf::reacts_to<atom::join, ws_user, ws_sink_ptr>,
    // A session closed.
    caf::reacts_to<atom::leave, std::uint64_t>,
    // A session follows one chat's events (its chat room) / stops following it.
    caf::reacts_to<atom::watch, std::uint64_t, chat_id>,
    caf::reacts_to<atom::unwatch, std::uint64_t, chat_id>,
    // An event to push to its rooms.
    caf::reacts_to<ws_event>,
    // Sessions open right now.
    caf::replies_to<atom::status>::with<std::uint64_t>,
    // An event that must reach someone: answers how many sessions it reached.
    caf::replies_to<atom::publish, ws_event>::with<std::uint64_t>,
    // A user lost access: its sessions are closed with the reason.
    caf::reacts_to<atom::leave, std::string, std::string>,
    // The AGENTs, for setting offline an agent whose last session closed.
    caf::reacts_to<agent_directory>,
    // Timer: the grace period of a user who closed its last session ran out.
    caf::reacts_to<atom::tick, std::string>>;

/// The IDENTITY: rebuilds the access table after a change to users or roles, and closes
/// the WebSockets of users who lost access.
using identity_actor = caf::typed_actor<
    // Rebuild now; answered once the new table is in force.
    caf::replies_to<atom::load, atom::access>::with<atom::ok>>;

/// The SCHEDULER: on every tick, broken promises get their follow-up task and the task
/// reminders now due reach their assignees (`task.reminder`). Reminders are stored, so a
/// restart re-arms them all: the first tick after start sends what came due meanwhile.
using scheduler_actor = caf::typed_actor<
    // Timer: reminders and broken promises (every tick).
    caf::reacts_to<atom::tick>,
    // Timer: the next sends of running outbound campaigns (every second).
    caf::reacts_to<atom::outbox>,
    // Timer: the live overview pushed to supervisors (stats.overview).
    caf::reacts_to<atom::publish>>;

/// Where the DISPATCHER sends its decisions (the REGISTRY, which routes them to the CHAT).
using assignment_sink_actor = caf::typed_actor<caf::reacts_to<chat_assigned>>;

/// The DISPATCHER: owns the waiting queue and assigns chats to agents by campaign strategy.
using dispatcher_actor = caf::typed_actor<
    // A chat needs an agent.
    caf::reacts_to<chat_waiting>,
    // An AGENT's load changed (also how the DISPATCHER learns of an agent).
    caf::reacts_to<agent_load, agent_actor>,
    // A chat no longer waits (assigned by hand, closed).
    caf::reacts_to<atom::remove, chat_id>,
    // A campaign's strategy and required skills.
    caf::reacts_to<campaign_routing>,
    // The waiting chats in the order they will be served.
    caf::replies_to<atom::queue>::with<std::vector<chat_waiting>>,
    // Timer: re-run assignment (skills fallback deadlines).
    caf::reacts_to<atom::tick>,
    // Timer: push the queue's length to supervisors (coalesced).
    caf::reacts_to<atom::publish>,
    // Connects the sink of its decisions (the REGISTRY, spawned after the DISPATCHER).
    caf::reacts_to<assignment_sink_actor>>;

/// A GATEWAY: turns parsed HTTP requests into actor requests and answers the responder.
using gateway_actor = caf::typed_actor<
    // A verified webhook: answered 200 only when everything in it is durable.
    caf::reacts_to<webhook_batch, responder_ptr>,
    // /readyz: 200 when PostgreSQL (and Redis, if configured) answer.
    caf::reacts_to<atom::ready, responder_ptr>,
    // PATCH /users/{id}/status: the AGENT changes and records its status.
    caf::reacts_to<user_status_request, responder_ptr>,
    // GET /queue: the DISPATCHER's waiting chats in serving order.
    caf::reacts_to<atom::queue, responder_ptr>,
    // GET /chats, /chats/{id}: answered from storage.
    caf::reacts_to<chat_query, responder_ptr>,
    // GET /chats/{id}/messages.
    caf::reacts_to<message_query, responder_ptr>,
    // GET /messages/{id}/media: streamed from the provider.
    caf::reacts_to<media_query, responder_ptr>,
    // /auth, /users, /roles, /audit: through the IDENTITY WORKER.
    caf::reacts_to<api_request, responder_ptr>,
    // POST /chats/{id}/messages, assign, transfer, close; WebSocket message.send, chat.typing.
    caf::reacts_to<chat_command, responder_ptr>,
    // POST/PATCH/DELETE /whatsapp/numbers: through NUMBERS (201 for a new one).
    caf::reacts_to<number_change, responder_ptr>,
    // GET /whatsapp/numbers, /whatsapp/numbers/{id}.
    caf::reacts_to<number_query, responder_ptr>>;

} // namespace crm

// Process-local: the directory never leaves this process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(crm::agent_directory)
