#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace crm::net {

class http_session;
class websocket_session;

/// The server's open connections, for a graceful stop: on SIGTERM connections waiting for a
/// request are closed, a request whose header has arrived is finished and answered with
/// `Connection: close` (one that fails to arrive whole is dropped: it was never taken), and
/// WebSockets are closed with a reason. Thread-safe.
class connections {
 public:
  void add(const std::shared_ptr<http_session>& s);
  void add(const std::shared_ptr<websocket_session>& s);

  /// From now on no new request is taken on an idle connection; idle ones are closed.
  void drain();
  bool draining() const { return draining_.load(); }

  /// Closes every WebSocket with 1001 (going away) and the reason.
  void close_websockets(const std::string& reason);

  /// Requests between their header and the end of their answer's write.
  int in_flight() const { return in_flight_.load(); }
  std::size_t open_websockets();

  void request_started() { ++in_flight_; }
  void request_ended() { --in_flight_; }

 private:
  template <class T>
  static void prune(std::vector<std::weak_ptr<T>>& v);

  std::mutex mutex_;
  std::vector<std::weak_ptr<http_session>> http_;
  std::vector<std::weak_ptr<websocket_session>> ws_;
  std::atomic<bool> draining_{false};
  std::atomic<int> in_flight_{0};
};

} // namespace crm::net
