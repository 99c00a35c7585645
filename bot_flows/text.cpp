#include "bot_flows/text.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace crm::bot::detail {

namespace {

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

/// The ASCII letter for the Latin-1 letter encoded as 0xC3 `second` in UTF-8, or 0.
char fold_latin1(unsigned char second) {
  // Rows of 0xC3 0x80..0xBF: À-Ö, ×, Ø-ß, à-ö, ÷, ø-ÿ.
  static constexpr char table[] = "aaaaaaaceeeeiiiidnooooo\0ouuuuyts"
                                  "aaaaaaaceeeeiiiidnooooo\0ouuuuyty";
  static_assert(sizeof table == 65);
  if (second < 0x80 || second > 0xBF)
    return 0;
  return table[second - 0x80];
}

} // namespace

std::string trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos)
    return {};
  auto last = text.find_last_not_of(" \t\r\n\f\v");
  return std::string{text.substr(first, last - first + 1)};
}

std::string fold(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      result += static_cast<char>(std::tolower(c));
      continue;
    }
    if (i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (c == 0xC2 && (next == 0xBF || next == 0xA1)) { // ¿ ¡
        ++i;
        continue;
      }
      if (c == 0xC3) {
        if (auto letter = fold_latin1(next)) {
          result += letter;
          ++i;
          continue;
        }
      }
    }
    result += static_cast<char>(c);
  }
  return result;
}

std::string canonical(std::string_view text) {
  std::string result;
  bool gap = false;
  for (char c : fold(text)) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80 && !is_alnum(c)) {
      gap = true;
      continue;
    }
    if (gap && !result.empty())
      result += ' ';
    gap = false;
    result += c;
  }
  return result;
}

std::string to_text(const nlohmann::json& value) {
  if (value.is_string())
    return value.get<std::string>();
  if (value.is_null())
    return {};
  if (value.is_number_float()) {
    auto d = value.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15)
      return std::to_string(static_cast<std::int64_t>(d));
  }
  return value.dump();
}

std::optional<double> to_number(std::string_view text) {
  auto t = trim(text);
  if (t.empty())
    return std::nullopt;
  double result = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), result);
  if (ec != std::errc{} || end != t.data() + t.size())
    return std::nullopt;
  return result;
}

std::vector<std::string> template_variables(std::string_view text) {
  std::vector<std::string> result;
  std::size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    auto close = text.find("}}", pos + 2);
    if (close == std::string_view::npos)
      break;
    result.push_back(trim(text.substr(pos + 2, close - pos - 2)));
    pos = close + 2;
  }
  return result;
}

nlohmann::json lookup(const std::string& name, const nlohmann::json& vars,
                      const nlohmann::json& context) {
  if (vars.is_object())
    if (auto it = vars.find(name); it != vars.end())
      return *it;
  if (context.is_object()) {
    if (auto it = context.find(name); it != context.end())
      return *it;
    if (name == "debtAmountText")
      if (auto it = context.find("debtAmount"); it != context.end())
        return thousands(to_text(*it));
  }
  return nullptr;
}

std::string render(std::string_view text, const nlohmann::json& vars,
                   const nlohmann::json& context) {
  std::string result;
  std::size_t pos = 0;
  while (true) {
    auto open = text.find("{{", pos);
    auto close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      result += text.substr(pos);
      return result;
    }
    result += text.substr(pos, open - pos);
    result += to_text(lookup(trim(text.substr(open + 2, close - open - 2)), vars, context));
    pos = close + 2;
  }
}

std::string thousands(std::string_view plain) {
  auto point = plain.find('.');
  auto whole = plain.substr(0, point);
  auto fraction = point == std::string_view::npos ? std::string_view{} : plain.substr(point + 1);
  bool negative = !whole.empty() && whole.front() == '-';
  if (negative)
    whole.remove_prefix(1);
  auto digits = [](std::string_view s) {
    for (char c : s)
      if (!std::isdigit(static_cast<unsigned char>(c)))
        return false;
    return true;
  };
  if (whole.empty() || !digits(whole) || !digits(fraction))
    return std::string{plain};
  std::string result = negative ? "-" : "";
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0)
      result += '.';
    result += whole[i];
  }
  if (!fraction.empty() && fraction.find_first_not_of('0') != std::string_view::npos) {
    std::string cents{fraction.substr(0, 2)};
    if (cents.size() < 2)
      cents += '0';
    result += ',' + cents;
  }
  return result;
}

} // namespace crm::bot::detail
