// Conversations: lists, reads and what people do to a chat. Agents see and act on only
// their own chats (row-level: in SQL for reads, in the CHAT for commands).
#include "net/chat_input.hpp"
#include "net/http_error.hpp"
#include "net/routes/routes.hpp"

#include <caf/send.hpp>

#include <charconv>
#include <regex>

namespace crm::net {

namespace {

/// Reads ?page= and ?limit= (1.., 1..200); answers 400 itself and returns false when wrong.
bool paging(const request_context& ctx, const responder_ptr& out, std::int64_t& page,
            std::int64_t& limit) {
  auto read = [&](const char* name, std::int64_t& into, std::int64_t max) {
    auto text = ctx.query_or(name);
    if (text.empty())
      return true;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), into);
    return ec == std::errc{} && p == text.data() + text.size() && into >= 1 && into <= max;
  };
  if (read("page", page, 1000000) && read("limit", limit, 200))
    return true;
  out->reply(400, "application/json",
             error_body("invalid_input", "page must be >= 1 and limit between 1 and 200",
                        {{"fields", {"page", "limit"}}}));
  return false;
}

/// Agents are limited to their own chats; every other reading role sees all.
std::string viewer_limit(const request_context& ctx) {
  return ctx.user && ctx.user->role == "agent" ? ctx.user->sub : std::string{};
}

void list_chats(const services& s, request_context& ctx, responder_ptr out) {
  chat_query q;
  q.status = ctx.query_or("status");
  q.agent_id = ctx.query_or("agentId");
  q.campaign_id = ctx.query_or("campaignId");
  q.priority = ctx.query_or("priority");
  nlohmann::json bad = nlohmann::json::array();
  if (!q.status.empty() && q.status != "bot" && q.status != "queued" && q.status != "assigned" &&
      q.status != "closed")
    bad.push_back("status");
  if (!q.priority.empty() && q.priority != "URGENTE" && q.priority != "ALTA" &&
      q.priority != "MEDIA" && q.priority != "BAJA")
    bad.push_back("priority");
  if (!q.agent_id.empty() && !is_uuid(q.agent_id))
    bad.push_back("agentId");
  if (!q.campaign_id.empty() && !is_uuid(q.campaign_id))
    bad.push_back("campaignId");
  if (!bad.empty())
    return out->reply(400, "application/json",
                      error_body("invalid_input", "invalid filter", {{"fields", bad}}));
  if (!paging(ctx, out, q.page, q.limit))
    return;
  q.only_agent = viewer_limit(ctx);
  caf::anon_send(s.gateway(), std::move(q), std::move(out));
}

/// One chat, or its messages: an id that is not a UUID is a chat that does not exist.
template <class Query>
void read_by_id(const services& s, request_context& ctx, responder_ptr out, bool paged) {
  Query q;
  q.chat_id = ctx.params.at("id");
  if (!is_uuid(q.chat_id))
    return out->fail(make_error(ec::not_found, "no such chat"));
  q.only_agent = viewer_limit(ctx);
  if (paged && !paging(ctx, out, q.page, q.limit))
    return;
  caf::anon_send(s.gateway(), std::move(q), std::move(out));
}

/// POST /chats/{id}/{messages,assign,transfer,close}: read, checked, handed to the CHAT.
void command(const services& s, request_context& ctx, responder_ptr out, const char* kind) {
  chat_command cmd;
  cmd.chat.value = ctx.params.at("id");
  if (!is_uuid(cmd.chat.value))
    return out->fail(make_error(ec::not_found, "no open chat " + cmd.chat.value));
  auto body = nlohmann::json::parse(ctx.req.body(), nullptr, false);
  if (auto err = read_chat_command(kind, body, cmd))
    return out->reply(400, "application/json",
                      error_body("invalid_input", err->message, {{"field", err->field}}));
  if (auto phrase = forbidden_question(cmd, s.contact.get()); !phrase.empty())
    return out->reply(422, "application/json",
                      error_body("forbidden_question",
                                 "the law forbids asking the debtor why they did not pay; offer "
                                 "payment alternatives instead",
                                 {{"phrase", phrase}}));
  cmd.by_user = ctx.user->sub;
  cmd.by_role = ctx.user->role;
  caf::anon_send(s.gateway(), std::move(cmd), std::move(out));
}

} // namespace

route_table chat_routes(const services& s) {
  return {
      {http::verb::get, "/api/v1/chats", "chats:read",
       [&s](request_context& ctx, responder_ptr out) {
         list_chats(s, ctx, std::move(out));
       }},
      {http::verb::get, "/api/v1/chats/{id}", "chats:read",
       [&s](request_context& ctx, responder_ptr out) {
         read_by_id<chat_query>(s, ctx, std::move(out), false);
       }},
      {http::verb::get, "/api/v1/chats/{id}/messages", "messages:read",
       [&s](request_context& ctx, responder_ptr out) {
         read_by_id<message_query>(s, ctx, std::move(out), true);
       }},
      // The file behind an inbound media message, fetched from the provider on demand.
      {http::verb::get, "/api/v1/messages/{id}/media", "messages:read",
       [&s](request_context& ctx, responder_ptr out) {
         media_query q;
         q.message_id = ctx.params.at("id");
         if (!is_uuid(q.message_id))
           return out->fail(make_error(ec::not_found, "no such message with media"));
         q.only_agent = viewer_limit(ctx);
         caf::anon_send(s.gateway(), std::move(q), std::move(out));
       }},
      {http::verb::post, "/api/v1/chats/{id}/messages", "messages:create",
       [&s](request_context& ctx, responder_ptr out) {
         command(s, ctx, std::move(out), "send");
       }},
      // Taking a chat from the queue for someone is a queue decision (supervisors).
      {http::verb::post, "/api/v1/chats/{id}/assign", "queue:update",
       [&s](request_context& ctx, responder_ptr out) {
         command(s, ctx, std::move(out), "assign");
       }},
      {http::verb::post, "/api/v1/chats/{id}/transfer", "chats:update",
       [&s](request_context& ctx, responder_ptr out) {
         command(s, ctx, std::move(out), "transfer");
       }},
      {http::verb::post, "/api/v1/chats/{id}/close", "chats:update",
       [&s](request_context& ctx, responder_ptr out) {
         command(s, ctx, std::move(out), "close");
       }},
  };
}

} // namespace crm::net
