// Quick replies: canned answers, global or per campaign, rendered with a debtor's variables.
#include "storage/crm_records.hpp"
#include "storage/records.hpp"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/transaction>

#include <map>
#include <regex>

namespace crm::storage {

namespace {

using json = nlohmann::json;
using namespace records;

/// Fills {{variables}} from a debtor (and the agent); unknown names stay as written.
std::string render(const std::string& body, const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < body.size();) {
    auto open = body.find("{{", i);
    if (open == std::string::npos) {
      out += body.substr(i);
      break;
    }
    auto close = body.find("}}", open + 2);
    if (close == std::string::npos) {
      out += body.substr(i);
      break;
    }
    out += body.substr(i, open - i);
    auto name = body.substr(open + 2, close - open - 2);
    auto it = values.find(name);
    out += it != values.end() ? it->second : body.substr(open, close - open + 2);
    i = close + 2;
  }
  return out;
}

} // namespace

namespace crm_ops {

using namespace records;

api_reply quick_replies(crm_worker_state& st, const api_request& req, const json& b) {
  static const std::regex shortcut{"^/[a-z0-9_-]{1,30}$"};
  const auto& op = req.op;
  if (op == "quick-replies.list") {
    pqxx::read_transaction txn{st.connection()};
    auto row = txn.exec_params1(
        "select coalesce(json_agg(quick_reply_json(q) order by q.campaign_id nulls first,"
        " q.shortcut), '[]')::text from quick_replies q where ($1 = '' or q.campaign_id is null"
        " or q.campaign_id = nullif($1, '')::uuid)",
        str(b, "campaignId"));
    return whole_list(row[0].as<std::string>());
  }
  if (op == "quick-replies.render") {
    pqxx::read_transaction txn{st.connection()};
    auto q = txn.exec_params("select body from quick_replies where id = $1::uuid", req.id);
    if (q.empty())
      return error(404, "not_found", "no such quick reply");
    std::map<std::string, std::string> values;
    auto agent = txn.exec_params("select full_name from users where id = nullif($1, '')::uuid",
                                 req.by.user_id);
    if (!agent.empty())
      values["agentName"] = agent[0][0].as<std::string>();
    if (auto debtor = str(b, "debtorId"); !debtor.empty()) {
      auto d = visible_debtor(txn, debtor, req.by);
      if (d.is_null())
        return error(404, "not_found", "no such debtor");
      values["clientName"] = d["fullName"].get<std::string>();
      values["debtAmount"] = d["debtAmount"].dump();
      values["daysOverdue"] = d["daysOverdue"].dump();
      values["priority"] = d["priority"].get<std::string>();
    }
    return answer(200, {{"text", render(q[0][0].as<std::string>(), values)}});
  }
  if (op == "quick-replies.create" || op == "quick-replies.update") {
    bool creating = op == "quick-replies.create";
    for (auto key : {"shortcut", "title", "body"})
      if (creating && !b.contains(key))
        return error(400, "invalid_input", std::string{key} + " is required", {{"field", key}});
    for (auto& [key, value] : b.items()) {
      bool ok = true;
      if (key == "shortcut")
        ok = value.is_string() && std::regex_match(value.get<std::string>(), shortcut);
      else if (key == "title")
        ok = value.is_string() && !value.get<std::string>().empty() &&
             value.get<std::string>().size() <= 100;
      else if (key == "body")
        ok = value.is_string() && !value.get<std::string>().empty() &&
             value.get<std::string>().size() <= 4096;
      else if (key == "campaignId")
        ok = value.is_null() || (value.is_string() && is_uuid(value.get<std::string>()));
      else
        return error(400, "invalid_input", "unknown field " + key, {{"field", key}});
      if (!ok)
        return error(400, "invalid_input",
                     key == "shortcut" ? "shortcut must look like /saludo (a-z, 0-9, - and _)"
                                       : "invalid " + key,
                     {{"field", key}});
    }
    pqxx::work txn{st.connection()};
    try {
      auto rows =
          creating
              ? txn.exec_params("insert into quick_replies (campaign_id, shortcut, title, body,"
                                " created_by) values ($1::uuid, $2, $3, $4, nullif($5, '')::uuid)"
                                " returning quick_reply_json(quick_replies.*)::text",
                                opt_text(b, "campaignId"), str(b, "shortcut"), str(b, "title"),
                                str(b, "body"), req.by.user_id)
              : txn.exec_params("update quick_replies set shortcut = coalesce($2, shortcut),"
                                " title = coalesce($3, title), body = coalesce($4, body),"
                                " updated_at = now() where id = $1::uuid"
                                " returning quick_reply_json(quick_replies.*)::text",
                                req.id, opt_text(b, "shortcut"), opt_text(b, "title"),
                                opt_text(b, "body"));
      if (rows.empty())
        return error(404, "not_found", "no such quick reply");
      auto reply = json::parse(rows[0][0].as<std::string>());
      txn.commit();
      return answer(creating ? 201 : 200, reply);
    } catch (const pqxx::unique_violation&) {
      return error(409, "conflict", "this shortcut exists already for the campaign");
    } catch (const pqxx::foreign_key_violation&) {
      return error(400, "invalid_input", "no such campaign", {{"field", "campaignId"}});
    }
  }
  if (op == "quick-replies.delete") {
    pqxx::work txn{st.connection()};
    if (txn.exec_params("delete from quick_replies where id = $1::uuid returning id", req.id)
            .empty())
      return error(404, "not_found", "no such quick reply");
    txn.commit();
    return api_reply{204, "", "", 0, false};
  }
  return error(404, "not_found", "no operation " + op);
}

} // namespace crm_ops

} // namespace crm::storage
