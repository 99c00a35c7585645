// libFuzzer target: a bot flow as a supervisor saves it (validation), then, when valid, a
// debtor's arbitrary answers through it.
#include "bot_flows/engine.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input{reinterpret_cast<const char*>(data), size};
  // The first line is the flow; the rest are the debtor's messages, one per line.
  auto cut = input.find('\n');
  auto flow = nlohmann::json::parse(input.substr(0, cut), nullptr, false);
  if (flow.is_discarded())
    return 0;
  if (!crm::bot::validate(flow).empty())
    return 0;
  crm::bot::session s;
  nlohmann::json context = {{"clientName", "Ana"}, {"debtAmount", 1250000}, {"daysOverdue", 45}};
  crm::bot::event e{crm::bot::event::kind::start, "", "text", 1764230000000};
  (void)crm::bot::step(flow, s, context, e);
  std::size_t at = cut == std::string::npos ? input.size() : cut + 1;
  while (at < input.size() && !s.finished) {
    auto end = input.find('\n', at);
    auto line = input.substr(at, end == std::string::npos ? std::string::npos : end - at);
    e = {crm::bot::event::kind::message, line, "text", e.now_ms + 1000};
    (void)crm::bot::step(flow, s, context, e);
    (void)crm::bot::parse_amount(line);
    (void)crm::bot::parse_date(line, "2026-11-27");
    at = end == std::string::npos ? input.size() : end + 1;
  }
  (void)crm::bot::session::from_json(s.to_json());
  return 0;
}
