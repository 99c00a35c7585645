#pragma once

#include <pqxx/connection>

#include <string>
#include <vector>

namespace crm::storage {

/// One numbered migration, e.g. {1, "001_init.sql", "create table ..."}.
struct migration {
  int version;
  std::string name;
  std::string sql;
};

/// The migrations built into the binary (storage/migrations/NNN_name.sql), in order.
std::vector<migration> builtin_migrations();

/// Applies every migration not yet recorded in schema_migrations, each in its own
/// transaction, under an advisory lock so two servers starting together do not race.
/// Returns the names applied now (empty when the schema is current). Throws on failure.
std::vector<std::string> apply_migrations(pqxx::connection& conn,
                                          const std::vector<migration>& all = builtin_migrations());

} // namespace crm::storage
