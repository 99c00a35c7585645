// The durable inbound path end to end: the real binary, a real socket, real PostgreSQL.
#include "tests/e2e/fixture.hpp"
#include "tests/support/prometheus.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

using namespace crm::test;
using nlohmann::json;

namespace {

std::string text_from(const std::string& phone, const std::string& wamid,
                      const std::string& text = "Hola, quiero pagar mi deuda") {
  return meta_text_webhook(server_fixture::phone_number_id, phone, wamid, text);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(webhook_ingest, server_fixture)

BOOST_AUTO_TEST_CASE(verification_handshake_echoes_the_challenge) {
  auto ok = http_request(server->port(), "GET",
                         "/api/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=" +
                             std::string{verify_token} + "&hub.challenge=1158201444");
  BOOST_CHECK_EQUAL(ok.status, 200);
  BOOST_CHECK_EQUAL(ok.body, "1158201444");
  auto wrong = http_request(server->port(), "GET",
                            "/api/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope"
                            "&hub.challenge=1158201444");
  BOOST_CHECK_EQUAL(wrong.status, 403);
  BOOST_CHECK(wrong.body.find("1158201444") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(signed_text_is_stored_in_a_chat_linked_to_its_debtor) {
  auto res = post_signed(text_from(debtor_phone, "wamid.E2E.1", "Buenos días, ¿cuánto debo?"));
  BOOST_REQUIRE_EQUAL(res.status, 200);
  BOOST_CHECK_EQUAL(json::parse(res.body)["stored"], 1);
  BOOST_CHECK_EQUAL(count("messages"), 1);
  BOOST_CHECK_EQUAL(db.scalar("select body from messages"), "Buenos días, ¿cuánto debo?");
  BOOST_CHECK_EQUAL(db.scalar("select direction || ':' || type || ':' || status from messages"),
                    "in:text:received");
  BOOST_CHECK_EQUAL(db.scalar("select debtor_id from chats"), debtor_id);
  BOOST_CHECK_EQUAL(db.scalar("select debtor_phone from chats"), "+573001112233");
  BOOST_CHECK_EQUAL(db.scalar("select priority from chats"), "ALTA"); // 45 days overdue
  BOOST_CHECK_EQUAL(db.scalar("select status from chats"), "queued");
  BOOST_CHECK_EQUAL(db.scalar("select unread from chats"), "1");
  BOOST_CHECK_EQUAL(db.scalar("select campaign_id is not null from chats"), "t");
}

BOOST_AUTO_TEST_CASE(unknown_phone_opens_a_chat_without_debtor) {
  BOOST_REQUIRE_EQUAL(post_signed(text_from("573109998877", "wamid.E2E.anon")).status, 200);
  BOOST_CHECK_EQUAL(db.scalar("select coalesce(debtor_id::text, 'none') from chats"), "none");
  BOOST_CHECK_EQUAL(db.scalar("select priority from chats"), "BAJA");
}

BOOST_AUTO_TEST_CASE(redelivery_is_acknowledged_and_stored_once) {
  auto body = text_from(debtor_phone, "wamid.E2E.dup");
  for (int i = 0; i < 3; ++i)
    BOOST_CHECK_EQUAL(post_signed(body).status, 200);
  // Concurrent re-deliveries race inside the chat actor and the database: still one row.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] { ok += post_signed(body).status == 200; });
  for (auto& t : threads)
    t.join();
  BOOST_CHECK_EQUAL(ok.load(), 8);
  BOOST_CHECK_EQUAL(count("messages where provider_id = 'wamid.E2E.dup'"), 1);
  BOOST_CHECK_EQUAL(db.scalar("select unread from chats"), "1");
}

BOOST_AUTO_TEST_CASE(bad_signature_is_401_and_stores_nothing) {
  auto body = text_from(debtor_phone, "wamid.E2E.forged");
  auto port = server->port();
  auto post = [&](const std::string& b, std::map<std::string, std::string> headers) {
    headers["Content-Type"] = "application/json";
    return http_request(port, "POST", "/api/v1/webhooks/meta", b, headers);
  };
  BOOST_CHECK_EQUAL(post(body, {{"X-Hub-Signature-256", meta_signature("wrong", body)}}).status,
                    401);
  auto tampered = body;
  tampered.replace(tampered.find("pagar"), 5, "robar");
  BOOST_CHECK_EQUAL(
      post(tampered, {{"X-Hub-Signature-256", meta_signature(app_secret, body)}}).status, 401);
  auto missing = post(body, {});
  BOOST_CHECK_EQUAL(missing.status, 401);
  BOOST_CHECK_EQUAL(json::parse(missing.body)["error"]["code"], "invalid_signature");
  BOOST_CHECK_EQUAL(count("messages"), 0);
  BOOST_CHECK_EQUAL(count("chats"), 0);
}

BOOST_AUTO_TEST_CASE(malformed_or_misshapen_body_is_400_and_stores_nothing) {
  for (std::string body : {std::string{"{\"object\": \"whatsapp_business_account\", \"entry\": ["},
                           std::string{R"({"object": "page", "entry": []})"},
                           std::string{R"({"object": "whatsapp_business_account"})"}}) {
    auto res = post_signed(body);
    BOOST_CHECK_EQUAL(res.status, 400);
    BOOST_CHECK_EQUAL(json::parse(res.body)["error"]["code"], "invalid_input");
  }
  // A valid first message must not be stored when a later one in the same POST is broken.
  auto hook = json::parse(text_from(debtor_phone, "wamid.E2E.ok"));
  auto& messages = hook["entry"][0]["changes"][0]["value"]["messages"];
  messages.push_back({{"from", debtor_phone},
                      {"timestamp", "1764230000"},
                      {"type", "text"},
                      {"text", {{"body", "sin id"}}}});
  auto res = post_signed(hook.dump());
  BOOST_CHECK_EQUAL(res.status, 400);
  BOOST_CHECK_MESSAGE(res.body.find("id") != std::string::npos, res.body);
  BOOST_CHECK_EQUAL(count("messages"), 0);
}

BOOST_AUTO_TEST_CASE(every_message_type_is_stored_and_unknown_ones_are_kept) {
  auto hook = json::parse(text_from(debtor_phone, "wamid.E2E.t1"));
  auto& messages = hook["entry"][0]["changes"][0]["value"]["messages"];
  auto base = [&](const std::string& id, const std::string& type) {
    return json{{"from", debtor_phone}, {"id", id}, {"timestamp", "1764230001"}, {"type", type}};
  };
  auto button = base("wamid.E2E.t2", "interactive");
  button["interactive"] = {{"type", "button_reply"},
                           {"button_reply", {{"id", "pagar_hoy"}, {"title", "Pagar hoy"}}}};
  auto image = base("wamid.E2E.t3", "image");
  image["image"] = {{"id", "1479537139650973"},
                    {"mime_type", "image/jpeg"},
                    {"sha256", "d8a9f3e2"},
                    {"caption", "comprobante"}};
  auto location = base("wamid.E2E.t4", "location");
  location["location"] = {{"latitude", 4.711}, {"longitude", -74.0721}, {"name", "Bogotá"}};
  auto reaction = base("wamid.E2E.t5", "reaction");
  reaction["reaction"] = {{"message_id", "wamid.E2E.t1"}, {"emoji", "👍"}};
  messages.push_back(button);
  messages.push_back(image);
  messages.push_back(location);
  messages.push_back(reaction);
  BOOST_REQUIRE_EQUAL(post_signed(hook.dump()).status, 200);
  BOOST_CHECK_EQUAL(count("messages"), 5);
  BOOST_CHECK_EQUAL(db.scalar("select string_agg(type, ',' order by provider_id) from messages"),
                    "text,interactive,image,location,unsupported");
  BOOST_CHECK_EQUAL(db.scalar("select body from messages where provider_id = 'wamid.E2E.t2'"),
                    "Pagar hoy");
  BOOST_CHECK_EQUAL(db.scalar("select media->>'id' || ' ' || (media->>'mimeType') from messages"
                              " where provider_id = 'wamid.E2E.t3'"),
                    "1479537139650973 image/jpeg");
  BOOST_CHECK_EQUAL(
      db.scalar("select details->'location'->>'name' from messages where type = 'location'"),
      "Bogotá");
  BOOST_CHECK_EQUAL(
      db.scalar("select details->>'originalType' from messages where type = 'unsupported'"),
      "reaction");
  BOOST_CHECK_EQUAL(count("chats"), 1);
  BOOST_CHECK_EQUAL(db.scalar("select unread from chats"), "5");
}

BOOST_AUTO_TEST_CASE(statuses_are_recorded_and_applied_monotonically) {
  BOOST_REQUIRE_EQUAL(post_signed(text_from(debtor_phone, "wamid.E2E.in")).status, 200);
  db.exec("insert into messages (chat_id, number_id, direction, type, body, provider_id, status)"
          " select id, number_id, 'out', 'text', 'Hola María', 'wamid.E2E.out', 'sent' from chats");
  auto status = [&](const std::string& s, long long ts) {
    return post_signed(meta_status_webhook(phone_number_id, "wamid.E2E.out", s, debtor_phone, ts));
  };
  BOOST_CHECK_EQUAL(status("read", 1764230200).status, 200);
  BOOST_CHECK_EQUAL(status("delivered", 1764230100).status, 200); // late: must not go back
  BOOST_CHECK_EQUAL(status("delivered", 1764230100).status, 200); // re-delivered
  BOOST_CHECK_EQUAL(db.scalar("select status from messages where provider_id = 'wamid.E2E.out'"),
                    "read");
  BOOST_CHECK_EQUAL(count("message_statuses where provider_id = 'wamid.E2E.out'"), 2);
}

BOOST_AUTO_TEST_CASE(unknown_number_is_acknowledged_and_kept_as_unrouted) {
  auto body = meta_text_webhook("555000000000999", debtor_phone, "wamid.E2E.lost", "¿Hola?");
  auto res = post_signed(body);
  BOOST_CHECK_EQUAL(res.status, 200);
  BOOST_CHECK_EQUAL(json::parse(res.body)["unrouted"], 1);
  BOOST_CHECK_EQUAL(count("messages"), 0);
  BOOST_CHECK_EQUAL(count("provider_events where kind = 'unrouted' and number_key ="
                          " '555000000000999'"),
                    1);
  BOOST_CHECK_EQUAL(db.scalar("select payload->'messages'->0->>'providerId' from provider_events"),
                    "wamid.E2E.lost");
}

BOOST_AUTO_TEST_CASE(a_restart_between_two_messages_keeps_the_chat) {
  BOOST_REQUIRE_EQUAL(post_signed(text_from(debtor_phone, "wamid.E2E.r1")).status, 200);
  auto chat = db.scalar("select id from chats");
  BOOST_CHECK_EQUAL(server->stop(), 0); // SIGTERM: a clean stop exits 0
  start_server();
  BOOST_REQUIRE_EQUAL(post_signed(text_from(debtor_phone, "wamid.E2E.r2")).status, 200);
  BOOST_CHECK_EQUAL(count("chats"), 1);
  BOOST_CHECK_EQUAL(db.scalar("select id from chats"), chat);
  BOOST_CHECK_EQUAL(count("messages where chat_id = '" + chat + "'"), 2);
  BOOST_CHECK_EQUAL(db.scalar("select unread from chats"), "2");
  BOOST_CHECK(server->output().find("1 open chats loaded") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_crash_loses_nothing_acknowledged) {
  BOOST_REQUIRE_EQUAL(post_signed(text_from(debtor_phone, "wamid.E2E.k1")).status, 200);
  server->kill9();
  start_server();
  // Meta re-delivers what it is unsure of: acknowledged again, still stored once.
  BOOST_CHECK_EQUAL(post_signed(text_from(debtor_phone, "wamid.E2E.k1")).status, 200);
  BOOST_CHECK_EQUAL(post_signed(text_from(debtor_phone, "wamid.E2E.k2")).status, 200);
  BOOST_CHECK_EQUAL(count("messages"), 2);
  BOOST_CHECK_EQUAL(count("chats"), 1);
}

BOOST_AUTO_TEST_CASE(many_debtors_writing_at_once_are_all_stored) {
  constexpr int threads_n = 8, per_thread = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < threads_n; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto phone = "57310" + std::to_string(1000000 + t * 1000 + i);
        auto wamid = "wamid.E2E.m." + std::to_string(t) + "." + std::to_string(i);
        ok += post_signed(text_from(phone, wamid)).status == 200;
      }
    });
  for (auto& t : threads)
    t.join();
  BOOST_CHECK_EQUAL(ok.load(), threads_n * per_thread);
  BOOST_CHECK_EQUAL(count("messages"), threads_n * per_thread);
  BOOST_CHECK_EQUAL(count("chats"), threads_n * per_thread);
}

BOOST_AUTO_TEST_CASE(too_large_a_body_is_413) {
  std::string huge(5 * 1024 * 1024, 'x');
  auto res = http_request(server->port(), "POST", "/api/v1/webhooks/meta", huge,
                          {{"X-Hub-Signature-256", meta_signature(app_secret, huge)}});
  BOOST_CHECK_EQUAL(res.status, 413);
  BOOST_CHECK_EQUAL(count("messages"), 0);
}

BOOST_AUTO_TEST_CASE(operations_endpoints_report_health_readiness_and_metrics) {
  auto health = http_request(server->port(), "GET", "/healthz");
  BOOST_CHECK_EQUAL(health.status, 200);
  BOOST_CHECK_EQUAL(health.headers["X-Content-Type-Options"], "nosniff");
  auto ready = http_request(server->port(), "GET", "/readyz");
  BOOST_CHECK_EQUAL(ready.status, 200);
  BOOST_CHECK_EQUAL(json::parse(ready.body)["postgres"], "up");
  BOOST_CHECK_EQUAL(json::parse(ready.body)["redis"], "up");
  BOOST_REQUIRE_EQUAL(post_signed(text_from(debtor_phone, "wamid.E2E.metric")).status, 200);
  auto metrics = http_request(server->port(), "GET", "/metrics");
  BOOST_CHECK_EQUAL(metrics.status, 200);
  BOOST_CHECK_MESSAGE(
      metrics.body.find(R"(crm_inbound_messages_total{outcome="stored",provider="meta"} 1)") !=
          std::string::npos,
      metrics.body);
  BOOST_CHECK(metrics.body.find("crm_storage_commit_seconds_count") != std::string::npos);
  BOOST_CHECK(metrics.body.find(R"(route="/api/v1/webhooks/meta")") != std::string::npos);
  // The process's own figures, under Prometheus's standard names and with real values.
  auto value_of = [&](const std::string& name) {
    auto at = metrics.body.find("\n" + name + " ");
    return at == std::string::npos ? -1.0 : std::stod(metrics.body.substr(at + name.size() + 2));
  };
  BOOST_CHECK_GT(value_of("process_resident_memory_bytes"), 1e6);
  BOOST_CHECK_GT(value_of("process_open_fds"), 3);
  BOOST_CHECK_GT(value_of("process_threads"), 2);
  BOOST_CHECK_GE(value_of("process_cpu_seconds_total"), 0);
  BOOST_CHECK_EQUAL(http_request(server->port(), "GET", "/nowhere").status, 404);
  BOOST_CHECK_EQUAL(http_request(server->port(), "DELETE", "/healthz").status, 405);
}

BOOST_AUTO_TEST_CASE(metrics_parse_as_prometheus_text_and_move_as_traffic_flows) {
  auto scrape = [&] {
    auto res = http_request(server->port(), "GET", "/metrics");
    BOOST_REQUIRE_EQUAL(res.status, 200);
    return parse_prometheus(res.body);
  };
  auto before = scrape();
  constexpr int n = 12;
  for (int i = 0; i < n; ++i)
    BOOST_REQUIRE_EQUAL(
        post_signed(text_from(debtor_phone, "wamid.E2E.m" + std::to_string(i))).status, 200);
  auto after = scrape();
  auto moved = [&](const std::string& series) {
    BOOST_TEST_CONTEXT(series) {
      BOOST_CHECK(after.count(series));
    }
    return after[series] - (before.count(series) ? before[series] : 0.0);
  };
  BOOST_CHECK_EQUAL(moved(R"(crm_inbound_messages_total{outcome="stored",provider="meta"})"), n);
  BOOST_CHECK_EQUAL(
      moved(R"(crm_http_requests_total{method="POST",route="/api/v1/webhooks/meta",status="200"})"),
      n);
  BOOST_CHECK_EQUAL(
      moved(
          R"(crm_http_request_duration_seconds_count{route="/api/v1/webhooks/meta",status="200"})"),
      n);
  BOOST_CHECK_GE(moved("crm_storage_commit_seconds_count"), 1);
  BOOST_CHECK_GE(moved("crm_storage_batch_rows_sum"), n);
  // Every message went through the chat's actor and the write batcher's.
  BOOST_CHECK_GE(moved(R"(crm_actor_messages_total{type="chat"})"), n);
  BOOST_CHECK_GE(moved(R"(crm_actor_messages_total{type="write_batcher"})"), n);
  BOOST_CHECK_GE(after[R"(crm_actors{type="chat"})"], 1);
  // Nothing is left waiting once the answers are in; the gauges exist per type.
  BOOST_CHECK(after.count(R"(crm_mailbox_messages{type="chat"})"));
  BOOST_CHECK(after.count(R"(crm_mailbox_max{type="chat"})"));
}

BOOST_AUTO_TEST_SUITE_END()
