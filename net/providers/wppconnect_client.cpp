#include "net/providers/wppconnect_client.hpp"

#include "net/wppconnect_webhook.hpp"

#include <nlohmann/json.hpp>

namespace crm::net {

namespace {

using json = nlohmann::json;

} // namespace

wppconnect_client::wppconnect_client(std::shared_ptr<http_pool> pool, std::string session,
                                     std::string token)
    : pool_{std::move(pool)}, session_{std::move(session)}, token_{std::move(token)} {}

provider_reply classify_wppconnect_answer(const message_id& id, const http_outcome& out) {
  provider_reply r;
  if (classify_unanswered(id, out, r))
    return r;
  auto body = json::parse(out.body, nullptr, false);
  if (out.status >= 200 && out.status < 300 && body.is_object() &&
      body.value("status", "") == "success") {
    // {"status":"success","response":[{"id":"true_57...@c.us_3EB0...", ...}]} (or one object)
    auto& response = body["response"];
    r.provider_id =
        wppconnect_id(response.is_array() && !response.empty() ? response[0] : response);
    if (!r.provider_id.empty())
      return r;
  }
  r.error_code = "wppconnect_" + std::to_string(out.status);
  r.error_text =
      body.is_object() ? body.value("message", out.body.substr(0, 200)) : out.body.substr(0, 200);
  r.retriable = out.status == 429 || out.status >= 500;
  return r;
}

void wppconnect_client::send(const outbound_job& job, std::function<void(provider_reply)> done) {
  if (job.type != "text") {
    provider_reply r;
    r.id = job.id;
    r.error_code = "unsupported_on_wppconnect";
    r.error_text = "WhatsApp Web (WPPConnect) sends text only: templates need a Meta number";
    return done(std::move(r));
  }
  http_pool::request req{http::verb::post,
                         pool_->origin().prefix + "/api/" + session_ + "/send-message", 11};
  req.set(http::field::authorization, "Bearer " + token_);
  req.set(http::field::content_type, "application/json");
  auto phone = !job.to.empty() && job.to[0] == '+' ? job.to.substr(1) : job.to;
  req.body() = json{{"phone", phone}, {"message", job.text}, {"isGroup", false}}.dump();
  pool_->send(std::move(req), [id = job.id, done = std::move(done)](http_outcome out) {
    done(classify_wppconnect_answer(id, out));
  });
}

} // namespace crm::net
