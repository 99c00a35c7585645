#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crm {

/// Normalises a phone as the providers send it ("573001234567", "+57 300 123 4567",
/// "573001234567@c.us") to E.164 ("+573001234567"). Nullopt when it cannot be one
/// (fewer than 8 or more than 15 digits, or stray characters).
std::optional<std::string> normalize_phone(std::string_view raw);

} // namespace crm
