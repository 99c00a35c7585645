#include "domain/message.hpp"

namespace crm {

std::optional<int> status_rank(std::string_view status) {
  if (status == "pending")
    return 0;
  if (status == "sent")
    return 1;
  if (status == "failed")
    return 2; // replaces pending/sent; a later delivered/read still wins (Meta's reality)
  if (status == "delivered")
    return 3;
  if (status == "read" || status == "played")
    return 4;
  return std::nullopt;
}

bool status_advances(std::string_view current, std::string_view next) {
  auto cur = status_rank(current);
  auto nxt = status_rank(next);
  if (!nxt)
    return false;
  return !cur || *nxt > *cur;
}

} // namespace crm
