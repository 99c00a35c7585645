#pragma once

#include "domain/jwt.hpp"
#include "domain/secrets.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/graph_standin.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/processes.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace crm::test {

/// A server with a campaign, one Meta number, two agents (capacity 2), a supervisor and an
/// urgent debtor; helpers to act as any of them.

constexpr auto secret = "dispatch-app-secret";
constexpr auto jwt_secret = "e2e-jwt-secret-0123456789abcdef0123456789";
constexpr auto secrets_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
constexpr auto access_token = "EAAG-test-token";
constexpr auto phone_number_id = "109876543210555";

struct dispatch_fixture {
  dispatch_fixture() {
    restart(); // migrates
    db.exec("insert into campaigns (name, strategy) values ('Mora 90', 'least_busy')");
    campaign = db.scalar("select id from campaigns");
    db.exec("insert into whatsapp_numbers (name, phone_number, provider, campaign_id,"
            " meta_phone_number_id) values ('L', '+573000000009', 'meta', '" +
            campaign + "', '" + phone_number_id + "')");
    // The number's Graph API token, sealed as the server keeps it.
    db.exec("update whatsapp_numbers set credentials = convert_to('" +
            crm::secret_box{secrets_key}.seal(R"({"accessToken":")" + std::string{access_token} +
                                              "\"}") +
            "', 'UTF8')");
    agent_a = add_user("laura@demo.crm", "agent");
    agent_b = add_user("andres@demo.crm", "agent");
    supervisor = add_user("jorge@demo.crm", "supervisor");
    db.exec("insert into debtors (full_name, document_number, days_overdue) values"
            " ('Urgente', '900', 120)");
    db.exec("insert into debtor_phones (debtor_id, phone, is_primary)"
            " select id, '+573009990000', true from debtors");
    restart(); // agents are loaded at start
  }

  ~dispatch_fixture() { server.reset(); }

  std::string add_user(const std::string& email, const std::string& role) {
    auto id = db.scalar("insert into users (email, password_hash, full_name, role_id,"
                        " max_concurrent_chats) select '" +
                        email + "', 'x', '" + email + "', id, 2 from roles where name = '" + role +
                        "' returning id");
    if (role == "agent")
      db.exec("insert into campaign_agents (campaign_id, user_id) values ('" + campaign + "', '" +
              id + "')");
    return id;
  }

  void restart() {
    server.reset();
    std::map<std::string, std::string> env{
        {"CRM_DATABASE_URL", db.url()},       {"CRM_META_APP_SECRET", secret},
        {"CRM_JWT_SECRET", jwt_secret},       {"CRM_WS_OFFLINE_GRACE_SECONDS", "1"},
        {"CRM_DATABASE_POOL_SIZE", "3"},      {"CRM_DATABASE_WRITERS", "1"},
        {"CRM_META_GRAPH_URL", graph.url()},  {"CRM_SECRETS_KEY", secrets_key},
        {"CRM_WHATSAPP_RETRY_BASE_MS", "100"}};
    for (auto& [k, v] : extra_env)
      env[k] = v;
    server = std::make_unique<server_process>(env);
    server->start();
  }

  std::string token(const std::string& user, const std::string& role) const {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    return crm::auth::sign_jwt({user, role, 0, now, now + 600}, jwt_secret);
  }

  http_result call(const std::string& method, const std::string& target, const std::string& who,
                   const std::string& role, const std::string& body = {}) const {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
    if (!who.empty())
      headers["Authorization"] = "Bearer " + token(who, role);
    return http_request(server->port(), method, target, body, headers);
  }

  http_result set_status(const std::string& agent, const std::string& status) const {
    return call("PATCH", "/api/v1/users/me/status", agent, "agent",
                nlohmann::json{{"status", status}}.dump());
  }

  int debtor_writes(const std::string& phone, const std::string& wamid) const {
    auto body = meta_text_webhook(phone_number_id, phone, wamid, "Hola, ¿puedo pagar?");
    return http_request(server->port(), "POST", "/api/v1/webhooks/meta", body,
                        {{"X-Hub-Signature-256", meta_signature(secret, body)}})
        .status;
  }

  long count(const std::string& from_where) const {
    return std::stol(db.scalar("select count(*) from " + from_where));
  }

  /// Waits (up to 10 s) until `from_where` counts `n` rows.
  bool eventually(const std::string& from_where, long n) const {
    for (int i = 0; i < 200; ++i) {
      if (count(from_where) == n)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  graph_standin graph; // outlives the server, which holds connections to it
  std::map<std::string, std::string> extra_env;
  test_database db;
  std::unique_ptr<server_process> server;
  std::string campaign, agent_a, agent_b, supervisor;
};

} // namespace crm::test
