#pragma once

#include <caf/atom.hpp>
#include <caf/type_id.hpp>

// Payload-less verbs; texts are at most 10 characters.
CAF_ADD_ATOM(crm, crm::atom, ok, "ok")
CAF_ADD_ATOM(crm, crm::atom, ping, "ping")
CAF_ADD_ATOM(crm, crm::atom, ready, "ready")
CAF_ADD_ATOM(crm, crm::atom, load, "load")
CAF_ADD_ATOM(crm, crm::atom, flush, "flush")
CAF_ADD_ATOM(crm, crm::atom, status, "status")
CAF_ADD_ATOM(crm, crm::atom, offer, "offer")
CAF_ADD_ATOM(crm, crm::atom, released, "released")
CAF_ADD_ATOM(crm, crm::atom, queue, "queue")
CAF_ADD_ATOM(crm, crm::atom, remove, "remove")
CAF_ADD_ATOM(crm, crm::atom, tick, "tick")
CAF_ADD_ATOM(crm, crm::atom, agents, "agents")
CAF_ADD_ATOM(crm, crm::atom, campaigns, "campaigns")
CAF_ADD_ATOM(crm, crm::atom, join, "join")
CAF_ADD_ATOM(crm, crm::atom, leave, "leave")
CAF_ADD_ATOM(crm, crm::atom, numbers, "numbers")
CAF_ADD_ATOM(crm, crm::atom, publish, "publish")
CAF_ADD_ATOM(crm, crm::atom, watch, "watch")
CAF_ADD_ATOM(crm, crm::atom, unwatch, "unwatch")
CAF_ADD_ATOM(crm, crm::atom, attempt, "attempt")
CAF_ADD_ATOM(crm, crm::atom, outbox, "outbox")
CAF_ADD_ATOM(crm, crm::atom, media, "media")
CAF_ADD_ATOM(crm, crm::atom, access, "access")
CAF_ADD_ATOM(crm, crm::atom, bot, "bot")
CAF_ADD_ATOM(crm, crm::atom, passivate, "passivate")
