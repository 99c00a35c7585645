#pragma once

#include "net/router.hpp"
#include "net/services.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace crm::net {

/// Who calls, and from where, for a records operation.
client_info client_of(const request_context& ctx);

/// Hands a records operation to a GATEWAY.
void send(const services& s, request_context& ctx, responder_ptr out, std::string op,
          std::string id, std::string body);

/// Forwards an operation whose body must be a JSON object (an empty body is `{}`).
handler with_body(const services& s, std::string op, bool takes_id = false);

/// Reads page/limit and the named text filters from the query into a JSON object; answers
/// 400 itself (and returns null) when one is wrong ("user", "agentId": UUIDs; "from", "to":
/// ISO-8601; "active": true/false).
nlohmann::json filters(const request_context& ctx, const responder_ptr& out,
                       const std::vector<const char*>& names);

/// A list operation whose filters come from the query.
handler listing(const services& s, std::string op, std::vector<const char*> names);

} // namespace crm::net
