// Bot flows: JSON definitions checked by crm::bot::validate before anything is saved. The
// shipped flow is the default one (put there by the CRM WORKER at connect); it can be
// edited but not deleted, and neither can a flow a campaign uses.
#include "bot_flows/engine.hpp"
#include "storage/crm_records.hpp"
#include "storage/records.hpp"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/transaction>

namespace crm::storage {

namespace {

using json = nlohmann::json;
using namespace records;

/// The flow's problems as the API lists them: [{node, field, message}].
json problems(const json& definition) {
  json result = json::array();
  for (auto& e : bot::validate(definition))
    result.push_back({{"node", e.node}, {"field", e.field}, {"message", e.message}});
  return result;
}

std::optional<field_error> check_flow(const json& b, bool creating) {
  for (auto key : {"name", "definition"})
    if (creating && !b.contains(key))
      return field_error{key, std::string{key} + " is required"};
  for (auto& [key, value] : b.items()) {
    if (key == "name") {
      if (!value.is_string() || value.get<std::string>().empty() ||
          value.get<std::string>().size() > 100)
        return field_error{key, "name must be 1 to 100 characters"};
    } else if (key == "description") {
      if (!value.is_string() || value.get<std::string>().size() > 1000)
        return field_error{key, "description must be text (1,000 characters at most)"};
    } else if (key == "definition") {
      if (!value.is_object())
        return field_error{key, "definition must be a flow: {start, nodes: [...]}"};
    } else if (key == "isDefault") {
      return field_error{key, "isDefault is read-only: the shipped flow is the default"};
    } else {
      return field_error{key, "unknown field " + key};
    }
  }
  return std::nullopt;
}

api_reply list(pqxx::transaction_base& txn, const json& f) {
  auto page = f.value("page", std::int64_t{1});
  auto limit = f.value("limit", std::int64_t{50});
  auto row = txn.exec_params1(
      "select coalesce(json_agg(bot_flow_json(s.flow) order by s.ord), '[]')::text,"
      " coalesce(max(s.total), 0) from (select f as flow, row_number() over (order by"
      " f.is_default desc, lower(f.name), f.id) as ord, count(*) over () as total"
      " from bot_flows f order by f.is_default desc, lower(f.name), f.id limit $1 offset $2) s",
      limit, (page - 1) * limit);
  return answer(200, {{"items", json::parse(row[0].as<std::string>())},
                      {"total", row[1].as<std::int64_t>()},
                      {"page", page},
                      {"limit", limit}});
}

api_reply write(crm_worker_state& st, const api_request& req, const json& b) {
  bool creating = req.op == "bot-flows.create";
  if (auto bad = check_flow(b, creating))
    return invalid(bad->field, bad->message);
  if (b.contains("definition"))
    if (auto errors = problems(b["definition"]); !errors.empty())
      return error(400, "invalid_input",
                   "the flow has " + std::to_string(errors.size()) +
                       " problem(s): " + errors[0]["message"].get<std::string>(),
                   {{"field", "definition"}, {"errors", errors}});
  pqxx::work txn{st.connection()};
  if (b.contains("name") && !txn.exec_params("select 1 from bot_flows where lower(name) = lower($1)"
                                             " and ($2 = '' or id <> nullif($2, '')::uuid)",
                                             str(b, "name"), req.id)
                                 .empty())
    return error(409, "conflict", "a bot flow with this name exists", {{"field", "name"}});
  auto definition =
      b.contains("definition") ? std::optional<std::string>{b["definition"].dump()} : std::nullopt;
  auto rows =
      creating
          ? txn.exec_params("insert into bot_flows (name, description, definition,"
                            " created_by) values ($1, coalesce($2, ''), $3::jsonb,"
                            " nullif($4, '')::uuid) returning bot_flow_json(bot_flows.*)"
                            "::text",
                            str(b, "name"), opt_text(b, "description"), definition, req.by.user_id)
          : txn.exec_params("update bot_flows set name = coalesce($2, name),"
                            " description = coalesce($3, description),"
                            " definition = coalesce($4::jsonb, definition),"
                            " updated_at = now() where id = $1::uuid"
                            " returning bot_flow_json(bot_flows.*)::text",
                            req.id, opt_text(b, "name"), opt_text(b, "description"), definition);
  if (rows.empty())
    return error(404, "not_found", "no such bot flow");
  auto flow = json::parse(rows[0][0].as<std::string>());
  txn.commit();
  return answer(creating ? 201 : 200, flow);
}

api_reply remove(crm_worker_state& st, const api_request& req) {
  pqxx::work txn{st.connection()};
  auto found =
      txn.exec_params("select is_default from bot_flows where id = $1::uuid for update", req.id);
  if (found.empty())
    return error(404, "not_found", "no such bot flow");
  if (found[0][0].as<bool>())
    return error(409, "conflict", "the default flow cannot be deleted");
  auto users = txn.exec_params("select coalesce(json_agg(id order by name), '[]')::text"
                               " from campaigns where bot_flow_id = $1::uuid",
                               req.id);
  auto campaigns = json::parse(users[0][0].as<std::string>());
  if (!campaigns.empty())
    return error(409, "conflict",
                 "the flow is used by " + std::to_string(campaigns.size()) +
                     " campaign(s): give them another flow first",
                 {{"campaignIds", campaigns}});
  txn.exec_params("delete from bot_flows where id = $1::uuid", req.id);
  txn.commit();
  return api_reply{204, "", "", 0, false};
}

} // namespace

namespace crm_ops {

api_reply bot_flows(crm_worker_state& st, const api_request& req, const json& b) {
  const auto& op = req.op;
  if (op == "bot-flows.list") {
    pqxx::read_transaction txn{st.connection()};
    return list(txn, b);
  }
  if (op == "bot-flows.get") {
    pqxx::read_transaction txn{st.connection()};
    auto rows = txn.exec_params("select bot_flow_json(f)::text from bot_flows f"
                                " where f.id = $1::uuid",
                                req.id);
    return rows.empty() ? error(404, "not_found", "no such bot flow")
                        : answer(200, json::parse(rows[0][0].as<std::string>()));
  }
  if (op == "bot-flows.validate") {
    // {definition: {...}}, or the flow itself.
    auto errors = problems(b.contains("definition") ? b["definition"] : b);
    return answer(200, {{"valid", errors.empty()}, {"errors", errors}});
  }
  if (op == "bot-flows.create" || op == "bot-flows.update") {
    try {
      return write(st, req, b);
    } catch (const pqxx::unique_violation&) {
      return error(409, "conflict", "a bot flow with this name exists", {{"field", "name"}});
    }
  }
  if (op == "bot-flows.delete") {
    try {
      return remove(st, req);
    } catch (const pqxx::foreign_key_violation&) {
      return error(409, "conflict", "the flow is used by a campaign");
    }
  }
  return error(404, "not_found", "no operation " + op);
}

void put_default_flow(pqxx::transaction_base& txn) {
  // Only when no default exists: an edited default is never overwritten.
  txn.exec_params("insert into bot_flows (name, description, definition, is_default)"
                  " select $1, $2, $3::jsonb, true"
                  " where not exists (select 1 from bot_flows where is_default)"
                  " on conflict do nothing",
                  "Cobranza estándar", "Flujo de cobranza incluido con el sistema",
                  bot::default_flow().dump());
}

} // namespace crm_ops

} // namespace crm::storage
