#include "domain/permissions.hpp"

#include <boost/test/unit_test.hpp>

using namespace crm;

BOOST_AUTO_TEST_SUITE(permissions)

BOOST_AUTO_TEST_CASE(there_are_48_permissions_over_12_modules_and_4_actions) {
  BOOST_CHECK_EQUAL(all_permissions().size(), 48u);
  BOOST_CHECK_EQUAL(permission_modules().size(), 12u);
  BOOST_CHECK_EQUAL(all_permissions().front(), "users:create");
  BOOST_CHECK_EQUAL(all_permissions().back(), "audit:delete");
}

BOOST_AUTO_TEST_CASE(each_system_role_holds_what_its_job_needs) {
  BOOST_CHECK_EQUAL(permissions_of("super_admin").size(), 48u);
  // supervisor: everything but changing roles and the audit log
  BOOST_CHECK_EQUAL(permissions_of("supervisor").size(), 48u - 6u);
  BOOST_CHECK(role_has("supervisor", "queue:update"));
  BOOST_CHECK(role_has("supervisor", "audit:read"));
  BOOST_CHECK(!role_has("supervisor", "roles:update"));
  BOOST_CHECK(!role_has("supervisor", "audit:delete"));
  BOOST_CHECK(role_has("agent", "messages:create"));
  BOOST_CHECK(!role_has("agent", "queue:read"));
  BOOST_CHECK(!role_has("agent", "users:update"));
  for (auto& p : permissions_of("quality"))
    BOOST_CHECK_MESSAGE(p.ends_with(":read"), p);
  BOOST_CHECK_EQUAL(permissions_of("auditor").size(), 5u);
}

BOOST_AUTO_TEST_CASE(unknown_roles_and_permissions_grant_nothing) {
  BOOST_CHECK(!role_has("janitor", "chats:read"));
  BOOST_CHECK(!role_has("super_admin", "chats:fly"));
  BOOST_CHECK(!role_has("super_admin", "chats"));
  BOOST_CHECK(permissions_of("janitor").empty());
}

BOOST_AUTO_TEST_SUITE_END()
