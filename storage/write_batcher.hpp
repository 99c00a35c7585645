#pragma once

#include "actors/interfaces.hpp"

#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <deque>
#include <vector>

namespace crm::storage {

/// Group-commit settings.
struct batch_policy {
  size_t max_rows = 512;
  std::chrono::milliseconds max_delay{2};
};

/// State of the WRITE BATCHER: writes wait here with their promises until a WRITER is free;
/// a whole batch is one transaction, and every promise is delivered only after its COMMIT.
/// While all writers are busy, writes accumulate: the batch grows with the load.
struct write_batcher_state {
  static inline const char* name = "write_batcher";

  /// A batch in flight and the promises it will answer.
  struct pending {
    write_batch batch;
    std::vector<caf::typed_response_promise<chat_snapshot>> open_promises;
    std::vector<caf::typed_response_promise<inbound_ack>> message_promises;
    std::vector<caf::typed_response_promise<std::vector<message_status_changed>>> status_promises;
    std::vector<caf::typed_response_promise<atom::ok>> event_promises;
    std::vector<caf::typed_response_promise<atom::ok>> attempt_promises;
    std::vector<caf::typed_response_promise<message_status_changed>> outcome_promises;
    std::vector<caf::typed_response_promise<atom::ok>> audit_promises;
    size_t rows() const;
    /// Answers every promise from the worker's result (after COMMIT).
    void deliver(write_batch_result& result);
    /// Answers every promise with the error (nothing of the batch was committed).
    void fail(const caf::error& err);
  };

  explicit write_batcher_state(actor_pointer<write_batcher_actor, write_batcher_state> self)
      : self{self} {}

  /// Queues one write with its promise; answered after the COMMIT of its batch.
  template <class Item, class Reply>
  caf::result<Reply> enqueue(std::vector<Item>& items,
                             std::vector<caf::typed_response_promise<Reply>>& promises,
                             Item&& item);

  /// Called after every enqueue: commits now, or arms the timer for a partial batch.
  void on_enqueue();

  /// Sends the waiting writes to idle writers, at most max_rows per transaction.
  void flush();

  void dispatch(size_t writer, pending p);

  /// Answers the shutdown's flush requests once nothing is queued or in flight.
  void answer_drained();

  /// A batch the database refused as a whole (one bad row) is split in halves and retried,
  /// down to single rows, so one bad row fails alone instead of taking its neighbours with
  /// it. Returns false when the error is not about the rows (e.g. the database is down).
  bool isolate(pending& failed, const caf::error& err);

  actor_pointer<write_batcher_actor, write_batcher_state> self;
  std::vector<pg_worker_actor> writers;
  std::vector<bool> busy;
  batch_policy policy;
  pending waiting;
  /// Halves of refused batches, committed as they are before anything new.
  std::deque<pending> isolating;
  bool timer_armed = false;
  std::vector<caf::typed_response_promise<bool>> drained;
  /// Some batch failed (its senders were told): the shutdown flush reports it.
  bool lost = false;
};

write_batcher_actor::behavior_type
write_batcher(actor_pointer<write_batcher_actor, write_batcher_state> self,
              std::vector<pg_worker_actor> writers, batch_policy policy);

} // namespace crm::storage
