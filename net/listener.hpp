#pragma once

#include "net/http_session.hpp"

#include <memory>

namespace crm::net {

/// Accepts connections and starts a session for each, on its own strand.
class listener : public std::enable_shared_from_this<listener> {
 public:
  /// Binds and listens; throws boost::system::system_error when the address is taken.
  listener(asio::io_context& ioc, tcp::endpoint endpoint, const router& routes,
           session_options options);

  void start();
  void stop();
  unsigned short port() const;

 private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  const router& routes_;
  session_options options_;
};

} // namespace crm::net
