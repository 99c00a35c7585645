#include "net/chat_input.hpp"

#include <algorithm>
#include <array>
#include <regex>

namespace crm::net {

namespace {

using json = nlohmann::json;

/// WhatsApp's limit for a text body.
constexpr size_t max_text = 4096;
constexpr size_t max_reason = 500;

const std::array<const char*, 6> outcomes = {"promise",      "paid",        "refused",
                                             "wrong_number", "unreachable", "call_back"};

bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

bool non_blank_string(const json& j) {
  return j.is_string() && !blank(j.get<std::string>());
}

/// A calendar date written YYYY-MM-DD.
bool is_date(const std::string& s) {
  static const std::regex shape{"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"};
  if (!std::regex_match(s, shape))
    return false;
  int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 2000 || m < 1 || m > 12 || d < 1)
    return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

std::optional<input_error> read_reason(const json& body, chat_command& cmd, bool required) {
  auto it = body.find("reason");
  if (it == body.end() || it->is_null()) {
    if (required)
      return input_error{"reason", "a transfer needs a reason"};
    return std::nullopt;
  }
  if (!it->is_string() || (required && blank(it->get<std::string>())) ||
      it->get<std::string>().size() > max_reason)
    return input_error{"reason", "reason must be a non-empty string of at most 500 characters"};
  cmd.reason = it->get<std::string>();
  return std::nullopt;
}

std::optional<input_error> read_agent(const json& body, chat_command& cmd, bool nullable) {
  auto it = body.find("agentId");
  if (nullable && (it == body.end() || it->is_null()))
    return std::nullopt; // back to the queue
  if (it == body.end() || !it->is_string() || !is_uuid(it->get<std::string>()))
    return input_error{"agentId", nullable ? "agentId must be a user id or null"
                                           : "agentId must be a user id"};
  cmd.agent = it->get<std::string>();
  return std::nullopt;
}

/// {type: "template", template: {name, language?, components?}}: an approved template,
/// the only kind of message allowed outside the 24-hour window.
std::optional<input_error> read_template(const json& body, chat_command& cmd) {
  auto t = body.find("template");
  if (t == body.end() || !t->is_object())
    return input_error{"template", "a template message needs template: {name, language}"};
  auto name = t->find("name");
  if (name == t->end() || !name->is_string() || blank(name->get<std::string>()) ||
      name->get<std::string>().size() > 512)
    return input_error{"template.name", "template.name must be the approved template's name"};
  auto language = t->value("language", json("es"));
  if (!language.is_string() || blank(language.get<std::string>()))
    return input_error{"template.language", "template.language must be a code such as es"};
  auto components = t->value("components", json::array());
  if (!components.is_array())
    return input_error{"template.components", "template.components must be an array"};
  cmd.text = name->get<std::string>();
  cmd.details = json{{"name", *name}, {"language", language}, {"components", components}}.dump();
  return std::nullopt;
}

/// {type: "interactive", interactive: {type: button|list, body: {text}, action}}: reply
/// buttons (at most 3, titles up to 20 characters) or a list, as WhatsApp takes them.
std::optional<input_error> read_interactive(const json& body, chat_command& cmd) {
  auto i = body.find("interactive");
  if (i == body.end() || !i->is_object())
    return input_error{"interactive", "an interactive message needs interactive: {type, body, "
                                      "action}"};
  auto kind = i->value("type", "");
  auto text = i->contains("body") && (*i)["body"].is_object() ? (*i)["body"].value("text", "")
                                                              : std::string{};
  if (kind != "button" && kind != "list")
    return input_error{"interactive.type", "interactive.type must be button or list"};
  if (blank(text) || text.size() > 1024)
    return input_error{"interactive.body.text", "interactive.body.text must be 1-1024 bytes"};
  auto action = i->value("action", json{});
  if (!action.is_object())
    return input_error{"interactive.action", "interactive.action must be an object"};
  if (kind == "button") {
    auto buttons = action.value("buttons", json{});
    if (!buttons.is_array() || buttons.empty() || buttons.size() > 3)
      return input_error{"interactive.action.buttons", "between 1 and 3 reply buttons"};
    for (auto& b : buttons) {
      auto reply = b.value("reply", json{});
      if (!reply.is_object() || !non_blank_string(reply.value("id", json{})) ||
          !non_blank_string(reply.value("title", json{})) ||
          reply["title"].get<std::string>().size() > 20)
        return input_error{"interactive.action.buttons",
                           "each button is {type: reply, reply: {id, title (max 20)}}"};
    }
  } else if (!non_blank_string(action.value("button", json{})) ||
             !action.value("sections", json{}).is_array() || action["sections"].empty()) {
    return input_error{"interactive.action", "a list needs action.button and action.sections"};
  }
  cmd.text = text;
  cmd.details = i->dump();
  return std::nullopt;
}

/// {type: "image"|"document", media: {link | id, caption?, filename?}}.
std::optional<input_error> read_media(const json& body, chat_command& cmd) {
  auto m = body.find("media");
  if (m == body.end() || !m->is_object())
    return input_error{"media", "a media message needs media: {link or id}"};
  static const std::regex url{R"(^https://\S+$)"};
  json out = json::object();
  if (m->contains("link")) {
    auto& link = (*m)["link"];
    if (!link.is_string() || !std::regex_match(link.get<std::string>(), url))
      return input_error{"media.link", "media.link must be an https URL"};
    out["link"] = link;
  } else if (m->contains("id") && non_blank_string((*m)["id"])) {
    out["id"] = (*m)["id"];
  } else {
    return input_error{"media", "media needs a link or a provider media id"};
  }
  for (auto field : {"caption", "filename"})
    if (m->contains(field)) {
      if (!(*m)[field].is_string() || (*m)[field].get<std::string>().size() > 1024)
        return input_error{std::string{"media."} + field, "must be a string"};
      out[field] = (*m)[field];
    }
  cmd.text = out.value("caption", "");
  cmd.details = out.dump();
  return std::nullopt;
}

std::optional<input_error> read_send(const json& body, chat_command& cmd) {
  cmd.type = body.value("type", json("text")).is_string() ? body.value("type", "text") : "";
  if (cmd.type == "template")
    return read_template(body, cmd);
  if (cmd.type == "interactive")
    return read_interactive(body, cmd);
  if (cmd.type == "image" || cmd.type == "document")
    return read_media(body, cmd);
  if (cmd.type != "text")
    return input_error{"type", "type must be text, template, interactive, image or document"};
  auto text = body.find("text");
  if (text == body.end() || !text->is_string() || blank(text->get<std::string>()))
    return input_error{"text", "text must be a non-empty string"};
  cmd.text = text->get<std::string>();
  if (cmd.text.size() > max_text)
    return input_error{"text", "text must be at most 4096 bytes"};
  return std::nullopt;
}

std::optional<input_error> read_close(const json& body, chat_command& cmd) {
  auto outcome = body.find("outcome");
  if (outcome == body.end() || !outcome->is_string() ||
      std::find(outcomes.begin(), outcomes.end(), outcome->get<std::string>()) == outcomes.end())
    return input_error{"outcome", "outcome must be one of promise, paid, refused, wrong_number, "
                                  "unreachable, call_back"};
  cmd.outcome = outcome->get<std::string>();
  auto promise = body.find("promise");
  bool given = promise != body.end() && !promise->is_null();
  if (cmd.outcome != "promise") {
    if (given)
      return input_error{"promise", "a promise goes with the outcome \"promise\" only"};
    return std::nullopt;
  }
  if (!given || !promise->is_object())
    return input_error{"promise", "the outcome \"promise\" needs {amount, dueDate}"};
  auto amount = promise->find("amount");
  if (amount == promise->end() || !amount->is_number() || amount->get<double>() <= 0 ||
      amount->get<double>() >= 1e14)
    return input_error{"promise.amount", "amount must be a positive number"};
  auto due = promise->find("dueDate");
  if (due == promise->end() || !due->is_string() || !is_date(due->get<std::string>()))
    return input_error{"promise.dueDate", "dueDate must be a date written YYYY-MM-DD"};
  cmd.promise = json{{"amount", *amount}, {"dueDate", *due}}.dump();
  return std::nullopt;
}

} // namespace

bool is_uuid(const std::string& s) {
  static const std::regex uuid{"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"};
  return std::regex_match(s, uuid);
}

std::optional<input_error> read_chat_command(const std::string& kind, const json& body,
                                             chat_command& cmd) {
  if (!body.is_object())
    return input_error{"body", "the body must be a JSON object"};
  cmd.kind = kind;
  if (kind == "send")
    return read_send(body, cmd);
  if (kind == "assign") {
    if (auto err = read_agent(body, cmd, false))
      return err;
    return read_reason(body, cmd, false);
  }
  if (kind == "transfer") {
    if (auto err = read_agent(body, cmd, true))
      return err;
    return read_reason(body, cmd, true);
  }
  if (kind == "close")
    return read_close(body, cmd);
  if (kind == "typing")
    return std::nullopt;
  return input_error{"action", "unknown chat command " + kind};
}

std::string forbidden_question(const chat_command& cmd, const contact::settings* rules) {
  if (!rules || cmd.kind != "send" || cmd.text.empty())
    return {};
  return contact::find_phrase(cmd.text, rules->forbidden_phrases);
}

} // namespace crm::net
