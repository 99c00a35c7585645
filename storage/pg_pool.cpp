#include "storage/pg_pool.hpp"

#include "storage/pg_worker.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace crm::storage {

const pg_worker_actor& pg_pool_state::reader() {
  auto& r = readers[next_reader];
  next_reader = (next_reader + 1) % readers.size();
  return r;
}

namespace {

storage_actor::behavior_type pg_pool(actor_pointer<storage_actor, pg_pool_state> self,
                                     write_batcher_actor batcher,
                                     std::vector<pg_worker_actor> readers) {
  self->state.batcher = std::move(batcher);
  self->state.readers = std::move(readers);
  return {
      [self](append_message& msg) { return self->delegate(self->state.batcher, std::move(msg)); },
      [self](status_event& ev) { return self->delegate(self->state.batcher, std::move(ev)); },
      [self](provider_event& ev) { return self->delegate(self->state.batcher, std::move(ev)); },
      [self](open_chat_request& req) {
        return self->delegate(self->state.batcher, std::move(req));
      },
      [self](number_lookup& req) { return self->delegate(self->state.reader(), std::move(req)); },
      [self](atom::load a) { return self->delegate(self->state.reader(), a); },
      [self](atom::load a, atom::agents b) { return self->delegate(self->state.reader(), a, b); },
      [self](atom::load a, atom::campaigns b) {
        return self->delegate(self->state.reader(), a, b);
      },
      [self](atom::load a, atom::numbers b) { return self->delegate(self->state.reader(), a, b); },
      [self](chat_assignment& a) { return self->delegate(self->state.reader(), std::move(a)); },
      [self](chat_close& c) { return self->delegate(self->state.reader(), std::move(c)); },
      [self](number_change& c) { return self->delegate(self->state.reader(), std::move(c)); },
      [self](number_query& q) { return self->delegate(self->state.reader(), std::move(q)); },
      [self](number_health& h) { return self->delegate(self->state.reader(), std::move(h)); },
      [self](outbound_message& m) { return self->delegate(self->state.reader(), std::move(m)); },
      [self](send_outcome& o) { return self->delegate(self->state.batcher, std::move(o)); },
      [self](audit_entry& e) { return self->delegate(self->state.batcher, std::move(e)); },
      [self](atom::attempt a, message_id& id) {
        return self->delegate(self->state.batcher, a, std::move(id));
      },
      [self](atom::load a, atom::outbox b, number_id& n) {
        return self->delegate(self->state.reader(), a, b, std::move(n));
      },
      [self](chat_query& q) { return self->delegate(self->state.reader(), std::move(q)); },
      [self](message_query& q) { return self->delegate(self->state.reader(), std::move(q)); },
      [self](media_query& q) { return self->delegate(self->state.reader(), std::move(q)); },
      [self](agent_status_event& ev) {
        return self->delegate(self->state.reader(), std::move(ev));
      },
      [self](atom::ping a) { return self->delegate(self->state.reader(), a); },
      // Delegated like the writes, so it reaches the batcher behind every one queued here.
      [self](atom::flush a, atom::ok b) { return self->delegate(self->state.batcher, a, b); },
  };
}

} // namespace

storage_parts spawn_storage(caf::actor_system& sys, const std::string& url, size_t readers,
                            size_t writers, batch_policy policy) {
  storage_parts parts;
  std::vector<pg_worker_actor> reader_handles, writer_handles;
  for (size_t i = 0; i < readers; ++i)
    reader_handles.push_back(sys.spawn<caf::detached>(pg_worker, url));
  for (size_t i = 0; i < writers; ++i)
    writer_handles.push_back(sys.spawn<caf::detached>(pg_worker, url));
  parts.workers = reader_handles;
  parts.workers.insert(parts.workers.end(), writer_handles.begin(), writer_handles.end());
  parts.batcher = sys.spawn(write_batcher, std::move(writer_handles), policy);
  parts.storage = sys.spawn(pg_pool, parts.batcher, std::move(reader_handles));
  return parts;
}

bool flush_storage(caf::actor_system& sys, const storage_parts& parts,
                   std::chrono::milliseconds wait) {
  caf::scoped_actor self{sys};
  bool done = false;
  self->request(parts.storage, wait, atom::flush_v, atom::ok_v)
      .receive([&](bool all_committed) { done = all_committed; }, [](caf::error&) {});
  return done;
}

void stop_storage(const storage_parts& parts) {
  caf::anon_send_exit(parts.storage, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(parts.batcher, caf::exit_reason::user_shutdown);
  for (auto& w : parts.workers)
    caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
}

} // namespace crm::storage
