#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace crm {

/// How an actor answers an HTTP request without knowing HTTP: implemented in net/
/// (session_responder), which posts the write onto the session's strand. Answers at most
/// once; one destroyed unanswered answers 503 itself, so a lost message never hangs a client.
class responder {
 public:
  virtual ~responder() = default;

  /// Answers with a status and a body of the given content type.
  virtual void reply(unsigned status, std::string content_type, std::string body) = 0;

  /// Answers an error, mapped to status and JSON by net/http_error.
  virtual void fail(const caf::error& err) = 0;

  /// Answers with extra headers (e.g. Retry-After).
  virtual void reply_with(unsigned status, std::string content_type, std::string body,
                          std::vector<std::pair<std::string, std::string>> headers) = 0;

  /// Answers 200 with a file streamed from disk (backups: too large to hold in memory).
  /// Only HTTP can; elsewhere it is a server error.
  virtual void send_file(std::string path, std::string content_type,
                         std::vector<std::pair<std::string, std::string>> headers) {
    (void)path, (void)content_type, (void)headers;
    reply(500, "application/json",
          R"({"error":{"code":"internal","message":"files are served over HTTP only"}})");
  }

  /// Answers 200 with a JSON body.
  void ok(std::string json_body) { reply(200, "application/json", std::move(json_body)); }
};

using responder_ptr = std::shared_ptr<responder>;

/// One open WebSocket, as actors see it: frames are pushed onto the session's strand.
/// A session that falls too far behind is closed rather than allowed to grow.
class ws_sink {
 public:
  virtual ~ws_sink() = default;

  /// Queues a text frame (shared: one serialisation serves every session of a room).
  virtual void push(std::shared_ptr<const std::string> frame) = 0;

  /// Closes the session with a reason.
  virtual void close(std::string reason) = 0;

  /// Unique per session in this process.
  virtual std::uint64_t id() const = 0;
};

using ws_sink_ptr = std::shared_ptr<ws_sink>;

struct outbound_job;
struct provider_reply;
struct media_ref;

/// A media file as a provider gave it.
struct media_blob {
  std::string mime;
  std::string bytes;
};

/// A WhatsApp provider's API, as a NUMBER uses it: implemented in net/providers
/// (Meta Cloud API, WPPConnect). `done` is called exactly once, from an I/O thread.
class provider_client {
 public:
  using media_callback = std::function<void(caf::expected<media_blob>)>;

  virtual ~provider_client() = default;

  /// Sends one stored outbound message.
  virtual void send(const outbound_job& job, std::function<void(provider_reply)> done) = 0;

  /// Downloads an inbound message's media (not paced: reads do not count against sends).
  virtual void fetch_media(const media_ref& ref, media_callback done) = 0;
};

using provider_client_ptr = std::shared_ptr<provider_client>;

/// A process-local, read-only table handed between actors (e.g. user id -> AGENT).
template <class T>
struct shared_table {
  std::shared_ptr<const T> table;
};

} // namespace crm

// Process-local: a responder never leaves this process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(crm::responder_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(crm::ws_sink_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(crm::provider_client_ptr)
