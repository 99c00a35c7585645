#pragma once

// Text helpers shared by the bot's sources (rendering, matching, dates); not part of the
// engine's contract, but small and pure enough to test through it.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::bot::detail {

/// `text` without leading and trailing whitespace.
std::string trim(std::string_view text);

/// Lower-case ASCII with Spanish accents folded ("PAGUÉ" -> "pague") and ¿ ¡ dropped.
std::string fold(std::string_view text);

/// `text` folded, with ASCII punctuation turned into single spaces and trimmed, so that
/// "1.", " Ya pagué! " and "1. Pagar ahora" compare as "1", "ya pague", "1 pagar ahora".
std::string canonical(std::string_view text);

/// A variable's value as text: strings as they are, integral numbers without ".0", null
/// as empty.
std::string to_text(const nlohmann::json& value);

/// `text` as a number when all of it is one ("45", "150000.50"), else nothing.
std::optional<double> to_number(std::string_view text);

/// The names inside {{...}} in `text`, in order of appearance.
std::vector<std::string> template_variables(std::string_view text);

/// The value of variable `name`: captured `vars` first, then `context`, then the derived
/// debtAmountText; null when nobody defines it.
nlohmann::json lookup(const std::string& name, const nlohmann::json& vars,
                      const nlohmann::json& context);

/// `text` with every {{variable}} replaced by its value (unknown ones by nothing).
std::string render(std::string_view text, const nlohmann::json& vars,
                   const nlohmann::json& context);

/// A plain decimal ("1250000", "1250000.5") with thousands dots and a decimal comma
/// ("1.250.000", "1.250.000,50"); other text is returned as it is.
std::string thousands(std::string_view plain);

/// Days since 1970-01-01 of an ISO date (yyyy-mm-dd), or nothing when it is not one.
std::optional<long> iso_days(std::string_view iso);

/// The ISO date (yyyy-mm-dd) `days` after 1970-01-01.
std::string iso_date(long days);

} // namespace crm::bot::detail
