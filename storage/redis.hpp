#pragma once

#include "actors/interfaces.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct redisContext;

namespace crm::storage {

/// The parts of a redis:// URL.
struct redis_endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string password;
};

/// Parses redis://[:password@]host[:port][/db]; nullopt when malformed.
std::optional<redis_endpoint> parse_redis_url(const std::string& url);

/// State of REDIS: one synchronous hiredis connection, reopened after failures. Detached.
struct redis_state {
  static inline const char* name = "redis";
  redis_state() = default;
  redis_endpoint endpoint;
  std::unique_ptr<redisContext, void (*)(redisContext*)> ctx{nullptr, nullptr};
  /// Runs a command (connecting first if needed); nullopt when Redis is unreachable or
  /// answers an error.
  std::optional<std::string> command(std::vector<std::string> args);

  /// Opens the connection, authenticates and selects the database.
  bool connect();

  /// Runs a command on the open connection; `what` names it in logs (never the arguments).
  std::optional<std::string> run(std::vector<std::string> args, const char* what = nullptr);
};

redis_actor::behavior_type redis(actor_pointer<redis_actor, redis_state> self,
                                 redis_endpoint endpoint);

} // namespace crm::storage
