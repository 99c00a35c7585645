// Operations: the OpenAPI document against the route table, Swagger UI, client addresses
// from a trusted proxy only, and the super admin's backups (list, make, download, audited).
#include "net/routes/routes.hpp"
#include "tests/e2e/dispatch_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace crm::test;
using nlohmann::json;

namespace {

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Every "$ref" in the document, wherever it is.
void collect_refs(const json& node, std::set<std::string>& out) {
  if (node.is_object()) {
    for (auto& [key, value] : node.items())
      if (key == "$ref" && value.is_string())
        out.insert(value.get<std::string>());
      else
        collect_refs(value, out);
  } else if (node.is_array()) {
    for (auto& v : node)
      collect_refs(v, out);
  }
}

struct operations_fixture : dispatch_fixture {
  operations_fixture() {
    admin = add_user("root@demo.crm", "super_admin");
    extra_env["CRM_API_DOCS_ROOT"] =
        std::string{CRM_SOURCE_DIR} + "/vendor/swagger-ui/node_modules/swagger-ui-dist";
    restart();
    backups =
        std::filesystem::path{std::getenv("CRM_TEST_TMP") ? std::getenv("CRM_TEST_TMP") : "/tmp"} /
        ("backups-" + std::to_string(::getpid()));
    std::filesystem::remove_all(backups);
  }
  ~operations_fixture() { std::filesystem::remove_all(backups); }

  json backups_list() const {
    auto res = call("GET", "/api/v1/backups", admin, "super_admin");
    BOOST_REQUIRE_EQUAL(res.status, 200);
    return json::parse(res.body);
  }

