#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crm {

/// The 12 modules and 4 actions of the RBAC model, in display order.
const std::vector<std::string>& permission_modules();
const std::vector<std::string>& permission_actions();

/// The 48 permissions, "module:action".
const std::vector<std::string>& all_permissions();

/// True when a system role holds the permission (row-level limits, like "agents only see
/// their own chats", are applied by the handlers on top of this).
/// `super_admin_only` is not one of the 48: routes that name it (backups) are the system
/// role's alone, whatever a custom role is granted.
bool role_has(std::string_view role, std::string_view permission);

/// The pseudo-permission of routes only the `super_admin` role may call.
inline constexpr std::string_view super_admin_only = "super_admin";

/// Every permission of a system role; empty for an unknown role.
std::vector<std::string> permissions_of(std::string_view role);

/// True for one of the 48 names.
bool is_permission(std::string_view name);

/// A system role as domain/roles.json defines it, its grants expanded.
struct system_role {
  std::string name;
  std::string description;
  std::vector<std::string> permissions;
};

/// The five system roles (seeded into the database at start).
std::vector<system_role> system_roles();

} // namespace crm
