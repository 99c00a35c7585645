#include "storage/write_batcher.hpp"

#include "actors/timeouts.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <algorithm>

namespace crm::storage {

size_t write_batcher_state::pending::rows() const {
  return batch.messages.size() + batch.statuses.size() + batch.events.size();
}

template <class Item, class Reply>
caf::result<Reply>
write_batcher_state::enqueue(std::vector<Item>& items,
                             std::vector<caf::typed_response_promise<Reply>>& promises,
                             Item&& item) {
  items.push_back(std::move(item));
  promises.push_back(self->make_response_promise<Reply>());
  auto rp = promises.back();
  on_enqueue();
  return rp;
}

void write_batcher_state::on_enqueue() {
  if (waiting.rows() >= policy.max_rows || policy.max_delay.count() == 0) {
    flush();
  } else if (!timer_armed) {
    timer_armed = true;
    self->delayed_send(self, policy.max_delay, atom::flush_v);
  }
}

namespace {

/// Moves up to `n` rows from `from` into a new batch, oldest first, keeping promise order.
write_batcher_state::pending take(write_batcher_state::pending& from, size_t n) {
  write_batcher_state::pending out;
  auto move_front = [&n](auto& src, auto& dst, auto& psrc, auto& pdst) {
    auto k = std::min(n, src.size());
    dst.insert(dst.end(), std::make_move_iterator(src.begin()),
               std::make_move_iterator(src.begin() + k));
    src.erase(src.begin(), src.begin() + k);
    pdst.insert(pdst.end(), std::make_move_iterator(psrc.begin()),
                std::make_move_iterator(psrc.begin() + k));
    psrc.erase(psrc.begin(), psrc.begin() + k);
    n -= k;
  };
  move_front(from.batch.messages, out.batch.messages, from.message_promises, out.message_promises);
  move_front(from.batch.statuses, out.batch.statuses, from.status_promises, out.status_promises);
  move_front(from.batch.events, out.batch.events, from.event_promises, out.event_promises);
  return out;
}

} // namespace

void write_batcher_state::flush() {
  for (size_t w = 0; w < writers.size() && waiting.rows() > 0; ++w)
    if (!busy[w])
      dispatch(w, waiting.rows() <= policy.max_rows ? std::exchange(waiting, pending{})
                                                    : take(waiting, policy.max_rows));
}

void write_batcher_state::dispatch(size_t writer, pending p) {
  busy[writer] = true;
  auto shared = std::make_shared<pending>(std::move(p));
  self->request(writers[writer], timeouts::commit, shared->batch)
      .then(
          [this, writer, shared](write_batch_result& result) {
            busy[writer] = false;
            for (size_t i = 0; i < shared->message_promises.size(); ++i)
              shared->message_promises[i].deliver(std::move(result.acks.at(i)));
            for (auto& rp : shared->status_promises)
              rp.deliver(atom::ok_v);
            for (auto& rp : shared->event_promises)
              rp.deliver(atom::ok_v);
            flush();
          },
          [this, writer, shared](caf::error& err) {
            busy[writer] = false;
            for (auto& rp : shared->message_promises)
              rp.deliver(err);
            for (auto& rp : shared->status_promises)
              rp.deliver(err);
            for (auto& rp : shared->event_promises)
              rp.deliver(err);
            flush();
          });
}

write_batcher_actor::behavior_type
write_batcher(write_batcher_actor::stateful_pointer<write_batcher_state> self,
              std::vector<pg_worker_actor> writers, batch_policy policy) {
  auto& st = self->state;
  st.busy.assign(writers.size(), false);
  st.writers = std::move(writers);
  st.policy = policy;
  return {
      [self](append_message& msg) {
        auto& w = self->state.waiting;
        return self->state.enqueue(w.batch.messages, w.message_promises, std::move(msg));
      },
      [self](status_event& ev) {
        auto& w = self->state.waiting;
        return self->state.enqueue(w.batch.statuses, w.status_promises, std::move(ev));
      },
      [self](provider_event& ev) {
        auto& w = self->state.waiting;
        return self->state.enqueue(w.batch.events, w.event_promises, std::move(ev));
      },
      [self](atom::flush) {
        self->state.timer_armed = false;
        self->state.flush();
      },
  };
}

} // namespace crm::storage
