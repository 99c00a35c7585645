#include "net/providers/meta_client.hpp"

#include "domain/error.hpp"

#include <nlohmann/json.hpp>

namespace crm::net {

namespace {

using json = nlohmann::json;

/// Meta's codes that mean "not now" rather than "never": throughput and pair-rate limits.
bool retriable_meta_code(long code) {
  return code == 130429 || code == 131056 || code == 4 || code == 80007;
}

} // namespace

meta_client::meta_client(std::shared_ptr<http_pool> pool, std::shared_ptr<pool_set> media,
                         std::string phone_number_id, std::string access_token)
    : pool_{std::move(pool)}, media_{std::move(media)},
      phone_number_id_{std::move(phone_number_id)}, access_token_{std::move(access_token)} {}

json meta_message_body(const outbound_job& job) {
  auto to = job.to.size() > 0 && job.to[0] == '+' ? job.to.substr(1) : job.to;
  json body = {{"messaging_product", "whatsapp"},
               {"recipient_type", "individual"},
               {"to", to},
               // Echoed in status webhooks: reconciles a send whose answer was lost.
               {"biz_opaque_callback_data", job.id.value}};
  if (job.type == "template") {
    auto t = json::parse(job.details, nullptr, false);
    body["type"] = "template";
    body["template"] = {{"name", t.value("name", "")},
                        {"language", {{"code", t.value("language", "es")}}}};
    if (t.contains("components"))
      body["template"]["components"] = t["components"];
  } else if (job.type == "interactive" || job.type == "image" || job.type == "document") {
    // Stored already in the Graph API's own shape (validated on the way in).
    body["type"] = job.type;
    body[job.type] = json::parse(job.details, nullptr, false);
  } else {
    body["type"] = "text";
    body["text"] = {{"body", job.text}, {"preview_url", false}};
  }
  return body;
}

provider_reply classify_meta_answer(const message_id& id, const http_outcome& out) {
  provider_reply r;
  if (classify_unanswered(id, out, r))
    return r;
  auto body = json::parse(out.body, nullptr, false);
  if (out.status >= 200 && out.status < 300) {
    if (body.is_object() && body.contains("messages") && body["messages"].is_array() &&
        !body["messages"].empty() && body["messages"][0].contains("id")) {
      r.provider_id = body["messages"][0]["id"].get<std::string>();
      return r;
    }
    r.error_code = "bad_provider_answer";
    r.error_text = "the Graph API answered " + std::to_string(out.status) + " without an id";
    return r;
  }
  long code = 0;
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    auto& e = body["error"];
    code = e.value("code", 0L);
    r.error_code = std::to_string(code);
    r.error_text = e.value("message", "");
    if (e.contains("error_data") && e["error_data"].is_object() &&
        e["error_data"].contains("details"))
      r.error_text += ": " + e["error_data"].value("details", "");
  } else {
    r.error_code = "http_" + std::to_string(out.status);
    r.error_text = out.body.substr(0, 200);
  }
  r.retriable = out.status == 429 || out.status >= 500 || retriable_meta_code(code);
  return r;
}

void meta_client::send(const outbound_job& job, std::function<void(provider_reply)> done) {
  http_pool::request req{http::verb::post,
                         pool_->origin().prefix + "/" + phone_number_id_ + "/messages", 11};
  req.set(http::field::authorization, "Bearer " + access_token_);
  req.set(http::field::content_type, "application/json");
  req.body() = meta_message_body(job).dump();
  pool_->send(std::move(req), [id = job.id, done = std::move(done)](http_outcome out) {
    done(classify_meta_answer(id, out));
  });
}

void meta_client::fetch_media(const media_ref& ref, media_callback done) {
  if (ref.media_id.empty())
    return done(make_error(ec::not_found, "the message carries no Meta media id"));
  http_pool::request lookup{http::verb::get, pool_->origin().prefix + "/" + ref.media_id, 11};
  lookup.set(http::field::authorization, "Bearer " + access_token_);
  auto fallback_mime = ref.mime;
  pool_->send(std::move(lookup), [media = media_, token = access_token_, fallback_mime,
                                  done = std::move(done)](http_outcome out) mutable {
    auto body = json::parse(out.body, nullptr, false);
    if (out.status != 200 || !body.is_object() || !body.contains("url") ||
        !body["url"].is_string()) {
      // Code 100, subcode 33: no such object (Meta keeps inbound media for 30 days).
      auto& e = body.is_object() && body.contains("error") ? body["error"] : body;
      if (e.is_object() && e.value("code", 0L) == 100 && e.value("error_subcode", 0L) == 33)
        return done(make_error(ec::not_found, "Meta no longer has this media"));
      return done(media_failure(out, "the Graph API's media lookup"));
    }
    auto declared = body.value("file_size", std::uint64_t{0});
    if (declared > media->max_bytes())
      return done(too_large());
    auto mime = body.value("mime_type", fallback_mime);
    std::pair<base_url, std::string> where;
    try {
      where = base_url::split(body["url"].get<std::string>());
    } catch (const std::invalid_argument& e) {
      return done(make_error(ec::provider_rejected, e.what()));
    }
    http_pool::request get{http::verb::get, where.second, 11};
    get.set(http::field::authorization, "Bearer " + token);
    get.set(http::field::user_agent, "crm-server");
    auto max = media->max_bytes();
    media->of(where.first)
        ->send(std::move(get), [mime, max, done = std::move(done)](http_outcome out) {
          if (out.status != 200)
            return done(media_failure(out, "the media download"));
          if (out.body.size() > max)
            return done(too_large());
          done(media_blob{mime.empty() ? "application/octet-stream" : mime, std::move(out.body)});
        });
  });
}

} // namespace crm::net
