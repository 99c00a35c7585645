#define BOOST_TEST_MODULE crm_e2e_tests
#include <boost/test/unit_test.hpp>
