// Helpers of the routes served by the records workers (identity, CRM).
#include "net/routes/records.hpp"

#include "net/chat_input.hpp"
#include "net/http_error.hpp"

#include <caf/send.hpp>

#include <charconv>
#include <regex>

namespace crm::net {

using json = nlohmann::json;

client_info client_of(const request_context& ctx) {
  client_info by;
  if (ctx.user) {
    by.user_id = ctx.user->sub;
    by.role = ctx.user->role;
  }
  by.ip = ctx.remote_address;
  by.user_agent = std::string{ctx.header("User-Agent")}.substr(0, 300);
  return by;
}

void send(const services& s, request_context& ctx, responder_ptr out, std::string op,
          std::string id, std::string body) {
  caf::anon_send(s.gateway(),
                 api_request{std::move(op), std::move(id), std::move(body), client_of(ctx)},
                 std::move(out));
}

/// Forwards an operation whose body must be a JSON object (an empty body is `{}`).
handler with_body(const services& s, std::string op, bool takes_id) {
  return [&s, op, takes_id](request_context& ctx, responder_ptr out) {
    const auto& raw = ctx.req.body();
    auto body = raw.empty() ? json::object() : json::parse(raw, nullptr, false);
    if (!body.is_object())
      return out->reply(400, "application/json",
                        error_body("invalid_input", "the body must be a JSON object"));
    send(s, ctx, std::move(out), op, takes_id ? ctx.params.at("id") : std::string{}, body.dump());
  };
}

/// Reads page/limit and the named text filters from the query into a JSON object; answers
/// 400 itself (and returns null) when one is wrong.
json filters(const request_context& ctx, const responder_ptr& out,
             const std::vector<const char*>& names) {
  json f = json::object();
  for (auto key : {"page", "limit"}) {
    auto text = ctx.query_or(key);
    if (text.empty())
      continue;
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    auto max = std::string{key} == "page" ? 1000000 : 200;
    if (ec != std::errc{} || p != text.data() + text.size() || n < 1 || n > max) {
      out->reply(400, "application/json",
                 error_body("invalid_input", "page must be >= 1 and limit between 1 and 200",
                            {{"field", key}}));
      return nullptr;
    }
    f[key] = n;
  }
  static const std::regex iso{
      R"(^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$)"};
  for (auto name : names) {
    auto value = ctx.query_or(name);
    if (value.empty())
      continue;
    std::string field{name};
    bool ok = value.size() <= 200;
    if (field == "user" || field == "agentId" || field == "campaignId" || field == "debtorId" ||
        field == "numberId")
      ok = is_uuid(value);
    else if (field == "format")
      ok = value == "csv" || value == "json";
    else if (field == "priority")
      ok = value == "URGENTE" || value == "ALTA" || value == "MEDIA" || value == "BAJA";
    else if (field == "status")
      ok = std::regex_match(value, std::regex{"^[a-z_]{1,20}$"});
    else if (field == "from" || field == "to")
      ok = std::regex_match(value, iso);
    else if (field == "active")
      ok = value == "true" || value == "false";
    if (!ok) {
      out->reply(400, "application/json",
                 error_body("invalid_input", "invalid filter " + field, {{"field", field}}));
      return nullptr;
    }
    f[field] = value;
  }
  return f;
}

handler listing(const services& s, std::string op, std::vector<const char*> names) {
  return [&s, op, names](request_context& ctx, responder_ptr out) {
    auto f = filters(ctx, out, names);
    if (f.is_null())
      return;
    send(s, ctx, std::move(out), op, {}, f.dump());
  };
}

} // namespace crm::net
