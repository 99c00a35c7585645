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
bool role_has(std::string_view role, std::string_view permission);

/// Every permission of a system role; empty for an unknown role.
std::vector<std::string> permissions_of(std::string_view role);

} // namespace crm
