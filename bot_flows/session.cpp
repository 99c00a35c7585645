// Sessions as stored between steps, and the shipped flow.
#include "bot_flows/engine.hpp"

#include <string_view>
#include <utility>
#include <vector>

namespace crm::embedded {
const std::vector<std::pair<std::string_view, std::string_view>>& flows();
}

namespace crm::bot {

nlohmann::json session::to_json() const {
  return {{"node", node},
          {"deadlineMs", deadline_ms},
          {"retries", retries},
          {"finished", finished},
          {"vars", vars}};
}

session session::from_json(const nlohmann::json& j) {
  if (!j.is_object())
    return {};
  session result;
  auto field = [&](const char* key) {
    return j.contains(key) ? &j[key] : nullptr;
  };
  if (auto v = field("node")) {
    if (!v->is_string())
      return {};
    result.node = v->get<std::string>();
  }
  if (auto v = field("deadlineMs")) {
    if (!v->is_number_integer() || v->get<std::int64_t>() < 0)
      return {};
    result.deadline_ms = v->get<std::int64_t>();
  }
  if (auto v = field("retries")) {
    if (!v->is_number_integer() || v->get<std::int64_t>() < 0 || v->get<std::int64_t>() > 1000)
      return {};
    result.retries = v->get<int>();
  }
  if (auto v = field("finished")) {
    if (!v->is_boolean())
      return {};
    result.finished = v->get<bool>();
  }
  if (auto v = field("vars")) {
    if (!v->is_object())
      return {};
    result.vars = *v;
  }
  return result;
}

const nlohmann::json& default_flow() {
  static const nlohmann::json flow = [] {
    for (auto& [name, text] : crm::embedded::flows())
      if (name == "default_es.json")
        return nlohmann::json::parse(text.begin(), text.end());
    return nlohmann::json::object();
  }();
  return flow;
}

} // namespace crm::bot
