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
      : sys{cfg}, self{sys, true}, sched{dynamic_cast<caf::scheduler::test_coordinator&>(
                                       sys.scheduler())} {}

  /// Pending request timeouts keep their actors alive: fire them so the system can end.
  ~deterministic_fixture() {
    run();
    for (int rounds = 0; rounds < 1000 && sched.trigger_timeouts() > 0; ++rounds)
      run();
  }

  /// Runs every actor until nothing is left to do. Timers fire only when advance() moves
  /// the clock past them.
  void run() { sched.run(); }

  /// Moves the clock forward (firing the timers that fall due), then runs.
  void advance(caf::timespan d) {
    sched.advance_time(d);
    run();
  }

  /// Wall-clock time that moves with the test clock (for code that compares stored times).
  std::chrono::system_clock::time_point wall_now() const {
    return wall_start + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            sched.clock().now() - clock_start);
  }

  /// White-box access to an actor's state (only between run() calls).
  template <class State, class Handle>
  State& state_of(const Handle& h) {
    using pointer = actor_pointer<Handle, State>;
    return caf::actor_cast<pointer>(h)->state;
  }

  config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  caf::scheduler::test_coordinator& sched;
  caf::actor_clock::time_point clock_start = sched.clock().now();
  std::chrono::system_clock::time_point wall_start = std::chrono::system_clock::now();
};

} // namespace crm::test
