#include "domain/iso_time.hpp"

#include <ctime>

namespace crm {

std::string iso_utc(std::int64_t unix_ms) {
  std::time_t secs = unix_ms / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string{buf} + "." + std::to_string(1000 + unix_ms % 1000).substr(1) + "Z";
}

} // namespace crm
