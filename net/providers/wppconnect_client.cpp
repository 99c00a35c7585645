#include "net/providers/wppconnect_client.hpp"

#include "domain/error.hpp"
#include "net/wppconnect_webhook.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <optional>
#include <string_view>

namespace crm::net {

namespace {

using json = nlohmann::json;

/// Standard base64 (a `data:...;base64,` prefix and whitespace tolerated).
std::optional<std::string> decode_base64(std::string_view text) {
  if (auto comma = text.find(";base64,"); text.substr(0, 5) == "data:" && comma != text.npos)
    text.remove_prefix(comma + 8);
  std::string bytes(text.size() / 4 * 3 + 3, '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), " \r\n", &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return std::nullopt;
  bytes.resize(length);
  return bytes;
}

} // namespace

wppconnect_client::wppconnect_client(std::shared_ptr<http_pool> pool,
                                     std::shared_ptr<pool_set> media, std::string session,
                                     std::string token)
    : pool_{std::move(pool)}, media_{std::move(media)}, session_{std::move(session)},
      token_{std::move(token)} {}

wppconnect_request wppconnect_body(const outbound_job& job) {
  wppconnect_request r;
  auto phone = !job.to.empty() && job.to[0] == '+' ? job.to.substr(1) : job.to;
  if (job.type == "text") {
    r.route = "send-message";
    r.body = {{"phone", phone}, {"message", job.text}, {"isGroup", false}};
    return r;
  }
  if (job.type == "image" || job.type == "document") {
    // Stored in the Graph API's shape: {link | id, caption?, filename?}.
    auto d = json::parse(job.details, nullptr, false);
    if (!d.is_object() || !d.contains("link")) {
      r.unsupported = "WhatsApp Web (WPPConnect) sends files by link only, not by Meta media id";
      return r;
    }
    r.route = job.type == "image" ? "send-image" : "send-file";
    r.body = {{"phone", phone},
              {"isGroup", false},
              {"path", d["link"]},
              {"filename", d.value("filename", job.type == "image" ? "image" : "document")},
              {"caption", d.value("caption", "")}};
    return r;
  }
  r.unsupported = "WhatsApp Web (WPPConnect) cannot send " + job.type +
                  " messages: use a Meta "
                  "number for templates and interactive messages";
  return r;
}

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
  auto request = wppconnect_body(job);
  if (!request.unsupported.empty()) {
    provider_reply r;
    r.id = job.id;
    r.error_code = "unsupported_on_wppconnect";
    r.error_text = std::move(request.unsupported);
    return done(std::move(r));
  }
  http_pool::request req{http::verb::post,
                         pool_->origin().prefix + "/api/" + session_ + "/" + request.route, 11};
  req.set(http::field::authorization, "Bearer " + token_);
  req.set(http::field::content_type, "application/json");
  req.body() = request.body.dump();
  pool_->send(std::move(req), [id = job.id, done = std::move(done)](http_outcome out) {
    done(classify_wppconnect_answer(id, out));
  });
}

void wppconnect_client::fetch_media(const media_ref& ref, media_callback done) {
  if (ref.provider_id.empty())
    return done(make_error(ec::not_found, "the message has no WPPConnect id"));
  http_pool::request req{
      http::verb::get,
      pool_->origin().prefix + "/api/" + session_ + "/get-media-by-message/" + ref.provider_id, 11};
  req.set(http::field::authorization, "Bearer " + token_);
  auto max = media_->max_bytes();
  media_->of(pool_->origin())
      ->send(std::move(req), [fallback = ref.mime, max, done = std::move(done)](http_outcome out) {
        // {"base64": "...", "mimetype": "image/jpeg"}
        auto body = json::parse(out.body, nullptr, false);
        if (out.status != 200 || !body.is_object() || !body.contains("base64") ||
            !body["base64"].is_string())
          return done(media_failure(out, "WPPConnect's get-media-by-message"));
        auto bytes = decode_base64(body["base64"].get_ref<const std::string&>());
        if (!bytes)
          return done(
              make_error(ec::provider_rejected, "WPPConnect sent media that is not base64"));
        if (bytes->size() > max)
          return done(too_large());
        auto mime = body.value("mimetype", fallback);
        done(media_blob{mime.empty() ? "application/octet-stream" : mime, std::move(*bytes)});
      });
}

} // namespace crm::net
