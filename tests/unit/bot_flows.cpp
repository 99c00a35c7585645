#include "bot_flows/engine.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
using namespace crm::bot;
using json = nlohmann::json;

namespace {

constexpr std::int64_t t0 = 1'780'000'000'000;
const std::string handoff_text = "Un asesor continuará la conversación con usted en un momento.";

json debtor() {
  return {{"clientName", "Ana Pérez"},
          {"debtAmount", 1250000},
          {"daysOverdue", 45},
          {"priority", "ALTA"},
          {"currency", "COP"},
          {"documentNumber", "52123456"},
          {"collectionStatus", "pending"},
          {"today", "2026-06-01"}};
}

event start(std::int64_t now = t0) {
  return {event::kind::start, "", "text", now};
}

event say(const std::string& text, std::int64_t now = t0, const std::string& type = "text") {
  return {event::kind::message, text, type, now};
}

event silence(std::int64_t now) {
  return {event::kind::timeout, "", "text", now};
}

/// The effects' kinds in order, e.g. "send,action,end".
std::string kinds(const std::vector<effect>& effects) {
  std::string result;
  for (auto& e : effects) {
    if (!result.empty())
      result += ',';
    switch (e.what) {
    case effect::kind::send:
      result += "send";
      break;
    case effect::kind::action:
      result += "action";
      break;
    case effect::kind::transfer:
      result += "transfer";
      break;
    case effect::kind::end:
      result += "end";
      break;
    }
  }
  return result;
}

json flow_of(json nodes) {
  return {{"name", "test"}, {"start", nodes[0]["id"]}, {"nodes", std::move(nodes)}};
}

json end_node(const std::string& id, const std::string& text = "") {
  json result = {{"id", id}, {"type", "end"}};
  if (!text.empty())
    result["text"] = text;
  return result;
}

/// A menu with two options leading to ends saying "uno" and "dos".
json menu_flow(json extra = json::object()) {
  json menu = {{"id", "menu"},
               {"type", "menu"},
               {"text", "Elija:"},
               {"options",
                {{{"key", "1"}, {"label", "Pagar ahora"}, {"next", "one"}},
                 {{"key", "2"}, {"label", "Ya pagué"}, {"next", "two"}}}}};
  menu.update(extra);
  auto result = flow_of({menu, end_node("one", "uno"), end_node("two", "dos")});
  if (extra.value("invalid", "") == "fallback" || extra.value("timeout", "") == "fallback")
    result["nodes"].push_back(end_node("fallback"));
  return result;
}

/// An input node storing `variable` after validating it as `validate`, then an end.
json input_flow(const std::string& validate, json extra = json::object()) {
  json input = {{"id", "ask"},     {"type", "input"},      {"text", "¿Dato?"},
                {"variable", "v"}, {"validate", validate}, {"next", "done"}};
  input.update(extra);
  return flow_of({input, end_node("done", "ok {{v}}")});
}

/// The session after starting `flow`.
session started(const json& flow, const json& context = debtor()) {
  session s;
  step(flow, s, context, start());
  return s;
}

bool has_error(const std::vector<flow_error>& errors, const std::string& node,
               const std::string& part) {
  for (auto& e : errors)
    if (e.node == node && e.message.find(part) != std::string::npos)
      return true;
  return false;
}

std::string describe(const std::vector<flow_error>& errors) {
  std::string result;
  for (auto& e : errors)
    result += e.message + " [" + e.field + "]\n";
  return result;
}

} // namespace

BOOST_AUTO_TEST_SUITE(bot_engine)

BOOST_AUTO_TEST_CASE(message_nodes_render_variables_and_go_on) {
  auto flow = flow_of({{{"id", "hello"},
                        {"type", "message"},
                        {"text", "Hola {{clientName}}: ${{ debtAmount }} ({{debtAmountText}}), "
                                 "{{daysOverdue}} días{{nobody}}."},
                        {"next", "bye"}},
                       end_node("bye")});
  session s;
  auto effects = step(flow, s, debtor(), start());
  BOOST_CHECK_EQUAL(kinds(effects), "send,end");
  BOOST_CHECK_EQUAL(effects[0].text, "Hola Ana Pérez: $1250000 (1.250.000), 45 días.");
  BOOST_CHECK(s.finished);
  auto context = debtor();
  context["debtAmount"] = 1250000.0;
  s = session{};
  BOOST_CHECK_EQUAL(step(flow, s, context, start())[0].text,
                    "Hola Ana Pérez: $1250000 (1.250.000), 45 días.");
  context["debtAmount"] = 99.5;
  s = session{};
  BOOST_CHECK_EQUAL(step(flow, s, context, start())[0].text,
                    "Hola Ana Pérez: $99.5 (99,50), 45 días.");
}

