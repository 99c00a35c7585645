#pragma once

#include "tests/support/deterministic_fixture.hpp"
#include "tests/support/mocks.hpp"

#include <boost/test/unit_test.hpp>

namespace crm::test {

/// The deterministic system plus a scripted mock STORAGE.
struct actor_fixture : deterministic_fixture {
  actor_fixture()
      : script{std::make_shared<storage_script>()}, storage{sys.spawn(mock_storage, script)} {}

  static inbound_envelope envelope(const std::string& phone, const std::string& provider_id) {
    inbound_message m;
    m.provider_id = provider_id;
    m.from = phone;
    m.type = "text";
    m.text = "hola";
    m.timestamp = 1764230000;
    return {number_id{"number-1"}, std::move(m)};
  }

  /// The next reply waiting in the test's mailbox.
  inbound_ack next_ack() {
    inbound_ack result;
    self->receive(
        [&](inbound_ack& ack) { result = std::move(ack); },
        [&](caf::error& err) { BOOST_FAIL("expected an ack, got " << caf::to_string(err)); });
    return result;
  }

  caf::error next_error() {
    caf::error result;
    self->receive([&](inbound_ack&) { BOOST_FAIL("expected an error, got an ack"); },
                  [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  storage_script_ptr script;
  storage_actor storage;
};

} // namespace crm::test
