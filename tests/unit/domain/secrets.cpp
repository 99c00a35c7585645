#include "domain/secrets.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>

BOOST_AUTO_TEST_SUITE(secrets)

const std::string key(64, 'a');

BOOST_AUTO_TEST_CASE(a_sealed_secret_opens_with_its_key_only) {
  crm::secret_box box{key};
  auto sealed = box.seal(R"({"accessToken":"EAAG-secret"})");
  BOOST_CHECK(sealed.find("EAAG") == std::string::npos);
  auto plain = box.open(sealed);
  BOOST_REQUIRE(plain);
  BOOST_CHECK_EQUAL(*plain, R"({"accessToken":"EAAG-secret"})");
  BOOST_CHECK(box.seal("x") != box.seal("x")); // a fresh nonce each time
  crm::secret_box other{std::string(64, 'b')};
  BOOST_CHECK(!other.open(sealed));
}

BOOST_AUTO_TEST_CASE(tampering_and_bad_keys_are_refused) {
  crm::secret_box box{key};
  auto sealed = box.seal("token");
  sealed[sealed.size() / 2] = sealed[sealed.size() / 2] == 'A' ? 'B' : 'A';
  BOOST_CHECK(!box.open(sealed));
  BOOST_CHECK(!box.open("not base64 at all!"));
  BOOST_CHECK_THROW(crm::secret_box{"abc"}, std::invalid_argument);
  BOOST_CHECK_THROW(crm::secret_box{std::string(64, 'z')}, std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
