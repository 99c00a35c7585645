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

/// A local stand-in for the providers' send APIs: Meta's Graph API
/// (`POST /{phone_number_id}/messages`, answered `{messaging_product, contacts,
/// messages: [{id}]}`) and a WPPConnect server (`POST /api/{session}/send-message`, answered
/// `{status: "success", response: [{id}]}`; also send-image and send-file) and both media
/// downloads, over keep-alive HTTP/1.1. Records every
/// request; scripted answers (Meta error bodies, 429, 500) go first, in order.
class graph_standin {
 public:
  struct received {
    std::string method, target, authorization, body;
    std::chrono::steady_clock::time_point at;
    int status = 0; // what the stand-in answered
  };

  /// Listens on 127.0.0.1:`port` (0: any free port).
  explicit graph_standin(unsigned short port = 0);
  ~graph_standin();

  /// http://127.0.0.1:port (what CRM_META_GRAPH_URL points at).
  std::string url() const;

  /// The next answers, in order, before the default success resumes; each may be held
  /// back for `delay` (an answer that arrives after the provider's own status webhooks).
  void script(int status, std::string body,
              std::chrono::milliseconds delay = std::chrono::milliseconds{0});

  /// A provider outage: until called again with 0, every request is answered `status` with
  /// Meta's "Service temporarily unavailable" error body.
  void fail_all(int status);

  /// A provider that cannot be reached: stops listening (connections are refused) and ends
  /// the open ones; `false` listens again on the same port.
  void set_unreachable(bool unreachable);

  /// A media file the stand-in serves: Meta's lookup `GET /{id}` (a URL on this stand-in,
  /// downloaded with the bearer token) and WPPConnect's
  /// `GET /api/{session}/get-media-by-message/{id}` (`{base64, mimetype}`).
  void add_media(const std::string& id, const std::string& mime, const std::string& bytes);

  /// A Graph API error body: {"error": {message, type, code, error_data: {details}}}.
  static std::string error_body(long code, const std::string& message);

  std::vector<received> requests() const;
  size_t count() const;

 private:
  void serve(int fd);
  void start_accepting();
  void stop_accepting();
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace crm::test
