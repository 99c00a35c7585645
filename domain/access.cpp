#include "domain/access.hpp"

#include "domain/permissions.hpp"

namespace crm {

std::string access_table::refusal(const std::string& sub, const std::string& role,
                                  std::int64_t ver) const {
  auto it = users.find(sub);
  if (it == users.end())
    return "unknown user";
  if (!it->second.active)
    return "user deactivated";
  if (it->second.ver != ver || it->second.role != role)
    return "token revoked";
  return {};
}

bool access_table::allows(const std::string& role, const std::string& permission) const {
  if (permission == super_admin_only)
    return role == "super_admin";
  auto it = roles.find(role);
  return it != roles.end() && it->second.count(permission) > 0;
}

} // namespace crm
