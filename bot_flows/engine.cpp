#include "bot_flows/engine.hpp"

#include "bot_flows/text.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>
#include <utility>

namespace crm::bot {

namespace {

using json = nlohmann::json;

/// Nodes one step may pass without waiting before the guard hands the chat to an agent.
constexpr int max_hops = 50;

/// Invalid answers a menu or input takes before its fallback, unless it says otherwise.
constexpr std::int64_t default_max_retries = 2;

/// Minutes a task created by an action node is due in, unless it says otherwise.
constexpr std::int64_t default_task_minutes = 60;

/// Bogota is UTC-5 without DST; used for `today` only when the context lacks it.
constexpr std::int64_t bogota_offset_ms = -5 * 3600 * 1000;

/// Longer timeouts are cut to this (a year), so deadlines cannot overflow.
constexpr std::int64_t max_timeout_seconds = 366 * 24 * 3600;

/// A date promise must fall between today and this many days ahead.
constexpr long max_promise_days = 90;

constexpr std::string_view handoff_text =
    "Un asesor continuará la conversación con usted en un momento.";

/// The string at `key`, or empty when absent or not a string.
std::string str(const json& node, const char* key) {
  if (!node.is_object())
    return {};
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

/// The number at `key` (numbers or numeric strings), or `fallback`.
std::int64_t num(const json& node, const char* key, std::int64_t fallback) {
  if (!node.is_object())
    return fallback;
  auto it = node.find(key);
  if (it == node.end())
    return fallback;
  if (it->is_number_integer())
    return it->get<std::int64_t>();
  auto n = it->is_number_float() ? std::optional{it->get<double>()}
           : it->is_string()     ? detail::to_number(it->get<std::string>())
                                 : std::nullopt;
  return n && std::fabs(*n) < 1e15 ? static_cast<std::int64_t>(*n) : fallback;
}

const json* find_node(const json& flow, const std::string& id) {
  if (!flow.is_object() || id.empty())
    return nullptr;
  auto nodes = flow.find("nodes");
  if (nodes == flow.end() || !nodes->is_array())
    return nullptr;
  for (auto& node : *nodes)
    if (node.is_object() && str(node, "id") == id)
      return &node;
  return nullptr;
}

std::string default_error_text(const std::string& validate) {
  if (validate == "date")
    return "La fecha no es válida. Escríbala como dd/mm/aaaa, entre hoy y los próximos 90 "
           "días.";
  if (validate == "amount")
    return "El valor no es válido. Escriba solo el número, por ejemplo 150.000.";
  if (validate == "document")
    return "El número de documento no es válido. Escriba solo los números, sin puntos.";
  if (validate == "media")
    return "Por favor envíe el soporte como imagen o documento.";
  if (validate == "menu")
    return "No reconocimos su opción. Por favor responda con el número de una de las opciones.";
  return "Por favor escriba su respuesta.";
}

/// One call of `step`: the flow, where the chat stands, and the effects so far.
struct runner {
  const json& flow;
  session& s;
  const json& context;
  const event& e;
  std::vector<effect> out;

  std::string render(const json& node, const char* key) const {
    return detail::render(str(node, key), s.vars, context);
  }

  json render_params(const json& value) const {
    if (value.is_string())
      return detail::render(value.get<std::string>(), s.vars, context);
    if (!value.is_structured())
      return value;
    auto result = value;
    for (auto& [key, item] : result.items())
      item = render_params(item);
    return result;
  }

  void send(std::string text) {
    if (!text.empty())
      out.push_back({effect::kind::send, std::move(text)});
  }

  /// Walks from `id` until a node waits or the bot is done.
  void run(std::string id) {
    s.retries = 0;
    s.deadline_ms = 0;
    for (int hops = 0; hops < max_hops; ++hops) {
      auto node = find_node(flow, id);
      if (!node)
        return handoff();
      auto type = str(*node, "type");
      if (type == "message") {
        send(render(*node, "text"));
        id = str(*node, "next");
      } else if (type == "menu" || type == "input" || type == "wait") {
        s.node = id;
        return ask(*node);
      } else if (type == "condition") {
        id = str(*node, holds(*node) ? "then" : "else");
      } else if (type == "action") {
        out.push_back(action(*node));
        id = str(*node, "next");
      } else if (type == "transfer" || type == "end") {
        s.node = id;
        send(render(*node, "text"));
        return type == "end" ? finish(effect{effect::kind::end})
                             : finish(effect{.what = effect::kind::transfer,
                                             .skill = render(*node, "skill"),
                                             .priority = render(*node, "priority")});
      } else {
        return handoff();
      }
    }
    handoff();
  }

  /// Sends the node's question and waits for the answer (or its deadline).
  void ask(const json& node) {
    auto text = render(node, "text");
    if (str(node, "type") == "menu" && node.contains("options") && node["options"].is_array())
      for (auto& option : node["options"]) {
        if (!option.is_object())
          continue;
        if (!text.empty())
          text += '\n';
        text += detail::to_text(option.value("key", json{})) + ". " + render(option, "label");
      }
    send(std::move(text));
    auto seconds = std::min(num(node, "timeoutSeconds", 0), max_timeout_seconds);
    s.deadline_ms = seconds > 0 ? e.now_ms + seconds * 1000 : 0;
  }

  /// Takes the debtor's message as the answer to the waiting `node`.
  void answer(const json& node) {
    auto type = str(node, "type");
    if (type == "wait")
      return run(str(node, "next"));
    if (type == "menu") {
      if (auto next = choice(node))
        return run(*next);
      return reject(node, "menu");
    }
    if (type == "input") {
      if (auto value = accepted(node)) {
        s.vars[str(node, "variable")] = *value;
        return run(str(node, "next"));
      }
      return reject(node, str(node, "validate"));
    }
    handoff();
  }

  /// Re-asks after an invalid answer, or takes the fallback once retries run out.
  void reject(const json& node, const std::string& validate) {
    ++s.retries;
    if (s.retries > num(node, "maxRetries", default_max_retries)) {
      if (auto invalid = str(node, "invalid"); !invalid.empty())
        return run(invalid);
      return handoff();
    }
    auto error = render(node, "errorText");
    send(error.empty() ? default_error_text(validate) : error);
    ask(node);
  }

  /// The `next` of the option the debtor chose, by key or label.
  std::optional<std::string> choice(const json& node) const {
    auto answer = detail::canonical(e.text);
    if (answer.empty() || !node.contains("options") || !node["options"].is_array())
      return std::nullopt;
    for (auto& option : node["options"]) {
      if (!option.is_object())
        continue;
      auto key = detail::canonical(detail::to_text(option.value("key", json{})));
      auto label = detail::canonical(render(option, "label"));
      if (answer == key || answer == label || answer == key + " " + label)
        return str(option, "next");
    }
    return std::nullopt;
  }

  /// The value an input node stores for the debtor's message, or nothing when invalid.
  std::optional<std::string> accepted(const json& node) const {
    auto how = str(node, "validate");
    auto text = detail::trim(e.text);
    if (how == "media") {
      if (e.type != "image" && e.type != "document")
        return std::nullopt;
      return "[" + e.type + "]" + (text.empty() ? "" : " " + text);
    }
    if (how == "date") {
      auto today = today_iso();
      auto date = parse_date(text, today);
      auto first = detail::iso_days(today);
      auto day = detail::iso_days(date);
      if (!first || !day || *day < *first || *day > *first + max_promise_days)
        return std::nullopt;
      return date;
    }
    if (how == "amount") {
      auto amount = parse_amount(text);
      return amount.empty() ? std::nullopt : std::optional{amount};
    }
    if (how == "document") {
      std::string digits;
      for (char c : text) {
        if (c == '.' || c == ' ')
          continue;
        if (c < '0' || c > '9')
          return std::nullopt;
        digits += c;
      }
      if (digits.size() < 5 || digits.size() > 12)
        return std::nullopt;
      return digits;
    }
    return text.empty() ? std::nullopt : std::optional{text};
  }

  /// The context's `today`, else the Bogota date of the event's time.
  std::string today_iso() const {
    auto today = detail::to_text(detail::lookup("today", json::object(), context));
    if (detail::iso_days(today))
      return today;
    if (e.now_ms <= 0)
      return {};
    auto local = e.now_ms + bogota_offset_ms;
    return detail::iso_date(static_cast<long>(local / 86'400'000));
  }

  /// Whether a condition node's test holds.
  bool holds(const json& node) const {
    auto value = detail::lookup(str(node, "variable"), s.vars, context);
    auto op = str(node, "operator");
    auto lhs = detail::to_text(value);
    if (op == "exists")
      return !lhs.empty();
    if (lhs.empty())
      return op == "ne";
    auto expected = node.value("value", json{});
    auto rhs = expected.is_string() ? detail::render(expected.get<std::string>(), s.vars, context)
                                    : detail::to_text(expected);
    if (op == "contains")
      return detail::fold(lhs).find(detail::fold(rhs)) != std::string::npos;
    int order = 0;
    auto l = detail::to_number(lhs);
    auto r = detail::to_number(rhs);
    if (l && r) {
      order = *l < *r ? -1 : *l > *r ? 1 : 0;
    } else {
      auto c = detail::fold(lhs).compare(detail::fold(rhs));
      order = c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (op == "eq")
      return order == 0;
    if (op == "ne")
      return order != 0;
    if (op == "gt")
      return order > 0;
    if (op == "gte")
      return order >= 0;
    if (op == "lt")
      return order < 0;
    if (op == "lte")
      return order <= 0;
    return false;
  }

  effect action(const json& node) const {
    effect result{.what = effect::kind::action, .action = str(node, "action")};
    auto params = node.value("params", json::object());
    result.params = params.is_object() ? render_params(params) : json::object();
    if (result.action == "task")
      result.params["dueInMinutes"] = num(result.params, "dueInMinutes", default_task_minutes);
    return result;
  }

  void finish(effect last) {
    s.finished = true;
    s.deadline_ms = 0;
    out.push_back(std::move(last));
  }

  /// Hands the chat to an agent when the flow cannot go on (retries spent, broken flow).
  void handoff() {
    send(std::string{handoff_text});
    finish(effect{effect::kind::transfer});
  }
};

} // namespace

std::vector<effect> step(const nlohmann::json& flow, session& s, const nlohmann::json& context,
                         const event& e) {
  if (s.finished)
    return {};
  runner r{flow, s, context, e, {}};
  switch (e.what) {
  case event::kind::start:
    if (s.node.empty())
      r.run(str(flow, "start"));
    break;
  case event::kind::message:
    if (s.node.empty()) {
      r.run(str(flow, "start")); // the debtor wrote first: greet, do not take it as an answer
    } else if (auto node = find_node(flow, s.node)) {
      r.answer(*node);
    } else {
      r.handoff(); // the flow changed under the session
    }
    break;
  case event::kind::timeout:
    if (s.node.empty() || s.deadline_ms == 0 || e.now_ms < s.deadline_ms)
      break;
    if (auto node = find_node(flow, s.node); !node) {
      r.handoff();
    } else if (auto branch = str(*node, "timeout"); !branch.empty()) {
      r.run(branch);
    } else {
      s.deadline_ms = 0; // nothing to do on silence here; keep waiting for an answer
    }
    break;
  }
  return std::move(r.out);
}

} // namespace crm::bot
