#pragma once

#include "actors/messages.hpp"
#include "actors/transport.hpp"
#include "net/providers/http_pool.hpp"

#include <memory>
#include <string>

namespace crm::net {

/// WPPConnect server sends for one number: POST {baseUrl}/api/{session}/send-message with
/// the session's bearer token and {phone, message, isGroup: false}. WhatsApp Web has no
/// templates: a template message fails here with `unsupported_on_wppconnect`.
class wppconnect_client final : public provider_client {
 public:
  wppconnect_client(std::shared_ptr<http_pool> pool, std::string session, std::string token);

  void send(const outbound_job& job, std::function<void(provider_reply)> done) override;

 private:
  std::shared_ptr<http_pool> pool_;
  std::string session_;
  std::string token_;
};

/// Classifies a WPPConnect server answer (or its absence) for the message `id`.
provider_reply classify_wppconnect_answer(const message_id& id, const http_outcome& out);

} // namespace crm::net
