#pragma once

#include "actors/messages.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>

namespace crm::test {

/// An actor system on CAF's deterministic scheduler: nothing runs until the test says so,
/// and time moves only when the test advances it (Zeek Broker's fixture, for Boost.Test).
struct deterministic_fixture {
  struct config : caf::actor_system_config {
    config() {
      set("scheduler.policy", caf::atom("testing"));
      set("logger.verbosity", caf::atom("quiet"));
      add_message_types<caf::id_block::crm>();
    }
  };

  deterministic_fixture()
    : sys{cfg}, self{sys, true},
      sched{dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())} {}

  /// Runs every actor until nothing is left to do, firing due timeouts.
  void run() {
    do
      sched.run();
    while (sched.trigger_timeouts() > 0);
  }

  /// Moves the clock forward, then runs.
  void advance(caf::timespan d) {
    sched.advance_time(d);
    run();
  }

  /// White-box access to an actor's state (only between run() calls).
  template <class State, class Handle>
  State& state_of(const Handle& h) {
    using pointer = typename Handle::template stateful_pointer<State>;
    return caf::actor_cast<pointer>(h)->state;
  }

  config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  caf::scheduler::test_coordinator& sched;
};

} // namespace crm::test
