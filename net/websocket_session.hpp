#pragma once

#include "actors/interfaces.hpp"
#include "net/beast.hpp"
#include "net/services.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <deque>
#include <memory>

namespace crm::net {

/// One browser's WebSocket: events from the WS_HUB go out through push(); actions come in
/// as JSON frames and go to a GATEWAY. Every step runs on the connection's strand; the
/// outgoing queue is bounded, and a client that falls that far behind is closed.
class websocket_session : public ws_sink, public std::enable_shared_from_this<websocket_session> {
 public:
  static constexpr size_t max_queued_frames = 1024;

  websocket_session(tcp::socket&& socket, const services& s, ws_user user);
  ~websocket_session() override;

  /// Completes the upgrade of `req` and joins the user's rooms.
  void start(request req);

  void push(std::shared_ptr<const std::string> frame) override;
  void close(std::string reason) override;
  /// Closes with 1001 (going away): the server is stopping.
  void going_away(std::string reason);
  std::uint64_t id() const override { return id_; }

 private:
  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void handle_frame(const std::string& text);
  /// chat.watch / chat.unwatch: joins or leaves a chat's room (staff who do not see every
  /// chat, e.g. auditors, follow one conversation live).
  void watch(bool on, const nlohmann::json& data, const nlohmann::json& id);
  void enqueue(std::shared_ptr<const std::string> frame);
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void begin_close(beast::websocket::close_code code, const std::string& reason);
  void do_close();
  void leave();

  beast::websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer close_deadline_{ws_.get_executor()};
  beast::websocket::close_reason close_reason_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  const services& services_;
  ws_user user_;
  std::uint64_t id_;
  bool joined_ = false;
  bool closing_ = false;
};

/// Starts a WebSocket session on an upgraded connection.
void start_websocket(tcp::socket&& socket, request&& req, const services& s, ws_user user);

} // namespace crm::net
