#pragma once

#include "actors/messages.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/transaction_base>

#include <optional>
#include <string>
#include <vector>

namespace crm::storage {

/// A user as login and token checks need it.
struct user_credentials {
  std::string id, role, password_hash, totp_secret, totp_pending;
  std::int64_t ver = 0, totp_last_step = 0;
  bool active = true, totp_enabled = false;
};

/// One refresh token as stored (found by its hash).
struct refresh_row {
  std::string id, user_id, family_id;
  bool spent = false, revoked = false, expired = false;
};

/// Users, roles and refresh tokens (SQL only; the rules live in the IDENTITY WORKER).
class identity_repository {
 public:
  /// Writes the system roles' grants from domain/roles.json (at every start).
  static void sync_system_roles(pqxx::transaction_base& txn);

  static std::optional<user_credentials> by_email(pqxx::transaction_base& txn,
                                                  const std::string& email);
  static std::optional<user_credentials> by_id(pqxx::transaction_base& txn, const std::string& id);

  /// The API's user object (with the role's permissions when `with_permissions`).
  static nlohmann::json user_json(pqxx::transaction_base& txn, const std::string& id,
                                  bool with_permissions = false);
  static nlohmann::json users(pqxx::transaction_base& txn, const nlohmann::json& filters);

  static void store_refresh(pqxx::transaction_base& txn, const std::string& user_id,
                            const std::string& family_id, const std::string& token_hash, int days,
                            const client_info& by);
  static std::optional<refresh_row> refresh_by_hash(pqxx::transaction_base& txn,
                                                    const std::string& token_hash);
  static void spend_refresh(pqxx::transaction_base& txn, const std::string& id);
  /// Revokes a family (or, with an empty family, every live token of the user).
  static void revoke_refresh(pqxx::transaction_base& txn, const std::string& user_id,
                             const std::string& family_id);
  /// Invalidates every access token of the user (token version + 1).
  static void bump_version(pqxx::transaction_base& txn, const std::string& user_id);

  static nlohmann::json roles(pqxx::transaction_base& txn);
  static std::optional<std::string> role_id(pqxx::transaction_base& txn, const std::string& name,
                                            bool* is_system = nullptr);

  static access_rows access(pqxx::transaction_base& txn);
};

} // namespace crm::storage