  /// Waits for the running backup to end; its last run.
  json finished_run() const {
    for (int i = 0; i < 300; ++i) {
      auto list = backups_list();
      if (list["running"].is_null() && !list["lastRun"].is_null())
        return list["lastRun"];
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    BOOST_FAIL("the backup did not finish within 30 s");
    return {};
  }

  std::string admin;
  std::filesystem::path backups;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(operations, operations_fixture)

// Built from the route table, the document cannot miss a route; this fails when a route has
// no description in net/openapi/*.json, when a description outlives its route, or when a
// schema is defined twice or referenced but missing.
BOOST_AUTO_TEST_CASE(the_openapi_document_covers_every_route) {
  auto res = http_request(server->port(), "GET", "/api/docs");
  BOOST_REQUIRE_EQUAL(res.status, 200);
  BOOST_CHECK(res.headers["Content-Type"].find("application/json") == 0);
  auto doc = json::parse(res.body);
  BOOST_CHECK_EQUAL(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  BOOST_CHECK_MESSAGE(!doc.contains("x-stale"),
                      "documented but not routed: " << doc.value("x-stale", json{}));
  BOOST_CHECK_MESSAGE(!doc.contains("x-conflicts"),
                      "defined twice: " << doc.value("x-conflicts", json{}));

  crm::net::services none;
  auto routes = crm::net::make_router(none).routes();
  BOOST_REQUIRE_GT(routes.size(), 90u);
  size_t operations = 0;
  for (auto& [path, ops] : doc["paths"].items())
    operations += ops.size();
  BOOST_CHECK_EQUAL(operations, routes.size());
  for (auto& r : routes) {
    auto verb = lower(std::string{boost::beast::http::to_string(r.verb)});
    auto where = verb + " " + r.pattern;
    auto& path = doc["paths"][r.pattern];
    BOOST_REQUIRE_MESSAGE(path.contains(verb), where << " is missing");
    auto& op = path[verb];
    BOOST_CHECK_MESSAGE(!op.value("x-undocumented", false), where << " has no description");
    BOOST_CHECK_MESSAGE(op.value("x-permission", "") == r.permission, where << " permission");
    BOOST_CHECK_MESSAGE(!op.value("summary", "").empty(), where << " has no summary");
    bool answers = false;
    for (auto& [status, _] : op["responses"].items())
      answers = answers || status[0] == '1' || status[0] == '2' || status[0] == '3';
    BOOST_CHECK_MESSAGE(answers, where << " documents no successful answer");
    if (r.permission != "none")
      BOOST_CHECK_MESSAGE(op["security"] == json::parse(R"([{"bearer": []}])"),
                          where << " needs the bearer token");
    for (auto& p : op.value("parameters", json::array()))
      if (p.value("in", "") == "path")
        BOOST_CHECK_MESSAGE(r.pattern.find("{" + p.value("name", "") + "}") != std::string::npos,
                            where << " names a path parameter it does not have");
    // What a client sends must be described, not guessed.
    if ((verb == "post" || verb == "patch" || verb == "put") && !op.contains("requestBody"))
      BOOST_CHECK_MESSAGE(op.value("x-no-body", false), where << " documents no request body");
  }

  std::set<std::string> refs;
  collect_refs(doc, refs);
  BOOST_CHECK_GT(refs.size(), 50u);
  for (auto& ref : refs) {
    BOOST_REQUIRE_MESSAGE(ref.rfind("#/", 0) == 0, "external reference " << ref);
    BOOST_CHECK_MESSAGE(doc.contains(json::json_pointer{ref.substr(1)}),
                        "unresolved reference " << ref);
  }
}

BOOST_AUTO_TEST_CASE(swagger_ui_reads_the_document) {
  auto page = http_request(server->port(), "GET", "/api/docs/ui");
  BOOST_REQUIRE_EQUAL(page.status, 200);
  BOOST_CHECK(page.headers["Content-Type"].find("text/html") == 0);
  BOOST_CHECK(page.body.find("/api/docs/ui/swagger-ui-bundle.js") != std::string::npos);
  // No inline script: the CSP forbids them; the page's own CSP lets Swagger UI style itself.
  BOOST_CHECK(page.body.find("<script>") == std::string::npos);
  BOOST_CHECK(page.headers["Content-Security-Policy"].find("script-src") == std::string::npos);
  BOOST_CHECK(page.headers["Content-Security-Policy"].find("default-src 'self'") == 0);

  auto init = http_request(server->port(), "GET", "/api/docs/ui/init.js");
  BOOST_REQUIRE_EQUAL(init.status, 200);
  BOOST_CHECK(init.body.find("url: \"/api/docs\"") != std::string::npos);
  auto bundle = http_request(server->port(), "GET", "/api/docs/ui/swagger-ui-bundle.js");
  BOOST_REQUIRE_MESSAGE(bundle.status == 200, "is swagger-ui-dist installed (scripts/install)?");
  BOOST_CHECK_GT(bundle.body.size(), 500000u);
  BOOST_CHECK(bundle.headers["Content-Type"].find("text/javascript") == 0);
  BOOST_CHECK_EQUAL(http_request(server->port(), "GET", "/api/docs/ui/swagger-ui.css").status, 200);
  // Only what the page loads is served: not the package's other files, nor anything else.
  for (auto path : {"/api/docs/ui/index.html", "/api/docs/ui/package.json",
                    "/api/docs/ui/swagger-ui-bundle.js.map", "/api/docs/ui/..%2F..%2Fpackage.json"})
    BOOST_CHECK_MESSAGE(http_request(server->port(), "GET", path).status == 404, path);

  // Without the viewer the document is still served and the page says what is missing.
  extra_env["CRM_API_DOCS_ROOT"] = "/nonexistent";
  restart();
  auto missing = http_request(server->port(), "GET", "/api/docs/ui");
  BOOST_CHECK_EQUAL(missing.status, 404);
  BOOST_CHECK(missing.body.find("not_installed") != std::string::npos);
  BOOST_CHECK_EQUAL(http_request(server->port(), "GET", "/api/docs").status, 200);
}

// Behind nginx the TCP peer is the proxy; its X-Forwarded-For is believed, a client's is not.
BOOST_AUTO_TEST_CASE(client_addresses_come_from_a_trusted_proxy_only) {
  auto denied_from = [&](const std::string& forwarded) {
    // The audit log is append-only: read the row this request adds.
    auto before = db.scalar("select coalesce(max(id), 0) from audit_log");
    auto mine = "audit_log where action = 'permission.denied' and id > " + before;
    std::map<std::string, std::string> headers{
        {"Authorization", "Bearer " + token(agent_a, "agent")}};
    if (!forwarded.empty())
      headers["X-Forwarded-For"] = forwarded;
    BOOST_CHECK_EQUAL(http_request(server->port(), "GET", "/api/v1/audit", "", headers).status,
                      403);
    BOOST_REQUIRE(eventually(mine, 1));
    return db.scalar("select ip from " + mine);
  };
  // No proxy configured: the header is the client's own claim.
  BOOST_CHECK_EQUAL(denied_from("203.0.113.5"), "127.0.0.1");

  extra_env["CRM_TRUSTED_PROXIES"] = "127.0.0.1, ::1";
  restart();
  BOOST_CHECK_EQUAL(denied_from("203.0.113.5"), "203.0.113.5");
  // A client that adds its own entry in front: the proxy's (rightmost) entry wins.
  BOOST_CHECK_EQUAL(denied_from("6.6.6.6, 203.0.113.9"), "203.0.113.9");
  BOOST_CHECK_EQUAL(denied_from(""), "127.0.0.1");

  // A proxy list that is not addresses is refused at start, naming the variable.
  auto env = std::map<std::string, std::string>{{"CRM_DATABASE_URL", db.url()},
                                                {"CRM_TRUSTED_PROXIES", "nginx.local"}};
  auto [status, output] = run_server_once(env);
  BOOST_CHECK_EQUAL(status, 2);
  BOOST_CHECK(output.find("CRM_TRUSTED_PROXIES") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(backups_are_made_listed_and_downloaded_by_the_super_admin_only) {
  // Slow enough that a second request finds the first one running.
  auto slow = backups.string() + "-slow-backup";
  std::ofstream{slow} << "#!/bin/sh\nsleep 1\nexec '" << CRM_SOURCE_DIR << "/scripts/backup'\n";
  std::filesystem::permissions(slow, std::filesystem::perms::owner_all);
  extra_env["CRM_BACKUP_DIR"] = backups.string();
  extra_env["CRM_BACKUP_COMMAND"] = slow;
  extra_env["CRM_BACKUP_KEEP"] = "2";
  restart();

  for (auto [who, role] : {std::pair{agent_a, "agent"}, std::pair{supervisor, "supervisor"}}) {
    BOOST_CHECK_EQUAL(call("GET", "/api/v1/backups", who, role).status, 403);
    BOOST_CHECK_EQUAL(call("POST", "/api/v1/backups", who, role).status, 403);
  }
  auto empty = backups_list();
  BOOST_CHECK_EQUAL(empty["total"], 0);
  BOOST_CHECK(empty["running"].is_null());

  auto started = call("POST", "/api/v1/backups", admin, "super_admin");
  BOOST_REQUIRE_EQUAL(started.status, 202);
  BOOST_CHECK_EQUAL(json::parse(started.body)["status"], "running");
  BOOST_CHECK_EQUAL(json::parse(started.body)["requestedBy"], admin);
  auto again = call("POST", "/api/v1/backups", admin, "super_admin");
  BOOST_CHECK_EQUAL(again.status, 409);
  BOOST_CHECK(again.body.find("backup_running") != std::string::npos);
  BOOST_CHECK_EQUAL(backups_list()["running"]["status"], "running");

  auto run = finished_run();
  BOOST_REQUIRE_MESSAGE(run["status"] == "done", run.dump());
  auto name = run["name"].get<std::string>();
  auto list = backups_list();
  BOOST_REQUIRE_EQUAL(list["total"], 1);
  BOOST_CHECK_EQUAL(list["items"][0]["name"], name);
  BOOST_CHECK_EQUAL(list["items"][0]["encrypted"], false);
  auto size = list["items"][0]["size"].get<std::uint64_t>();
  BOOST_CHECK_EQUAL(size, std::filesystem::file_size(backups / name));

  // The download is the file itself, a pg_dump custom-format archive.
  auto file = call("GET", "/api/v1/backups/" + name, admin, "super_admin");
  BOOST_REQUIRE_EQUAL(file.status, 200);
  BOOST_CHECK_EQUAL(file.body.size(), size);
  BOOST_CHECK_EQUAL(file.body.substr(0, 5), "PGDMP");
  BOOST_CHECK(file.headers["Content-Type"] == "application/octet-stream");
  BOOST_CHECK(file.headers["Content-Disposition"].find(name) != std::string::npos);
  BOOST_CHECK_EQUAL(call("GET", "/api/v1/backups/" + name, supervisor, "supervisor").status, 403);
  BOOST_CHECK_EQUAL(
      call("GET", "/api/v1/backups/crm-20990101T000000Z.dump", admin, "super_admin").status, 404);
  for (auto bad : {"passwd", "..%2F..%2Fetc%2Fpasswd", "crm-20261128T000000Z.dump.sh"})
    BOOST_CHECK_MESSAGE(
        call("GET", std::string{"/api/v1/backups/"} + bad, admin, "super_admin").status == 400,
        bad);
  // Who made a backup and who took a copy are in the audit log.
  BOOST_CHECK(eventually("audit_log where action = 'backups.download' and entity_id = '" + name +
                             "' and user_id = '" + admin + "'",
                         1));
  BOOST_CHECK(eventually("audit_log where action = 'POST /api/v1/backups'", 1));

  // Retention: two kept.
  for (int i = 0; i < 2; ++i) {
    BOOST_REQUIRE_EQUAL(call("POST", "/api/v1/backups", admin, "super_admin").status, 202);
    BOOST_CHECK_EQUAL(finished_run()["status"], "done");
  }
  list = backups_list();
  BOOST_CHECK_EQUAL(list["total"], 2);
  BOOST_CHECK(list["items"][0]["name"] > list["items"][1]["name"]); // newest first
  BOOST_CHECK(!std::filesystem::exists(backups / name));

  // A failing backup says why (the script pointed at a closed port).
  auto failing = backups.string() + "-failing-backup";
  std::ofstream{failing} << "#!/bin/sh\nCRM_DATABASE_URL=postgresql://crm@127.0.0.1:1/nowhere "
                            "exec '"
                         << CRM_SOURCE_DIR << "/scripts/backup'\n";
  std::filesystem::permissions(failing, std::filesystem::perms::owner_all);
  extra_env["CRM_BACKUP_COMMAND"] = failing;
  restart();
  BOOST_REQUIRE_EQUAL(call("POST", "/api/v1/backups", admin, "super_admin").status, 202);
  auto failed = finished_run();
  BOOST_CHECK_EQUAL(failed["status"], "failed");
  BOOST_CHECK_MESSAGE(!failed["error"].get<std::string>().empty(), failed.dump());
  BOOST_CHECK_EQUAL(backups_list()["total"], 2); // nothing half-written is listed
  std::filesystem::remove(slow);
  std::filesystem::remove(failing);
}

BOOST_AUTO_TEST_SUITE_END()
