#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace crm::test {

/// A WebSocket client for end-to-end tests: connects to 127.0.0.1:port/ws?token=...
class ws_client {
 public:
  /// Connects and upgrades; connected() tells whether the handshake succeeded.
  /// A `receive_buffer` (bytes) shrinks the socket's buffer: a client that stops reading
  /// then backs up into the server quickly.
  ws_client(unsigned short port, const std::string& token, int receive_buffer = 0);
  ~ws_client();

  bool connected() const;

  /// The reason the server gave when it closed the session (after a read saw the close).
  std::string close_reason() const;
  /// Its close code (e.g. 1001, going away).
  int close_code() const;

  /// Sends a text frame.
  void send(const std::string& text);

  /// The next text frame, or nullopt when none arrives within `timeout`.
  std::optional<std::string> read(std::chrono::milliseconds timeout);

  /// Reads frames until one contains `needle` (or the time is up).
  std::optional<std::string> read_until(const std::string& needle,
                                        std::chrono::milliseconds timeout);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace crm::test
