#define BOOST_TEST_MODULE crm_unit_tests
#include <boost/test/unit_test.hpp>
