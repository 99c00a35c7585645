#include "tests/support/ws_client.hpp"

#include "net/beast.hpp"

#include <boost/beast/websocket.hpp>

namespace crm::test {

namespace websocket = boost::beast::websocket;
using namespace crm::net;

struct ws_client::impl {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  bool connected = false;
  bool reading = false; // a cancelled read would break the stream: one stays pending
  bool ready = false;
  beast::error_code error;
};

ws_client::ws_client(unsigned short port, const std::string& token, int receive_buffer)
    : impl_{new impl} {
  try {
    auto& socket = beast::get_lowest_layer(impl_->ws).socket();
    socket.open(tcp::v4());
    if (receive_buffer > 0)
      socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    socket.connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port});
    impl_->ws.handshake("127.0.0.1", "/ws?token=" + token);
    impl_->connected = true;
  } catch (const std::exception&) {
    impl_->connected = false;
  }
}

ws_client::~ws_client() {
  if (impl_->connected) {
    beast::error_code ec;
    beast::get_lowest_layer(impl_->ws).socket().shutdown(tcp::socket::shutdown_both, ec);
  }
}

bool ws_client::connected() const {
  return impl_->connected;
}

void ws_client::send(const std::string& text) {
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(text));
}

std::string ws_client::close_reason() const {
  return std::string{impl_->ws.reason().reason.c_str()};
}

int ws_client::close_code() const {
  return static_cast<int>(impl_->ws.reason().code);
}

std::optional<std::string> ws_client::read(std::chrono::milliseconds timeout) {
  auto& d = *impl_;
  if (!d.connected)
    return std::nullopt;
  if (!d.reading) {
    d.reading = true;
    d.ready = false;
    d.ws.async_read(d.buffer, [&d](beast::error_code ec, std::size_t) {
      d.error = ec;
      d.ready = true;
    });
  }
  d.ioc.restart();
  d.ioc.run_for(timeout);
  if (!d.ready)
    return std::nullopt;
  d.reading = false;
  if (d.error) {
    d.connected = false;
    return std::nullopt;
  }
  auto text = beast::buffers_to_string(d.buffer.data());
  d.buffer.consume(d.buffer.size());
  return text;
}

std::optional<std::string> ws_client::read_until(const std::string& needle,
                                                 std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto frame = read(left);
    if (frame && frame->find(needle) != std::string::npos)
      return frame;
    if (!frame && !connected())
      return std::nullopt;
  }
  return std::nullopt;
}

} // namespace crm::test
