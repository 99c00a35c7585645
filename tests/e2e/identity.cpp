// Identity end to end: login, refresh rotation and reuse detection, logout, 2FA, users cut
// off at once, login throttling, the audit chain, and the authorization matrix walked over
// the real route table.
#include "domain/permissions.hpp"
#include "domain/totp.hpp"
#include "net/routes/routes.hpp"
#include "tests/e2e/dispatch_fixture.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <ctime>
#include <regex>

using namespace crm::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr auto password = "Cobranza-2026!";

struct identity_fixture : dispatch_fixture {
  identity_fixture() {
    extra_env = {{"CRM_REDIS_URL", required_env("CRM_TEST_REDIS_URL")},
                 {"CRM_LOGIN_IP_MAX_FAILURES", "1000"},
                 {"CRM_CORS_ORIGINS", "https://crm.example.com, https://otra.example.com"}};
    restart();
  }

  /// A user made through the API by the supervisor; answers its id.
  std::string create_user(const std::string& email, const std::string& role) {
    auto res = call("POST", "/api/v1/users", supervisor, "supervisor",
                    json{{"email", email},
                         {"fullName", "Usuario " + role},
                         {"password", password},
                         {"role", role}}
                        .dump());
    BOOST_REQUIRE_EQUAL(res.status, 201);
    BOOST_CHECK(res.body.find(password) == std::string::npos);
    return json::parse(res.body)["id"].get<std::string>();
  }

  http_result post(const std::string& path, const json& body,
                   const std::string& bearer = {}) const {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"},
                                               {"User-Agent", "identity-test"}};
    if (!bearer.empty())
      headers["Authorization"] = "Bearer " + bearer;
    return http_request(server->port(), "POST", path, body.dump(), headers);
  }

  http_result get(const std::string& path, const std::string& bearer) const {
    return http_request(server->port(), "GET", path, {}, {{"Authorization", "Bearer " + bearer}});
  }

  json login(const std::string& email, const std::string& code = {}) {
    json body{{"email", email}, {"password", password}};
    if (!code.empty())
      body["totpCode"] = code;
    auto res = post("/api/v1/auth/login", body);
    BOOST_REQUIRE_MESSAGE(res.status == 200, res.body);
    return json::parse(res.body);
  }

  static std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }
};

