#pragma once

#include <pqxx/connection>

#include <string>

namespace crm::storage {

/// Creates the super admin when no user exists yet. Returns true when it created one.
bool bootstrap_admin(pqxx::connection& conn, const std::string& email, const std::string& password);

/// Loads the demo data set (agents, a Meta number, a campaign, debtors); idempotent.
/// The demo agents get `agent_password`.
void seed_demo(pqxx::connection& conn, const std::string& agent_password);

} // namespace crm::storage
