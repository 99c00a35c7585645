// The checks a flow passes before it is saved (and the shipped one in the tests).
#include "bot_flows/engine.hpp"
#include "bot_flows/text.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace crm::bot {

namespace {

using json = nlohmann::json;

const std::set<std::string, std::less<>> node_types = {"message", "menu", "input",    "condition",
                                                       "action",  "wait", "transfer", "end"};
const std::set<std::string, std::less<>> validations = {"date", "amount", "document", "text",
                                                        "media"};
const std::set<std::string, std::less<>> operators = {"eq", "ne",  "gt",       "gte",
                                                      "lt", "lte", "contains", "exists"};
const std::set<std::string, std::less<>> priorities = {"URGENTE", "ALTA", "MEDIA", "BAJA"};
const std::set<std::string, std::less<>> statuses = {"pending", "contacted", "promise",
                                                     "paid",    "legal",     "unlocatable"};
/// Each action and the params it needs.
const std::map<std::string, std::vector<std::string>, std::less<>> actions = {
    {"promise", {"amount", "dueDate"}},
    {"status", {"collectionStatus"}},
    {"task", {"title"}},
    {"tag", {"tag"}}};

std::string in_quotes(std::string_view s) {
  return "\"" + std::string{s} + "\"";
}

bool has_template(const json& value) {
  return value.is_string() && value.get<std::string>().find("{{") != std::string::npos;
}

/// One run of validate(): the flow, its nodes by id, their edges, and what is wrong.
struct checker {
  const json& flow;
  std::vector<flow_error> errors;
  std::vector<std::string> order;                      // ids, in document order
  std::map<std::string, const json*> nodes;            // first node with each id
  std::map<std::string, std::vector<std::string>> out; // valid references per node
  std::set<std::string> variables;                     // context + captured by inputs

  void fail(const std::string& node, std::string field, const std::string& message) {
    errors.push_back({node, std::move(field),
                      node.empty() ? message : "node " + in_quotes(node) + ": " + message});
  }

  void run() {
    if (!flow.is_object())
      return fail("", "", "the flow must be a JSON object");
    if (flow.contains("name") && !flow["name"].is_string())
      fail("", "name", "name must be a string");
    auto list = flow.find("nodes");
    if (list == flow.end() || !list->is_array() || list->empty())
      return fail("", "nodes", "the flow has no nodes");
    collect(*list);
    auto start = flow.value("start", json{});
    if (!start.is_string() || start.get<std::string>().empty())
      fail("", "start", "the flow has no start");
    else if (!nodes.contains(start.get<std::string>()))
      fail("", "start", "start refers to missing node " + in_quotes(start.get<std::string>()));
    for (auto& id : order)
      check(id, *nodes[id]);
    if (start.is_string() && nodes.contains(start.get<std::string>()))
      check_paths(start.get<std::string>());
  }

  void collect(const json& list) {
    for (auto& v : context_variables())
      variables.insert(v);
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto& node = list[i];
      auto position = "node " + std::to_string(i + 1);
      if (!node.is_object()) {
        fail("", "nodes", position + " is not an object");
        continue;
      }
      auto id = node.value("id", json{});
      if (!id.is_string() || id.get<std::string>().empty()) {
        fail("", "nodes", position + " has no id");
        continue;
      }
      auto name = id.get<std::string>();
      if (nodes.contains(name)) {
        fail(name, "id", "duplicate id");
        continue;
      }
      nodes[name] = &node;
      order.push_back(name);
      if (node.value("type", json{}) == "input" && node.value("variable", json{}).is_string())
        variables.insert(node["variable"].get<std::string>());
    }
  }

  // -- fields ---------------------------------------------------------------------------

  /// Checks a reference to another node; `label` names it in messages ("option 2's next").
  void ref(const std::string& id, const json& holder, const std::string& key, bool required,
           const std::string& field, const std::string& label) {
    if (!holder.contains(key)) {
      if (required)
        fail(id, field, label + " is missing");
      return;
    }
    auto& target = holder[key];
    if (!target.is_string() || target.get<std::string>().empty())
      return fail(id, field, label + " must be a node id");
    if (!nodes.contains(target.get<std::string>()))
      return fail(id, field,
                  label + " refers to missing node " + in_quotes(target.get<std::string>()));
    out[id].push_back(target.get<std::string>());
  }

  void ref(const std::string& id, const json& node, const std::string& key, bool required) {
    ref(id, node, key, required, key, in_quotes(key));
  }

