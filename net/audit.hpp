#pragma once

#include "net/router.hpp"
#include "net/services.hpp"

#include <nlohmann/json.hpp>

namespace crm::net {

/// A copy of a request body fit for the audit log: secrets (passwords, tokens, codes,
/// provider credentials) replaced by "[redacted]", at any depth.
nlohmann::json redacted(const nlohmann::json& body);

/// The audit row of a request by the verified caller (`action` e.g. "permission.denied").
audit_entry audit_of(const request_context& ctx, std::string action, std::string entity);

/// Wraps a responder so that a successful answer to a mutating request writes its audit
/// row (the changed fields: the redacted body; the entity id: the route's {id}, or the id
/// of what was created).
responder_ptr audited(responder_ptr inner, const services& s, audit_entry entry);

/// The module a route belongs to: its permission's, or the path's first segment.
std::string entity_of(const route& r);

} // namespace crm::net
