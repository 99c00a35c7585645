#pragma once

#include <cstdint>
#include <string>

namespace crm {

/// A unix time in milliseconds as the API writes times: ISO-8601 UTC with milliseconds.
std::string iso_utc(std::int64_t unix_ms);

} // namespace crm
