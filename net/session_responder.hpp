#pragma once

#include "actors/transport.hpp"

#include <atomic>
#include <memory>

namespace crm::net {

class http_session;

/// The `responder` of one HTTP request: posts the answer onto the session's strand.
/// Answers at most once; if dropped unanswered (a lost actor message), it answers 503.
class session_responder final : public responder {
 public:
  explicit session_responder(std::shared_ptr<http_session> session);
  ~session_responder() override;

  void reply(unsigned status, std::string content_type, std::string body) override;
  void fail(const caf::error& err) override;
  void reply_with(unsigned status, std::string content_type, std::string body,
                  std::vector<std::pair<std::string, std::string>> headers) override;
  void send_file(std::string path, std::string content_type,
                 std::vector<std::pair<std::string, std::string>> headers) override;

 private:
  std::shared_ptr<http_session> session_;
  std::atomic<bool> answered_{false};
};

} // namespace crm::net
