#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace crm {

/// Who may still use a token, and what each role may do: the answer to "is this request
/// allowed" without a database round trip. Rebuilt by the IDENTITY after every change to
/// users or roles, so deactivation, a role change or a new token version cut access at once.
struct access_table {
  struct user {
    std::string role;
    std::int64_t ver = 0;
    bool active = true;
  };
  std::unordered_map<std::string, user> users;
  std::unordered_map<std::string, std::unordered_set<std::string>> roles;

  /// Why a token for (`sub`, `role`, `ver`) is no longer good, or empty when it is.
  std::string refusal(const std::string& sub, const std::string& role, std::int64_t ver) const;

  /// True when `role` holds `permission`.
  bool allows(const std::string& role, const std::string& permission) const;
};

/// The current access table, shared between the IDENTITY (writer) and the I/O threads
/// (readers); a reader holds the lock only to copy a pointer.
class access_slot {
 public:
  std::shared_ptr<const access_table> get() const {
    std::lock_guard lock{mutex_};
    return table_;
  }
  void set(std::shared_ptr<const access_table> table) {
    std::lock_guard lock{mutex_};
    table_ = std::move(table);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const access_table> table_ = std::make_shared<const access_table>();
};

} // namespace crm
