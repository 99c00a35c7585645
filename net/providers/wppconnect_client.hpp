#pragma once

#include "actors/messages.hpp"
#include "actors/transport.hpp"
#include "net/providers/http_pool.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace crm::net {

/// WPPConnect server for one number, with the session's bearer token: text goes to
/// POST {baseUrl}/api/{session}/send-message {phone, message, isGroup: false}; images and
/// documents by link to send-image / send-file {phone, path, filename, caption}. WhatsApp Web
/// has no templates, interactive messages or Meta media ids: those fail here with
/// `unsupported_on_wppconnect`. Media comes from get-media-by-message/{messageId}.
class wppconnect_client final : public provider_client {
 public:
  wppconnect_client(std::shared_ptr<http_pool> pool, std::shared_ptr<pool_set> media,
                    std::string session, std::string token);

  void send(const outbound_job& job, std::function<void(provider_reply)> done) override;
  void fetch_media(const media_ref& ref, media_callback done) override;

 private:
  std::shared_ptr<http_pool> pool_;
  std::shared_ptr<pool_set> media_;
  std::string session_;
  std::string token_;
};

/// The request body and path suffix ("send-message", "send-image", "send-file") for a
/// stored message, or an error text when WhatsApp Web cannot carry it.
struct wppconnect_request {
  std::string route;
  nlohmann::json body;
  std::string unsupported;
};
wppconnect_request wppconnect_body(const outbound_job& job);

/// Classifies a WPPConnect server answer (or its absence) for the message `id`.
provider_reply classify_wppconnect_answer(const message_id& id, const http_outcome& out);

} // namespace crm::net
