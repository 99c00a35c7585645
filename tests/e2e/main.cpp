#define BOOST_TEST_MODULE crm_e2e_tests
#include <boost/test/unit_test.hpp>

#include <csignal>

namespace {

/// Tests kill the server under load: a write to its dead socket must fail the request (the
/// client sees no answer and retries), not end the test process with SIGPIPE.
struct ignore_sigpipe {
  ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }
};

} // namespace

BOOST_TEST_GLOBAL_FIXTURE(ignore_sigpipe);
