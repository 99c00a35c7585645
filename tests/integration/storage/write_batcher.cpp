#include "storage/write_batcher.hpp"

#include "metrics/metrics.hpp"

#include "actors/messages.hpp"
#include "domain/error.hpp"
#include "storage/migrate.hpp"
#include "storage/pg.hpp"
#include "storage/pg_pool.hpp"
#include "tests/support/environment.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <pqxx/connection>

#include <arpa/inet.h>
#include <chrono>
#include <map>
#include <netinet/in.h>
#include <set>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace std::chrono_literals;
using crm::test::test_database;

/// Two scheduler threads (the machine has two cores) and our message types.
struct system_config : caf::actor_system_config {
  system_config() {
    set("scheduler.max-threads", size_t{2});
    set("logger.verbosity", caf::atom("quiet"));
    add_message_types<caf::id_block::crm>();
  }
};

/// A STORAGE with 1 reader and 2 writers, stopped explicitly when the test ends
/// (CAF 0.17 hangs at shutdown on detached actors otherwise).
struct running_storage {
  running_storage(caf::actor_system& sys, const std::string& url)
      : parts{crm::storage::spawn_storage(sys, url, 1, 2, crm::storage::batch_policy{64, 2ms})} {}
  ~running_storage() { crm::storage::stop_storage(parts); }
  running_storage(const running_storage&) = delete;
  running_storage& operator=(const running_storage&) = delete;

  const crm::storage_actor& operator*() const { return parts.storage; }

  crm::storage::storage_parts parts;
};

/// Sends one request and waits for its answer (or error).
template <class Reply, class Request>
caf::expected<Reply> ask(caf::actor_system& sys, const crm::storage_actor& storage, Request req,
                         caf::duration timeout = caf::duration{10s}) {
  caf::scoped_actor self{sys};
  caf::expected<Reply> result{caf::sec::request_timeout};
  self->request(storage, timeout, std::move(req))
      .receive([&](Reply& reply) { result = std::move(reply); },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

/// Group commits so far (process-wide): one histogram sample per committed batch.
std::uint64_t commits() {
  return crm::metrics::batch_rows().Collect().histogram.sample_count;
}

/// A loopback TCP port nobody listens on.
std::string closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return std::to_string(ntohs(addr.sin_port));
}

std::string describe(const caf::error& err) {
  return std::string{crm::to_string(crm::code_of(err))} + " " + crm::message_of(err);
}

/// "ok" or the error of an answer (reading error() of an engaged expected is undefined).
template <class T>
std::string outcome(const caf::expected<T>& answer) {
  return answer ? std::string{"ok"} : describe(answer.error());
}

/// A migrated database with one Meta number and one chat, and a STORAGE in front of it.
struct storage_fixture {
  storage_fixture() {
    pqxx::connection conn{db.url()};
    crm::storage::apply_migrations(conn);
    number = db.scalar("insert into whatsapp_numbers (name, phone_number, provider,"
                       " meta_phone_number_id) values ('Cobranzas', '+5760100001', 'meta',"
                       " '1100001') returning id");
    chat = db.scalar("insert into chats (number_id, debtor_phone) values ('" + number +
                     "', '+573001112233') returning id");
  }

  crm::append_message inbound(const std::string& provider_id) const {
    crm::inbound_message msg;
    msg.provider_id = provider_id;
    msg.from = "+573001112233";
    msg.type = "text";
    msg.text = "ya pagué";
    msg.timestamp = 1700000000;
    return {crm::chat_id{chat}, crm::number_id{number}, std::move(msg)};
  }

  crm::status_event status(const std::string& provider_id, const std::string& name,
                           std::int64_t timestamp) const {
    crm::status_update s;
    s.provider_id = provider_id;
    s.status = name;
    s.recipient = "+573001112233";
    s.timestamp = timestamp;
    if (name == "failed")
      s.errors = R"([{"code":131047,"title":"Re-engagement message"}])";
    return {crm::number_id{number}, std::move(s)};
  }

  /// Records a status through the STORAGE; true once it is durable.
  bool record(const crm::status_event& ev) {
    auto ok = ask<std::vector<crm::message_status_changed>>(sys, *storage, ev);
    BOOST_TEST(ok.engaged(), ev.status.status << ": " << outcome(ok));
    return ok.engaged();
  }

  test_database db;
  system_config cfg;
  caf::actor_system sys{cfg};
  running_storage storage{sys, db.url()}; // workers connect lazily: the body migrates first
  std::string number;
  std::string chat;
};

// -- the group-commit load ----------------------------------------------------

/// One request of a client and what came back.
struct sent {
  std::string provider_id;
  bool resend = false;
  size_t distance = 0; // requests of this client since the original (re-sends only)
  crm::inbound_ack ack;
  caf::error error;
};

constexpr size_t clients = 4;
constexpr size_t distinct_per_client = 750; // 3000 distinct provider ids in all
constexpr size_t resend_every = 6;          // 125 re-sends per client, 500 in all
constexpr size_t resend_far_enough = 256;   // never in the same (64-row) batch as the original

/// Sends every request of client `c` without waiting, then collects every answer.
std::vector<sent> run_client(caf::actor_system& sys, const storage_fixture& fx, size_t c) {
  std::vector<sent> plan;
  std::vector<size_t> original_pos;
  for (size_t k = 0; k < distinct_per_client; ++k) {
    auto& original = plan.emplace_back();
    original.provider_id = "wamid.C" + std::to_string(c) + "." + std::to_string(k);
    original_pos.push_back(plan.size() - 1);
    if (k % resend_every == resend_every - 1) {
      auto target = original_pos[k / 2];
      auto& resend = plan.emplace_back();
      resend.provider_id = plan[target].provider_id;
      resend.resend = true;
      resend.distance = plan.size() - 1 - target;
    }
  }
  caf::scoped_actor self{sys};
  using handle = decltype(self->request(*fx.storage, caf::duration{30s}, fx.inbound("")));
  std::vector<handle> pending;
  pending.reserve(plan.size());
  for (auto& s : plan)
    pending.push_back(self->request(*fx.storage, caf::duration{30s}, fx.inbound(s.provider_id)));
  for (size_t i = 0; i < plan.size(); ++i)
    pending[i].receive([&](crm::inbound_ack& ack) { plan[i].ack = std::move(ack); },
                       [&](caf::error& err) { plan[i].error = std::move(err); });
  return plan;
}

/// A Postgres array literal of the acknowledged message ids.
std::string uuid_array(const std::set<std::string>& ids) {
  std::string result = "{";
  for (auto& id : ids)
    result += (result.size() > 1 ? "," : "") + id;
  return result + "}";
}

} // namespace

