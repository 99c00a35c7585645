#pragma once

#include "actors/interfaces.hpp"
#include "domain/contact_rules.hpp"

#include <pqxx/connection>

#include <memory>
#include <string>

namespace crm::storage {

/// State of the CRM WORKER: debtors (CRUD, CSV import and export) on its own connection,
/// so a 100,000-row import never holds up the API's reads. Detached.
struct crm_worker_state {
  static inline const char* name = "crm_worker";
  crm_worker_state() = default;

  pqxx::connection& connection();

  std::string url;
  std::string timezone;      // days overdue count in the business time zone
  contact::settings contact; // the contact rules proactive contacts are checked against
  std::unique_ptr<pqxx::connection> conn;
};

/// Spawn with `sys.spawn<caf::detached>(crm_worker, url, timezone, contact_settings)`.
crm_worker_actor::behavior_type crm_worker(actor_pointer<crm_worker_actor, crm_worker_state> self,
                                           std::string url, std::string timezone,
                                           contact::settings contact);

} // namespace crm::storage
