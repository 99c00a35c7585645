#pragma once

#include "actors/messages.hpp"
#include "actors/transport.hpp"
#include "net/providers/http_pool.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace crm::net {

/// Meta Cloud API for one number: sends are POST {graph}/{phoneNumberId}/messages with the
/// number's bearer token, classified for the NUMBER: taken (with the wamid), worth retrying
/// (429, 5xx, Meta's throughput codes, a request that never left) or final. Media is
/// GET {graph}/{mediaId} for a short-lived URL, then GET that URL with the same token.
class meta_client final : public provider_client {
 public:
  meta_client(std::shared_ptr<http_pool> pool, std::shared_ptr<pool_set> media,
              std::string phone_number_id, std::string access_token);

  void send(const outbound_job& job, std::function<void(provider_reply)> done) override;
  void fetch_media(const media_ref& ref, media_callback done) override;

 private:
  std::shared_ptr<http_pool> pool_;
  std::shared_ptr<pool_set> media_;
  std::string phone_number_id_;
  std::string access_token_;
};

/// The Graph API body for a stored outbound message (text or template).
nlohmann::json meta_message_body(const outbound_job& job);

/// Classifies a Graph API answer (or its absence) for the message `id`.
provider_reply classify_meta_answer(const message_id& id, const http_outcome& out);

} // namespace crm::net
