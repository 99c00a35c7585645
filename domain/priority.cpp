#include "domain/priority.hpp"

namespace crm {

priority priority_for(std::optional<int> days_overdue) {
  if (!days_overdue)
    return priority::baja;
  if (*days_overdue > 90)
    return priority::urgente;
  if (*days_overdue > 30)
    return priority::alta;
  if (*days_overdue > 15)
    return priority::media;
  return priority::baja;
}

std::string_view to_string(priority p) {
  switch (p) {
  case priority::urgente:
    return "URGENTE";
  case priority::alta:
    return "ALTA";
  case priority::media:
    return "MEDIA";
  case priority::baja:
    return "BAJA";
  }
  return "BAJA";
}

std::optional<priority> parse_priority(std::string_view name) {
  for (auto p : {priority::urgente, priority::alta, priority::media, priority::baja})
    if (to_string(p) == name)
      return p;
  return std::nullopt;
}

} // namespace crm
