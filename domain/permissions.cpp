#include "domain/permissions.hpp"

#include <algorithm>
#include <map>

namespace crm {

namespace {

/// The five system roles as grants; "module:*" and "*:action" are wildcards. The same table
/// is written out in the docs; a test checks the counts.
const std::map<std::string, std::vector<std::string>, std::less<>>& grants() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> table = {
      {"super_admin", {"*:*"}},
      // Everything operational; roles and the audit log only readable.
      {"supervisor",
       {"users:*", "campaigns:*", "whatsapp:*", "chats:*", "messages:*", "queue:*", "bot:*",
        "debtors:*", "tasks:*", "reports:*", "roles:read", "audit:read"}},
      // Their own chats, those chats' messages and debtors, their tasks (row-level in handlers).
      {"agent",
       {"users:read", "chats:read", "chats:update", "messages:read", "messages:create",
        "debtors:read", "debtors:update", "tasks:*", "campaigns:read", "bot:read"}},
      // Reads everything operational, writes nothing.
      {"quality",
       {"users:read", "campaigns:read", "whatsapp:read", "chats:read", "messages:read",
        "queue:read", "bot:read", "debtors:read", "tasks:read", "reports:read"}},
      {"auditor", {"audit:read", "reports:read", "users:read", "chats:read", "messages:read"}},
  };
  return table;
}

bool matches(std::string_view grant, std::string_view permission) {
  auto g = grant.find(':');
  auto p = permission.find(':');
  if (g == std::string_view::npos || p == std::string_view::npos)
    return false;
  auto part = [](std::string_view want, std::string_view have) {
    return want == "*" || want == have;
  };
  return part(grant.substr(0, g), permission.substr(0, p)) &&
         part(grant.substr(g + 1), permission.substr(p + 1));
}

} // namespace

const std::vector<std::string>& permission_modules() {
  static const std::vector<std::string> modules = {"users",   "roles",    "campaigns", "whatsapp",
                                                   "chats",   "messages", "queue",     "bot",
                                                   "debtors", "tasks",    "reports",   "audit"};
  return modules;
}

const std::vector<std::string>& permission_actions() {
  static const std::vector<std::string> actions = {"create", "read", "update", "delete"};
  return actions;
}

const std::vector<std::string>& all_permissions() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> result;
    for (auto& m : permission_modules())
      for (auto& a : permission_actions())
        result.push_back(m + ":" + a);
    return result;
  }();
  return all;
}

bool role_has(std::string_view role, std::string_view permission) {
  auto it = grants().find(role);
  if (it == grants().end())
    return false;
  if (std::find(all_permissions().begin(), all_permissions().end(), permission) ==
      all_permissions().end())
    return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const std::string& g) { return matches(g, permission); });
}

std::vector<std::string> permissions_of(std::string_view role) {
  std::vector<std::string> result;
  for (auto& p : all_permissions())
    if (role_has(role, p))
      result.push_back(p);
  return result;
}

} // namespace crm