std::string error_code(const http_result& r) {
  auto j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(identity, identity_fixture)

BOOST_AUTO_TEST_CASE(login_refresh_rotation_reuse_detection_and_logout) {
  create_user("camila@demo.crm", "agent");
  auto wrong = post("/api/v1/auth/login", {{"email", "camila@demo.crm"}, {"password", "nope"}});
  BOOST_CHECK_EQUAL(wrong.status, 401);
  BOOST_CHECK_EQUAL(error_code(wrong), "invalid_credentials");
  BOOST_CHECK_EQUAL(post("/api/v1/auth/login", json::array()).status, 400);

  auto session = login("CAMILA@demo.crm"); // emails match without case
  BOOST_CHECK_EQUAL(session["expiresIn"], 900);
  BOOST_CHECK_EQUAL(session["user"]["role"], "agent");
  auto access = session["accessToken"].get<std::string>();
  auto me = get("/api/v1/auth/me", access);
  BOOST_REQUIRE_EQUAL(me.status, 200);
  BOOST_CHECK(json::parse(me.body)["permissions"].size() == crm::permissions_of("agent").size());

  // Each refresh spends its token and gives a new pair.
  auto first = session["refreshToken"].get<std::string>();
  auto r1 = post("/api/v1/auth/refresh", {{"refreshToken", first}});
  BOOST_REQUIRE_EQUAL(r1.status, 200);
  auto second = json::parse(r1.body)["refreshToken"].get<std::string>();
  BOOST_CHECK(second != first);
  BOOST_CHECK_EQUAL(get("/api/v1/auth/me", json::parse(r1.body)["accessToken"]).status, 200);
  // The spent one presented again: the whole family is revoked, the live one too.
  auto reuse = post("/api/v1/auth/refresh", {{"refreshToken", first}});
  BOOST_CHECK_EQUAL(reuse.status, 401);
  BOOST_CHECK_EQUAL(error_code(reuse), "refresh_token_reused");
  BOOST_CHECK_EQUAL(post("/api/v1/auth/refresh", {{"refreshToken", second}}).status, 401);
  BOOST_CHECK_EQUAL(count("audit_log where action = 'auth.token_reuse'"), 1);

  // Logout: the access token stops working at once, on REST and on the WebSocket.
  auto again = login("camila@demo.crm");
  auto token = again["accessToken"].get<std::string>();
  ws_client ws{server->port(), token};
  BOOST_REQUIRE(ws.connected());
  auto out = post("/api/v1/auth/logout", {{"refreshToken", again["refreshToken"]}}, token);
  BOOST_REQUIRE_EQUAL(out.status, 200);
  BOOST_CHECK_EQUAL(get("/api/v1/auth/me", token).status, 401);
  BOOST_CHECK_EQUAL(post("/api/v1/auth/refresh", {{"refreshToken", again["refreshToken"]}}).status,
                    401);
  BOOST_CHECK(!ws.read(3s));
  BOOST_CHECK(!ws.connected());
  BOOST_CHECK_EQUAL(ws_client(server->port(), token).connected(), false);
  for (auto action : {"auth.login", "auth.login_failed", "auth.logout"})
    BOOST_CHECK_MESSAGE(count(std::string{"audit_log where action = '"} + action + "'") >= 1,
                        action);
}

BOOST_AUTO_TEST_CASE(two_factor_enrol_login_with_a_code_and_no_replay) {
  create_user("felipe@demo.crm", "supervisor");
  auto access = login("felipe@demo.crm")["accessToken"].get<std::string>();
  auto setup = post("/api/v1/auth/2fa/setup", json::object(), access);
  BOOST_REQUIRE_EQUAL(setup.status, 200);
  auto enrol = json::parse(setup.body);
  auto uri = enrol["otpauthUrl"].get<std::string>();
  BOOST_CHECK(uri.rfind("otpauth://totp/", 0) == 0);
  BOOST_CHECK(uri.find("secret=" + enrol["secret"].get<std::string>()) != std::string::npos);
  auto secret = crm::totp::from_base32(enrol["secret"].get<std::string>());
  BOOST_REQUIRE_EQUAL(secret.size(), 20u);
  // Kept sealed, never as the secret itself.
  BOOST_CHECK_EQUAL(count("users where email = 'felipe@demo.crm' and totp_pending is not null"), 1);
  BOOST_CHECK_EQUAL(
      count("users where totp_pending = '" + enrol["secret"].get<std::string>() + "'"), 0);
  // Steps used in order: previous (enable), current (login), next (disable).
  auto t = now();
  BOOST_CHECK_EQUAL(post("/api/v1/auth/2fa/enable", {{"code", "000000"}}, access).status, 400);
  BOOST_REQUIRE_EQUAL(
      post("/api/v1/auth/2fa/enable", {{"code", crm::totp::code_at(secret, t - 30)}}, access)
          .status,
      200);
  auto no_code = post("/api/v1/auth/login", {{"email", "felipe@demo.crm"}, {"password", password}});
  BOOST_CHECK_EQUAL(no_code.status, 401);
  BOOST_CHECK_EQUAL(error_code(no_code), "totp_required");
  // The code enable used cannot be used again.
  auto replay = post("/api/v1/auth/login", {{"email", "felipe@demo.crm"},
                                            {"password", password},
                                            {"totpCode", crm::totp::code_at(secret, t - 30)}});
  BOOST_CHECK_EQUAL(replay.status, 401);
  BOOST_CHECK_EQUAL(error_code(replay), "invalid_totp");
  auto session = login("felipe@demo.crm", crm::totp::code_at(secret, t));
  BOOST_CHECK_EQUAL(session["user"]["twoFactorEnabled"], true);
  auto again = post("/api/v1/auth/login", {{"email", "felipe@demo.crm"},
                                           {"password", password},
                                           {"totpCode", crm::totp::code_at(secret, t)}});
  BOOST_CHECK_EQUAL(again.status, 401);
  auto off = post("/api/v1/auth/2fa/disable", {{"code", crm::totp::code_at(secret, t + 30)}},
                  session["accessToken"]);
  BOOST_CHECK_EQUAL(off.status, 200);
  BOOST_CHECK_EQUAL(
      post("/api/v1/auth/login", {{"email", "felipe@demo.crm"}, {"password", password}}).status,
      200);
}

BOOST_AUTO_TEST_CASE(a_deactivated_user_or_a_new_role_loses_access_at_once) {
  auto id = create_user("sofia@demo.crm", "agent");
  auto token = login("sofia@demo.crm")["accessToken"].get<std::string>();
  ws_client ws{server->port(), token};
  BOOST_REQUIRE(ws.connected());
  BOOST_REQUIRE_EQUAL(get("/api/v1/chats", token).status, 200);
  auto changed = call("PATCH", "/api/v1/users/" + id, supervisor, "supervisor",
                      json{{"role", "quality"}}.dump());
  BOOST_REQUIRE_EQUAL(changed.status, 200);
  BOOST_CHECK_EQUAL(json::parse(changed.body)["role"], "quality");
  BOOST_CHECK_EQUAL(get("/api/v1/chats", token).status, 401);
  BOOST_CHECK(!ws.read(3s));
  BOOST_CHECK(!ws.connected());
  BOOST_CHECK_EQUAL(ws.close_reason(), "access revoked");
  auto fresh = login("sofia@demo.crm")["accessToken"].get<std::string>();
  BOOST_CHECK_EQUAL(get("/api/v1/chats", fresh).status, 200);
  BOOST_CHECK_EQUAL(post("/api/v1/chats/" + id + "/close", {{"outcome", "paid"}}, fresh).status,
                    403); // quality writes nothing
  BOOST_CHECK_EQUAL(call("DELETE", "/api/v1/users/" + id, supervisor, "supervisor").status, 204);
  BOOST_CHECK_EQUAL(get("/api/v1/chats", fresh).status, 401);
  auto refused = post("/api/v1/auth/login", {{"email", "sofia@demo.crm"}, {"password", password}});
  BOOST_CHECK_EQUAL(refused.status, 401);
}

BOOST_AUTO_TEST_CASE(repeated_failures_are_throttled_per_account) {
  create_user("mateo@demo.crm", "agent");
  for (int i = 0; i < 5; ++i)
    BOOST_CHECK_EQUAL(
        post("/api/v1/auth/login", {{"email", "mateo@demo.crm"}, {"password", "wrong-pass"}})
            .status,
        401);
  auto blocked = post("/api/v1/auth/login", {{"email", "mateo@demo.crm"}, {"password", password}});
  BOOST_CHECK_EQUAL(blocked.status, 429);
  BOOST_CHECK_EQUAL(error_code(blocked), "too_many_attempts");
  BOOST_REQUIRE(blocked.headers.count("Retry-After"));
  BOOST_CHECK(std::stoi(blocked.headers["Retry-After"]) > 0);
  // Another account from the same address is not held back.
  create_user("valeria@demo.crm", "agent");
  login("valeria@demo.crm");
}

BOOST_AUTO_TEST_CASE(users_and_custom_roles_are_managed_and_checked) {
  BOOST_CHECK_EQUAL(
      call(
          "POST", "/api/v1/users", supervisor, "supervisor",
          json{{"email", "x@demo.crm"}, {"fullName", "X"}, {"password", "short"}, {"role", "agent"}}
              .dump())
          .status,
      400);
  create_user("ana@demo.crm", "agent");
  BOOST_CHECK_EQUAL(call("POST", "/api/v1/users", supervisor, "supervisor",
                         json{{"email", "ANA@demo.crm"},
                              {"fullName", "Ana"},
                              {"password", password},
                              {"role", "agent"}}
                             .dump())
                        .status,
                    409);
  auto admin = add_user("root@demo.crm", "super_admin");
  restart();
  auto role = call("POST", "/api/v1/roles", admin, "super_admin",
                   json{{"name", "cartera_legal"},
                        {"description", "Abogados"},
                        {"permissions", {"chats:read", "debtors:read", "debtors:update"}}}
                       .dump());
  BOOST_REQUIRE_EQUAL(role.status, 201);
  BOOST_CHECK_EQUAL(json::parse(role.body)["permissions"].size(), 3u);
  auto bad = call("POST", "/api/v1/roles", admin, "super_admin",
                  json{{"name", "otro"}, {"permissions", {"chats:fly"}}}.dump());
  BOOST_CHECK_EQUAL(bad.status, 400);
  // Supervisors read roles but do not change them.
  BOOST_CHECK_EQUAL(
      call("POST", "/api/v1/roles", supervisor, "supervisor", json{{"name", "x_y"}}.dump()).status,
      403);
  auto lawyer = create_user("abogado@demo.crm", "cartera_legal");
  auto token = login("abogado@demo.crm")["accessToken"].get<std::string>();
  BOOST_CHECK_EQUAL(get("/api/v1/chats", token).status, 200);
  BOOST_CHECK_EQUAL(get("/api/v1/queue", token).status, 403);
  auto role_id = json::parse(role.body)["id"].get<std::string>();
  BOOST_CHECK_EQUAL(call("DELETE", "/api/v1/roles/" + role_id, admin, "super_admin").status, 409);
  auto system = db.scalar("select id from roles where name = 'agent'");
  BOOST_CHECK_EQUAL(call("PATCH", "/api/v1/roles/" + system, admin, "super_admin",
                         json{{"permissions", json::array()}}.dump())
                        .status,
                    409);
  auto perms = json::parse(call("GET", "/api/v1/permissions", supervisor, "supervisor").body);
  BOOST_CHECK_EQUAL(perms["total"], 48);
  (void)lawyer;
}

BOOST_AUTO_TEST_CASE(the_audit_log_is_chained_and_tampering_shows) {
  auto id = create_user("lucia@demo.crm", "agent");
  login("lucia@demo.crm");
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/roles", agent_a, "agent").status, 403);
  BOOST_REQUIRE(eventually("audit_log where action = 'permission.denied'", 1));
  auto created = db.scalar("select after::text from audit_log where action = 'users.create'"
                           " and entity_id = '" +
                           id + "'");
  BOOST_CHECK(created.find("lucia@demo.crm") != std::string::npos);
  BOOST_CHECK(created.find(password) == std::string::npos);
  // A change keeps the changed fields' values before and after, never a password.
  BOOST_REQUIRE_EQUAL(call("PATCH", "/api/v1/users/" + id, supervisor, "supervisor",
                           json{{"maxConcurrentChats", 7}, {"password", "Otra-clave-2026"}}.dump())
                          .status,
                      200);
  auto change = json::parse(
      db.scalar("select json_build_object('before', before, 'after', after, 'role', role)::text"
                " from audit_log where action = 'users.update' and entity_id = '" +
                id + "'"));
  BOOST_CHECK_EQUAL(change["before"]["maxConcurrentChats"], 5);
  BOOST_CHECK_EQUAL(change["after"]["maxConcurrentChats"], 7);
  BOOST_CHECK_EQUAL(change["after"]["password"], "[changed]");
  BOOST_CHECK_EQUAL(change["role"], "supervisor");
  BOOST_CHECK(!change["before"].contains("email")); // unchanged fields are not repeated
  // Other modules' changes carry the fields as sent, secrets redacted.
  BOOST_REQUIRE_EQUAL(
      call("PATCH", "/api/v1/users/me/status", agent_a, "agent", json{{"status", "break"}}.dump())
          .status,
      200);
  BOOST_CHECK(eventually("audit_log where action = 'PATCH /api/v1/users/me/status'"
                         " and after->>'status' = 'break'",
                         1));
  auto sealed = call(
      "PATCH", "/api/v1/whatsapp/numbers/" + db.scalar("select id from whatsapp_numbers limit 1"),
      supervisor, "supervisor", json{{"meta", {{"accessToken", "EAAG-new"}}}}.dump());
  BOOST_REQUIRE_EQUAL(sealed.status, 200);
  BOOST_CHECK(eventually("audit_log where entity = 'whatsapp'"
                         " and after->'meta'->>'accessToken' = '[redacted]'",
                         1));
  auto auditor = add_user("auditor@demo.crm", "auditor");
  restart();
  auto verify = call("GET", "/api/v1/audit/verify", auditor, "auditor");
  BOOST_REQUIRE_EQUAL(verify.status, 200);
  auto report = json::parse(verify.body);
  BOOST_CHECK_EQUAL(report["valid"], true);
  BOOST_CHECK(report["checked"].get<int>() >= 3); // created, login, denial
  auto list = json::parse(call("GET", "/api/v1/audit?action=auth.login", auditor, "auditor").body);
  BOOST_CHECK_EQUAL(list["total"], 1);
  BOOST_CHECK_EQUAL(list["items"][0]["userId"], id);
  BOOST_CHECK_EQUAL(list["items"][0]["userAgent"], "identity-test");
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/audit?from=yesterday", auditor, "auditor").status, 400);
  // No route changes it, and the table refuses edits...
  BOOST_CHECK_EQUAL(call("DELETE", "/api/v1/audit", auditor, "auditor").status, 405);
  BOOST_CHECK_THROW(db.exec("update audit_log set ip = '6.6.6.6'"), std::exception);
  // ...so someone with the database's keys edits one row behind its back: it shows.
  auto victim = db.scalar("select min(id) from audit_log where action = 'auth.login'");
  db.exec("alter table audit_log disable trigger audit_log_no_update;"
          " update audit_log set ip = '6.6.6.6' where id = " +
          victim + "; alter table audit_log enable trigger audit_log_no_update");
  report = json::parse(call("GET", "/api/v1/audit/verify", auditor, "auditor").body);
  BOOST_CHECK_EQUAL(report["valid"], false);
  BOOST_CHECK_EQUAL(report["firstBrokenId"].get<long>(), std::stol(victim));
}

// Every route with a permission, for every seeded role: allowed exactly when the role holds
// the permission (an allowed request may still be 400/404/409 for its placeholder input).
BOOST_AUTO_TEST_CASE(the_authorization_matrix_follows_the_route_table) {
  std::map<std::string, std::string> users{{"agent", agent_a}, {"supervisor", supervisor}};
  for (auto role : {"super_admin", "quality", "auditor"})
    users[role] = add_user(std::string{role} + "@matrix.crm", role);
  restart();
  crm::net::services none;
  auto routes = crm::net::make_router(none).routes();
  const std::string placeholder = "6f1c2d3e-0000-4000-8000-000000000001";
  int checked = 0;
  for (auto& r : routes) {
    if (r.permission == "none" || r.permission == "authenticated" || r.pattern == "/ws")
      continue;
    auto target = std::regex_replace(r.pattern, std::regex{"\\{[a-zA-Z]+\\}"}, placeholder);
    auto method = std::string{boost::beast::http::to_string(r.verb)};
    for (auto& [role, id] : users) {
      auto res = call(method, target, id, role, method == "GET" ? "" : "{}");
      auto allowed = crm::role_has(role, r.permission);
      BOOST_CHECK_MESSAGE(allowed ? (res.status != 403 && res.status != 401) : res.status == 403,
                          role << " " << method << " " << r.pattern << " -> " << res.status);
      ++checked;
    }
  }
  BOOST_CHECK(checked >= 5 * 20);
  // Row level: an agent does not reach another agent's chat, by REST or WebSocket.
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001119999", "wamid.MATRIX"), 200);
  BOOST_REQUIRE(eventually("chats where status = 'assigned'", 1));
  auto chat = db.scalar("select id from chats where status = 'assigned'");
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/chats/" + chat, agent_b, "agent").status, 404);
  BOOST_CHECK_EQUAL(call("POST", "/api/v1/chats/" + chat + "/messages", agent_b, "agent",
                         json{{"type", "text"}, {"text", "hola"}}.dump())
                        .status,
                    404);
  ws_client b{server->port(), token(agent_b, "agent")};
  BOOST_REQUIRE(b.connected());
  b.send(json{{"action", "message.send"}, {"id", 9}, {"data", {{"chatId", chat}, {"text", "x"}}}}
             .dump());
  auto reply = b.read_until("\"reply\":9", 5s);
  BOOST_REQUIRE(reply);
  BOOST_CHECK_EQUAL(json::parse(*reply)["ok"], false);
}

BOOST_AUTO_TEST_CASE(an_agent_created_through_the_api_takes_chats_at_once) {
  auto res = call("POST", "/api/v1/users", supervisor, "supervisor",
                  json{{"email", "nueva@demo.crm"},
                       {"fullName", "Gestora Nueva"},
                       {"password", password},
                       {"role", "agent"},
                       {"maxConcurrentChats", 3},
                       {"campaignIds", {campaign}}}
                      .dump());
  BOOST_REQUIRE_EQUAL(res.status, 201);
  auto user = json::parse(res.body);
  BOOST_CHECK_EQUAL(user["campaignIds"][0], campaign);
  BOOST_CHECK_EQUAL(user["maxConcurrentChats"], 3);
  auto token = login("nueva@demo.crm")["accessToken"].get<std::string>();
  auto status =
      http_request(server->port(), "PATCH", "/api/v1/users/me/status",
                   json{{"status", "available"}}.dump(), {{"Authorization", "Bearer " + token}});
  BOOST_REQUIRE_EQUAL(status.status, 200);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001118888", "wamid.NEW1"), 200);
  BOOST_CHECK(eventually(
      "chats where agent_id = '" + user["id"].get<std::string>() + "' and status = 'assigned'", 1));
  // Deactivated: no new chats reach it.
  BOOST_REQUIRE_EQUAL(
      call("DELETE", "/api/v1/users/" + user["id"].get<std::string>(), supervisor, "supervisor")
          .status,
      204);
  BOOST_REQUIRE_EQUAL(debtor_writes("573001118889", "wamid.NEW2"), 200);
  BOOST_CHECK(eventually("chats where debtor_phone = '+573001118889' and status = 'queued'", 1));
  std::this_thread::sleep_for(300ms);
  BOOST_CHECK_EQUAL(count("chats where agent_id = '" + user["id"].get<std::string>() + "'"), 1);
}

BOOST_AUTO_TEST_CASE(hardening_headers_cors_by_allowlist_and_json_limits) {
  auto res =
      http_request(server->port(), "GET", "/healthz", {}, {{"Origin", "https://crm.example.com"}});
  BOOST_CHECK_EQUAL(res.headers["Access-Control-Allow-Origin"], "https://crm.example.com");
  BOOST_CHECK_EQUAL(res.headers["X-Content-Type-Options"], "nosniff");
  BOOST_CHECK(res.headers["Content-Security-Policy"].find("frame-ancestors 'none'") !=
              std::string::npos);
  BOOST_CHECK_EQUAL(res.headers["Referrer-Policy"], "no-referrer");
  auto stranger =
      http_request(server->port(), "GET", "/healthz", {}, {{"Origin", "https://evil.example.com"}});
  BOOST_CHECK_EQUAL(stranger.headers.count("Access-Control-Allow-Origin"), 0u);
  auto preflight = http_request(
      server->port(), "OPTIONS", "/api/v1/chats", {},
      {{"Origin", "https://otra.example.com"}, {"Access-Control-Request-Method", "POST"}});
  BOOST_CHECK_EQUAL(preflight.status, 204);
  BOOST_CHECK(preflight.headers["Access-Control-Allow-Headers"].find("Authorization") !=
              std::string::npos);
  BOOST_CHECK_EQUAL(preflight.headers["Access-Control-Allow-Origin"], "https://otra.example.com");
  std::string deep(100, '[');
  deep += std::string(100, ']');
  auto nested = http_request(server->port(), "POST", "/api/v1/auth/login", deep,
                             {{"Content-Type", "application/json"}});
  BOOST_CHECK_EQUAL(nested.status, 400);
  BOOST_CHECK(nested.body.find("nested") != std::string::npos);
  // Errors carry no internals.
  auto broken = call("POST", "/api/v1/users", supervisor, "supervisor", "{\"email\": ");
  BOOST_CHECK_EQUAL(broken.status, 400);
  BOOST_CHECK(broken.body.find("select") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