BOOST_AUTO_TEST_SUITE(write_batcher)

BOOST_FIXTURE_TEST_CASE(group_commit_stores_concurrent_writes_exactly_once, storage_fixture) {
  auto commits_before = commits();
  std::vector<std::vector<sent>> results(clients);
  std::vector<std::thread> threads;
  for (size_t c = 0; c < clients; ++c)
    threads.emplace_back([&, c] { results[c] = run_client(sys, *this, c); });
  for (auto& t : threads)
    t.join();
  auto commits_made = commits() - commits_before;

  std::map<std::string, std::string> id_of; // provider id -> message id of its first ack
  std::set<std::string> message_ids;
  size_t answers = 0, resends = 0, errors = 0;
  for (auto& client : results) {
    for (auto& s : client) {
      ++answers;
      if (s.error) {
        ++errors;
        BOOST_TEST_MESSAGE(s.provider_id << " failed: " << describe(s.error));
        continue;
      }
      BOOST_TEST(s.ack.chat.value == chat);
      BOOST_TEST(!s.ack.id.value.empty());
      auto [it, first] = id_of.emplace(s.provider_id, s.ack.id.value);
      BOOST_TEST(it->second == s.ack.id.value, s.provider_id << " got two message ids");
      message_ids.insert(s.ack.id.value);
      if (!s.resend) {
        BOOST_TEST(first); // originals are sent before their re-sends, by the same client
        continue;
      }
      ++resends;
      // A re-send racing its original (same or overtaking batch) may come back unflagged,
      // one sent long after it must be flagged.
      if (s.distance >= resend_far_enough)
        BOOST_TEST(s.ack.duplicate, s.provider_id << " re-sent but not flagged duplicate");
    }
  }
  BOOST_TEST(answers == clients * (distinct_per_client + distinct_per_client / resend_every));
  BOOST_TEST(resends == 500u);
  BOOST_TEST(errors == 0u);
  BOOST_TEST(id_of.size() == 3000u);
  BOOST_TEST(message_ids.size() == 3000u);

  // Messages sent once were inserted by their own request: never flagged duplicate.
  std::map<std::string, size_t> sends;
  for (auto& client : results)
    for (auto& s : client)
      ++sends[s.provider_id];
  for (auto& client : results)
    for (auto& s : client)
      if (sends[s.provider_id] == 1)
        BOOST_TEST(!s.ack.duplicate, s.provider_id << " sent once but flagged duplicate");

  BOOST_TEST(db.scalar("select count(*) from messages") == "3000");
  BOOST_TEST(db.scalar("select count(*) from messages where id = any('" + uuid_array(message_ids) +
                       "'::uuid[])") == "3000");
  BOOST_TEST(db.scalar("select unread from chats where id = '" + chat + "'") == "3000");
  BOOST_TEST_MESSAGE("3500 writes in " << commits_made << " group commits");
  BOOST_TEST(commits_made > 0u);
  BOOST_TEST(commits_made < 3000u / 4);
}

