#include "storage/migrate.hpp"

#include "tests/support/environment.hpp"

#include <boost/test/unit_test.hpp>
#include <pqxx/connection>
#include <pqxx/except>

#include <exception>
#include <latch>
#include <string>
#include <thread>
#include <vector>

namespace {

using crm::test::test_database;

/// The names of the migrations built into the binary, in order.
std::vector<std::string> builtin_names() {
  std::vector<std::string> result;
  for (auto& m : crm::storage::builtin_migrations())
    result.push_back(m.name);
  return result;
}

/// Applies the builtin migrations on a fresh connection to `db`.
std::vector<std::string> apply_builtin(const test_database& db) {
  pqxx::connection conn{db.url()};
  return crm::storage::apply_migrations(conn);
}

/// The names recorded in schema_migrations, ordered by version.
std::vector<std::string> recorded_names(const test_database& db) {
  auto joined = db.scalar("select string_agg(name, ',' order by version) from schema_migrations");
  std::vector<std::string> result;
  for (size_t start = 0; start < joined.size();) {
    auto comma = joined.find(',', start);
    if (comma == std::string::npos)
      comma = joined.size();
    result.push_back(joined.substr(start, comma - start));
    start = comma + 1;
  }
  return result;
}

/// A digest of everything a migration could change: columns, constraints, triggers, seed rows
/// and the times migrations were recorded. Equal digests mean nothing changed.
std::string schema_digest(const test_database& db) {
  return db.scalar(R"sql(
    select md5(concat_ws('|',
      (select string_agg(table_name || '.' || column_name || ':' || data_type, ','
                         order by table_name, column_name)
         from information_schema.columns where table_schema = 'public'),
      (select string_agg(conname, ',' order by conname) from pg_constraint
        where connamespace = 'public'::regnamespace),
      (select string_agg(tgname, ',' order by tgname) from pg_trigger where not tgisinternal),
      (select string_agg(name || ':' || id::text, ',' order by name) from roles),
      (select count(*)::text from permissions),
      (select count(*)::text from role_permissions),
      (select string_agg(version || '@' || applied_at::text, ',' order by version)
         from schema_migrations)))
  )sql");
}

bool table_exists(const test_database& db, const std::string& table) {
  return db.scalar("select to_regclass('public." + table + "') is not null") == "t";
}

/// A migrated database with one WhatsApp number and one chat on it.
struct migrated_database {
  migrated_database() {
    apply_builtin(db);
    number = db.scalar("insert into whatsapp_numbers (name, phone_number, provider,"
                       " meta_phone_number_id) values ('Cobranzas', '+5760100001', 'meta',"
                       " '1100001') returning id");
    chat = db.scalar("insert into chats (number_id, debtor_phone) values ('" + number +
                     "', '+573001112233') returning id");
  }

  /// Inserts an inbound message with `provider_id` on the chat.
  void insert_message(const std::string& provider_id) const {
    db.exec("insert into messages (chat_id, number_id, direction, type, body, provider_id, status)"
            " values ('" +
            chat + "', '" + number + "', 'in', 'text', 'hola', '" + provider_id + "', 'received')");
  }

