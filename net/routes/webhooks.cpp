// Provider webhooks: verified and parsed here, on the I/O thread; only valid batches reach
// a GATEWAY, which answers 200 once everything in them is durable.
#include "metrics/metrics.hpp"

#include "net/http_error.hpp"
#include "net/meta_webhook.hpp"
#include "net/routes/routes.hpp"
#include "net/wppconnect_webhook.hpp"

#include <caf/send.hpp>
#include <openssl/crypto.h>

namespace crm::net {

namespace {

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void meta_verify(const services& s, request_context& ctx, const responder_ptr& out) {
  auto mode = ctx.query_or("hub.mode");
  auto token = ctx.query_or("hub.verify_token");
  if (mode != "subscribe" || s.meta_verify_token.empty() ||
      !same_secret(token, s.meta_verify_token)) {
    metrics::webhook_rejections("meta", "verify_token").Increment();
    return out->reply(403, "application/json",
                      error_body("forbidden", "verification token does not match"));
  }
  out->reply(200, "text/plain", ctx.query_or("hub.challenge"));
}

webhook_batch to_batch(meta_webhook&& hook) {
  webhook_batch batch{"meta", {}};
  batch.changes.reserve(hook.changes.size());
  for (auto& c : hook.changes)
    batch.changes.push_back({std::move(c.phone_number_id), std::move(c.messages),
                             std::move(c.statuses), std::move(c.errors)});
  return batch;
}

void meta_receive(const services& s, request_context& ctx, responder_ptr out) {
  auto& body = ctx.req.body();
  if (!verify_meta_signature(s.meta_app_secret, body, ctx.header("X-Hub-Signature-256"))) {
    metrics::webhook_rejections("meta", "signature").Increment();
    return out->reply(401, "application/json",
                      error_body("invalid_signature",
                                 "X-Hub-Signature-256 is missing or does not match the body"));
  }
  auto hook = parse_meta_webhook(body);
  if (!hook) {
    metrics::webhook_rejections("meta", "malformed").Increment();
    return out->reply(400, "application/json",
                      error_body("invalid_input", message_of(hook.error())));
  }
  caf::anon_send(s.gateway(), to_batch(std::move(*hook)), std::move(out));
}

/// WPPConnect servers sign nothing: they present the number's token (Authorization: Bearer,
/// or ?token= where the server can only be given a URL).
void wppconnect_receive(const services& s, request_context& ctx, responder_ptr out) {
  auto number = ctx.params.at("numberId");
  std::string token{ctx.header("Authorization")};
  if (token.rfind("Bearer ", 0) == 0)
    token = token.substr(7);
  else
    token = ctx.query_or("token");
  if (token.empty()) {
    metrics::webhook_rejections("wppconnect", "token").Increment();
    return out->reply(401, "application/json",
                      error_body("unauthenticated", "the number's token is required"));
  }
  auto event = parse_wppconnect_webhook(ctx.req.body());
  if (!event) {
    metrics::webhook_rejections("wppconnect", "malformed").Increment();
    return out->reply(400, "application/json",
                      error_body("invalid_input", message_of(event.error())));
  }
  webhook_batch batch{"wppconnect", {}, token};
  batch.changes.push_back({number, std::move(event->messages), std::move(event->statuses), ""});
  caf::anon_send(s.gateway(), std::move(batch), std::move(out));
}

} // namespace

route_table webhook_routes(const services& s) {
  return {
      {http::verb::get, "/api/v1/webhooks/meta", "none",
       [&s](request_context& ctx, responder_ptr out) {
         meta_verify(s, ctx, out);
       }},
      {http::verb::post, "/api/v1/webhooks/meta", "none",
       [&s](request_context& ctx, responder_ptr out) {
         meta_receive(s, ctx, std::move(out));
       }},
      {http::verb::post, "/api/v1/webhooks/wppconnect/{numberId}", "none",
       [&s](request_context& ctx, responder_ptr out) {
         wppconnect_receive(s, ctx, std::move(out));
       }},
  };
}

} // namespace crm::net