BOOST_FIXTURE_TEST_CASE(an_outbound_status_only_moves_forward, storage_fixture) {
  db.exec("insert into messages (chat_id, number_id, direction, type, body, provider_id, status)"
          " values ('" +
          chat + "', '" + number + "', 'out', 'text', 'Su saldo es', 'wamid.OUT1', 'sent')");
  BOOST_TEST_REQUIRE(record(status("wamid.OUT1", "read", 1700000300)));
  BOOST_TEST_REQUIRE(record(status("wamid.OUT1", "delivered", 1700000200)));
  BOOST_TEST_REQUIRE(record(status("wamid.OUT1", "failed", 1700000250)));
  auto column = [&](const std::string& expr) {
    return db.scalar("select " + expr + " from messages where provider_id = 'wamid.OUT1'");
  };
  BOOST_TEST(column("status") == "read");
  BOOST_TEST(column("extract(epoch from status_at)::bigint") == "1700000300");
  BOOST_TEST(column("error is null") == "t"); // the late failure did not apply
  BOOST_TEST(db.scalar("select string_agg(status, ',' order by status) from message_statuses"
                       " where provider_id = 'wamid.OUT1'") == "delivered,failed,read");

  BOOST_TEST_REQUIRE(record(status("wamid.OUT1", "read", 1700000300)));
  BOOST_TEST(db.scalar("select count(*) from message_statuses") == "3");
  BOOST_TEST(column("status") == "read");
}

BOOST_FIXTURE_TEST_CASE(a_provider_event_is_stored_as_it_came, storage_fixture) {
  auto payload = std::string{R"({"entry":[{"id":"99999","changes":[{"field":"messages"}]}]})"};
  auto ok =
      ask<crm::atom::ok>(sys, *storage, crm::provider_event{"meta", "99999", "unrouted", payload});
  BOOST_TEST_REQUIRE(ok.engaged(), outcome(ok));
  BOOST_TEST(db.scalar("select count(*) from provider_events where provider = 'meta'"
                       " and number_key = '99999' and kind = 'unrouted' and payload = '" +
                       payload + "'::jsonb") == "1");
}

BOOST_FIXTURE_TEST_CASE(a_row_the_database_refuses_fails_alone, storage_fixture) {
  // Twenty good messages and one event breaking a check constraint, sent without waiting
  // so they share batches: only the bad row may fail.
  caf::scoped_actor self{sys};
  constexpr int good = 20;
  using ack_handle = decltype(self->request(*storage, caf::duration{10s}, inbound("")));
  std::vector<ack_handle> messages;
  for (int i = 0; i < good / 2; ++i)
    messages.push_back(
        self->request(*storage, caf::duration{10s}, inbound("wamid.ISO." + std::to_string(i))));
  auto bad = self->request(*storage, caf::duration{10s},
                           crm::provider_event{"meta", "1100001", "bogus-kind", "{}"});
  for (int i = good / 2; i < good; ++i)
    messages.push_back(
        self->request(*storage, caf::duration{10s}, inbound("wamid.ISO." + std::to_string(i))));
  int acks = 0;
  for (auto& m : messages)
    m.receive([&](crm::inbound_ack&) { ++acks; },
              [&](caf::error& err) { BOOST_TEST_MESSAGE("refused: " << describe(err)); });
  caf::error refused;
  bad.receive([](crm::atom::ok) {}, [&](caf::error& err) { refused = err; });
  BOOST_TEST(acks == good);
  BOOST_TEST((crm::code_of(refused) == crm::ec::invalid_input), describe(refused));
  BOOST_TEST(db.scalar("select count(*) from messages") == std::to_string(good));
  BOOST_TEST(db.scalar("select count(*) from provider_events") == "0");
}

