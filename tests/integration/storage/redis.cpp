#include "storage/redis.hpp"

#include "domain/error.hpp"
#include "tests/support/environment.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using crm::storage::parse_redis_url;
using crm::storage::redis_endpoint;

/// Two scheduler threads (the machine has two cores) and our message types.
struct system_config : caf::actor_system_config {
  system_config() {
    set("scheduler.max-threads", size_t{2});
    set("logger.verbosity", caf::atom("quiet"));
    add_message_types<caf::id_block::crm>();
  }
};

/// A REDIS actor, stopped explicitly when the test ends (CAF 0.17 hangs on detached actors).
struct running_redis {
  running_redis(caf::actor_system& sys, redis_endpoint endpoint)
      : actor{sys.spawn<caf::detached>(crm::storage::redis, std::move(endpoint))} {}
  ~running_redis() { caf::anon_send_exit(actor, caf::exit_reason::user_shutdown); }
  running_redis(const running_redis&) = delete;
  running_redis& operator=(const running_redis&) = delete;

  crm::redis_actor actor;
};

/// Asks REDIS for a PING and waits for the answer.
caf::expected<crm::atom::ok> ping(caf::actor_system& sys, const crm::redis_actor& redis) {
  caf::scoped_actor self{sys};
  caf::expected<crm::atom::ok> result{caf::sec::request_timeout};
  self->request(redis, caf::duration{10s}, crm::atom::ping_v)
      .receive([&](crm::atom::ok ok) { result = ok; },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

/// The endpoint of the test Redis (scripts/test starts it).
redis_endpoint test_redis() {
  auto url = crm::test::required_env("CRM_TEST_REDIS_URL");
  auto endpoint = parse_redis_url(url);
  BOOST_TEST_REQUIRE(endpoint.has_value(), "CRM_TEST_REDIS_URL is not a redis URL: " << url);
  return *endpoint;
}

/// A loopback TCP port nobody listens on.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

struct url_case {
  const char* url;
  const char* host;
  int port;
  int db;
  const char* password;
};

const url_case well_formed[] = {
    {"redis://127.0.0.1:6380/2", "127.0.0.1", 6380, 2, ""},
    {"redis://cache.internal", "cache.internal", 6379, 0, ""},
    {"redis://localhost:6379/", "localhost", 6379, 0, ""},
    {"redis://:s3cret@cache.internal:6390/5", "cache.internal", 6390, 5, "s3cret"},
    {"redis://crm:s3cret@10.0.0.7/1", "10.0.0.7", 6379, 1, "s3cret"},
};

const char* const malformed[] = {
    "http://127.0.0.1:6379/0", "127.0.0.1:6379",         "redis://cache:port/0",
    "redis://cache:/0",        "redis://cache:0/0",      "redis://cache:-5/0",
    "redis://cache:6379x/0",   "redis://cache:6379/one", "redis://cache:6379/1x",
    "redis://cache:70000/0",   "redis://cache:6379/-1",
};

} // namespace

BOOST_AUTO_TEST_SUITE(redis)

BOOST_AUTO_TEST_CASE(a_url_gives_host_port_db_and_password) {
  for (auto& c : well_formed) {
    BOOST_TEST_CONTEXT(c.url) {
      auto endpoint = parse_redis_url(c.url);
      BOOST_TEST(endpoint.has_value());
      if (!endpoint)
        continue;
      BOOST_TEST(endpoint->host == c.host);
      BOOST_TEST(endpoint->port == c.port);
      BOOST_TEST(endpoint->db == c.db);
      BOOST_TEST(endpoint->password == c.password);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_malformed_url_is_refused) {
  for (auto url : malformed)
    BOOST_TEST(!parse_redis_url(url).has_value(), url << " was accepted");
}

BOOST_AUTO_TEST_CASE(a_running_redis_answers_ping_with_ok) {
  system_config cfg;
  caf::actor_system sys{cfg};
  running_redis aut{sys, test_redis()};
  auto answer = ping(sys, aut.actor);
  BOOST_TEST(answer.engaged(), "ping failed: " << (answer ? "" : to_string(answer.error())));
}

BOOST_AUTO_TEST_CASE(a_redis_that_is_down_answers_storage_unavailable) {
  system_config cfg;
  caf::actor_system sys{cfg};
  auto endpoint = redis_endpoint{};
  endpoint.port = closed_port();
  running_redis aut{sys, endpoint};
  auto start = std::chrono::steady_clock::now();
  auto answer = ping(sys, aut.actor);
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST_REQUIRE(!answer.engaged(), "ping succeeded on closed port " << endpoint.port);
  BOOST_TEST((crm::code_of(answer.error()) == crm::ec::storage_unavailable),
             "answered " << to_string(answer.error()));
  BOOST_TEST(took < 3s, "took " << std::chrono::duration<double>(took).count() << " s");
}

// A connection whose SELECT failed must not be reused on database 0.
BOOST_AUTO_TEST_CASE(a_database_redis_refuses_stays_refused) {
  system_config cfg;
  caf::actor_system sys{cfg};
  auto endpoint = test_redis();
  endpoint.db = 99; // Redis has 16 databases unless configured otherwise
  running_redis aut{sys, endpoint};
  BOOST_TEST(!ping(sys, aut.actor).engaged(), "first ping succeeded on database 99");
  BOOST_TEST(!ping(sys, aut.actor).engaged(), "second ping succeeded on database 99");
}

BOOST_AUTO_TEST_SUITE_END()