  test_database db;
  std::string number;
  std::string chat;
};

bool raised_by_audit_trigger(const pqxx::sql_error& e) {
  return std::string{e.what()}.find("audit_log is append-only") != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(migrate)

BOOST_AUTO_TEST_CASE(an_empty_database_gets_every_builtin_migration) {
  test_database db;
  auto applied = apply_builtin(db);
  BOOST_TEST(applied == builtin_names(), boost::test_tools::per_element());
  BOOST_TEST(recorded_names(db) == builtin_names(), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_schema_has_every_table_of_the_product) {
  test_database db;
  apply_builtin(db);
  for (auto table : {"users", "roles", "permissions", "role_permissions", "whatsapp_numbers",
                     "campaigns", "debtors", "debtor_phones", "chats", "messages",
                     "message_statuses", "provider_events", "assignments", "audit_log"})
    BOOST_TEST(table_exists(db, table), "table " << table << " is missing");
}

BOOST_AUTO_TEST_CASE(the_seed_has_48_permissions_5_roles_and_a_super_admin_with_all) {
  test_database db;
  apply_builtin(db);
  BOOST_TEST(db.scalar("select count(*) from permissions") == "48");
  BOOST_TEST(db.scalar("select string_agg(name, ',' order by name collate \"C\") from roles") ==
             "agent,auditor,quality,super_admin,supervisor");
  BOOST_TEST(db.scalar("select count(*) from role_permissions rp join roles r on r.id = rp.role_id"
                       " where r.name = 'super_admin'") == "48");
  BOOST_TEST(db.scalar("select count(*) from permissions p where not exists ("
                       " select 1 from role_permissions rp join roles r on r.id = rp.role_id"
                       " where r.name = 'super_admin' and rp.permission = p.name)") == "0");
}

BOOST_AUTO_TEST_CASE(running_again_applies_nothing_and_changes_nothing) {
  test_database db;
  apply_builtin(db);
  auto before = schema_digest(db);
  BOOST_TEST_REQUIRE(!before.empty());
  auto applied = apply_builtin(db);
  BOOST_TEST(applied.empty());
  BOOST_TEST(schema_digest(db) == before);
  BOOST_TEST(recorded_names(db) == builtin_names(), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(two_servers_migrating_together_apply_once_without_error) {
  test_database db;
  std::latch start{2};
  std::vector<std::string> applied[2];
  std::exception_ptr failure[2];
  auto run = [&](int i) {
    try {
      pqxx::connection conn{db.url()};
      start.arrive_and_wait();
      applied[i] = crm::storage::apply_migrations(conn);
    } catch (...) {
      failure[i] = std::current_exception();
    }
  };
  std::thread first{run, 0};
  std::thread second{run, 1};
  first.join();
  second.join();
  for (auto& f : failure)
    BOOST_CHECK_NO_THROW(if (f) std::rethrow_exception(f));
  auto all = builtin_names();
  BOOST_TEST(
      ((applied[0] == all && applied[1].empty()) || (applied[1] == all && applied[0].empty())),
      "applied " << applied[0].size() << " and " << applied[1].size() << " migrations");
  BOOST_TEST(recorded_names(db) == all, boost::test_tools::per_element());
  BOOST_TEST(db.scalar("select count(*) from permissions") == "48");
}

BOOST_AUTO_TEST_CASE(audit_log_accepts_inserts_and_refuses_updates_and_deletes) {
  test_database db;
  apply_builtin(db);
  auto id = db.scalar("insert into audit_log (action, entity, entity_id)"
                      " values ('chat.close', 'chat', 'c-1') returning id");
  BOOST_TEST_REQUIRE(!id.empty());
  BOOST_CHECK_EXCEPTION(db.exec("update audit_log set action = 'forged' where id = " + id),
                        pqxx::sql_error, raised_by_audit_trigger);
  BOOST_CHECK_EXCEPTION(db.exec("delete from audit_log where id = " + id), pqxx::sql_error,
                        raised_by_audit_trigger);
  BOOST_TEST(db.scalar("select action from audit_log where id = " + id) == "chat.close");
  BOOST_TEST(db.scalar("select count(*) from audit_log") == "1");
}

BOOST_FIXTURE_TEST_CASE(a_provider_id_is_stored_once_per_number, migrated_database) {
  insert_message("wamid.DUP1");
  BOOST_CHECK_THROW(insert_message("wamid.DUP1"), pqxx::unique_violation);
  BOOST_CHECK_NO_THROW(insert_message("wamid.DUP2"));
  BOOST_TEST(db.scalar("select count(*) from messages") == "2");
}

BOOST_AUTO_TEST_SUITE_END()