  /// Checks a text field and the variables it uses.
  void text(const std::string& id, const json& holder, const std::string& key, bool required,
            const std::string& field) {
    if (!holder.contains(key)) {
      if (required)
        fail(id, field, in_quotes(key) + " is missing");
      return;
    }
    if (!holder[key].is_string())
      return fail(id, field, in_quotes(key) + " must be text");
    if (required && detail::trim(holder[key].get<std::string>()).empty())
      return fail(id, field, in_quotes(key) + " is empty");
    uses(id, field, holder[key].get<std::string>());
  }

  void uses(const std::string& id, const std::string& field, const std::string& text) {
    for (auto& name : detail::template_variables(text))
      if (!variables.contains(name))
        fail(id, field, field + " uses unknown variable {{" + name + "}}");
  }

  /// Checks every string inside action params for variables.
  void uses_all(const std::string& id, const std::string& field, const json& value) {
    if (value.is_string())
      return uses(id, field, value.get<std::string>());
    if (value.is_object())
      for (auto& [key, item] : value.items())
        uses_all(id, field + "." + key, item);
    if (value.is_array())
      for (auto& item : value)
        uses_all(id, field, item);
  }

  void positive(const std::string& id, const json& node, const std::string& key, bool required,
                std::int64_t least = 1) {
    if (!node.contains(key)) {
      if (required)
        fail(id, key, in_quotes(key) + " is missing");
      return;
    }
    if (!node[key].is_number_integer() || node[key].get<std::int64_t>() < least)
      fail(id, key,
           in_quotes(key) + " must be a whole number of at least " + std::to_string(least));
  }

  /// What menus and inputs share: fallback, retries and the silence branch.
  void asking(const std::string& id, const json& node) {
    text(id, node, "text", true, "text");
    text(id, node, "errorText", false, "errorText");
    ref(id, node, "invalid", false);
    positive(id, node, "maxRetries", false, 0);
    positive(id, node, "timeoutSeconds", false);
    ref(id, node, "timeout", false);
    if (node.contains("timeout") && !node.contains("timeoutSeconds"))
      fail(id, "timeoutSeconds", "a timeout branch needs \"timeoutSeconds\"");
  }

  // -- node types -----------------------------------------------------------------------

  void check(const std::string& id, const json& node) {
    auto type = node.value("type", json{});
    if (!type.is_string())
      return fail(id, "type", "\"type\" is missing");
    auto t = type.get<std::string>();
    if (!node_types.contains(t))
      return fail(id, "type", "unknown type " + in_quotes(t));
    if (t == "message") {
      text(id, node, "text", true, "text");
      ref(id, node, "next", true);
    } else if (t == "menu") {
      asking(id, node);
      options(id, node);
    } else if (t == "input") {
      asking(id, node);
      auto variable = node.value("variable", json{});
      if (!variable.is_string() || variable.get<std::string>().empty())
        fail(id, "variable", "\"variable\" is missing");
      else if (variable.get<std::string>().find_first_of("{} ") != std::string::npos)
        fail(id, "variable", "variable names hold no spaces or braces");
      auto how = node.value("validate", json{});
      if (!how.is_string() || !validations.contains(how.get<std::string>()))
        fail(id, "validate", "\"validate\" must be date, amount, document, text or media");
      ref(id, node, "next", true);
    } else if (t == "condition") {
      condition(id, node);
    } else if (t == "action") {
      action(id, node);
    } else if (t == "wait") {
      text(id, node, "text", false, "text");
      positive(id, node, "timeoutSeconds", true);
      ref(id, node, "next", true);
      if (!node.contains("timeout"))
        fail(id, "timeout", "wait has no timeout branch");
      else
        ref(id, node, "timeout", true);
    } else if (t == "transfer") {
      text(id, node, "text", false, "text");
      text(id, node, "skill", false, "skill");
      text(id, node, "priority", false, "priority");
      auto p = node.value("priority", json{});
      if (p.is_string() && !has_template(p) && !p.get<std::string>().empty() &&
          !priorities.contains(p.get<std::string>()))
        fail(id, "priority", "priority must be URGENTE, ALTA, MEDIA or BAJA");
    } else {
      text(id, node, "text", false, "text");
    }
  }

