#include "storage/seed.hpp"

#include "domain/password.hpp"

#include <pqxx/transaction>

#include <string_view>
#include <utility>
#include <vector>

namespace crm::embedded {
const std::vector<std::pair<std::string_view, std::string_view>>& seeds();
}

namespace crm::storage {

bool bootstrap_admin(pqxx::connection& conn, const std::string& email,
                     const std::string& password) {
  if (email.empty() || password.empty())
    return false;
  {
    pqxx::work probe{conn};
    if (probe.exec("select 1 from users limit 1").size() > 0)
      return false;
  }
  auto hash = hash_password(password); // slow: outside the transaction
  pqxx::work txn{conn};
  // The lock makes two servers starting together create one admin, not two.
  txn.exec("lock table users in share row exclusive mode");
  if (txn.exec("select 1 from users limit 1").size() > 0)
    return false;
  txn.exec_params("insert into users (email, password_hash, full_name, role_id, status)"
                  " select $1, $2, 'Administrador', id, 'offline' from roles"
                  " where name = 'super_admin'",
                  email, hash);
  txn.exec_params("select audit_append(null, null, 'user.bootstrap', 'users', $1,"
                  " null, jsonb_build_object('email', $1::text, 'role', 'super_admin'),"
                  " null, null)",
                  email);
  txn.commit();
  return true;
}

void seed_demo(pqxx::connection& conn, const std::string& agent_password) {
  auto hash = hash_password(agent_password);
  pqxx::work txn{conn};
  txn.exec_params("select set_config('crm.demo_agent_hash', $1, true)", hash);
  for (auto& [name, sql] : embedded::seeds())
    if (name == "demo.sql")
      txn.exec(std::string{sql});
  txn.commit();
}

} // namespace crm::storage
