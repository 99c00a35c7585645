#pragma once

#include "metrics/metrics.hpp"

#include <caf/invoke_message_result.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/stateful_actor.hpp>

#include <atomic>
#include <cstdint>

namespace crm {

/// Every actor of the service runs on this base: it counts the messages waiting in its
/// mailbox and those it processed, summed per actor type for /metrics. CAF 0.17 has no
/// telemetry of its own, and counting at enqueue and consume is exact without touching the
/// mailbox (which only its owner may walk).
template <class Base>
class instrumented : public Base {
 public:
  using Base::Base;
  using Base::enqueue;

  ~instrumented() override {
    auto* s = stats_.load(std::memory_order_acquire);
    if (!s)
      return;
    s->live.Decrement();
    // Messages left behind at exit were never processed.
    if (auto left = pending_.load(std::memory_order_relaxed); left > 0)
      s->queued.Decrement(static_cast<double>(left));
  }

  void enqueue(caf::mailbox_element_ptr what, caf::execution_unit* host) override {
    auto& s = stats();
    auto depth = pending_.fetch_add(1, std::memory_order_relaxed) + 1;
    s.queued.Increment();
    s.note_depth(depth);
    Base::enqueue(std::move(what), host);
  }

  caf::invoke_message_result consume(caf::mailbox_element& x) override {
    auto result = Base::consume(x);
    if (result != caf::invoke_message_result::skipped) { // a skipped one comes back later
      auto& s = stats();
      pending_.fetch_sub(1, std::memory_order_relaxed);
      s.queued.Decrement();
      s.processed.Increment();
    }
    return result;
  }

 private:
  metrics::actor_type_stats& stats() {
    auto* s = stats_.load(std::memory_order_acquire);
    if (!s) {
      // Senders race here on the first messages: exactly one of them counts the actor.
      auto* found = &metrics::actor_type(this->name());
      if (stats_.compare_exchange_strong(s, found, std::memory_order_acq_rel)) {
        found->live.Increment();
        s = found;
      } // else `s` is what the winner stored
    }
    return *s;
  }

  std::atomic<std::int64_t> pending_{0};
  std::atomic<metrics::actor_type_stats*> stats_{nullptr};
};

/// The pointer an actor's behaviour function takes: `actor_pointer<chat_actor, chat_state>`
/// in place of CAF's `chat_actor::stateful_pointer<chat_state>`.
template <class Handle, class State>
using actor_pointer = caf::stateful_actor<State, instrumented<typename Handle::base>>*;

} // namespace crm