BOOST_AUTO_TEST_CASE(a_database_that_is_down_answers_errors_not_hangs) {
  system_config cfg;
  caf::actor_system sys{cfg};
  running_storage storage{sys, "postgresql://crm@127.0.0.1:" + closed_port() + "/postgres"};
  auto unavailable = [&](const auto& answer, const char* what) {
    BOOST_TEST(!answer.engaged(), what << " succeeded against a closed port");
    if (!answer.engaged())
      BOOST_TEST((crm::code_of(answer.error()) == crm::ec::storage_unavailable),
                 what << " answered " << describe(answer.error()));
  };
  crm::inbound_message msg;
  msg.provider_id = "wamid.DOWN1";
  msg.type = "text";
  auto start = std::chrono::steady_clock::now();
  unavailable(ask<crm::inbound_ack>(
                  sys, *storage,
                  crm::append_message{crm::chat_id{"00000000-0000-0000-0000-000000000001"},
                                      crm::number_id{"00000000-0000-0000-0000-000000000002"}, msg}),
              "append_message");
  unavailable(ask<crm::atom::ok>(sys, *storage, crm::atom::ping_v), "ping");
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(took < 5s, "took " << std::chrono::duration<double>(took).count() << " s");
}

// Shutdown: the flush commits what waits for company (a long batch delay) at once, behind
// every write sent before it, and says when something could not be committed.
BOOST_FIXTURE_TEST_CASE(the_shutdown_flush_commits_everything_queued, storage_fixture) {
  crm::storage::storage_parts slow =
      crm::storage::spawn_storage(sys, db.url(), 1, 1, crm::storage::batch_policy{100000, 30s});
  for (int i = 0; i < 50; ++i)
    caf::anon_send(slow.storage, inbound("wamid.flush." + std::to_string(i)));
  auto started = std::chrono::steady_clock::now();
  BOOST_CHECK(crm::storage::flush_storage(sys, slow, 10000ms));
  BOOST_CHECK_LT(std::chrono::steady_clock::now() - started, 10s); // not the 30 s timer
  BOOST_CHECK_EQUAL(db.scalar("select count(*) from messages where provider_id like "
                              "'wamid.flush.%'"),
                    "50");
  crm::storage::stop_storage(slow);

  // A database that refuses the batch: the flush answers, and says false.
  crm::storage::storage_parts down = crm::storage::spawn_storage(
      sys, "postgresql://crm@127.0.0.1:" + closed_port() + "/none?connect_timeout=1", 1, 1,
      crm::storage::batch_policy{100000, 30s});
  caf::anon_send(down.storage, inbound("wamid.flush.lost"));
  BOOST_CHECK(!crm::storage::flush_storage(sys, down, 10000ms));
  crm::storage::stop_storage(down);
}

// A database that is out of room (or memory, or connections), shutting down or failing its
// I/O is a dependency down: callers answer 503 and providers retry. A bad row is not.
BOOST_AUTO_TEST_CASE(resource_errors_are_unavailable_not_internal) {
  auto code = [](const char* state) {
    return crm::code_of(crm::storage::translate(pqxx::sql_error{"x", "insert", state}));
  };
  for (auto state : {"53100", "53200", "53300", "57P01", "57P03", "58030", "40001"})
    BOOST_CHECK_MESSAGE(code(state) == crm::ec::storage_unavailable, state);
  BOOST_CHECK(code("23505") == crm::ec::conflict);
  BOOST_CHECK(code("22P02") == crm::ec::invalid_input);
  BOOST_CHECK(code("42P01") == crm::ec::internal);
}

// A row the database refuses is the client's mistake: the answer names the field, not the
// SQL, table or constraint.
BOOST_AUTO_TEST_CASE(refused_rows_are_explained_without_sql) {
  auto message = [](const char* what, const char* state) {
    return crm::message_of(crm::storage::translate(pqxx::sql_error{what, "insert ...", state}));
  };
  auto fk = message("ERROR:  insert or update on table \"tasks\" violates foreign key constraint "
                    "\"tasks_debtor_id_fkey\"\nDETAIL:  Key (debtor_id)=(6f1c2d3e-0000-4000-8000-"
                    "000000000001) is not present in table \"debtors\".\n",
                    "23503");
  BOOST_CHECK_EQUAL(fk, "debtorId refers to a record that does not exist");
  BOOST_CHECK_EQUAL(message("ERROR:  null value in column \"full_name\" of relation \"debtors\" "
                            "violates not-null constraint\n",
                            "23502"),
                    "fullName is required");
  auto cast = message("ERROR:  invalid input syntax for type integer: \"1.5\"\n", "22P02");
  BOOST_CHECK_EQUAL(cast, "invalid value: invalid input syntax for type integer: \"1.5\"");
  for (auto text : {fk, cast})
    BOOST_CHECK(text.find("tasks_") == std::string::npos &&
                text.find("ERROR") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
