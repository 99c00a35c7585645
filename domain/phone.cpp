#include "domain/phone.hpp"

namespace crm {

std::optional<std::string> normalize_phone(std::string_view raw) {
  if (auto at = raw.find('@'); at != std::string_view::npos)
    raw = raw.substr(0, at); // WPPConnect's "573001234567@c.us"
  std::string digits;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c >= '0' && c <= '9')
      digits.push_back(c);
    else if (c == '+' && digits.empty() && i == raw.find_first_not_of(' '))
      continue;
    else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.')
      continue;
    else
      return std::nullopt;
  }
  if (digits.size() < 8 || digits.size() > 15 || digits[0] == '0')
    return std::nullopt;
  return "+" + digits;
}

} // namespace crm