BOOST_AUTO_TEST_CASE(a_first_message_from_the_debtor_starts_the_flow_and_is_not_an_answer) {
  auto flow = menu_flow();
  session s;
  auto effects = step(flow, s, debtor(), say("2"));
  BOOST_REQUIRE_EQUAL(kinds(effects), "send");
  BOOST_CHECK_EQUAL(effects[0].text, "Elija:\n1. Pagar ahora\n2. Ya pagué");
  BOOST_CHECK_EQUAL(s.node, "menu");
  BOOST_CHECK(!s.finished);
  BOOST_CHECK(step(flow, s, debtor(), start()).empty()); // already started
  BOOST_CHECK_EQUAL(s.node, "menu");
}

BOOST_AUTO_TEST_CASE(menus_send_numbered_options_and_set_a_deadline_only_with_a_timeout) {
  session s = started(menu_flow());
  BOOST_CHECK_EQUAL(s.node, "menu");
  BOOST_CHECK_EQUAL(s.deadline_ms, 0);
  session timed = started(menu_flow({{"timeoutSeconds", 900}, {"timeout", "fallback"}}));
  BOOST_CHECK_EQUAL(timed.deadline_ms, t0 + 900'000);
}

BOOST_DATA_TEST_CASE(menus_match_key_or_label_ignoring_case_accents_and_punctuation,
                     bdata::make({"2", " 2. ", "2)", "ya pague", "YA PAGUÉ", "¡Ya pagué!",
                                  "2. Ya pagué"}),
                     answer) {
  auto flow = menu_flow();
  session s = started(flow);
  auto effects = step(flow, s, debtor(), say(answer));
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,end");
  BOOST_CHECK_EQUAL(effects[0].text, "dos");
}

BOOST_AUTO_TEST_CASE(interactive_replies_match_by_title_or_id) {
  auto flow = menu_flow();
  session by_title = started(flow);
  BOOST_CHECK_EQUAL(step(flow, by_title, debtor(), say("Pagar ahora", t0, "interactive"))[0].text,
                    "uno");
  session by_id = started(flow);
  BOOST_CHECK_EQUAL(step(flow, by_id, debtor(), say("2", t0, "interactive"))[0].text, "dos");
}

BOOST_AUTO_TEST_CASE(invalid_menu_answers_re_ask_then_take_the_invalid_branch) {
  auto flow = menu_flow({{"invalid", "fallback"}, {"errorText", "No entendí, {{clientName}}."}});
  session s = started(flow);
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto effects = step(flow, s, debtor(), say("9"));
    BOOST_REQUIRE_EQUAL(kinds(effects), "send,send");
    BOOST_CHECK_EQUAL(effects[0].text, "No entendí, Ana Pérez.");
    BOOST_CHECK_EQUAL(effects[1].text, "Elija:\n1. Pagar ahora\n2. Ya pagué");
    BOOST_CHECK_EQUAL(s.retries, attempt);
    BOOST_CHECK_EQUAL(s.node, "menu");
  }
  auto effects = step(flow, s, debtor(), say("tres"));
  BOOST_CHECK_EQUAL(kinds(effects), "end");
  BOOST_CHECK_EQUAL(s.node, "fallback");
  BOOST_CHECK_EQUAL(s.retries, 0);
}

BOOST_AUTO_TEST_CASE(without_an_invalid_branch_spent_retries_hand_off_to_an_agent) {
  auto flow = menu_flow({{"maxRetries", 0}});
  session s = started(flow);
  auto effects = step(flow, s, debtor(), say("", t0, "audio"));
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,transfer");
  BOOST_CHECK_EQUAL(effects[0].text, handoff_text);
  BOOST_CHECK(effects[1].skill.empty());
  BOOST_CHECK(s.finished);
}

BOOST_AUTO_TEST_CASE(input_dates_are_stored_as_iso_and_bad_ones_get_the_error_text) {
  auto flow = input_flow("date", {{"errorText", "Fecha inválida"}});
  session s = started(flow);
  auto effects = step(flow, s, debtor(), say("ayer"));
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,send");
  BOOST_CHECK_EQUAL(effects[0].text, "Fecha inválida");
  BOOST_CHECK_EQUAL(effects[1].text, "¿Dato?");
  effects = step(flow, s, debtor(), say("15/06/2026"));
  BOOST_CHECK_EQUAL(kinds(effects), "send,end");
  BOOST_CHECK_EQUAL(s.vars["v"], "2026-06-15");
  BOOST_CHECK_EQUAL(effects[0].text, "ok 2026-06-15");
}

BOOST_AUTO_TEST_CASE(without_today_in_the_context_the_event_time_in_bogota_is_today) {
  auto flow = input_flow("date");
  auto context = debtor();
  context.erase("today");
  // 2026-06-02T03:00Z is still 1 June in Bogota (UTC-5).
  constexpr std::int64_t june_2_3am_utc = 1'780'369'200'000;
  session s;
  step(flow, s, context, start(june_2_3am_utc));
  step(flow, s, context, say("hoy", june_2_3am_utc));
  BOOST_CHECK_EQUAL(s.vars["v"], "2026-06-01");
}

