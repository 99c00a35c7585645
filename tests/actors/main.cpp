#define BOOST_TEST_MODULE crm_actor_tests
#include <boost/test/unit_test.hpp>
