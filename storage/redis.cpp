#include "storage/redis.hpp"

#include "domain/error.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <charconv>

namespace crm::storage {

std::optional<redis_endpoint> parse_redis_url(const std::string& url) {
  constexpr std::string_view scheme = "redis://";
  if (url.rfind(scheme, 0) != 0)
    return std::nullopt;
  redis_endpoint result;
  std::string rest = url.substr(scheme.size());
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    auto auth = rest.substr(0, at);
    auto colon = auth.find(':');
    result.password = colon == std::string::npos ? auth : auth.substr(colon + 1);
    rest = rest.substr(at + 1);
  }
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    auto db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty()) {
      auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), result.db);
      if (ec != std::errc{} || p != db.data() + db.size() || result.db < 0)
        return std::nullopt;
    }
  }
  if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    auto port = rest.substr(colon + 1);
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), result.port);
    if (ec != std::errc{} || p != port.data() + port.size() || result.port <= 0 ||
        result.port > 65535)
      return std::nullopt;
    rest = rest.substr(0, colon);
  }
  if (!rest.empty())
    result.host = rest;
  return result;
}

bool redis_state::connect() {
  timeval timeout{1, 0};
  ctx = {redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, timeout), redisFree};
  if (!ctx || ctx->err) {
    spdlog::warn("redis: cannot connect to {}:{}: {}", endpoint.host, endpoint.port,
                 ctx ? ctx->errstr : "out of memory");
    ctx.reset();
    return false;
  }
  redisSetTimeout(ctx.get(), timeout);
  // A connection that failed AUTH or SELECT must not be used: it would talk to the
  // wrong database, or unauthenticated, from then on.
  if ((!endpoint.password.empty() && !run({"AUTH", endpoint.password}, "AUTH")) ||
      (endpoint.db != 0 && !run({"SELECT", std::to_string(endpoint.db)}))) {
    ctx.reset();
    return false;
  }
  return true;
}

std::optional<std::string> redis_state::command(std::vector<std::string> args) {
  if (!ctx && !connect())
    return std::nullopt;
  auto what = args.front();
  return run(std::move(args), what.c_str());
}

std::optional<std::string> redis_state::run(std::vector<std::string> args, const char* what) {
  // Argument vectors, never a format string: a value may hold '%' or spaces.
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  if (!what)
    what = argv.front();
  auto reply = static_cast<redisReply*>(
      redisCommandArgv(ctx.get(), static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (!reply) {
    spdlog::warn("redis: connection lost: {}", ctx->errstr);
    ctx.reset();
    return std::nullopt;
  }
  std::optional<std::string> result;
  if (reply->type == REDIS_REPLY_ERROR)
    spdlog::warn("redis: {} failed: {}", what, std::string(reply->str, reply->len));
  else if (reply->type == REDIS_REPLY_STATUS || reply->type == REDIS_REPLY_STRING)
    result = std::string(reply->str, reply->len);
  else if (reply->type == REDIS_REPLY_INTEGER)
    result = std::to_string(reply->integer);
  else
    result = std::string{};
  freeReplyObject(reply);
  return result;
}

redis_actor::behavior_type redis(actor_pointer<redis_actor, redis_state> self,
                                 redis_endpoint endpoint) {
  self->state.endpoint = std::move(endpoint);
  return {
      [self](atom::ping) -> caf::result<atom::ok> {
        if (auto pong = self->state.command({"PING"}); pong && *pong == "PONG")
          return atom::ok_v;
        return make_error(ec::storage_unavailable, "redis does not answer");
      },
  };
}

} // namespace crm::storage
