#pragma once

#include "actors/messages.hpp"
#include "domain/proxy_trust.hpp"
#include "net/beast.hpp"
#include "net/connections.hpp"
#include "net/router.hpp"
#include "net/static_files.hpp"

#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace crm::net {

/// Settings every session shares.
struct session_options {
  /// Verifies a WebSocket upgrade's token: the user, or nullopt (answered 401).
  std::function<std::optional<ws_user>(std::string_view token)> authenticate_ws;
  /// Takes over an upgraded connection.
  std::function<void(tcp::socket&&, request&&, ws_user)> start_ws;
  std::size_t body_limit = 4 * 1024 * 1024;
  std::chrono::seconds timeout{30};
  /// Browser origins allowed by CORS (exact match, e.g. "https://crm.example.com").
  std::vector<std::string> cors_origins;
  /// The browser console, answered for GETs that match no route (may be null).
  std::shared_ptr<const static_files> web;
  /// Whose X-Forwarded-For is believed (empty: nobody's).
  proxy_trust proxies;
  /// Where the session registers for a graceful stop (may be null).
  std::shared_ptr<connections> conns;
};

/// JSON nested deeper than this is refused (400) before any parser sees it.
inline constexpr int json_max_depth = 64;

/// The deepest nesting of objects and arrays in a JSON text (strings skipped).
int json_depth(std::string_view body);

/// One HTTP connection: reads a request, hands it to its route, writes the answer, repeats.
/// One request in flight at a time; every step runs on the connection's strand.
class http_session : public std::enable_shared_from_this<http_session> {
 public:
  http_session(tcp::socket&& socket, const router& routes, session_options options);
  ~http_session();

  void start();

  /// The server is stopping: an idle connection closes now, a busy one after its answer.
  void drain();

  /// Writes the answer to the current request (call on the strand: session_responder posts).
  void write(response res);
  /// The same for a file streamed from disk.
  void write_file(http::response<http::file_body> res);

  /// The strand's executor, for posting writes onto it.
  asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  void do_read();
  /// The header is in: a route may take a larger body than the default.
  void on_header(beast::error_code ec, std::size_t bytes);
  void on_read(beast::error_code ec, std::size_t bytes);
  void dispatch();
  void answer_now(http::status status, std::string body);
  /// A GET for one of the console's files.
  void answer_file(const static_files::file& f);
  void on_write(bool close, beast::error_code ec, std::size_t bytes);
  /// Headers every answer carries, and the metrics of the request; returns the status.
  template <class Body>
  unsigned finish_header(http::response<Body>& res);
  void do_close();
  void do_drain();
  /// The current request is done (answered, or its connection gone).
  void idle();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  const router& routes_;
  session_options options_;
  std::optional<http::request_parser<http::string_body>> parser_;
  request req_;
  std::string peer_;        // the TCP peer
  std::string remote_;      // the client, as the trusted proxy says (else the peer)
  bool busy_ = false;       // between a request's header and the end of its answer
  std::string cors_origin_; // the request's Origin when allowed: echoed on the answer
  std::string route_label_;
  unsigned req_version_ = 11;
  bool req_keep_alive_ = true;
  bool drain_before_close_ = false;
  http::verb req_method_ = http::verb::get;
  std::chrono::steady_clock::time_point started_;
  std::shared_ptr<response> pending_write_;
  std::shared_ptr<http::response<http::file_body>> pending_file_;
};

} // namespace crm::net
