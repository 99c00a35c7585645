// SIGTERM under load: the server stops accepting, answers what it took, flushes its writes,
// closes WebSockets with 1001 and a reason, and exits 0; every webhook it acknowledged is
// in the database.
#include "tests/e2e/dispatch_fixture.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/test/unit_test.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace crm::test;

BOOST_AUTO_TEST_SUITE(graceful_shutdown)

BOOST_FIXTURE_TEST_CASE(sigterm_under_load_loses_nothing_acknowledged, dispatch_fixture) {
  extra_env["CRM_SHUTDOWN_GRACE_SECONDS"] = "10";
  extra_env["CRM_HTTP_THREADS"] = "2";
  // Writes wait a little for company: at SIGTERM some are always queued, not yet committed.
  extra_env["CRM_BATCH_MAX_DELAY_MS"] = "20";
  restart();
  ws_client watcher{server->port(), token(supervisor, "supervisor")};
  BOOST_REQUIRE(watcher.connected());

  struct outcome {
    std::string wamid;
    int status;
  };
  std::mutex mutex;
  std::vector<outcome> outcomes;
  std::atomic<bool> stop{false};
  std::vector<std::thread> senders;
  for (int t = 0; t < 6; ++t)
    senders.emplace_back([&, t] {
      int refused = 0;
      for (int i = 0; !stop && refused < 3 && i < 100000; ++i) {
        auto wamid = "wamid.stop." + std::to_string(t) + "." + std::to_string(i);
        auto phone = "5730055" + std::to_string(10000 + t * 1000 + i % 1000);
        auto body = meta_text_webhook(phone_number_id, phone, wamid, "mensaje " + wamid);
        auto res = http_request(server->port(), "POST", "/api/v1/webhooks/meta", body,
                                {{"X-Hub-Signature-256", meta_signature(secret, body)}});
        refused = res.status == 0 ? refused + 1 : 0;
        std::lock_guard lock{mutex};
        outcomes.push_back({wamid, res.status});
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto status = server->stop(); // SIGTERM, then waits for the exit
  stop = true;
  for (auto& t : senders)
    t.join();
  auto output = server->output();
  server.reset();

  BOOST_CHECK_MESSAGE(status == 0, "exit status " << status << "\n" << output);
  BOOST_CHECK(output.find("every request in flight answered") != std::string::npos);
  BOOST_CHECK(output.find("storage flushed") != std::string::npos);

  std::vector<std::string> acknowledged;
  int refused = 0, failed = 0;
  for (auto& o : outcomes) {
    if (o.status == 200)
      acknowledged.push_back(o.wamid);
    else if (o.status == 0)
      ++refused;
    else if (o.status != 503)
      ++failed;
  }
  auto stopped = output.find("crm-server stopped");
  BOOST_TEST_MESSAGE(acknowledged.size()
                     << " acknowledged, " << refused << " refused; "
                     << (stopped == std::string::npos
                             ? std::string{"no stop line"}
                             : output.substr(stopped, output.find('\n', stopped) - stopped)));
  BOOST_CHECK_GT(acknowledged.size(), 50u); // the load really ran
  BOOST_CHECK_GT(refused, 0);               // and the server stopped taking new work
  BOOST_CHECK_EQUAL(failed, 0);
  // Nothing acknowledged is lost, and nothing taken goes unanswered: a request the server
  // took in was committed and answered 200 before the exit; the only ones not answered are
  // those it never took (connection refused). A stop that dropped requests in flight would
  // leave messages stored whose senders saw no answer.
  std::set<std::string> acked{acknowledged.begin(), acknowledged.end()}, stored;
  pqxx::connection conn{db.url()};
  pqxx::nontransaction q{conn};
  for (auto row : q.exec("select provider_id from messages where provider_id like 'wamid.stop.%'"))
    stored.insert(row[0].as<std::string>());
  for (auto& w : acked)
    BOOST_CHECK_MESSAGE(stored.count(w), w << " was acknowledged but is not stored");
  for (auto& w : stored)
    BOOST_CHECK_MESSAGE(acked.count(w), w << " is stored but its sender got no answer");

  // The browser was told why (and reconnects to the next process).
  while (watcher.read(std::chrono::milliseconds(2000)))
    ;
  BOOST_CHECK_EQUAL(watcher.close_code(), 1001);
  BOOST_CHECK_EQUAL(watcher.close_reason(), "server shutting down");
}

BOOST_AUTO_TEST_SUITE_END()
