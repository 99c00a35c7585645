#include "storage/chat_repository.hpp"

#include "storage/migrate.hpp"
#include "tests/support/environment.hpp"

#include <boost/test/unit_test.hpp>
#include <pqxx/connection>
#include <pqxx/transaction>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace {

using repository = crm::storage::chat_repository;

constexpr auto debtor_phone = "+573001112233";
constexpr auto stranger_phone = "+573009998877";

/// A migrated database with a campaign, a Meta number in it and a debtor 120 days overdue,
/// and a connection with the repository's statements prepared.
struct chat_fixture {
  chat_fixture() {
    crm::storage::apply_migrations(conn);
    repository::prepare(conn);
    campaign = db.scalar("insert into campaigns (name) values ('Cartera 2024') returning id");
    number = db.scalar("insert into whatsapp_numbers (name, phone_number, provider,"
                       " meta_phone_number_id, campaign_id) values ('Cobranzas', '+5760100001',"
                       " 'meta', '1100001', '" +
                       campaign + "') returning id");
    debtor = db.scalar("insert into debtors (full_name, document_number, days_overdue)"
                       " values ('Ana Pérez', '1020304050', 120) returning id");
    db.exec("insert into debtor_phones (debtor_id, phone, is_primary) values ('" + debtor + "', '" +
            debtor_phone + "', true)");
    txn.emplace(conn);
  }

  crm::chat_snapshot open(const std::string& phone) {
    return repository::open(*txn, crm::open_chat_request{crm::number_id{number}, phone, "Ana"});
  }

  crm::test::test_database db;
  pqxx::connection conn{db.url()};
  std::optional<pqxx::work> txn; // opened once the fixture rows are committed
  std::string campaign;
  std::string number;
  std::string debtor;
};

std::vector<std::string> ids_of(const std::vector<crm::chat_snapshot>& chats) {
  std::vector<std::string> result;
  for (auto& c : chats)
    result.push_back(c.id.value);
  std::sort(result.begin(), result.end());
  return result;
}

} // namespace

BOOST_AUTO_TEST_SUITE(chat_repository)

BOOST_FIXTURE_TEST_CASE(open_creates_a_chat_linked_to_the_debtor_of_the_phone, chat_fixture) {
  auto chat = open(debtor_phone);
  BOOST_TEST(!chat.id.value.empty());
  BOOST_TEST(chat.number.value == number);
  BOOST_TEST(chat.debtor_phone == debtor_phone);
  BOOST_TEST(chat.debtor_id == debtor);
  BOOST_TEST(chat.campaign_id == campaign);
  BOOST_TEST(chat.priority == "URGENTE"); // 120 days overdue
  BOOST_TEST(chat.status == "queued");
  BOOST_TEST(chat.agent_id.empty());
  BOOST_TEST(chat.unread == 0);
  BOOST_TEST(
      txn->exec("select contact_name from chats where id = " + txn->quote(chat.id.value))[0][0]
          .as<std::string>() == "Ana");
}

BOOST_FIXTURE_TEST_CASE(open_twice_returns_the_same_chat, chat_fixture) {
  auto first = open(debtor_phone);
  auto second = open(debtor_phone);
  BOOST_TEST(second.id.value == first.id.value);
  BOOST_TEST(txn->exec("select count(*) from chats")[0][0].as<int>() == 1);
}

BOOST_FIXTURE_TEST_CASE(a_phone_without_debtor_opens_a_low_priority_chat, chat_fixture) {
  auto chat = open(stranger_phone);
  BOOST_TEST(!chat.id.value.empty());
  BOOST_TEST(chat.debtor_id.empty());
  BOOST_TEST(chat.priority == "BAJA");
  BOOST_TEST(chat.campaign_id == campaign);
}

BOOST_FIXTURE_TEST_CASE(a_closed_chat_is_not_reopened, chat_fixture) {
  auto closed = open(debtor_phone);
  txn->exec("update chats set status = 'closed', closed_at = now() where id = " +
            txn->quote(closed.id.value));
  auto fresh = open(debtor_phone);
  BOOST_TEST(fresh.id.value != closed.id.value);
  BOOST_TEST(fresh.status == "queued");
  BOOST_TEST(fresh.debtor_id == debtor);
}

BOOST_FIXTURE_TEST_CASE(load_open_lists_only_chats_that_are_not_closed, chat_fixture) {
  auto closed = open(debtor_phone);
  txn->exec("update chats set status = 'closed' where id = " + txn->quote(closed.id.value));
  auto reopened = open(debtor_phone);
  auto stranger = open(stranger_phone);
  txn->exec("update chats set status = 'bot' where id = " + txn->quote(stranger.id.value));
  auto expected = std::vector<std::string>{reopened.id.value, stranger.id.value};
  std::sort(expected.begin(), expected.end());
  BOOST_TEST(ids_of(repository::load_open(*txn)) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