  void options(const std::string& id, const json& node) {
    auto list = node.value("options", json{});
    if (!list.is_array() || list.empty())
      return fail(id, "options", "menu has no options");
    std::set<std::string> keys;
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto& option = list[i];
      auto label = "option " + std::to_string(i + 1);
      auto field = "options[" + std::to_string(i) + "]";
      if (!option.is_object()) {
        fail(id, field, label + " is not an object");
        continue;
      }
      auto key = option.value("key", json{});
      if (!(key.is_string() || key.is_number_integer()) || detail::to_text(key).empty())
        fail(id, field + ".key", label + " has no key");
      else if (!keys.insert(detail::canonical(detail::to_text(key))).second)
        fail(id, field + ".key", label + " repeats key " + in_quotes(detail::to_text(key)));
      text(id, option, "label", true, field + ".label");
      if (!option.contains("next"))
        fail(id, field + ".next", label + " has no next");
      else
        ref(id, option, "next", true, field + ".next", label + "'s next");
    }
  }

  void condition(const std::string& id, const json& node) {
    auto variable = node.value("variable", json{});
    if (!variable.is_string() || variable.get<std::string>().empty())
      fail(id, "variable", "\"variable\" is missing");
    else if (!variables.contains(variable.get<std::string>()))
      fail(id, "variable", "unknown variable " + in_quotes(variable.get<std::string>()));
    auto op = node.value("operator", json{});
    if (!op.is_string() || !operators.contains(op.get<std::string>()))
      fail(id, "operator", "\"operator\" must be eq, ne, gt, gte, lt, lte, contains or exists");
    else if (op != "exists" && !node.contains("value"))
      fail(id, "value", "\"value\" is missing");
    if (node.contains("value") && node["value"].is_string())
      uses(id, "value", node["value"].get<std::string>());
    if (!node.contains("then"))
      fail(id, "then", "condition has no then");
    else
      ref(id, node, "then", true);
    if (!node.contains("else"))
      fail(id, "else", "condition has no else");
    else
      ref(id, node, "else", true);
  }

  void action(const std::string& id, const json& node) {
    auto name = node.value("action", json{});
    auto params = node.value("params", json{});
    auto known = name.is_string() ? actions.find(name.get<std::string>()) : actions.end();
    if (known == actions.end())
      fail(id, "action", "\"action\" must be promise, status, task or tag");
    if (!params.is_object()) {
      fail(id, "params", "\"params\" must be an object");
    } else {
      uses_all(id, "params", params);
      if (known != actions.end())
        for (auto& key : known->second)
          if (!params.contains(key) || detail::to_text(params[key]).empty())
            fail(id, "params." + key, known->first + " needs params." + key);
      auto status = params.value("collectionStatus", json{});
      if (name == "status" && status.is_string() && !has_template(status) &&
          !statuses.contains(status.get<std::string>()))
        fail(id, "params.collectionStatus",
             "collectionStatus must be pending, contacted, promise, paid, legal or unlocatable");
      if (name == "task" && params.contains("dueInMinutes"))
        positive(id, params, "dueInMinutes", false);
    }
    ref(id, node, "next", true);
  }

  // -- paths ----------------------------------------------------------------------------

  void check_paths(const std::string& start) {
    std::set<std::string> reached{start};
    std::vector<std::string> todo{start};
    while (!todo.empty()) {
      auto id = todo.back();
      todo.pop_back();
      for (auto& next : out[id])
        if (reached.insert(next).second)
          todo.push_back(next);
    }
    for (auto& id : order)
      if (!reached.contains(id))
        fail(id, "", "unreachable from start");
    // Nodes from which some path ends in a transfer or an end.
    std::set<std::string> finishing;
    for (bool grew = true; grew;) {
      grew = false;
      for (auto& id : order) {
        auto type = nodes[id]->value("type", json{});
        auto& next = out[id];
        if (!finishing.contains(id) &&
            (type == "transfer" || type == "end" ||
             std::any_of(next.begin(), next.end(), [&](auto& n) { return finishing.contains(n); })))
          grew = finishing.insert(id).second;
      }
    }
    for (auto& id : order)
      if (reached.contains(id) && !finishing.contains(id))
        fail(id, "", "no path from here reaches a transfer or end");
  }
};

} // namespace

const std::vector<std::string>& context_variables() {
  static const std::vector<std::string> names = {
      "clientName", "debtAmount",     "debtAmountText",   "daysOverdue", "priority",
      "currency",   "documentNumber", "collectionStatus", "today"};
  return names;
}

std::vector<flow_error> validate(const nlohmann::json& flow) {
  checker c{flow};
  c.run();
  return std::move(c.errors);
}

} // namespace crm::bot
