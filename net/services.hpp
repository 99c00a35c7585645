#pragma once

#include "actors/interfaces.hpp"
#include "domain/access.hpp"
#include "domain/contact_rules.hpp"
#include "domain/secrets.hpp"
#include "net/connections.hpp"
#include "net/static_files.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace crm::net {

/// What the route tables need from the rest of the server (handed in by server/).
struct services {
  std::vector<gateway_actor> gateways;
  ws_hub_actor hub;
  std::string meta_verify_token;
  std::string meta_app_secret;
  std::string jwt_secret;
  /// Seals provider credentials before they are stored.
  std::shared_ptr<const secret_box> secrets;
  /// Who may still use a token and what each role may do (rebuilt by the IDENTITY).
  std::shared_ptr<access_slot> access = std::make_shared<access_slot>();
  /// The BACKUPS (backup files and runs).
  backup_actor backups;
  /// Where audit rows go (group-committed, off the request path).
  storage_actor storage;
  /// The contact rules' phrases (questions agents must not ask); null: none checked.
  std::shared_ptr<const contact::settings> contact;
  /// Browser origins allowed by CORS.
  std::vector<std::string> cors_origins;
  /// The browser console's files (web/), served at /.
  std::shared_ptr<const static_files> web;
  /// Swagger UI's files (swagger-ui-dist), served under /api/docs/ui (may be null).
  std::shared_ptr<const static_files> api_viewer;
  /// Open connections, closed in order at shutdown (null in tests that build only routes).
  std::shared_ptr<connections> conns;

  /// Picks a gateway for a request, spreading the load.
  const gateway_actor& gateway() const;

 private:
  mutable std::atomic<size_t> next_{0};
};

} // namespace crm::net
