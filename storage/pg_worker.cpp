#include "storage/pg_worker.hpp"

#include "metrics/metrics.hpp"

#include "storage/agent_repository.hpp"
#include "storage/audit_repository.hpp"
#include "storage/chat_repository.hpp"
#include "storage/message_repository.hpp"
#include "storage/number_repository.hpp"
#include "storage/pg.hpp"
#include "storage/read_repository.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <spdlog/spdlog.h>

#include <chrono>

namespace crm::storage {

pqxx::connection& pg_worker_state::connection() {
  if (!conn || !conn->is_open()) {
    conn.reset();
    auto fresh = std::make_unique<pqxx::connection>(with_connect_timeout(url));
    chat_repository::prepare(*fresh);
    message_repository::prepare(*fresh);
    number_repository::prepare(*fresh);
    agent_repository::prepare(*fresh);
    read_repository::prepare(*fresh);
    conn = std::move(fresh);
  }
  return *conn;
}

template <class F>
auto pg_worker_state::guarded(const char* operation, F f)
    -> caf::expected<decltype(f(std::declval<pqxx::connection&>()))> {
  try {
    return f(connection());
  } catch (const rule_error& e) {
    return translate(e);
  } catch (const std::exception& e) {
    metrics::storage_failures(operation).Increment();
    if (connection_lost(e)) {
      spdlog::warn("pg_worker: {} failed, connection dropped: {}", operation, e.what());
      conn.reset();
    } else {
      spdlog::error("pg_worker: {} failed: {}", operation, e.what());
    }
    return translate(e);
  }
}

template <class F>
auto pg_worker_state::read(const char* operation, F f)
    -> caf::expected<decltype(f(std::declval<pqxx::connection&>()))> {
  bool reused = conn && conn->is_open();
  auto result = guarded(operation, f);
  if (!result && reused && !conn) // guarded dropped it: the connection was lost
    return guarded(operation, f);
  return result;
}

template <class T, class F>
caf::result<T> pg_worker_state::write_one(const char* operation, const std::string& not_found,
                                          F f) {
  auto found = guarded(operation, [&](pqxx::connection& c) {
    pqxx::work txn{c};
    std::optional<T> result = f(txn);
    txn.commit();
    return result;
  });
  if (!found)
    return std::move(found.error());
  if (!*found)
    return make_error(ec::not_found, not_found);
  return std::move(**found);
}

namespace {

/// A yes/no write as write_one wants it.
std::optional<atom::ok> ok_if(bool found) {
  return found ? std::optional<atom::ok>{atom::ok_v} : std::nullopt;
}

} // namespace

namespace {

/// A storage outcome as a handler result.
template <class T>
caf::result<T> lift(caf::expected<T> x) {
  if (!x)
    return std::move(x.error());
  return std::move(*x);
}

} // namespace

pg_worker_actor::behavior_type pg_worker(actor_pointer<pg_worker_actor, pg_worker_state> self,
                                         std::string url) {
  self->state.url = std::move(url);
  return {
      [self](const write_batch& batch) -> caf::result<write_batch_result> {
        return lift(self->state.guarded("write_batch", [&](pqxx::connection& c) {
          auto start = std::chrono::steady_clock::now();
          pqxx::work txn{c};
          // Chats first: a message of this batch never needs a chat created in it (its chat
          // actor exists only once the chat is durable), but both share the one COMMIT.
          auto chats = chat_repository::open_many(txn, batch.opens);
          auto result = message_repository::write(txn, batch);
          for (auto& a : batch.audits)
            audit_repository::append(txn, a);
          result.chats = std::move(chats);
          txn.commit();
          std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
          metrics::commit_seconds().Observe(took.count());
          metrics::batch_rows().Observe(static_cast<double>(batch.size()));
          return result;
        }));
      },
      [self](const number_lookup& req) -> caf::result<number_info> {
        return lift(self->state.read("number_lookup", [&](pqxx::connection& c) {
          pqxx::nontransaction txn{c};
          return number_repository::lookup(txn, req);
        }));
      },
      [self](atom::load) -> caf::result<std::vector<chat_snapshot>> {
        return lift(self->state.read("load_open_chats", [&](pqxx::connection& c) {
          pqxx::read_transaction txn{c};
          return chat_repository::load_open(txn);
        }));
      },
      [self](atom::load, atom::agents) -> caf::result<std::vector<agent_profile>> {
        return lift(self->state.read("load_agents", [&](pqxx::connection& c) {
          pqxx::read_transaction txn{c};
          return agent_repository::load_agents(txn);
        }));
      },
      [self](atom::load, atom::campaigns) -> caf::result<std::vector<campaign_routing>> {
        return lift(self->state.read("load_campaigns", [&](pqxx::connection& c) {
          pqxx::read_transaction txn{c};
          return agent_repository::load_campaigns(txn);
        }));
      },
      [self](atom::load, atom::numbers) -> caf::result<std::vector<number_profile>> {
        return lift(self->state.read("load_numbers", [&](pqxx::connection& c) {
          pqxx::read_transaction txn{c};
          return number_repository::load_all(txn);
        }));
      },
      [self](const number_change& c) -> caf::result<number_saved> {
        return self->state.write_one<number_saved>(
            "number_change", "no active number " + c.id.value,
            [&](pqxx::work& txn) { return number_repository::change(txn, c); });
      },
      [self](const number_health& h) -> caf::result<atom::ok> {
        return self->state.write_one<atom::ok>(
            "number_health", "no number " + h.id.value,
            [&](pqxx::work& txn) { return ok_if(number_repository::record_health(txn, h)); });
      },
      [self](const number_query& q) -> caf::result<json_page> {
        return lift(self->state.read("read_numbers", [&](pqxx::connection& c) {
          pqxx::read_transaction txn{c};
          return number_repository::read(txn, q.id);
        }));
      },
      [self](const chat_assignment& a) -> caf::result<json_page> {
        return self->state.write_one<json_page>("assign", "no open chat " + a.chat.value,
                                                [&](pqxx::work& txn) -> std::optional<json_page> {
                                                  if (auto chat = chat_repository::assign(txn, a))
                                                    return json_page{std::move(*chat), 1, true};
                                                  return std::nullopt;
                                                });
      },
      [self](const chat_close& c) -> caf::result<json_page> {
        return self->state.write_one<json_page>("close", "no open chat " + c.chat.value,
                                                [&](pqxx::work& txn) -> std::optional<json_page> {
                                                  if (auto chat = chat_repository::close(txn, c))
                                                    return json_page{std::move(*chat), 1, true};
                                                  return std::nullopt;
                                                });
      },
      [self](const outbound_message& m) -> caf::result<stored_message> {
        return self->state.write_one<stored_message>(
            "append_outbound", "no open chat " + m.chat.value,
            [&](pqxx::work& txn) { return message_repository::store_outbound(txn, m); });
      },
      [self](atom::load, atom::outbox,
             const number_id& number) -> caf::result<std::vector<outbound_job>> {
        return lift(self->state.read("load_outbox", [&](pqxx::connection& c) {
          pqxx::read_transaction txn{c};
          return message_repository::outbox(txn, number);
        }));
      },
      [self](const agent_status_event& ev) -> caf::result<atom::ok> {
        return self->state.write_one<atom::ok>(
            "record_status", "no user " + ev.agent.value,
            [&](pqxx::work& txn) { return ok_if(agent_repository::record_status(txn, ev)); });
      },
      [self](const chat_query& q) -> caf::result<json_page> {
        return lift(self->state.read("read_chats", [&](pqxx::connection& c) {
          pqxx::read_transaction txn{c};
          return read_repository::chats(txn, q);
        }));
      },
      [self](const message_query& q) -> caf::result<json_page> {
        return lift(self->state.read("read_messages", [&](pqxx::connection& c) {
          pqxx::read_transaction txn{c};
          return read_repository::messages(txn, q);
        }));
      },
      [self](const media_query& q) -> caf::result<media_ref> {
        return lift(self->state.read("read_media", [&](pqxx::connection& c) {
          pqxx::read_transaction txn{c};
          return read_repository::media(txn, q);
        }));
      },
      [self](atom::ping) -> caf::result<atom::ok> {
        return lift(self->state.read("ping", [&](pqxx::connection& c) {
          pqxx::nontransaction txn{c};
          txn.exec("select 1");
          return atom::ok_v;
        }));
      },
  };
}

} // namespace crm::storage
