#pragma once

#include <optional>
#include <string_view>

namespace crm {

/// A debtor's collection priority; the queue serves URGENTE first.
enum class priority { urgente, alta, media, baja };

/// The rule from PRODUCT.md: > 90 days URGENTE, > 30 ALTA, > 15 MEDIA, else BAJA.
/// A chat without a debtor (no days overdue known) is BAJA.
priority priority_for(std::optional<int> days_overdue);

/// "URGENTE", "ALTA", "MEDIA" or "BAJA", as in the API.
std::string_view to_string(priority p);

/// Parses the API name; nullopt for anything else.
std::optional<priority> parse_priority(std::string_view name);

} // namespace crm
