// The CRM WORKER: the collections records (debtors, promises, payments, tasks, quick
// replies, campaigns, bot flows) on one connection of its own. It routes each operation to
// the file of its aggregate (storage/*_records.cpp).
#include "storage/crm_worker.hpp"

#include "storage/crm_records.hpp"
#include "storage/pg.hpp"
#include "storage/records.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <spdlog/spdlog.h>

#include <string_view>

namespace crm::storage {

namespace {

using json = nlohmann::json;
using namespace records;

using operation = api_reply (*)(crm_worker_state&, const api_request&, const json&);

/// Operations by prefix, with the noun a malformed id is "no such" of.
struct family {
  std::string_view prefix;
  std::string_view noun;
  operation run;
};

constexpr family families[] = {
    {"quick-replies.", "quick reply", crm_ops::quick_replies},
    {"tasks.", "task", crm_ops::tasks},
    {"campaigns.", "campaign", crm_ops::campaigns},
    {"bot-flows.", "bot flow", crm_ops::bot_flows},
    {"contacts.", "debtor", crm_ops::contacts},
    {"outbound.", "outbound run", crm_ops::outbound},
    {"bot.", "chat", crm_ops::bot_sessions},
    {"reports.", "report", crm_ops::reports},
    // Before "debtors.": the first matching prefix wins.
    {"debtors.notes.", "debtor", crm_ops::debtor_notes},
    {"debtors.privacy.", "debtor", crm_ops::debtor_privacy},
    {"debtors.", "debtor", crm_ops::debtors},
};

api_reply run(crm_worker_state& st, const api_request& req) {
  if (req.op == "debtors.import")
    return crm_ops::import_debtors(st, req.body);
  auto body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (!body.is_object())
    return error(400, "invalid_input", "the body must be a JSON object");
  for (const auto& f : families) {
    if (req.op.rfind(f.prefix, 0) != 0)
      continue;
    if (!req.id.empty() && !is_uuid(req.id))
      return error(404, "not_found", "no such " + std::string{f.noun});
    return f.run(st, req, body);
  }
  return error(404, "not_found", "no operation " + req.op);
}

} // namespace

pqxx::connection& crm_worker_state::connection() {
  if (!conn || !conn->is_open()) {
    conn = std::make_unique<pqxx::connection>(with_connect_timeout(url));
    pqxx::nontransaction txn{*conn};
    // Days overdue count in the business's calendar.
    txn.exec("select set_config('TimeZone', " + txn.quote(timezone) + ", false)");
    try {
      crm_ops::put_default_flow(txn);
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const std::exception& e) {
      spdlog::error("crm: the default bot flow could not be stored: {}", e.what());
    }
  }
  return *conn;
}

crm_worker_actor::behavior_type crm_worker(actor_pointer<crm_worker_actor, crm_worker_state> self,
                                           std::string url, std::string timezone,
                                           contact::settings contact) {
  self->state.url = std::move(url);
  self->state.timezone = std::move(timezone);
  self->state.contact = std::move(contact);
  return {
      [self](const api_request& req) -> caf::result<api_reply> {
        try {
          return run(self->state, req);
        } catch (const std::exception& e) {
          spdlog::error("crm: {} failed: {}", req.op, e.what());
          if (connection_lost(e))
            self->state.conn.reset();
          return translate(e);
        }
      },
  };
}

} // namespace crm::storage
