// Backup and restore end to end: conversations made through the real server, the server
// stopped, scripts/backup (encrypted), scripts/restore into a new database, and a server on
// the restored database answering every chat and message exactly as before; the admin still
// logs in and the audit chain still verifies. A second restore into the now non-empty
// database is refused without --clean, and a wrong key is refused before any database exists.
#include "domain/password.hpp"
#include "tests/e2e/dispatch_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include <cstdint>
#include <ctime>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace crm::test;
using nlohmann::json;

namespace {

constexpr auto admin_email = "admin@demo.crm";
constexpr auto admin_password = "Respaldo-2026!";

std::string script(const std::string& name) {
  return std::string{CRM_SOURCE_DIR} + "/scripts/" + name;
}

/// 'text' for /bin/sh.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

std::string last_line(const std::string& out) {
  auto end = out.find_last_not_of('\n');
  if (end == std::string::npos)
    return {};
  auto text = out.substr(0, end + 1);
  auto nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

/// A field of a message as JSON text, or <absent>.
std::string field(const json& m, const char* name) {
  return m.contains(name) ? m.at(name).dump() : std::string{"<absent>"};
}

/// Every chat and its messages, as the API shows them.
struct snapshot {
  std::map<std::string, json> chats;    // id -> chat
  std::map<std::string, json> messages; // chat id -> its messages (array, oldest first)
};

struct backup_fixture : dispatch_fixture {
  // The debtors' phones (as Meta sends them: digits only). The first is the fixture's urgent
  // debtor, two more are added, the last belongs to nobody.
  const std::vector<std::string> phones{"573009990000", "573009990001", "573009990002",
                                        "573009990003"};

  backup_fixture() {
    admin = add_user(admin_email, "super_admin");
    db.exec("update users set password_hash = '" + crm::hash_password(admin_password) +
            "' where id = '" + admin + "'");
    db.exec("update users set max_concurrent_chats = 10 where id = '" + agent_a + "'");
    db.exec("insert into debtors (full_name, document_number, days_overdue) values"
            " ('Deudor Dos', '901', 40), ('Deudora Tres', '902', 10)");
    db.exec("insert into debtor_phones (debtor_id, phone, is_primary)"
            " select id, case document_number when '901' then '+573009990001'"
            " else '+573009990002' end, true from debtors where document_number in ('901', '902')");
    // Nothing may move between the snapshot and the backup: no chat goes back to the queue.
    extra_env = {{"CRM_REDIS_URL", required_env("CRM_TEST_REDIS_URL")},
                 {"CRM_REQUEUE_AFTER_SECONDS", "0"}};
    restart(); // users are loaded at start

    std::random_device rd;
    auto tmp = required_env("CRM_TEST_TMP");
    backup_dir = tmp + "/backups-" + db.name();
    key_file = tmp + "/backup-key-" + db.name();
    wrong_key_file = key_file + "-wrong";
    std::ofstream{key_file} << "clave-" << rd() << "-" << rd() << "-" << rd() << "\n";
    std::ofstream{wrong_key_file} << "otra-" << rd() << "-" << rd() << "\n";
    restored = db.name() + "_restored";
    refused = db.name() + "_refused";
  }

  ~backup_fixture() {
    server.reset(); // before its database goes
    for (auto& name : {restored, refused}) {
      try {
        pqxx::connection admin_conn{required_env("CRM_TEST_DATABASE_URL")};
        pqxx::nontransaction txn{admin_conn};
        txn.exec("drop database if exists " + name + " with (force)");
      } catch (const std::exception& e) {
        BOOST_TEST_MESSAGE("could not drop " << name << ": " << e.what());
      }
    }
    shell("rm -rf " + sh_quote(backup_dir) + " " + sh_quote(key_file) + " " +
          sh_quote(wrong_key_file));
  }

  std::string url_of(const std::string& name) const {
    return with_database(required_env("CRM_TEST_DATABASE_URL"), name);
  }

  bool database_exists(const std::string& name) const {
    pqxx::connection conn{required_env("CRM_TEST_DATABASE_URL")};
    pqxx::nontransaction txn{conn};
    return !txn.exec_params("select 1 from pg_database where datname = $1", name).empty();
  }

  int signed_post(const std::string& body) const {
    return http_request(server->port(), "POST", "/api/v1/webhooks/meta", body,
                        {{"Content-Type", "application/json"},
                         {"X-Hub-Signature-256", meta_signature(secret, body)}})
        .status;
  }

  std::string login() const {
    auto res = http_request(server->port(), "POST", "/api/v1/auth/login",
                            json{{"email", admin_email}, {"password", admin_password}}.dump(),
                            {{"Content-Type", "application/json"}});
    BOOST_REQUIRE_MESSAGE(res.status == 200, "admin login: " << res.status << " " << res.body);
    return json::parse(res.body)["accessToken"].get<std::string>();
  }

  http_result get(const std::string& target, const std::string& bearer) const {
    return http_request(server->port(), "GET", target, {}, {{"Authorization", "Bearer " + bearer}});
  }

  snapshot read_all(const std::string& bearer) const {
    snapshot s;
    auto list = get("/api/v1/chats?limit=200", bearer);
    BOOST_REQUIRE_MESSAGE(list.status == 200, list.body);
    auto page = json::parse(list.body);
    BOOST_REQUIRE_EQUAL(page["total"].get<std::int64_t>(),
                        static_cast<std::int64_t>(page["items"].size()));
    for (auto& chat : page["items"]) {
      auto id = chat["id"].get<std::string>();
      s.chats[id] = chat;
      auto res = get("/api/v1/chats/" + id + "/messages?limit=200", bearer);
      BOOST_REQUIRE_MESSAGE(res.status == 200, res.body);
      auto messages = json::parse(res.body);
      BOOST_REQUIRE_EQUAL(messages["total"].get<std::int64_t>(),
                          static_cast<std::int64_t>(messages["items"].size()));
      s.messages[id] = messages["items"];
    }
    return s;
  }

  /// Runs a script with the given environment; returns {exit status, stdout and stderr}
  /// (or only stdout, when `with_stderr` is false).
  std::pair<int, std::string> run_script(const std::string& name,
                                         const std::map<std::string, std::string>& env,
                                         const std::string& args, bool with_stderr) const {
    std::string command = "PG_BIN=" + sh_quote(required_env("CRM_TEST_PG_BIN"));
    for (auto& [k, v] : env)
      command += " " + k + "=" + sh_quote(v);
    command += " " + sh_quote(script(name)) + " " + args + (with_stderr ? " 2>&1" : "");
    auto result = run_command(command);
    BOOST_TEST_MESSAGE("$ " << command << "\n" << result.second << "(exit " << result.first << ")");
    return result;
  }

  std::string admin, backup_dir, key_file, wrong_key_file, restored, refused;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(backup_restore, backup_fixture)

BOOST_AUTO_TEST_CASE(a_backup_restored_into_a_new_database_serves_every_chat_and_message) {
  // Debtors write, the agent takes their chats and answers each one.
  BOOST_REQUIRE_EQUAL(set_status(agent_a, "available").status, 200);
  for (size_t d = 0; d < phones.size(); ++d)
    for (int i = 1; i <= 3; ++i) {
      auto wamid = "wamid.backup." + std::to_string(d) + "." + std::to_string(i);
      auto text = "Buenos días, soy el cliente " + std::to_string(d) + ": ¿cuánto debo? (" +
                  std::to_string(i) + ")";
      BOOST_REQUIRE_EQUAL(signed_post(meta_text_webhook(phone_number_id, phones[d], wamid, text)),
                          200);
    }
  BOOST_REQUIRE(eventually("chats where status = 'assigned' and agent_id = '" + agent_a + "'",
                           static_cast<long>(phones.size())));
  auto mine = json::parse(call("GET", "/api/v1/chats?status=assigned", agent_a, "agent").body);
  BOOST_REQUIRE_EQUAL(mine["items"].size(), phones.size());
  std::vector<std::string> replies;
  int n = 0;
  for (auto& chat : mine["items"]) {
    auto res = call("POST", "/api/v1/chats/" + chat["id"].get<std::string>() + "/messages", agent_a,
                    "agent",
                    json{{"type", "text"},
                         {"text", "Gracias por escribirnos, le comparto las opciones de pago (" +
                                      std::to_string(++n) + ")"}}
                        .dump());
    BOOST_REQUIRE_MESSAGE(res.status == 201, res.body);
    replies.push_back(json::parse(res.body)["id"].get<std::string>());
  }
  BOOST_REQUIRE(eventually("messages where direction = 'out' and status = 'sent'"
                           " and provider_id is not null",
                           static_cast<long>(replies.size())));
  // The provider reports two of them further on: statuses differ from message to message.
  auto now = static_cast<long long>(std::time(nullptr));
  auto provider_id = [&](const std::string& id) {
    return db.scalar("select provider_id from messages where id = '" + id + "'");
  };
  auto recipient = [&](const std::string& id) {
    return db.scalar("select substr(c.debtor_phone, 2) from messages m join chats c"
                     " on c.id = m.chat_id where m.id = '" +
                     id + "'");
  };
  BOOST_REQUIRE_EQUAL(signed_post(meta_status_webhook(phone_number_id, provider_id(replies[0]),
                                                      "delivered", recipient(replies[0]), now)),
                      200);
  BOOST_REQUIRE_EQUAL(signed_post(meta_status_webhook(phone_number_id, provider_id(replies[1]),
                                                      "read", recipient(replies[1]), now)),
                      200);
  BOOST_REQUIRE(eventually("messages where status = 'delivered'", 1));
  BOOST_REQUIRE(eventually("messages where status = 'read'", 1));

  // What the API shows before: every chat, every message.
  auto before = read_all(login());
  BOOST_REQUIRE_EQUAL(before.chats.size(), phones.size());
  size_t in = 0, out = 0;
  for (auto& [id, messages] : before.messages)
    for (auto& m : messages) {
      (m["direction"] == "in" ? in : out) += 1;
      if (m["direction"] == "out")
        BOOST_CHECK_MESSAGE(m["providerId"].is_string(), m.dump());
    }
  BOOST_CHECK_EQUAL(in, phones.size() * 3);
  BOOST_CHECK_EQUAL(out, replies.size());
  BOOST_CHECK_EQUAL(server->stop(), 0);

  // The backup, encrypted; its path is the last line it prints.
  auto [backed_up, printed] = run_script("backup",
                                         {{"CRM_DATABASE_URL", db.url()},
                                          {"CRM_BACKUP_DIR", backup_dir},
                                          {"CRM_BACKUP_KEY_FILE", key_file},
                                          {"CRM_BACKUP_KEEP", "3"}},
                                         "", false);
  BOOST_REQUIRE_EQUAL(backed_up, 0);
  auto path = last_line(printed);
  BOOST_CHECK_MESSAGE(path.starts_with(backup_dir + "/crm-") && path.ends_with(".dump.gpg"), path);
  BOOST_REQUIRE_EQUAL(shell("test -s " + sh_quote(path)), 0);

  // A wrong key is refused before anything is created.
  auto [wrong_key, wrong_key_says] =
      run_script("restore", {{"CRM_BACKUP_KEY_FILE", wrong_key_file}},
                 sh_quote(path) + " --database " + sh_quote(url_of(refused)) + " --create", true);
  BOOST_CHECK_NE(wrong_key, 0);
  BOOST_CHECK_MESSAGE(wrong_key_says.find("cannot decrypt") != std::string::npos, wrong_key_says);
  BOOST_CHECK(!database_exists(refused));

  // The restore into a database that does not exist yet.
  BOOST_REQUIRE(!database_exists(restored));
  auto restore_args = sh_quote(path) + " --database " + sh_quote(url_of(restored));
  auto [restored_status, restore_says] =
      run_script("restore", {{"CRM_BACKUP_KEY_FILE", key_file}}, restore_args + " --create", true);
  BOOST_REQUIRE_MESSAGE(restored_status == 0, restore_says);
  BOOST_REQUIRE(database_exists(restored));

  // Again, into the now non-empty database, without --clean: refused, nothing touched (the
  // comparison below sees the same rows).
  auto [again, again_says] =
      run_script("restore", {{"CRM_BACKUP_KEY_FILE", key_file}}, restore_args, true);
  BOOST_CHECK_NE(again, 0);
  BOOST_CHECK_MESSAGE(again_says.find("--clean") != std::string::npos, again_says);

  // A server on the restored database: the admin logs in, everything reads the same.
  extra_env["CRM_DATABASE_URL"] = url_of(restored);
  restart();
  auto bearer = login();
  auto after = read_all(bearer);
  BOOST_REQUIRE_EQUAL(after.chats.size(), before.chats.size());
  for (auto& [id, chat] : before.chats) {
    BOOST_REQUIRE_MESSAGE(after.chats.count(id), "chat " << id << " is missing after the restore");
    BOOST_CHECK_EQUAL(after.chats.at(id).dump(), chat.dump());
    auto& was = before.messages.at(id);
    auto& is = after.messages.at(id);
    BOOST_REQUIRE_EQUAL(is.size(), was.size());
    for (size_t i = 0; i < was.size(); ++i) {
      for (auto name : {"id", "text", "direction", "status", "providerId", "type", "createdAt"})
        BOOST_CHECK_EQUAL(field(is[i], name), field(was[i], name));
      BOOST_CHECK_EQUAL(is[i].dump(), was[i].dump());
    }
  }
  auto verify = get("/api/v1/audit/verify", bearer);
  BOOST_REQUIRE_MESSAGE(verify.status == 200, verify.body);
  BOOST_CHECK_MESSAGE(json::parse(verify.body)["valid"] == true, verify.body);
}

BOOST_AUTO_TEST_SUITE_END()
