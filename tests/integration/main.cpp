#define BOOST_TEST_MODULE crm_integration_tests
#include <boost/test/unit_test.hpp>
