// Campaigns and bot flows end to end: CRUD with every refusal naming its field, the
// numbers and agents a campaign takes (checked in the database), flows checked by the bot's
// validator before saving, the shipped default flow. Notes and habeas data: tests/e2e/
// habeas_data.cpp (same suite).
#include "tests/e2e/dispatch_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <vector>

using namespace crm::test;
using nlohmann::json;

namespace {

constexpr auto nobody = "6f1c2d3e-0000-4000-8000-000000000001";

struct campaigns_fixture : dispatch_fixture {
  http_result as_supervisor(const std::string& method, const std::string& target,
                            const json& body = nullptr) const {
    return call(method, target, supervisor, "supervisor", body.is_null() ? "" : body.dump());
  }

  /// The field a 400 answer names.
  static std::string field_of(const http_result& r) {
    auto body = json::parse(r.body, nullptr, false);
    return r.status == 400 && body.is_object() ? body["error"]["details"].value("field", "")
                                               : "status " + std::to_string(r.status);
  }

  std::string campaign_of(const std::string& number) const {
    return db.scalar("select campaign_id from whatsapp_numbers where id = '" + number + "'");
  }

  std::string agents_of(const std::string& id) const {
    return db.scalar("select string_agg(user_id::text, ',' order by user_id) from"
                     " campaign_agents where campaign_id = '" +
                     id + "'");
  }

  static std::string sorted(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    std::string out;
    for (auto& i : ids)
      out += (out.empty() ? "" : ",") + i;
    return out;
  }

  /// A flow the validator accepts: a greeting, then the end.
  static json good_flow() {
    return {
        {"start", "hola"},
        {"nodes",
         {{{"id", "hola"}, {"type", "message"}, {"text", "Hola {{clientName}}"}, {"next", "fin"}},
          {{"id", "fin"}, {"type", "end"}}}}};
  }

  /// A flow whose greeting leads nowhere.
  static json broken_flow() {
    return {{"start", "hola"},
            {"nodes", {{{"id", "hola"}, {"type", "message"}, {"text", "Hola"}, {"next", "nada"}}}}};
  }

