#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace crm::test {

/// A local stand-in for Meta's Graph API (the part the server calls): accepts
/// `POST /{phone_number_id}/messages` over keep-alive HTTP/1.1, records every request, and
/// answers as the Graph API does: `{messaging_product, contacts, messages: [{id}]}` by
/// default, or the scripted answers (errors with Meta's error bodies, 429, 500) in order.
class graph_standin {
 public:
  struct received {
    std::string method, target, authorization, body;
    std::chrono::steady_clock::time_point at;
  };

  graph_standin();
  ~graph_standin();

  /// http://127.0.0.1:port (what CRM_META_GRAPH_URL points at).
  std::string url() const;

  /// The next answers, in order, before the default success resumes.
  void script(int status, std::string body);

  /// A Graph API error body: {"error": {message, type, code, error_data: {details}}}.
  static std::string error_body(long code, const std::string& message);

  std::vector<received> requests() const;
  size_t count() const;

 private:
  void serve(int fd);
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace crm::test