BOOST_AUTO_TEST_CASE(input_amounts_documents_and_texts_validate) {
  struct row {
    std::string validate, answer, stored;
  };
  std::vector<row> rows = {
      {"amount", "$ 150.000,50", "150000.50"},
      {"amount", "abc", ""},
      {"amount", "0", ""},
      {"document", "52.123.456", "52123456"},
      {"document", "12 345", "12345"},
      {"document", "1234", ""},
      {"document", "1234567890123", ""},
      {"document", "12a45", ""},
      {"text", "  al mediodía ", "al mediodía"},
      {"text", "   ", ""},
  };
  for (auto& r : rows) {
    BOOST_TEST_CONTEXT(r.validate << " " << r.answer) {
      auto flow = input_flow(r.validate);
      session s = started(flow);
      auto effects = step(flow, s, debtor(), say(r.answer));
      if (r.stored.empty()) {
        BOOST_CHECK_EQUAL(kinds(effects), "send,send");
        BOOST_CHECK(!s.vars.contains("v"));
        BOOST_CHECK_EQUAL(s.retries, 1);
      } else {
        BOOST_CHECK_EQUAL(kinds(effects), "send,end");
        BOOST_CHECK_EQUAL(s.vars["v"], r.stored);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(media_inputs_take_images_and_documents_with_their_caption) {
  auto flow = input_flow("media");
  session s = started(flow);
  auto effects = step(flow, s, debtor(), say("ya pagué", t0, "text"));
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,send");
  BOOST_CHECK_EQUAL(effects[0].text, "Por favor envíe el soporte como imagen o documento.");
  BOOST_CHECK_EQUAL(kinds(step(flow, s, debtor(), say("", t0, "audio"))), "send,send");
  step(flow, s, debtor(), say("recibo", t0, "image"));
  BOOST_CHECK_EQUAL(s.vars["v"], "[image] recibo");
  session doc = started(flow);
  step(flow, doc, debtor(), say("", t0, "document"));
  BOOST_CHECK_EQUAL(doc.vars["v"], "[document]");
}

BOOST_DATA_TEST_CASE(conditions_compare_context_and_captured_variables,
                     bdata::make({
                         R"(["daysOverdue", "gt", 30, true])",
                         R"(["daysOverdue", "gt", 45, false])",
                         R"(["daysOverdue", "gte", 45, true])",
                         R"(["daysOverdue", "lt", 46, true])",
                         R"(["daysOverdue", "lte", 44, false])",
                         R"(["daysOverdue", "eq", "45", true])",
                         R"(["daysOverdue", "ne", 45, false])",
                         R"(["priority", "eq", "alta", true])",
                         R"(["priority", "ne", "MEDIA", true])",
                         R"(["clientName", "contains", "PEREZ", true])",
                         R"(["clientName", "contains", "Gómez", false])",
                         R"(["promiseAmount", "exists", null, true])",
                         R"(["promiseDate", "exists", null, false])",
                         R"(["promiseAmount", "gt", 100000, true])",
                         R"(["promiseAmount", "lte", "100000", false])",
                         R"(["promiseDue", "lt", "{{today}}", true])",
                         R"(["promiseDue", "gte", "{{today}}", false])",
                         R"(["promiseDate", "eq", "x", false])",
                         R"(["promiseDate", "ne", "x", true])",
                     }),
                     row) {
  json r = json::parse(std::string{row});
  json condition = {{"id", "check"},    {"type", "condition"}, {"variable", r[0]},
                    {"operator", r[1]}, {"then", "yes"},       {"else", "no"}};
  if (!r[2].is_null())
    condition["value"] = r[2];
  auto flow = flow_of({condition, end_node("yes", "sí"), end_node("no", "no")});
  session s;
  s.vars = {{"promiseAmount", "150000.50"}, {"promiseDue", "2026-05-30"}};
  auto effects = step(flow, s, debtor(), start());
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,end");
  BOOST_CHECK_EQUAL(effects[0].text, r[3].get<bool>() ? "sí" : "no");
}

BOOST_AUTO_TEST_CASE(action_params_are_rendered_and_tasks_default_to_an_hour) {
  auto flow = flow_of({
      {{"id", "p"},
       {"type", "action"},
       {"action", "promise"},
       {"params", {{"amount", "{{promiseAmount}}"}, {"dueDate", "{{promiseDate}}"}}},
       {"next", "s"}},
      {{"id", "s"},
       {"type", "action"},
       {"action", "status"},
       {"params", {{"collectionStatus", "promise"}}},
       {"next", "t"}},
      {{"id", "t"},
       {"type", "action"},
       {"action", "task"},
       {"params", {{"title", "Llamar a {{clientName}}"}}},
       {"next", "t2"}},
      {{"id", "t2"},
       {"type", "action"},
       {"action", "task"},
       {"params", {{"title", "Otra"}, {"dueInMinutes", 15}}},
       {"next", "g"}},
      {{"id", "g"},
       {"type", "action"},
       {"action", "tag"},
       {"params", {{"tag", "mora_{{priority}}"}}},
       {"next", "bye"}},
      end_node("bye"),
  });
  session s;
  s.vars = {{"promiseAmount", "150000.50"}, {"promiseDate", "2026-06-15"}};
  auto effects = step(flow, s, debtor(), start());
  BOOST_REQUIRE_EQUAL(kinds(effects), "action,action,action,action,action,end");
  BOOST_CHECK_EQUAL(effects[0].action, "promise");
  BOOST_CHECK_EQUAL(effects[0].params, json({{"amount", "150000.50"}, {"dueDate", "2026-06-15"}}));
  BOOST_CHECK_EQUAL(effects[1].action, "status");
  BOOST_CHECK_EQUAL(effects[1].params, json({{"collectionStatus", "promise"}}));
  BOOST_CHECK_EQUAL(effects[2].params,
                    json({{"title", "Llamar a Ana Pérez"}, {"dueInMinutes", 60}}));
  BOOST_CHECK_EQUAL(effects[3].params, json({{"title", "Otra"}, {"dueInMinutes", 15}}));
  BOOST_CHECK_EQUAL(effects[4].action, "tag");
  BOOST_CHECK_EQUAL(effects[4].params, json({{"tag", "mora_ALTA"}}));
}

BOOST_AUTO_TEST_CASE(a_wait_goes_on_with_any_answer_or_takes_its_timeout_on_silence) {
  auto flow = flow_of({{{"id", "w"},
                        {"type", "wait"},
                        {"text", "¿Sigue ahí?"},
                        {"timeoutSeconds", 3600},
                        {"next", "answered"},
                        {"timeout", "silent"}},
                       end_node("answered", "respondió"),
                       end_node("silent", "silencio")});
  session answered;
  auto effects = step(flow, answered, debtor(), start());
  BOOST_REQUIRE_EQUAL(kinds(effects), "send");
  BOOST_CHECK_EQUAL(effects[0].text, "¿Sigue ahí?");
  BOOST_CHECK_EQUAL(answered.deadline_ms, t0 + 3'600'000);
  effects = step(flow, answered, debtor(), say("", t0 + 10, "sticker"));
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,end");
  BOOST_CHECK_EQUAL(effects[0].text, "respondió");

  session silent = started(flow);
  BOOST_CHECK(step(flow, silent, debtor(), silence(t0 + 3'599'999)).empty());
  BOOST_CHECK_EQUAL(silent.node, "w");
  BOOST_CHECK(!silent.finished);
  effects = step(flow, silent, debtor(), silence(t0 + 3'600'000));
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,end");
  BOOST_CHECK_EQUAL(effects[0].text, "silencio");
}

BOOST_AUTO_TEST_CASE(timeouts_without_a_deadline_or_a_branch_do_nothing) {
  auto flow = menu_flow({{"timeoutSeconds", 60}});
  session fresh;
  BOOST_CHECK(step(flow, fresh, debtor(), silence(t0)).empty());
  BOOST_CHECK(fresh.node.empty());
  session s = started(flow);
  BOOST_CHECK_EQUAL(s.deadline_ms, t0 + 60'000);
  BOOST_CHECK(step(flow, s, debtor(), silence(t0 + 60'000)).empty());
  BOOST_CHECK_EQUAL(s.node, "menu");
  BOOST_CHECK_EQUAL(s.deadline_ms, 0);
  BOOST_CHECK_EQUAL(step(flow, s, debtor(), say("1"))[0].text, "uno");
}

BOOST_AUTO_TEST_CASE(transfers_send_their_text_then_hand_off_with_skill_and_priority) {
  auto flow = flow_of({{{"id", "t"},
                        {"type", "transfer"},
                        {"text", "Le atiende un asesor."},
                        {"skill", "pagos"},
                        {"priority", "{{priority}}"}}});
  session s;
  auto effects = step(flow, s, debtor(), start());
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,transfer");
  BOOST_CHECK_EQUAL(effects[0].text, "Le atiende un asesor.");
  BOOST_CHECK(effects[1].text.empty());
  BOOST_CHECK_EQUAL(effects[1].skill, "pagos");
  BOOST_CHECK_EQUAL(effects[1].priority, "ALTA");
  BOOST_CHECK(s.finished);
  BOOST_CHECK_EQUAL(s.node, "t");
  BOOST_CHECK(step(flow, s, debtor(), say("hola")).empty());
}

BOOST_AUTO_TEST_CASE(an_end_without_text_only_ends_and_nothing_happens_after_it) {
  auto flow = flow_of({end_node("bye")});
  session s;
  BOOST_CHECK_EQUAL(kinds(step(flow, s, debtor(), start())), "end");
  BOOST_CHECK(s.finished);
  BOOST_CHECK(step(flow, s, debtor(), start()).empty());
  BOOST_CHECK(step(flow, s, debtor(), silence(t0 + 1'000'000)).empty());
}

BOOST_AUTO_TEST_CASE(a_loop_without_waiting_hands_off_after_fifty_nodes) {
  auto flow = flow_of({{{"id", "a"}, {"type", "message"}, {"text", "a"}, {"next", "b"}},
                       {{"id", "b"},
                        {"type", "condition"},
                        {"variable", "daysOverdue"},
                        {"operator", "exists"},
                        {"then", "a"},
                        {"else", "a"}}});
  session s;
  auto effects = step(flow, s, debtor(), start());
  BOOST_REQUIRE_EQUAL(effects.size(), 27u); // 25 visits of "a", the hand-off text, transfer
  BOOST_CHECK_EQUAL(effects[25].text, handoff_text);
  BOOST_CHECK(effects.back().what == effect::kind::transfer);
  BOOST_CHECK(s.finished);
}

BOOST_AUTO_TEST_CASE(a_session_at_a_node_the_flow_no_longer_has_hands_off) {
  session s;
  s.node = "gone";
  auto effects = step(menu_flow(), s, debtor(), say("1"));
  BOOST_CHECK_EQUAL(kinds(effects), "send,transfer");
  BOOST_CHECK(s.finished);
}

BOOST_AUTO_TEST_CASE(sessions_round_trip_through_json) {
  session s;
  s.node = "ask";
  s.deadline_ms = t0;
  s.retries = 2;
  s.finished = true;
  s.vars = {{"promiseDate", "2026-06-15"}};
  auto back = session::from_json(json::parse(s.to_json().dump()));
  BOOST_CHECK_EQUAL(back.node, "ask");
  BOOST_CHECK_EQUAL(back.deadline_ms, t0);
  BOOST_CHECK_EQUAL(back.retries, 2);
  BOOST_CHECK(back.finished);
  BOOST_CHECK_EQUAL(back.vars, s.vars);
  BOOST_CHECK_EQUAL(session::from_json({{"node", "menu"}}).node, "menu");
}

BOOST_DATA_TEST_CASE(garbage_becomes_a_fresh_session,
                     bdata::make({R"("abc")", "[1, 2]", "null", "42", R"({"node": 5})",
                                  R"({"node": "m", "retries": -1})", R"({"node": "m", "vars": []})",
                                  R"({"node": "m", "deadlineMs": "x"})",
                                  R"({"node": "m", "finished": "yes"})"}),
                     text) {
  auto s = session::from_json(json::parse(text));
  BOOST_CHECK(s.node.empty());
  BOOST_CHECK_EQUAL(s.deadline_ms, 0);
  BOOST_CHECK_EQUAL(s.retries, 0);
  BOOST_CHECK(!s.finished);
  BOOST_CHECK_EQUAL(s.vars, json::object());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bot_flow_validation)

BOOST_AUTO_TEST_CASE(the_default_flow_and_the_test_flows_are_valid) {
  auto errors = validate(default_flow());
  BOOST_CHECK_MESSAGE(errors.empty(), describe(errors));
  BOOST_CHECK_MESSAGE(validate(menu_flow()).empty(), describe(validate(menu_flow())));
  auto input = input_flow("date");
  BOOST_CHECK_MESSAGE(validate(input).empty(), describe(validate(input)));
}

BOOST_AUTO_TEST_CASE(a_flow_must_be_an_object_with_nodes_and_a_start) {
  BOOST_CHECK(has_error(validate(json::array()), "", "must be a JSON object"));
  BOOST_CHECK(has_error(validate({{"start", "a"}, {"nodes", json::array()}}), "", "no nodes"));
  auto flow = menu_flow();
  flow["start"] = "nowhere";
  auto errors = validate(flow);
  BOOST_CHECK(has_error(errors, "", "start refers to missing node \"nowhere\""));
  BOOST_CHECK_EQUAL(errors[0].field, "start");
}

BOOST_AUTO_TEST_CASE(unknown_types_and_duplicate_ids_are_refused) {
  auto flow = menu_flow();
  flow["nodes"].push_back({{"id", "x"}, {"type", "sms"}});
  flow["nodes"].push_back(end_node("one"));
  auto errors = validate(flow);
  BOOST_CHECK(has_error(errors, "x", "node \"x\": unknown type \"sms\""));
  BOOST_CHECK(has_error(errors, "one", "duplicate id"));
}

BOOST_AUTO_TEST_CASE(references_to_missing_nodes_are_refused) {
  auto flow = menu_flow({{"invalid", "nowhere"}});
  auto errors = validate(flow);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_CHECK_EQUAL(errors[0].node, "menu");
  BOOST_CHECK_EQUAL(errors[0].field, "invalid");
  BOOST_CHECK_EQUAL(errors[0].message,
                    "node \"menu\": \"invalid\" refers to missing node \"nowhere\"");
}

BOOST_AUTO_TEST_CASE(menus_need_options_and_every_option_a_next) {
  BOOST_CHECK(
      has_error(validate(menu_flow({{"options", json::array()}})), "menu", "menu has no options"));
  auto flow = menu_flow();
  flow["nodes"][0]["options"][1].erase("next");
  auto errors = validate(flow);
  BOOST_CHECK(has_error(errors, "menu", "node \"menu\": option 2 has no next"));
  BOOST_CHECK(has_error(errors, "two", "unreachable from start"));
}

BOOST_AUTO_TEST_CASE(conditions_need_both_branches) {
  auto flow = flow_of({{{"id", "check"},
                        {"type", "condition"},
                        {"variable", "daysOverdue"},
                        {"operator", "gt"},
                        {"value", 30},
                        {"then", "bye"}},
                       end_node("bye")});
  BOOST_CHECK(has_error(validate(flow), "check", "condition has no else"));
  flow["nodes"][0]["else"] = "bye";
  BOOST_CHECK(validate(flow).empty());
  flow["nodes"][0]["operator"] = "between";
  BOOST_CHECK(has_error(validate(flow), "check", "\"operator\" must be"));
}

BOOST_AUTO_TEST_CASE(waits_need_a_timeout_branch) {
  auto flow = flow_of(
      {{{"id", "w"}, {"type", "wait"}, {"timeoutSeconds", 60}, {"next", "bye"}}, end_node("bye")});
  BOOST_CHECK(has_error(validate(flow), "w", "wait has no timeout branch"));
  flow["nodes"][0]["timeout"] = "bye";
  BOOST_CHECK(validate(flow).empty());
  flow["nodes"][0].erase("timeoutSeconds");
  BOOST_CHECK(has_error(validate(flow), "w", "\"timeoutSeconds\" is missing"));
}

BOOST_AUTO_TEST_CASE(nodes_unreachable_from_start_are_refused) {
  auto flow = menu_flow();
  flow["nodes"].push_back(end_node("orphan"));
  auto errors = validate(flow);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_CHECK_EQUAL(errors[0].message, "node \"orphan\": unreachable from start");
}

BOOST_AUTO_TEST_CASE(unknown_variables_are_refused_and_captured_ones_are_known) {
  auto flow = input_flow("text");
  flow["nodes"][1]["text"] = "ok {{v}} {{clientName}} {{saldo}}";
  auto errors = validate(flow);
  BOOST_REQUIRE_EQUAL(errors.size(), 1u);
  BOOST_CHECK_EQUAL(errors[0].node, "done");
  BOOST_CHECK_EQUAL(errors[0].message, "node \"done\": text uses unknown variable {{saldo}}");
  auto condition = flow_of({{{"id", "c"},
                             {"type", "condition"},
                             {"variable", "ghost"},
                             {"operator", "exists"},
                             {"then", "e"},
                             {"else", "e"}},
                            end_node("e")});
  BOOST_CHECK(has_error(validate(condition), "c", "unknown variable \"ghost\""));
}

BOOST_AUTO_TEST_CASE(flows_with_no_path_to_a_transfer_or_end_are_refused) {
  auto flow = flow_of({{{"id", "a"}, {"type", "message"}, {"text", "a"}, {"next", "b"}},
                       {{"id", "b"},
                        {"type", "menu"},
                        {"text", "b"},
                        {"options", {{{"key", "1"}, {"label", "otra vez"}, {"next", "a"}}}}}});
  auto errors = validate(flow);
  BOOST_CHECK(has_error(errors, "a", "no path from here reaches a transfer or end"));
  BOOST_CHECK(has_error(errors, "b", "no path from here reaches a transfer or end"));
  flow["nodes"][1]["invalid"] = "out";
  flow["nodes"].push_back({{"id", "out"}, {"type", "transfer"}});
  BOOST_CHECK_MESSAGE(validate(flow).empty(), describe(validate(flow)));
}

BOOST_AUTO_TEST_CASE(malformed_fields_are_named) {
  auto flow = input_flow("phone", {{"maxRetries", -1}});
  auto errors = validate(flow);
  BOOST_CHECK(has_error(errors, "ask", "\"validate\" must be"));
  BOOST_CHECK(has_error(errors, "ask", "\"maxRetries\" must be a whole number"));
  auto transfer = flow_of({{{"id", "t"}, {"type", "transfer"}, {"priority", "ALTISIMA"}}});
  BOOST_CHECK(has_error(validate(transfer), "t", "priority must be"));
  auto action = flow_of({{{"id", "p"},
                          {"type", "action"},
                          {"action", "promise"},
                          {"params", {{"amount", "1"}}},
                          {"next", "e"}},
                         end_node("e")});
  BOOST_CHECK(has_error(validate(action), "p", "promise needs params.dueDate"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bot_default_flow)

namespace {

/// The default flow started for the test debtor: greeting and menu sent.
session greeted() {
  return started(default_flow());
}

std::vector<effect> answer(session& s, const std::string& text, std::int64_t now = t0,
                           const std::string& type = "text") {
  return step(default_flow(), s, debtor(), say(text, now, type));
}

} // namespace

BOOST_AUTO_TEST_CASE(start_greets_with_the_debt_and_shows_the_menu) {
  session s;
  auto effects = step(default_flow(), s, debtor(), start());
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,send");
  BOOST_CHECK(effects[0].text.starts_with("Hola Ana Pérez,"));
  BOOST_CHECK(effects[0].text.find("saldo pendiente de $1.250.000") != std::string::npos);
  BOOST_CHECK(effects[0].text.find("45 días de mora") != std::string::npos);
  BOOST_CHECK(effects[1].text.ends_with("\n1. Pagar ahora\n2. Acordar un pago\n"
                                        "3. Hablar con un asesor\n4. Ya pagué"));
  BOOST_CHECK_EQUAL(s.node, "main_menu");
  BOOST_CHECK_EQUAL(s.deadline_ms, t0 + 900'000);
}

BOOST_AUTO_TEST_CASE(option_1_sends_payment_instructions_and_ends) {
  auto s = greeted();
  auto effects = answer(s, "1");
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,end");
  BOOST_CHECK(effects[0].text.find("PSE") != std::string::npos);
  BOOST_CHECK(effects[0].text.find("52123456") != std::string::npos);
  BOOST_CHECK(s.finished);
}

BOOST_AUTO_TEST_CASE(option_2_records_a_promise_with_the_parsed_date_and_amount) {
  auto s = greeted();
  auto effects = answer(s, "2");
  BOOST_REQUIRE_EQUAL(kinds(effects), "send");
  BOOST_CHECK_EQUAL(s.node, "ask_promise_date");
  BOOST_CHECK_EQUAL(s.deadline_ms, 0);
  effects = answer(s, "15/12/2026"); // more than 90 days ahead
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,send");
  BOOST_CHECK(effects[0].text.starts_with("La fecha no es válida"));
  BOOST_CHECK_EQUAL(kinds(answer(s, "15/06/2026")), "send");
  BOOST_CHECK_EQUAL(s.node, "ask_promise_amount");
  BOOST_CHECK_EQUAL(s.retries, 0);
  effects = answer(s, "$ 150.000");
  // A person confirms every promise: the bot hands the chat over after recording it.
  BOOST_REQUIRE_EQUAL(kinds(effects), "action,action,send,send,transfer");
  BOOST_CHECK_EQUAL(effects[0].action, "promise");
  BOOST_CHECK_EQUAL(effects[0].params, json({{"amount", "150000"}, {"dueDate", "2026-06-15"}}));
  BOOST_CHECK_EQUAL(effects[1].action, "status");
  BOOST_CHECK_EQUAL(effects[1].params, json({{"collectionStatus", "promise"}}));
  BOOST_CHECK(effects[2].text.find("$150000 para el 2026-06-15") != std::string::npos);
  BOOST_CHECK(s.finished);
}

BOOST_AUTO_TEST_CASE(option_3_transfers_to_an_agent) {
  auto s = greeted();
  auto effects = answer(s, "Hablar con un asesor", t0, "interactive");
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,transfer");
  BOOST_CHECK(effects[1].skill.empty());
  BOOST_CHECK(effects[1].priority.empty());
  BOOST_CHECK(s.finished);
}

BOOST_AUTO_TEST_CASE(option_4_takes_the_receipt_tags_creates_a_task_and_transfers_to_payments) {
  auto s = greeted();
  BOOST_CHECK_EQUAL(kinds(answer(s, "ya pagué")), "send");
  BOOST_CHECK_EQUAL(s.node, "ask_payment_evidence");
  BOOST_CHECK_EQUAL(kinds(answer(s, "ya le pagué ayer")), "send,send"); // no receipt
  auto effects = answer(s, "comprobante", t0, "image");
  BOOST_REQUIRE_EQUAL(kinds(effects), "action,action,send,transfer");
  BOOST_CHECK_EQUAL(effects[0].action, "tag");
  BOOST_CHECK_EQUAL(effects[0].params, json({{"tag", "pago_reportado"}}));
  BOOST_CHECK_EQUAL(effects[1].action, "task");
  BOOST_CHECK_EQUAL(effects[1].params["title"], "Verificar soporte de pago de Ana Pérez");
  BOOST_CHECK_EQUAL(effects[1].params["dueInMinutes"], 60);
  BOOST_CHECK_EQUAL(effects[3].skill, "pagos");
  BOOST_CHECK_EQUAL(effects[3].priority, "ALTA");
  BOOST_CHECK_EQUAL(s.vars["paymentEvidence"], "[image] comprobante");
}

BOOST_AUTO_TEST_CASE(three_invalid_answers_transfer_to_an_agent) {
  auto s = greeted();
  for (auto text : {"hola", "5"}) {
    auto effects = answer(s, text);
    BOOST_REQUIRE_EQUAL(kinds(effects), "send,send");
    BOOST_CHECK(effects[0].text.starts_with("No reconocimos su respuesta"));
    BOOST_CHECK(effects[1].text.ends_with("4. Ya pagué"));
  }
  auto effects = answer(s, "no sé");
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,transfer");
  BOOST_CHECK_EQUAL(s.node, "transfer_unrecognized");
  BOOST_CHECK(s.finished);
}

BOOST_AUTO_TEST_CASE(silence_sends_a_reminder_and_more_silence_ends) {
  auto s = greeted();
  BOOST_CHECK(step(default_flow(), s, debtor(), silence(t0 + 899'999)).empty());
  auto effects = step(default_flow(), s, debtor(), silence(t0 + 900'000));
  BOOST_REQUIRE_EQUAL(kinds(effects), "send");
  BOOST_CHECK(effects[0].text.starts_with("Ana Pérez, ¿sigue ahí?"));
  BOOST_CHECK_EQUAL(s.node, "reminder");
  BOOST_CHECK_EQUAL(s.deadline_ms, t0 + 900'000 + 3'600'000);
  effects = step(default_flow(), s, debtor(), silence(t0 + 4'500'000));
  BOOST_REQUIRE_EQUAL(kinds(effects), "send,end");
  BOOST_CHECK(s.finished);
}

BOOST_AUTO_TEST_CASE(answering_the_reminder_shows_the_menu_again) {
  auto s = greeted();
  step(default_flow(), s, debtor(), silence(t0 + 900'000));
  auto effects = answer(s, "aquí estoy", t0 + 1'000'000);
  BOOST_REQUIRE_EQUAL(kinds(effects), "send");
  BOOST_CHECK(effects[0].text.ends_with("4. Ya pagué"));
  BOOST_CHECK_EQUAL(s.node, "main_menu");
  BOOST_CHECK_EQUAL(s.deadline_ms, t0 + 1'000'000 + 900'000);
}

BOOST_AUTO_TEST_CASE(no_text_asks_why_the_debtor_did_not_pay) {
  for (auto& node : default_flow()["nodes"])
    for (auto key : {"text", "errorText"})
      if (node.contains(key)) {
        auto text = node[key].get<std::string>();
        BOOST_TEST_CONTEXT(node["id"]) {
          BOOST_CHECK(text.find("por qué") == std::string::npos);
          BOOST_CHECK(text.find("Por qué") == std::string::npos);
          BOOST_CHECK(text.find("motivo") == std::string::npos);
          BOOST_CHECK(text.find("razón") == std::string::npos);
        }
      }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bot_parsing)

BOOST_DATA_TEST_CASE(
    dates_in_the_ways_debtors_write_them,
    bdata::make({"15/12/2026", "1/2/27", "2026-12-15", "15-12-2026", " mañana ", "MANANA", "hoy",
                 "pasado mañana", "31/02/2026", "29/02/2028", "29/02/2027", "2026-13-01", "15/5",
                 "15/05/2025", "ayer", "", "15/12-2026", "1/2/123"}) ^
        bdata::make({"2026-12-15", "2027-02-01", "2026-12-15", "2026-12-15", "2026-06-02",
                     "2026-06-02", "2026-06-01", "2026-06-03", "", "2028-02-29", "", "",
                     "2027-05-15", "2025-05-15", "", "", "", ""}),
    text, expected) {
  BOOST_CHECK_EQUAL(parse_date(text, "2026-06-01"), expected);
}

BOOST_AUTO_TEST_CASE(relative_dates_need_a_valid_today) {
  BOOST_CHECK_EQUAL(parse_date("hoy", ""), "");
  BOOST_CHECK_EQUAL(parse_date("mañana", "2026-12-31"), "2027-01-01");
  BOOST_CHECK_EQUAL(parse_date("15/12/2026", "garbage"), "2026-12-15");
}

BOOST_DATA_TEST_CASE(date_inputs_take_today_up_to_ninety_days_ahead,
                     bdata::make({"31/05/2026", "01/06/2026", "hoy", "30/08/2026", "31/08/2026",
                                  "15/12/2026"}) ^
                         bdata::make({false, true, true, true, false, false}),
                     text, accepted) {
  auto flow = input_flow("date");
  session s = started(flow);
  step(flow, s, debtor(), say(text));
  BOOST_CHECK_EQUAL(s.vars.contains("v"), accepted);
  BOOST_CHECK_EQUAL(s.finished, accepted);
}

BOOST_DATA_TEST_CASE(amounts_as_colombians_write_them,
                     bdata::make({"150000",
                                  "150.000",
                                  "$ 150.000,50",
                                  "150,000.50",
                                  "1.234.567",
                                  "abc",
                                  "0",
                                  "-5",
                                  "$150.000",
                                  "150000,5",
                                  "150.000 pesos",
                                  "0,50",
                                  "1.23.456",
                                  "1.2345",
                                  "150.000,00",
                                  "12,5",
                                  "0.00",
                                  "150 000",
                                  "1,234,567",
                                  "150k",
                                  "$",
                                  "007"}) ^
                         bdata::make({"150000", "150000", "150000.50", "150000.50", "1234567",
                                      "",       "",       "",          "150000",    "150000.50",
                                      "150000", "0.50",   "",          "",          "150000",
                                      "12.50",  "",       "150000",    "1234567",   "",
                                      "",       "7"}),
                     text, expected) {
  BOOST_CHECK_EQUAL(parse_amount(text), expected);
}

BOOST_AUTO_TEST_SUITE_END()
