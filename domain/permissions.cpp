#include "domain/permissions.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <utility>

namespace crm::embedded {
const std::vector<std::pair<std::string_view, std::string_view>>& roles();
}

namespace crm {

namespace {

const nlohmann::json& system_roles_json() {
  static const auto parsed = nlohmann::json::parse(crm::embedded::roles().at(0).second);
  return parsed;
}

/// The five system roles' grants, read once from domain/roles.json (embedded at build).
const std::map<std::string, std::vector<std::string>, std::less<>>& grants() {
  static const auto table = [] {
    std::map<std::string, std::vector<std::string>, std::less<>> result;
    for (auto& r : system_roles_json()["roles"])
      result[r["name"].get<std::string>()] = r["grants"].get<std::vector<std::string>>();
    return result;
  }();
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
  if (permission == super_admin_only)
    return role == "super_admin";
  auto it = grants().find(role);
  if (it == grants().end())
    return false;
  if (std::find(all_permissions().begin(), all_permissions().end(), permission) ==
      all_permissions().end())
    return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const std::string& g) { return matches(g, permission); });
}

std::vector<system_role> system_roles() {
  std::vector<system_role> result;
  for (auto& r : system_roles_json()["roles"]) {
    auto name = r["name"].get<std::string>();
    result.push_back({name, r["description"].get<std::string>(), permissions_of(name)});
  }
  return result;
}

bool is_permission(std::string_view name) {
  auto& all = all_permissions();
  return std::find(all.begin(), all.end(), name) != all.end();
}

std::vector<std::string> permissions_of(std::string_view role) {
  std::vector<std::string> result;
  for (auto& p : all_permissions())
    if (role_has(role, p))
      result.push_back(p);
  return result;
}

} // namespace crm