  json default_flow() const {
    auto res = as_supervisor("GET", "/api/v1/bot-flows");
    BOOST_REQUIRE_MESSAGE(res.status == 200, res.status << " " << res.body);
    auto flows = json::parse(res.body);
    for (auto& f : flows["items"])
      if (f["isDefault"] == true)
        return f;
    return nullptr;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(campaigns, campaigns_fixture)

BOOST_AUTO_TEST_CASE(a_campaign_takes_its_numbers_and_agents_and_gives_them_back) {
  auto spare = db.scalar("insert into whatsapp_numbers (name, phone_number, provider,"
                         " meta_phone_number_id) values ('L2', '+573000000010', 'meta',"
                         " '109876543210777') returning id");
  auto first = db.scalar("select id from whatsapp_numbers where campaign_id is not null");
  auto res = as_supervisor("POST", "/api/v1/campaigns",
                           {{"name", "Castigada"},
                            {"description", "Cartera castigada"},
                            {"strategy", "skills_based"},
                            {"requiredSkills", {"legal"}},
                            {"maxChatsPerAgent", 3},
                            {"businessHours", {{"mon", "08:00-17:00"}, {"sun", nullptr}}},
                            {"contactWindows", {{"sat", "09:00-12:00"}}},
                            {"numberIds", {spare}},
                            {"agentIds", {agent_b}}});
  BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
  auto c = json::parse(res.body);
  auto id = c["id"].get<std::string>();
  BOOST_CHECK_EQUAL(c["strategy"], "skills_based");
  BOOST_CHECK_EQUAL(c["requiredSkills"], json({"legal"}));
  BOOST_CHECK_EQUAL(c["maxChatsPerAgent"], 3);
  BOOST_CHECK_EQUAL(c["businessHours"]["mon"], "08:00-17:00");
  BOOST_CHECK(c["businessHours"]["sun"].is_null());
  BOOST_CHECK_EQUAL(c["contactWindows"]["sat"], "09:00-12:00");
  BOOST_CHECK_EQUAL(c["numberIds"], json({spare}));
  BOOST_CHECK_EQUAL(c["agentIds"], json({agent_b}));
  BOOST_CHECK(c["isActive"] == true && c["botFlowId"].is_null() && c.contains("createdAt"));
  BOOST_CHECK_EQUAL(campaign_of(spare), id);
  BOOST_CHECK_EQUAL(agents_of(id), agent_b);
  // Agents read only their campaigns; everyone else per permission.
  BOOST_CHECK_EQUAL(json::parse(as_supervisor("GET", "/api/v1/campaigns").body)["total"], 2);
  auto mine = json::parse(call("GET", "/api/v1/campaigns", agent_a, "agent").body);
  BOOST_REQUIRE_EQUAL(mine["total"], 1);
  BOOST_CHECK_EQUAL(mine["items"][0]["id"], campaign);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/campaigns/" + id, agent_a, "agent").status, 404);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/campaigns/" + id, agent_b, "agent").status, 200);
  BOOST_CHECK_EQUAL(call("PATCH", "/api/v1/campaigns/" + id, agent_b, "agent", "{}").status, 403);
  // The first campaign's number moves over; the spare one is let go.
  res = as_supervisor("PATCH", "/api/v1/campaigns/" + id, {{"numberIds", {first}}});
  BOOST_REQUIRE_MESSAGE(res.status == 200, res.body);
  BOOST_CHECK_EQUAL(json::parse(res.body)["numberIds"], json({first}));
  BOOST_CHECK_EQUAL(campaign_of(first), id);
  BOOST_CHECK_EQUAL(campaign_of(spare), "");
  BOOST_CHECK_EQUAL(
      json::parse(as_supervisor("GET", "/api/v1/campaigns/" + campaign).body)["numberIds"].size(),
      0u);
  // Agents are replaced; agent A now reads both campaigns.
  res = as_supervisor("PATCH", "/api/v1/campaigns/" + id, {{"agentIds", {agent_a, supervisor}}});
  BOOST_REQUIRE_EQUAL(res.status, 200);
  BOOST_CHECK_EQUAL(agents_of(id), sorted({agent_a, supervisor}));
  BOOST_CHECK_EQUAL(json::parse(call("GET", "/api/v1/campaigns", agent_a, "agent").body)["total"],
                    2);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/campaigns/" + id, agent_b, "agent").status, 404);
  // Only what is sent changes; null contact windows fall back to the legal ones.
  res = as_supervisor("PATCH", "/api/v1/campaigns/" + id,
                      {{"contactWindows", nullptr}, {"strategy", "round_robin"}});
  BOOST_REQUIRE_EQUAL(res.status, 200);
  c = json::parse(res.body);
  BOOST_CHECK(c["contactWindows"].is_null());
  BOOST_CHECK_EQUAL(c["strategy"], "round_robin");
  BOOST_CHECK_EQUAL(c["maxChatsPerAgent"], 3);
  BOOST_CHECK_EQUAL(c["description"], "Cartera castigada");
  BOOST_CHECK_EQUAL(
      db.scalar("select contact_windows is null from campaigns where id = '" + id + "'"), "t");
  BOOST_CHECK_EQUAL(as_supervisor("PATCH", "/api/v1/campaigns/" + id, {{"name", "mora 90"}}).status,
                    409);
  // Deleted: its number stays, without a campaign; its agents' links go.
  BOOST_CHECK_EQUAL(as_supervisor("DELETE", "/api/v1/campaigns/" + id).status, 204);
  BOOST_CHECK_EQUAL(campaign_of(first), "");
  BOOST_CHECK_EQUAL(count("whatsapp_numbers"), 2);
  BOOST_CHECK_EQUAL(agents_of(id), "");
  BOOST_CHECK_EQUAL(as_supervisor("GET", "/api/v1/campaigns/" + id).status, 404);
  BOOST_CHECK_EQUAL(as_supervisor("DELETE", "/api/v1/campaigns/" + id).status, 404);
}

BOOST_AUTO_TEST_CASE(campaign_input_is_refused_naming_the_field_and_nothing_is_stored) {
  auto base = json{{"name", "Nueva"}};
  auto with = [&](const char* key, json value) {
    auto b = base;
    b[key] = std::move(value);
    return b;
  };
  std::vector<std::pair<json, std::string>> cases = {
      {json::object(), "name"},
      {{{"name", ""}}, "name"},
      {{{"name", 7}}, "name"},
      {with("strategy", "random"), "strategy"},
      {with("botFlowId", "flujo-1"), "botFlowId"},
      {with("botFlowId", nobody), "botFlowId"},
      {with("requiredSkills", "legal"), "requiredSkills"},
      {with("requiredSkills", {1}), "requiredSkills"},
      {with("maxChatsPerAgent", 0), "maxChatsPerAgent"},
      {with("maxChatsPerAgent", 101), "maxChatsPerAgent"},
      {with("maxChatsPerAgent", "5"), "maxChatsPerAgent"},
      {with("numberIds", "x"), "numberIds"},
      {with("numberIds", {"x"}), "numberIds"},
      {with("numberIds", {nobody}), "numberIds"},
      {with("agentIds", {nobody}), "agentIds"},
      {with("agentIds", {agent_a, agent_a}), "agentIds"},
      {with("businessHours", "siempre"), "businessHours"},
      {with("businessHours", {{"monday", "08:00-17:00"}}), "businessHours"},
      {with("businessHours", {{"mon", "17:00-08:00"}}), "businessHours"},
      {with("businessHours", {{"mon", "8-17"}}), "businessHours"},
      {with("businessHours", {{"mon", 8}}), "businessHours"},
      {with("businessHours", nullptr), "businessHours"},
      {with("contactWindows", {{"sun", "25:00-26:00"}}), "contactWindows"},
      {with("contactWindows", {{"sat", "09:00-09:00"}}), "contactWindows"},
      {with("isActive", "yes"), "isActive"},
      {with("color", "red"), "color"},
  };
  for (auto& [body, field] : cases) {
    auto res = as_supervisor("POST", "/api/v1/campaigns", body);
    BOOST_CHECK_MESSAGE(field_of(res) == field, body.dump()
                                                    << " -> " << res.status << " " << res.body);
  }
  BOOST_CHECK_EQUAL(count("campaigns"), 1);
  // The same checks on a change, which leaves the campaign as it was.
  auto target = "/api/v1/campaigns/" + campaign;
  BOOST_CHECK_EQUAL(field_of(as_supervisor("PATCH", target, {{"maxChatsPerAgent", 500}})),
                    "maxChatsPerAgent");
  BOOST_CHECK_EQUAL(field_of(as_supervisor("PATCH", target,
                                           {{"strategy", "round_robin"}, {"agentIds", {nobody}}})),
                    "agentIds");
  BOOST_CHECK_EQUAL(db.scalar("select strategy from campaigns"), "least_busy");
  BOOST_CHECK_EQUAL(count("campaign_agents"), 2);
  // Names are unique (whatever the case); unknown ids are 404s.
  BOOST_CHECK_EQUAL(as_supervisor("POST", "/api/v1/campaigns", {{"name", "Mora 90"}}).status, 409);
  BOOST_CHECK_EQUAL(as_supervisor("POST", "/api/v1/campaigns", {{"name", "MORA 90"}}).status, 409);
  BOOST_CHECK_EQUAL(
      as_supervisor("PATCH", std::string{"/api/v1/campaigns/"} + nobody, {{"name", "Otra"}}).status,
      404);
  BOOST_CHECK_EQUAL(as_supervisor("GET", "/api/v1/campaigns/mora-90").status, 404);
  BOOST_CHECK_EQUAL(count("campaigns"), 1);
}

BOOST_AUTO_TEST_CASE(a_campaign_with_open_chats_is_not_deleted) {
  BOOST_REQUIRE_EQUAL(debtor_writes("573009990000", "wamid.C1"), 200);
  BOOST_REQUIRE(eventually("chats where campaign_id = '" + campaign + "'", 1));
  auto chat = db.scalar("select id from chats");
  auto refused = as_supervisor("DELETE", "/api/v1/campaigns/" + campaign);
  BOOST_CHECK_EQUAL(refused.status, 409);
  BOOST_CHECK(refused.body.find("open chats") != std::string::npos);
  BOOST_CHECK_EQUAL(count("campaigns"), 1);
  BOOST_REQUIRE_EQUAL(
      as_supervisor("POST", "/api/v1/chats/" + chat + "/close", {{"outcome", "refused"}}).status,
      200);
  BOOST_CHECK_EQUAL(as_supervisor("DELETE", "/api/v1/campaigns/" + campaign).status, 204);
  BOOST_CHECK_EQUAL(count("campaigns"), 0);
  BOOST_CHECK_EQUAL(count("whatsapp_numbers where campaign_id is null"), 1);
  BOOST_CHECK_EQUAL(count("chats where campaign_id is null"), 1); // history stays
}

BOOST_AUTO_TEST_CASE(flows_are_validated_before_saving_and_one_in_use_stays) {
  // Refused with every problem listed, and nothing stored.
  auto res =
      as_supervisor("POST", "/api/v1/bot-flows", {{"name", "Rota"}, {"definition", broken_flow()}});
  BOOST_REQUIRE_EQUAL(res.status, 400);
  auto err = json::parse(res.body)["error"];
  BOOST_CHECK_EQUAL(err["code"], "invalid_input");
  BOOST_REQUIRE(!err["details"]["errors"].empty());
  BOOST_CHECK_EQUAL(err["details"]["errors"][0]["node"], "hola");
  BOOST_CHECK_EQUAL(err["details"]["errors"][0]["field"], "next");
  BOOST_CHECK(!err["details"]["errors"][0]["message"].get<std::string>().empty());
  BOOST_CHECK_EQUAL(count("bot_flows where name = 'Rota'"), 0);
  // /validate says the same and stores nothing either.
  auto checked =
      as_supervisor("POST", "/api/v1/bot-flows/validate", {{"definition", broken_flow()}});
  BOOST_REQUIRE_EQUAL(checked.status, 200);
  BOOST_CHECK_EQUAL(json::parse(checked.body)["valid"], false);
  BOOST_CHECK_EQUAL(json::parse(checked.body)["errors"], err["details"]["errors"]);
  checked = as_supervisor("POST", "/api/v1/bot-flows/validate", good_flow());
  BOOST_CHECK_EQUAL(json::parse(checked.body), json::parse(R"({"valid": true, "errors": []})"));
  BOOST_CHECK_EQUAL(count("bot_flows"), 1); // the default one
  // Other refusals name the field.
  BOOST_CHECK_EQUAL(field_of(as_supervisor("POST", "/api/v1/bot-flows", {{"name", "x"}})),
                    "definition");
  BOOST_CHECK_EQUAL(
      field_of(as_supervisor("POST", "/api/v1/bot-flows", {{"definition", good_flow()}})), "name");
  BOOST_CHECK_EQUAL(
      field_of(as_supervisor("POST", "/api/v1/bot-flows", {{"name", "x"}, {"definition", "[]"}})),
      "definition");
  BOOST_CHECK_EQUAL(
      field_of(as_supervisor("POST", "/api/v1/bot-flows",
                             {{"name", "x"}, {"definition", good_flow()}, {"isDefault", true}})),
      "isDefault");
  // A good one is stored, read, changed; a bad change keeps what was there.
  res = as_supervisor(
      "POST", "/api/v1/bot-flows",
      {{"name", "Recordatorio"}, {"description", "corto"}, {"definition", good_flow()}});
  BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
  auto flow = json::parse(res.body);
  auto id = flow["id"].get<std::string>();
  BOOST_CHECK_EQUAL(flow["definition"], good_flow());
  BOOST_CHECK_EQUAL(flow["isDefault"], false);
  BOOST_CHECK_EQUAL(as_supervisor("POST", "/api/v1/bot-flows",
                                  {{"name", "recordatorio"}, {"definition", good_flow()}})
                        .status,
                    409);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/bot-flows/" + id, agent_a, "agent").status, 200);
  BOOST_CHECK_EQUAL(call("POST", "/api/v1/bot-flows", agent_a, "agent",
                         json{{"name", "mía"}, {"definition", good_flow()}}.dump())
                        .status,
                    403);
  BOOST_CHECK_EQUAL(
      as_supervisor("PATCH", "/api/v1/bot-flows/" + id, {{"definition", broken_flow()}}).status,
      400);
  BOOST_CHECK_EQUAL(db.scalar("select definition->>'start' from bot_flows where id = '" + id + "'"),
                    "hola");
  BOOST_CHECK_EQUAL(
      db.scalar("select definition->'nodes'->0->>'next' from bot_flows where id = '" + id + "'"),
      "fin");
  res = as_supervisor("PATCH", "/api/v1/bot-flows/" + id, {{"description", "largo"}});
  BOOST_REQUIRE_EQUAL(res.status, 200);
  BOOST_CHECK_EQUAL(json::parse(res.body)["description"], "largo");
  // A flow a campaign uses cannot go; once free, it can.
  BOOST_CHECK_EQUAL(
      as_supervisor("PATCH", "/api/v1/campaigns/" + campaign, {{"botFlowId", id}}).status, 200);
  BOOST_CHECK_EQUAL(db.scalar("select bot_flow_id from campaigns"), id);
  res = as_supervisor("DELETE", "/api/v1/bot-flows/" + id);
  BOOST_CHECK_EQUAL(res.status, 409);
  BOOST_CHECK(res.body.find(campaign) != std::string::npos);
  BOOST_CHECK_EQUAL(
      as_supervisor("PATCH", "/api/v1/campaigns/" + campaign, {{"botFlowId", nullptr}}).status,
      200);
  BOOST_CHECK_EQUAL(as_supervisor("DELETE", "/api/v1/bot-flows/" + id).status, 204);
  BOOST_CHECK_EQUAL(count("bot_flows"), 1);
  BOOST_CHECK_EQUAL(as_supervisor("GET", "/api/v1/bot-flows/" + id).status, 404);
}

BOOST_AUTO_TEST_CASE(the_shipped_flow_is_the_default_kept_when_edited_and_never_deleted) {
  auto shipped = default_flow();
  BOOST_REQUIRE(shipped.is_object());
  BOOST_CHECK_EQUAL(shipped["name"], "Cobranza estándar");
  BOOST_CHECK(!shipped["definition"]["nodes"].empty());
  auto check = as_supervisor("POST", "/api/v1/bot-flows/validate", shipped["definition"]);
  BOOST_CHECK_EQUAL(json::parse(check.body)["valid"], true);
  auto id = shipped["id"].get<std::string>();
  auto refused = as_supervisor("DELETE", "/api/v1/bot-flows/" + id);
  BOOST_CHECK_EQUAL(refused.status, 409);
  BOOST_CHECK_EQUAL(count("bot_flows where is_default"), 1);
  // Edited, it survives a restart as it is.
  BOOST_REQUIRE_EQUAL(
      as_supervisor("PATCH", "/api/v1/bot-flows/" + id, {{"description", "editado"}}).status, 200);
  restart();
  auto after = default_flow();
  BOOST_REQUIRE(after.is_object());
  BOOST_CHECK_EQUAL(after["id"], id);
  BOOST_CHECK_EQUAL(after["description"], "editado");
  BOOST_CHECK_EQUAL(count("bot_flows"), 1);
  // Gone behind the API's back, it is put back at the next start.
  db.exec("delete from bot_flows");
  restart();
  after = default_flow();
  BOOST_REQUIRE(after.is_object());
  BOOST_CHECK_EQUAL(after["name"], "Cobranza estándar");
  BOOST_CHECK(after["id"] != id);
}

BOOST_AUTO_TEST_SUITE_END()
