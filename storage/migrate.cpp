#include "storage/migrate.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace crm::embedded {
const std::vector<std::pair<std::string_view, std::string_view>>& migrations();
}

namespace crm::storage {

namespace {

// Any fixed number works; it only has to be the same for every crm-server.
constexpr long long migration_lock_key = 0x63726d5f6d6967; // "crm_mig"

int version_of(std::string_view name) {
  int v = 0;
  size_t i = 0;
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i)
    v = v * 10 + (name[i] - '0');
  if (i == 0 || i >= name.size() || name[i] != '_')
    throw std::invalid_argument("migration file name must start with NNN_: " + std::string{name});
  return v;
}

} // namespace

std::vector<migration> builtin_migrations() {
  std::vector<migration> result;
  for (auto& [name, sql] : embedded::migrations())
    result.push_back({version_of(name), std::string{name}, std::string{sql}});
  std::sort(result.begin(), result.end(),
            [](const migration& a, const migration& b) { return a.version < b.version; });
  return result;
}

namespace {

void exec_alone(pqxx::connection& conn, const std::string& sql) {
  pqxx::nontransaction session{conn};
  session.exec(sql);
}

std::vector<std::string> apply_pending(pqxx::connection& conn, const std::vector<migration>& all) {
  exec_alone(conn, "create table if not exists schema_migrations ("
                   " version integer primary key, name text not null,"
                   " applied_at timestamptz not null default now())");
  std::vector<int> done;
  {
    pqxx::nontransaction session{conn};
    for (auto row : session.exec("select version from schema_migrations"))
      done.push_back(row[0].as<int>());
  }
  std::vector<std::string> applied;
  for (auto& m : all) {
    if (std::find(done.begin(), done.end(), m.version) != done.end())
      continue;
    pqxx::work txn{conn};
    txn.exec(m.sql);
    txn.exec("insert into schema_migrations (version, name) values (" + txn.quote(m.version) +
             ", " + txn.quote(m.name) + ")");
    txn.commit();
    applied.push_back(m.name);
  }
  return applied;
}

} // namespace

std::vector<std::string> apply_migrations(pqxx::connection& conn,
                                          const std::vector<migration>& all) {
  auto key = std::to_string(migration_lock_key);
  exec_alone(conn, "select pg_advisory_lock(" + key + ")");
  try {
    auto applied = apply_pending(conn, all);
    exec_alone(conn, "select pg_advisory_unlock(" + key + ")");
    return applied;
  } catch (...) {
    if (conn.is_open())
      exec_alone(conn, "select pg_advisory_unlock(" + key + ")");
    throw;
  }
}

} // namespace crm::storage
