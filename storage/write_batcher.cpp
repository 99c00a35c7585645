#include "storage/write_batcher.hpp"

#include "actors/timeouts.hpp"
#include "domain/error.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <algorithm>

namespace crm::storage {

size_t write_batcher_state::pending::rows() const {
  return batch.size();
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
  move_front(from.batch.opens, out.batch.opens, from.open_promises, out.open_promises);
  move_front(from.batch.messages, out.batch.messages, from.message_promises, out.message_promises);
  move_front(from.batch.statuses, out.batch.statuses, from.status_promises, out.status_promises);
  move_front(from.batch.events, out.batch.events, from.event_promises, out.event_promises);
  move_front(from.batch.attempts, out.batch.attempts, from.attempt_promises, out.attempt_promises);
  move_front(from.batch.outcomes, out.batch.outcomes, from.outcome_promises, out.outcome_promises);
  move_front(from.batch.audits, out.batch.audits, from.audit_promises, out.audit_promises);
  return out;
}

} // namespace

void write_batcher_state::flush() {
  for (size_t w = 0; w < writers.size(); ++w) {
    if (busy[w])
      continue;
    if (!isolating.empty()) {
      dispatch(w, std::move(isolating.front()));
      isolating.pop_front();
    } else if (waiting.rows() > 0) {
      dispatch(w, waiting.rows() <= policy.max_rows ? std::exchange(waiting, pending{})
                                                    : take(waiting, policy.max_rows));
    }
  }
}

void write_batcher_state::answer_drained() {
  if (drained.empty() || waiting.rows() > 0 || !isolating.empty() ||
      std::find(busy.begin(), busy.end(), true) != busy.end())
    return;
  for (auto& rp : drained)
    rp.deliver(!lost);
  drained.clear();
}

bool write_batcher_state::isolate(pending& failed, const caf::error& err) {
  // Only a row the database refuses is worth isolating; an outage fails every row alike.
  auto code = code_of(err);
  if (failed.rows() < 2 || code == ec::none || code == ec::storage_unavailable)
    return false;
  auto first = take(failed, failed.rows() / 2);
  isolating.push_back(std::move(first));
  isolating.push_back(std::move(failed));
  return true;
}

void write_batcher_state::dispatch(size_t writer, pending p) {
  busy[writer] = true;
  auto shared = std::make_shared<pending>(std::move(p));
  self->request(writers[writer], timeouts::commit, shared->batch)
      .then(
          [this, writer, shared](write_batch_result& result) {
            busy[writer] = false;
            shared->deliver(result);
            flush();
            answer_drained();
          },
          [this, writer, shared](caf::error& err) {
            busy[writer] = false;
            if (!isolate(*shared, err)) {
              shared->fail(err);
              lost = true;
            }
            flush();
            answer_drained();
          });
}

void write_batcher_state::pending::deliver(write_batch_result& result) {
  for (size_t i = 0; i < open_promises.size(); ++i) {
    auto& chat = result.chats.at(i);
    if (chat.id.value.empty())
      open_promises[i].deliver(
          make_error(ec::not_found, "no WhatsApp number " + batch.opens[i].number.value));
    else
      open_promises[i].deliver(std::move(chat));
  }
  for (size_t i = 0; i < message_promises.size(); ++i)
    message_promises[i].deliver(std::move(result.acks.at(i)));
  // Each status learns which message it moved (several statuses may share a message).
  for (size_t i = 0; i < status_promises.size(); ++i) {
    auto& s = batch.statuses[i];
    std::vector<message_status_changed> moved;
    for (auto& c : result.changed)
      if (c.number == s.number && c.provider_id == s.status.provider_id)
        moved.push_back(c);
    status_promises[i].deliver(std::move(moved));
  }
  for (auto& rp : event_promises)
    rp.deliver(atom::ok_v);
  for (size_t i = 0; i < attempt_promises.size(); ++i) {
    if (result.attempted.at(i))
      attempt_promises[i].deliver(atom::ok_v);
    else
      attempt_promises[i].deliver(
          make_error(ec::not_found, "no outbound message " + batch.attempts[i].value));
  }
  for (size_t i = 0; i < outcome_promises.size(); ++i) {
    auto& r = result.recorded.at(i);
    if (r.id.value.empty())
      outcome_promises[i].deliver(
          make_error(ec::not_found, "no outbound message " + batch.outcomes[i].id.value));
    else
      outcome_promises[i].deliver(std::move(r));
  }
  for (auto& rp : audit_promises)
    rp.deliver(atom::ok_v);
}

void write_batcher_state::pending::fail(const caf::error& err) {
  for (auto& rp : open_promises)
    rp.deliver(err);
  for (auto& rp : message_promises)
    rp.deliver(err);
  for (auto& rp : status_promises)
    rp.deliver(err);
  for (auto& rp : event_promises)
    rp.deliver(err);
  for (auto& rp : attempt_promises)
    rp.deliver(err);
  for (auto& rp : outcome_promises)
    rp.deliver(err);
  for (auto& rp : audit_promises)
    rp.deliver(err);
}

write_batcher_actor::behavior_type
write_batcher(actor_pointer<write_batcher_actor, write_batcher_state> self,
              std::vector<pg_worker_actor> writers, batch_policy policy) {
  auto& st = self->state;
  st.busy.assign(writers.size(), false);
  st.writers = std::move(writers);
  st.policy = policy;
  return {
      [self](open_chat_request& req) {
        auto& w = self->state.waiting;
        return self->state.enqueue(w.batch.opens, w.open_promises, std::move(req));
      },
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
      [self](atom::attempt, message_id& id) {
        auto& w = self->state.waiting;
        return self->state.enqueue(w.batch.attempts, w.attempt_promises, std::move(id));
      },
      [self](audit_entry& e) {
        auto& w = self->state.waiting;
        return self->state.enqueue(w.batch.audits, w.audit_promises, std::move(e));
      },
      [self](send_outcome& o) {
        auto& w = self->state.waiting;
        return self->state.enqueue(w.batch.outcomes, w.outcome_promises, std::move(o));
      },
      [self](atom::flush) {
        self->state.timer_armed = false;
        self->state.flush();
      },
      [self](atom::flush, atom::ok) -> caf::result<bool> {
        auto& st = self->state;
        st.flush();
        st.drained.push_back(self->make_response_promise<bool>());
        auto rp = st.drained.back();
        st.answer_drained();
        return rp;
      },
  };
}

} // namespace crm::storage
