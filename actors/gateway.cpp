#include "actors/gateway.hpp"

#include "metrics/metrics.hpp"

#include "actors/timeouts.hpp"
#include "domain/iso_time.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <ctime>
#include <memory>
#include <string_view>

namespace crm {

namespace {

using json = nlohmann::json;

/// Counts the outstanding parts of one request and answers once all are done.
/// Only touched from inside the GATEWAY, so it needs no synchronisation.
struct webhook_job {
  responder_ptr out;
  std::string provider;
  size_t pending = 0;
  caf::error failure;
  size_t stored = 0, duplicates = 0, statuses = 0, unrouted = 0;

  void done() {
    if (--pending > 0)
      return;
    if (failure) {
      out->fail(failure);
      return;
    }
    out->ok(json{{"received", true},
                 {"stored", stored},
                 {"duplicates", duplicates},
                 {"statuses", statuses},
                 {"unrouted", unrouted}}
                .dump());
  }

  void fail(const caf::error& err) {
    if (!failure)
      failure = err;
    done();
  }
};

using job_ptr = std::shared_ptr<webhook_job>;

json to_json(const inbound_message& m) {
  auto j = json{{"providerId", m.provider_id},
                {"from", m.from},
                {"contactName", m.contact_name},
                {"type", m.type},
                {"text", m.text},
                {"timestamp", m.timestamp}};
  if (!m.media.empty())
    j["media"] = json::parse(m.media);
  if (!m.details.empty())
    j["details"] = json::parse(m.details);
  return j;
}

json to_json(const status_update& s) {
  auto j = json{{"providerId", s.provider_id},
                {"status", s.status},
                {"recipient", s.recipient},
                {"timestamp", s.timestamp}};
  if (!s.errors.empty())
    j["errors"] = json::parse(s.errors);
  return j;
}

/// Traffic for a number we do not have is kept whole, to be replayed once it is configured.
provider_event unrouted_event(const std::string& provider, const webhook_change& change) {
  auto payload = json{{"messages", json::array()}, {"statuses", json::array()}};
  for (auto& m : change.messages)
    payload["messages"].push_back(to_json(m));
  for (auto& s : change.statuses)
    payload["statuses"].push_back(to_json(s));
  if (!change.errors.empty())
    payload["errors"] = json::parse(change.errors);
  return {provider, change.number_key, "unrouted", payload.dump()};
}

void route_messages(actor_pointer<gateway_actor, gateway_state> self, const job_ptr& job,
                    const number_info& number, webhook_change& change) {
  for (auto& msg : change.messages) {
    self->request(self->state.peers.registry, timeouts::route, inbound_envelope{number.id, msg})
        .then(
            [job](inbound_ack& ack) {
              ++(ack.duplicate ? job->duplicates : job->stored);
              metrics::inbound_messages(job->provider, ack.duplicate ? "duplicate" : "stored")
                  .Increment();
              job->done();
            },
            [job](caf::error& err) {
              metrics::inbound_messages(job->provider, "failed").Increment();
              job->fail(err);
            });
  }
  for (auto& st : change.statuses) {
    self->request(self->state.peers.storage, timeouts::route, status_event{number.id, st})
        .then(
            [self, job](std::vector<message_status_changed>& moved) {
              for (auto& c : moved)
                self->send(self->state.peers.registry, std::move(c));
              ++job->statuses;
              metrics::inbound_statuses(job->provider, "stored").Increment();
              job->done();
            },
            [job](caf::error& err) {
              metrics::inbound_statuses(job->provider, "failed").Increment();
              job->fail(err);
            });
  }
  if (!change.errors.empty()) {
    provider_event ev{job->provider, change.number_key, "error", change.errors};
    self->request(self->state.peers.storage, timeouts::route, std::move(ev))
        .then([job](atom::ok) { job->done(); }, [job](caf::error& err) { job->fail(err); });
  }
}

void store_unrouted(actor_pointer<gateway_actor, gateway_state> self, const job_ptr& job,
                    const webhook_change& change) {
  spdlog::warn("gateway: {} webhook for unknown number {}: {} messages, {} statuses kept "
               "as unrouted",
               job->provider, change.number_key, change.messages.size(), change.statuses.size());
  self->request(self->state.peers.storage, timeouts::route, unrouted_event(job->provider, change))
      .then(
          [job, n = change.messages.size()](atom::ok) {
            job->unrouted += n;
            metrics::inbound_messages(job->provider, "unrouted").Increment(static_cast<double>(n));
            job->done();
          },
          [job](caf::error& err) { job->fail(err); });
}

/// A WPPConnect server authenticates with its number's own token (no signatures there).
bool token_matches(actor_pointer<gateway_actor, gateway_state> self, const number_info& number,
                   const std::string& token) {
  auto& secrets = self->state.peers.secrets;
  if (!number.found || token.empty() || number.credentials.empty() || !secrets)
    return false;
  auto plain = secrets->open(number.credentials);
  if (!plain)
    return false;
  auto creds = json::parse(*plain, nullptr, false);
  return creds.is_object() && same_secret(creds.value("token", ""), token);
}

void handle_webhook(actor_pointer<gateway_actor, gateway_state> self, webhook_batch& batch,
                    responder_ptr& out) {
  auto job = std::make_shared<webhook_job>();
  job->out = std::move(out);
  job->provider = batch.provider;
  job->pending = batch.changes.size() + 1; // +1: released below, after all are sent
  for (auto& change : batch.changes) {
    auto shared_change = std::make_shared<webhook_change>(std::move(change));
    self->request(self->state.peers.registry, timeouts::route,
                  number_lookup{batch.provider, shared_change->number_key})
        .then(
            [self, job, shared_change, token = batch.token](number_info& number) {
              auto& c = *shared_change;
              if (job->provider == "wppconnect" && !token_matches(self, number, token))
                return job->fail(
                    make_error(ec::unauthenticated, "the token does not match this number's"));
              if (!number.found) {
                job->pending += 1;
                store_unrouted(self, job, c);
              } else {
                job->pending += c.messages.size() + c.statuses.size() + (c.errors.empty() ? 0 : 1);
                route_messages(self, job, number, c);
              }
              job->done(); // the lookup itself
            },
            [job](caf::error& err) { job->fail(err); });
  }
  job->done();
}

void handle_ready(actor_pointer<gateway_actor, gateway_state> self, responder_ptr& out) {
  struct probe {
    responder_ptr out;
    size_t pending = 0;
    json report = json::object();
    bool ok = true;
    void done() {
      if (--pending > 0)
        return;
      report["status"] = ok ? "ready" : "not_ready";
      out->reply(ok ? 200 : 503, "application/json", report.dump());
    }
    void mark(const char* what, bool up) {
      report[what] = up ? "up" : "down";
      ok = ok && up;
      done();
    }
  };
  auto p = std::make_shared<probe>();
  p->out = std::move(out);
  auto& peers = self->state.peers;
  p->pending = peers.redis ? 2 : 1;
  self->request(peers.storage, timeouts::probe, atom::ping_v)
      .then([p](atom::ok) { p->mark("postgres", true); },
            [p](caf::error&) { p->mark("postgres", false); });
  if (peers.redis)
    self->request(peers.redis, timeouts::probe, atom::ping_v)
        .then([p](atom::ok) { p->mark("redis", true); },
              [p](caf::error&) { p->mark("redis", false); });
}

json agent_json(const agent_load& load) {
  return {{"id", load.id.value},
          {"status", load.status},
          {"currentChats", load.open_chats},
          {"maxConcurrentChats", load.capacity},
          {"skills", load.skills},
          {"campaignIds", load.campaigns}};
}

void handle_status(actor_pointer<gateway_actor, gateway_state> self, user_status_request& req,
                   responder_ptr& out) {
  auto& agents = self->state.peers.agents;
  auto handle = agents ? agents->find(req.user_id) : std::optional<agent_actor>{};
  if (!handle)
    return out->fail(make_error(ec::not_found, "no agent with id " + req.user_id));
  self->request(*handle, timeouts::route, status_change{req.status})
      .then([out](agent_load& load) { out->ok(agent_json(load).dump()); },
            [out](caf::error& err) { out->fail(err); });
}

void handle_queue(actor_pointer<gateway_actor, gateway_state> self, responder_ptr& out) {
  self->request(self->state.peers.dispatcher, timeouts::route, atom::queue_v)
      .then(
          [out](std::vector<chat_waiting>& waiting) {
            auto items = json::array();
            for (auto& w : waiting)
              items.push_back({{"chatId", w.chat.value},
                               {"campaignId", w.campaign_id},
                               {"priority", w.priority},
                               {"queuedAt", iso_utc(w.queued_at_ms)}});
            out->ok(json{
                {"items", items}, {"total", waiting.size()}, {"page", 1}, {"limit", waiting.size()}}
                        .dump());
          },
          [out](caf::error& err) { out->fail(err); });
}

/// Answers a storage read: 404 when the resource is not visible, else one object or a list.
template <class Query>
void handle_read(actor_pointer<gateway_actor, gateway_state> self, Query& q, responder_ptr& out,
                 bool single) {
  auto page = q.page, limit = q.limit;
  self->request(self->state.peers.storage, timeouts::read, std::move(q))
      .then(
          [out, single, page, limit](json_page& result) {
            if (!result.found)
              return out->fail(make_error(ec::not_found, "no such chat"));
            if (single)
              return out->ok(std::move(result.items));
            out->ok(R"({"items":)" + result.items + R"(,"total":)" + std::to_string(result.total) +
                    R"(,"page":)" + std::to_string(page) + R"(,"limit":)" + std::to_string(limit) +
                    "}");
          },
          [out](caf::error& err) { out->fail(err); });
}

/// A command on a chat: the REGISTRY routes it to the CHAT, which answers the chat (or the
/// new message: 201) as stored.
void answer_identity(const responder_ptr& out, api_reply& r);

void forward_command(actor_pointer<gateway_actor, gateway_state> self, chat_command cmd,
                     responder_ptr out, std::string attempt) {
  auto created = cmd.kind == "send";
  auto link = [self, attempt](json result) {
    if (attempt.empty())
      return;
    result["attemptId"] = attempt;
    self->request(self->state.peers.crm_worker, timeouts::route,
                  api_request{"contacts.link", "", result.dump(), {}})
        .then([](api_reply&) {}, [](caf::error&) {});
  };
  self->request(self->state.peers.registry, timeouts::route, std::move(cmd))
      .then(
          [out, created, link, reserved = !attempt.empty()](json_page& result) {
            // Only a reserved contact needs the stored message's ids: no parse otherwise.
            if (reserved)
              if (auto message = json::parse(result.items, nullptr, false); message.is_object())
                link({{"status", "sent"},
                      {"chatId", message.value("chatId", std::string{})},
                      {"messageId", message.value("id", std::string{})}});
            out->reply(created ? 201 : 200, "application/json", std::move(result.items));
          },
          [out, link](caf::error& err) {
            link({{"status", "failed"}, {"error", {{"message", caf::to_string(err)}}}});
            out->fail(err);
          });
}

/// What people do to a chat goes to its CHAT. A template is the one message that can
/// reach a debtor after the 24-hour window: then it is a proactive contact, reserved under
/// the contact rules first (422 with the next allowed time when refused).
void handle_command(actor_pointer<gateway_actor, gateway_state> self, chat_command& cmd,
                    responder_ptr& out) {
  if (cmd.kind != "send" || cmd.type != "template")
    return forward_command(self, std::move(cmd), out, {});
  json ask = {{"chatId", cmd.chat.value}, {"template", json::parse(cmd.details, nullptr, false)}};
  api_request req{"contacts.chat", "", ask.dump(), client_info{cmd.by_user, cmd.by_role, {}, {}}};
  self->request(self->state.peers.crm_worker, timeouts::route, std::move(req))
      .then(
          [self, cmd, out](api_reply& r) mutable {
            if (r.status >= 300)
              return answer_identity(out, r);
            auto reserved = json::parse(r.body, nullptr, false);
            forward_command(self, std::move(cmd), out, reserved.value("attemptId", std::string{}));
          },
          [out](caf::error& err) { out->fail(err); });
}

/// A message's media: where it lives (row-level checked by the query), the number's provider
/// client, then the download, answered straight from the I/O thread that finishes it.
void handle_media(actor_pointer<gateway_actor, gateway_state> self, media_query& q,
                  responder_ptr& out) {
  self->request(self->state.peers.storage, timeouts::read, std::move(q))
      .then(
          [self, out](media_ref& ref) {
            if (!ref.found)
              return out->fail(make_error(ec::not_found, "no such message with media"));
            auto number = ref.number;
            self->request(self->state.peers.numbers, timeouts::route, atom::media_v, number)
                .then(
                    [out, ref](provider_client_ptr& client) {
                      client->fetch_media(ref, [out](caf::expected<media_blob> blob) {
                        if (!blob)
                          return out->fail(blob.error());
                        out->reply(200, std::move(blob->mime), std::move(blob->bytes));
                      });
                    },
                    [out](caf::error& err) { out->fail(err); });
          },
          [out](caf::error& err) { out->fail(err); });
}

/// Answers an identity reply as it is (status, JSON, Retry-After).
void answer_identity(const responder_ptr& out, api_reply& r) {
  auto type = r.content_type.empty() ? std::string{"application/json"} : r.content_type;
  if (r.retry_after > 0)
    return out->reply_with(static_cast<unsigned>(r.status), std::move(type), std::move(r.body),
                           {{"Retry-After", std::to_string(r.retry_after)}});
  out->reply(static_cast<unsigned>(r.status), std::move(type), std::move(r.body));
}

/// Operations of the CRM WORKER (the collections records); the rest are the IDENTITY
/// WORKER's.
bool crm_operation(const std::string& op) {
  static constexpr std::string_view prefixes[] = {
      "debtors.",  "tasks.",    "quick-replies.", "campaigns.", "bot-flows.",
      "contacts.", "outbound.", "compliance.",    "bot.",       "reports."};
  for (auto p : prefixes)
    if (op.rfind(p, 0) == 0)
      return true;
  return false;
}

/// An agent's proactive contact: reserved under the contact rules (422 with the next allowed
/// time when refused), then the template sent in the debtor's chat, which the agent holds.
void start_contact(actor_pointer<gateway_actor, gateway_state> self, api_request& req,
                   responder_ptr& out) {
  auto by = req.by;
  req.op = "contacts.reserve";
  auto body = json::parse(req.body, nullptr, false);
  self->request(self->state.peers.crm_worker, timeouts::route, std::move(req))
      .then(
          [self, out, by, body](api_reply& r) {
            if (r.status != 201)
              return answer_identity(out, r);
            auto reserved = json::parse(r.body);
            outreach_request send{number_id{reserved["numberId"].get<std::string>()},
                                  reserved["phone"].get<std::string>(), body["template"].dump(),
                                  by.user_id};
            auto link = [self, attempt = reserved["attemptId"]](json result) {
              result["attemptId"] = attempt;
              self->request(self->state.peers.crm_worker, timeouts::route,
                            api_request{"contacts.link", "", result.dump(), {}})
                  .then([](api_reply&) {}, [](caf::error&) {});
            };
            self->request(self->state.peers.registry, timeouts::route, std::move(send))
                .then(
                    [self, out, by, reserved, link](json_page& page) mutable {
                      auto message = json::parse(page.items);
                      link({{"status", "sent"},
                            {"chatId", message.value("chatId", std::string{})},
                            {"messageId", message.value("id", std::string{})}});
                      if (by.role == "agent") {
                        // The agent who reached out answers what comes back.
                        chat_command take;
                        take.chat = chat_id{message.value("chatId", std::string{})};
                        take.kind = "assign";
                        take.by_user = by.user_id;
                        take.by_role = "system";
                        take.agent = by.user_id;
                        take.reason = "outreach";
                        self->request(self->state.peers.registry, timeouts::route, take)
                            .then([](json_page&) {}, [](caf::error&) {});
                      }
                      json answer = {{"attemptId", reserved["attemptId"]},
                                     {"numberId", reserved["numberId"]},
                                     {"chatId", message.value("chatId", std::string{})},
                                     {"message", message}};
                      out->reply(201, "application/json", answer.dump());
                    },
                    [out, link](caf::error& err) mutable {
                      link({{"status", "failed"}, {"error", {{"message", caf::to_string(err)}}}});
                      out->fail(err);
                    });
          },
          [out](caf::error& err) { out->fail(err); });
}

/// A records operation: after a change to users, roles or campaigns, the answer waits for the
/// new access table, so a revoked token is refused from the very next request.
void handle_identity(actor_pointer<gateway_actor, gateway_state> self, api_request& req,
                     responder_ptr& out) {
  auto answer = [self, out](api_reply& r) {
    if (!r.access_changed)
      return answer_identity(out, r);
    self->request(self->state.peers.identity, timeouts::route, atom::load_v, atom::access_v)
        .then([out, r](atom::ok) mutable { answer_identity(out, r); },
              [out](caf::error& err) { out->fail(err); });
  };
  auto fail = [out](caf::error& err) {
    out->fail(err);
  };
  if (req.op == "contacts.start")
    return start_contact(self, req, out);
  if (crm_operation(req.op)) {
    // Imports take their time: a longer wait than a read.
    self->request(self->state.peers.crm_worker, timeouts::import, std::move(req))
        .then(answer, fail);
    return;
  }
  self->request(self->state.peers.identity_worker, timeouts::route, std::move(req))
      .then(answer, fail);
}

} // namespace

gateway_actor::behavior_type gateway(actor_pointer<gateway_actor, gateway_state> self,
                                     gateway_peers peers) {
  self->state.peers = std::move(peers);
  return {
      [self](webhook_batch& batch, responder_ptr& out) { handle_webhook(self, batch, out); },
      [self](atom::ready, responder_ptr& out) { handle_ready(self, out); },
      [self](user_status_request& req, responder_ptr& out) { handle_status(self, req, out); },
      [self](atom::queue, responder_ptr& out) { handle_queue(self, out); },
      [self](chat_query& q, responder_ptr& out) {
        auto single = !q.chat_id.empty();
        handle_read(self, q, out, single);
      },
      [self](message_query& q, responder_ptr& out) { handle_read(self, q, out, false); },
      [self](media_query& q, responder_ptr& out) { handle_media(self, q, out); },
      [self](api_request& req, responder_ptr& out) { handle_identity(self, req, out); },
      [self](chat_command& cmd, responder_ptr& out) { handle_command(self, cmd, out); },
      [self](number_change& change, responder_ptr& out) {
        auto created = change.kind == "create";
        auto removed = change.kind == "delete";
        self->request(self->state.peers.numbers, timeouts::route, std::move(change))
            .then(
                [out, created, removed](json_page& saved) {
                  if (removed)
                    return out->reply(204, "application/json", "");
                  out->reply(created ? 201 : 200, "application/json", std::move(saved.items));
                },
                [out](caf::error& err) { out->fail(err); });
      },
      [self](number_query& q, responder_ptr& out) {
        auto single = !q.id.empty();
        self->request(self->state.peers.storage, timeouts::read, std::move(q))
            .then(
                [out, single](json_page& page) {
                  if (!page.found)
                    return out->fail(make_error(ec::not_found, "no such number"));
                  if (single)
                    return out->ok(std::move(page.items));
                  out->ok(R"({"items":)" + page.items + R"(,"total":)" +
                          std::to_string(page.total) + R"(,"page":1,"limit":)" +
                          std::to_string(page.total) + "}");
                },
                [out](caf::error& err) { out->fail(err); });
      },
  };
}

} // namespace crm
