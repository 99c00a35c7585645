#pragma once

#include "actors/interfaces.hpp"
#include "domain/secrets.hpp"
#include "storage/redis.hpp"

#include <pqxx/connection>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace crm::storage {

/// What the IDENTITY WORKER needs from configuration.
struct identity_options {
  std::string database_url;
  std::string jwt_secret;
  int access_minutes = 15;
  int refresh_days = 7;
  std::string secrets_key; // seals TOTP secrets
  std::string issuer = "CRM Cobranzas";
  int account_failures = 5;  // failed logins per account per window
  int address_failures = 20; // failed logins per IP per window
  int failure_window_s = 900;
  std::optional<redis_endpoint> redis; // shared throttling state; in memory without it
};

/// Failed-login counters: in Redis when configured (several nodes share them), else (or
/// while Redis is down) in this process.
class login_throttle {
 public:
  explicit login_throttle(std::optional<redis_endpoint> redis);

  /// Seconds until `key` may try again, or 0.
  std::int64_t blocked_for(const std::string& key, int limit);
  /// Counts one failure of `key` inside a window of `window_s`.
  void fail(const std::string& key, int window_s);
  void reset(const std::string& key);

 private:
  struct local_count {
    int count = 0;
    std::chrono::steady_clock::time_point until;
  };
  std::optional<redis_state> redis_;
  std::map<std::string, local_count> local_;
};

/// State of the IDENTITY WORKER (detached: argon2id and libpqxx block).
struct identity_worker_state {
  static inline const char* name = "identity_worker";
  identity_worker_state() = default;

  pqxx::connection& connection();

  identity_options options;
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<secret_box> box;
  std::unique_ptr<login_throttle> throttle;
};

/// Spawn with `sys.spawn<caf::detached>(identity_worker, options)`.
identity_worker_actor::behavior_type
identity_worker(actor_pointer<identity_worker_actor, identity_worker_state> self,
                identity_options options);

} // namespace crm::storage
