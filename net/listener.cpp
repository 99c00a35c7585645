#include "net/listener.hpp"

#include <spdlog/spdlog.h>

namespace crm::net {

listener::listener(asio::io_context& ioc, tcp::endpoint endpoint, const router& routes,
                   session_options options)
    : ioc_{ioc}, acceptor_{asio::make_strand(ioc)}, routes_{routes}, options_{options} {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

void listener::start() {
  do_accept();
}

void listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor_.close(ec);
  });
}

unsigned short listener::port() const {
  return acceptor_.local_endpoint().port();
}

void listener::do_accept() {
  acceptor_.async_accept(asio::make_strand(ioc_),
                         beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open())
    return;
  if (ec) {
    spdlog::warn("accept failed: {}", ec.message());
  } else {
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<http_session>(std::move(socket), routes_, options_)->start();
  }
  do_accept();
}

} // namespace crm::net
