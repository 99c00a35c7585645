#pragma once

#include "actors/messages.hpp"
#include "net/asio.hpp"
#include "net/beast.hpp"

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace crm::net {

/// What became of one outbound request.
struct http_outcome {
  int status = 0; // 0: no answer
  std::string body;
  bool written = false; // the whole request reached the socket (the peer may have acted)
  std::string error;    // why there is no answer
};

/// The start of a provider's reply for message `id`: its HTTP status and, when no answer came,
/// the whole classification (a request that never left is safe to send again; one that left
/// without an answer is not, since providers have no idempotency key). Returns true when it
/// classified the reply fully.
bool classify_unanswered(const message_id& id, const http_outcome& out, provider_reply& r);

/// The scheme, host and port of a base URL, and its path prefix.
struct base_url {
  bool tls = true;
  std::string host, port, prefix;
  /// Parses http(s)://host[:port][/prefix]; throws std::invalid_argument.
  static base_url parse(const std::string& url);
  /// Splits a full URL into its origin and its request target (path and query, as given);
  /// throws std::invalid_argument.
  static std::pair<base_url, std::string> split(const std::string& url);
};

/// Why a media download failed, as an API error: 404 when the provider no longer has it,
/// else provider_rejected (502) naming the step (`what`) and the cause.
caf::error media_failure(const http_outcome& out, const std::string& what);

/// A media file above whatsapp.mediaMaxMb.
caf::error too_large();

/// A small pool of keep-alive HTTP/1.1 connections to one origin (plain or TLS), used by
/// the provider clients. Requests beyond `max_connections` wait their turn; every step has
/// a timeout. All state lives on one strand; `done` runs on an I/O thread.
class http_pool : public std::enable_shared_from_this<http_pool> {
 public:
  using request = http::request<http::string_body>;
  using callback = std::function<void(http_outcome)>;

  /// `body_limit` caps an answer's body (a larger one fails the request).
  http_pool(asio::io_context& ioc, std::shared_ptr<asio::ssl::context> tls, base_url origin,
            size_t max_connections, std::chrono::seconds timeout,
            std::uint64_t body_limit = 8 * 1024 * 1024);
  ~http_pool();

  /// Queues a request (target relative to the origin; Host is set here).
  void send(request req, callback done);

  const base_url& origin() const { return origin_; }

  class connection;

 private:
  struct job {
    request req;
    callback done;
  };
  friend class connection;
  void pump();
  void finished(std::shared_ptr<connection> c, bool reusable);

  asio::io_context& ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  std::shared_ptr<asio::ssl::context> tls_;
  base_url origin_;
  size_t max_connections_;
  std::chrono::seconds timeout_;
  std::uint64_t body_limit_;
  std::deque<job> waiting_;
  std::vector<std::shared_ptr<connection>> idle_;
  size_t busy_ = 0;
};

/// Pools by origin, made on first use, for media downloads: they go wherever the provider's
/// URL points (Meta's media lives on another host than the Graph API). Thread-safe.
class pool_set {
 public:
  /// Answers may carry a file of `max_bytes`, also base64-encoded inside JSON (WPPConnect).
  pool_set(asio::io_context& ioc, std::shared_ptr<asio::ssl::context> tls, size_t max_connections,
           std::chrono::seconds timeout, std::uint64_t max_bytes);

  /// The pool of `origin`'s scheme, host and port (its prefix is ignored).
  std::shared_ptr<http_pool> of(const base_url& origin);

  /// The largest media file served.
  std::uint64_t max_bytes() const { return max_bytes_; }

 private:
  std::uint64_t max_bytes_;
  asio::io_context& ioc_;
  std::shared_ptr<asio::ssl::context> tls_;
  size_t max_connections_;
  std::chrono::seconds timeout_;
  std::uint64_t body_limit_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<http_pool>> pools_;
};

/// A TLS client context that verifies peers against the system's trust store.
std::shared_ptr<asio::ssl::context> make_client_tls();

} // namespace crm::net
