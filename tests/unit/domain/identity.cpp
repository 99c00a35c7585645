#include "domain/access.hpp"
#include "domain/password.hpp"
#include "domain/permissions.hpp"
#include "domain/totp.hpp"

#include <boost/test/unit_test.hpp>

using namespace crm;

BOOST_AUTO_TEST_SUITE(identity)

// RFC 6238 appendix B, SHA-1 column (8 digits; the secret is the ASCII of "1234567890" x 2).
BOOST_AUTO_TEST_CASE(totp_matches_the_rfc_6238_test_vectors) {
  const std::string secret = "12345678901234567890";
  BOOST_CHECK_EQUAL(totp::code_at(secret, 59, 8), "94287082");
  BOOST_CHECK_EQUAL(totp::code_at(secret, 1111111109, 8), "07081804");
  BOOST_CHECK_EQUAL(totp::code_at(secret, 1111111111, 8), "14050471");
  BOOST_CHECK_EQUAL(totp::code_at(secret, 1234567890, 8), "89005924");
  BOOST_CHECK_EQUAL(totp::code_at(secret, 2000000000, 8), "69279037");
  BOOST_CHECK_EQUAL(totp::code_at(secret, 20000000000, 8), "65353130");
}

BOOST_AUTO_TEST_CASE(totp_accepts_one_step_of_drift_and_never_the_same_step_twice) {
  auto secret = totp::new_secret();
  BOOST_REQUIRE_EQUAL(secret.size(), 20u);
  const std::int64_t now = 1764230000; // step 58807666, 20 s into it
  auto step = now / 30;
  auto code = totp::code_at(secret, now);
  BOOST_CHECK_EQUAL(code.size(), 6u);
  BOOST_CHECK_EQUAL(*totp::verify(secret, code, now, 0), step);
  BOOST_CHECK_EQUAL(*totp::verify(secret, totp::code_at(secret, now - 30), now, 0), step - 1);
  BOOST_CHECK_EQUAL(*totp::verify(secret, totp::code_at(secret, now + 30), now, 0), step + 1);
  BOOST_CHECK(!totp::verify(secret, totp::code_at(secret, now - 60), now, 0));
  BOOST_CHECK(!totp::verify(secret, totp::code_at(secret, now + 60), now, 0));
  // Replay: the step already used (or an older one) is refused.
  BOOST_CHECK(!totp::verify(secret, code, now, step));
  BOOST_CHECK(!totp::verify(secret, totp::code_at(secret, now - 30), now, step));
  BOOST_CHECK(!totp::verify(secret, "12345", now, 0));
  BOOST_CHECK(!totp::verify(secret, "", now, 0));
}

BOOST_AUTO_TEST_CASE(the_secret_travels_as_base32_in_an_otpauth_uri) {
  const std::string secret = "12345678901234567890";
  BOOST_CHECK_EQUAL(totp::base32(secret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  BOOST_CHECK_EQUAL(totp::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), secret);
  auto uri = totp::otpauth_uri("CRM Cobranzas", "laura@demo.crm", secret);
  BOOST_CHECK_EQUAL(uri, "otpauth://totp/CRM%20Cobranzas:laura@demo.crm?secret="
                         "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=CRM%20Cobranzas&algorithm=SHA1"
                         "&digits=6&period=30");
}

BOOST_AUTO_TEST_CASE(argon2id_round_trip_and_policy) {
  auto hash = hash_password("correct horse battery");
  BOOST_CHECK(hash.rfind("$argon2id$", 0) == 0);
  BOOST_CHECK(verify_password("correct horse battery", hash));
  BOOST_CHECK(!verify_password("correct horse batterY", hash));
  BOOST_CHECK(hash_password("correct horse battery") != hash); // salted
  BOOST_CHECK(password_policy_violation("short"));
  BOOST_CHECK(!password_policy_violation("ten chars!"));
}

BOOST_AUTO_TEST_CASE(the_access_table_refuses_stale_tokens_and_unknown_grants) {
  access_table t;
  t.users["u1"] = {"agent", 3, true};
  t.users["u2"] = {"agent", 0, false};
  for (auto& p : permissions_of("agent"))
    t.roles["agent"].insert(p);
  BOOST_CHECK_EQUAL(t.refusal("u1", "agent", 3), "");
  BOOST_CHECK_EQUAL(t.refusal("u1", "agent", 2), "token revoked");
  BOOST_CHECK_EQUAL(t.refusal("u1", "supervisor", 3), "token revoked");
  BOOST_CHECK_EQUAL(t.refusal("u2", "agent", 0), "user deactivated");
  BOOST_CHECK_EQUAL(t.refusal("u9", "agent", 0), "unknown user");
  BOOST_CHECK(t.allows("agent", "messages:create"));
  BOOST_CHECK(!t.allows("agent", "queue:update"));
  BOOST_CHECK(!t.allows("janitor", "chats:read"));
}

BOOST_AUTO_TEST_CASE(the_system_roles_come_from_one_data_file) {
  auto roles = system_roles();
  BOOST_REQUIRE_EQUAL(roles.size(), 5u);
  BOOST_CHECK_EQUAL(roles[0].name, "super_admin");
  BOOST_CHECK_EQUAL(roles[0].permissions.size(), 48u);
  for (auto& r : roles)
    BOOST_CHECK_MESSAGE(!r.description.empty(), r.name);
}

BOOST_AUTO_TEST_SUITE_END()
