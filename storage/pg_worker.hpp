#pragma once

#include "actors/interfaces.hpp"

#include <pqxx/connection>

#include <memory>
#include <string>

namespace crm::storage {

/// State of a storage WORKER: one PostgreSQL connection, opened lazily and reopened after
/// it breaks (so PostgreSQL can restart under a running server). Runs detached: blocking
/// libpqxx calls are allowed here and only here.
struct pg_worker_state {
  static inline const char* name = "pg_worker";
  pg_worker_state() = default;

  /// Runs `f(connection)` translating exceptions into errors; drops a broken connection.
  template <class F>
  auto guarded(const char* operation, F f)
      -> caf::expected<decltype(f(std::declval<pqxx::connection&>()))>;

  /// `guarded` for reads: a read that meets a connection dropped since its last use
  /// (PostgreSQL restarted meanwhile) is tried once more on a fresh one.
  template <class F>
  auto read(const char* operation, F f)
      -> caf::expected<decltype(f(std::declval<pqxx::connection&>()))>;

  /// Runs one write `f(txn) -> std::optional<T>` in its own transaction; nothing (the row
  /// is not there) becomes ec::not_found with the given message.
  template <class T, class F>
  caf::result<T> write_one(const char* operation, const std::string& not_found, F f);

  /// Opens the connection and prepares every repository's statements.
  pqxx::connection& connection();

  std::string url;
  std::unique_ptr<pqxx::connection> conn;
};

/// Spawn with `sys.spawn<caf::detached>(pg_worker, url)`.
pg_worker_actor::behavior_type pg_worker(actor_pointer<pg_worker_actor, pg_worker_state> self,
                                         std::string url);

} // namespace crm::storage
