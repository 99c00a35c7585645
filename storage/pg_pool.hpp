#pragma once

#include "actors/interfaces.hpp"
#include "storage/write_batcher.hpp"

#include <caf/actor_system.hpp>

#include <string>
#include <vector>

namespace crm::storage {

/// State of the STORAGE: writes go to the WRITE BATCHER, reads to the reader WORKERS in
/// turn (each worker's mailbox queues what it cannot take yet).
struct pg_pool_state {
  static inline const char* name = "storage";
  // Not an aggregate: CAF would otherwise try to build the state from the actor pointer.
  pg_pool_state() = default;
  write_batcher_actor batcher;
  std::vector<pg_worker_actor> readers;
  size_t next_reader = 0;
  const pg_worker_actor& reader();
};

/// The detached workers and the batcher behind a STORAGE, for explicit shutdown.
struct storage_parts {
  storage_actor storage;
  write_batcher_actor batcher;
  std::vector<pg_worker_actor> workers;
};

/// Spawns `readers + writers` detached workers, the batcher and the STORAGE in front.
storage_parts spawn_storage(caf::actor_system& sys, const std::string& url, size_t readers,
                            size_t writers, batch_policy policy);

/// Commits every write queued so far; false when one failed or it took longer than `wait`.
bool flush_storage(caf::actor_system& sys, const storage_parts& parts,
                   std::chrono::milliseconds wait);

/// Stops the workers explicitly (CAF 0.17 can hang at shutdown on detached actors).
void stop_storage(const storage_parts& parts);

} // namespace crm::storage
