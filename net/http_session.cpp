#include "net/http_session.hpp"

#include "metrics/metrics.hpp"

#include "net/http_error.hpp"
#include "net/session_responder.hpp"

#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

namespace crm::net {

namespace {

/// What Helmet sets by default, minus what only matters for HTML we do not serve here.
void add_security_headers(http::response_header<>& res) {
  res.set(http::field::server, "crm");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  res.set("Cross-Origin-Resource-Policy", "same-origin");
  res.set("X-DNS-Prefetch-Control", "off");
  res.set("X-Permitted-Cross-Domain-Policies", "none");
  res.set("Strict-Transport-Security", "max-age=15552000; includeSubDomains");
  // blob: images are the console's media, fetched with the token and shown from memory.
  if (!res.count("Content-Security-Policy"))
    res.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'");
  if (!res.count(http::field::cache_control))
    res.set(http::field::cache_control, "no-store");
}

} // namespace

int json_depth(std::string_view body) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

http_session::http_session(tcp::socket&& socket, const router& routes, session_options options)
    : stream_{std::move(socket)}, routes_{routes}, options_{options} {
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    auto address = ep.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
      address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    peer_ = remote_ = address.to_string();
  }
  metrics::http_connections().Increment();
}

http_session::~http_session() {
  idle();
  metrics::http_connections().Decrement();
}

void http_session::start() {
  if (options_.conns) {
    options_.conns->add(shared_from_this());
    // Accepted while the listener was closing: drained like the others.
    if (options_.conns->draining())
      drain();
  }
  asio::dispatch(stream_.get_executor(),
                 beast::bind_front_handler(&http_session::do_read, shared_from_this()));
}

void http_session::drain() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->busy_)
      return; // on_write closes after the answer
    beast::error_code ec;
    self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    self->stream_.socket().close(ec); // fails the pending read
  });
}

void http_session::idle() {
  if (!busy_)
    return;
  busy_ = false;
  if (options_.conns)
    options_.conns->request_ended();
}

void http_session::do_read() {
  parser_.emplace();
  parser_->body_limit(std::max<std::uint64_t>(options_.body_limit, routes_.largest_body()));
  stream_.expires_after(options_.timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&http_session::on_header, shared_from_this()));
}

void http_session::on_header(beast::error_code ec, std::size_t bytes) {
  if (ec)
    return on_read(ec, bytes);
  busy_ = true;
  if (options_.conns)
    options_.conns->request_started();
  auto target = parser_->get().target();
  auto path = std::string_view{target.data(), target.size()};
  path = path.substr(0, path.find('?'));
  auto limit = options_.body_limit;
  if (auto m = routes_.find(parser_->get().method(), path); m.found && m.found->body_limit > 0)
    limit = m.found->body_limit;
  // The header was read under the largest limit any route has; now the request's own.
  if (auto length = parser_->content_length(); length && *length > limit)
    return on_read(http::error::body_limit, bytes);
  parser_->body_limit(limit);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
      ec == beast::error::timeout || ec == asio::error::operation_aborted ||
      ec == asio::error::bad_descriptor || (ec && options_.conns && options_.conns->draining())) {
    idle();
    return do_close();
  }
  started_ = std::chrono::steady_clock::now();
  if (ec == http::error::body_limit) {
    req_keep_alive_ = false;
    drain_before_close_ = true;
    route_label_ = "body_limit";
    return answer_now(http::status::payload_too_large,
                      error_body("payload_too_large", "the request body is too large"));
  }
  if (ec) {
    req_keep_alive_ = false;
    route_label_ = "bad_request";
    return answer_now(http::status::bad_request, error_body("bad_request", ec.message()));
  }
  req_ = parser_->release();
  dispatch();
}

void http_session::dispatch() {
  req_version_ = req_.version();
  req_keep_alive_ = req_.keep_alive();
  req_method_ = req_.method();
  if (!options_.proxies.empty()) {
    // Every X-Forwarded-For line, in order: a proxy may add its own line instead of
    // appending to the client's, and the trusted (last) entries must be the ones read.
    std::string forwarded;
    for (auto [it, end] = req_.equal_range("X-Forwarded-For"); it != end; ++it)
      forwarded += (forwarded.empty() ? "" : ", ") + std::string{it->value()};
    remote_ = options_.proxies.client_of(peer_, forwarded, req_["X-Real-IP"]);
  }
  auto target = std::string_view{req_.target().data(), req_.target().size()};
  auto qpos = target.find('?');
  auto path = target.substr(0, qpos);
  cors_origin_.clear();
  if (auto origin = req_[http::field::origin]; !origin.empty())
    for (auto& allowed : options_.cors_origins)
      if (origin == allowed)
        cors_origin_ = allowed;
  if (req_.method() == http::verb::options) {
    // A CORS preflight: allowed origins learn what they may send; others get no grant.
    route_label_ = "preflight";
    response res{http::status::no_content, req_version_};
    if (!cors_origin_.empty()) {
      res.set(http::field::access_control_allow_methods, "GET, POST, PATCH, PUT, DELETE");
      res.set(http::field::access_control_allow_headers, "Authorization, Content-Type");
      res.set(http::field::access_control_max_age, "600");
    }
    return write(std::move(res));
  }
  auto m = routes_.find(req_.method(), path);
  if (!m.found && req_.method() == http::verb::get && options_.web)
    if (auto* f = options_.web->find(path)) {
      route_label_ = "static";
      return answer_file(*f);
    }
  if (!m.found) {
    route_label_ = m.path_exists ? "method_not_allowed" : "not_found";
    return m.path_exists
               ? answer_now(http::status::method_not_allowed,
                            error_body("method_not_allowed", "method not allowed on this path"))
               : answer_now(http::status::not_found, error_body("not_found", "no such route"));
  }
  route_label_ = m.found->pattern;
  if (!req_.body().empty() && json_depth(req_.body()) > json_max_depth)
    return answer_now(http::status::bad_request,
                      error_body("invalid_input", "JSON nested too deeply"));
  if (path == "/ws" && beast::websocket::is_upgrade(req_) && options_.start_ws) {
    // A stopping server takes no new WebSocket: the browser retries and reaches the next.
    if (options_.conns && options_.conns->draining())
      return answer_now(http::status::service_unavailable,
                        error_body("unavailable", "the server is stopping; retry"));
    auto query = qpos == std::string_view::npos ? std::map<std::string, std::string>{}
                                                : parse_query(target.substr(qpos + 1));
    auto user = options_.authenticate_ws ? options_.authenticate_ws(query["token"]) : std::nullopt;
    if (!user)
      return answer_now(http::status::unauthorized,
                        error_body("unauthenticated", "a valid ?token= is required"));
    metrics::http_requests("GET", route_label_, 101).Increment();
    idle();
    // The connection now belongs to the WebSocket session; this session ends here.
    return options_.start_ws(stream_.release_socket(), std::move(req_), std::move(*user));
  }
  request_context ctx{req_, path, {}, std::move(m.params), remote_};
  if (qpos != std::string_view::npos)
    ctx.query = parse_query(target.substr(qpos + 1));
  auto out = std::make_shared<session_responder>(shared_from_this());
  try {
    m.found->fn(ctx, out);
  } catch (const std::exception& e) {
    spdlog::error("handler for {} threw: {}", route_label_, e.what());
    out->reply(500, "application/json", error_body("internal", "internal error"));
  }
}

void http_session::answer_now(http::status status, std::string body) {
  response res{status, req_version_};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  write(std::move(res));
}

void http_session::answer_file(const static_files::file& f) {
  response res{http::status::ok, req_version_};
  // Revalidated every time (cheap: 304 by ETag), so a new release is seen on the next load.
  res.set(http::field::cache_control, "no-cache");
  res.set(http::field::etag, f.etag);
  if (req_[http::field::if_none_match] == f.etag) {
    res.result(http::status::not_modified);
  } else {
    res.set(http::field::content_type, f.content_type);
    res.body() = f.body;
  }
  write(std::move(res));
}

template <class Body>
unsigned http_session::finish_header(http::response<Body>& res) {
  add_security_headers(res);
  if (!cors_origin_.empty()) {
    res.set(http::field::access_control_allow_origin, cors_origin_);
    res.set(http::field::vary, "Origin");
  }
  res.version(req_version_);
  // A stopping server answers what it took and says so: the client reconnects elsewhere.
  res.keep_alive(req_keep_alive_ && !(options_.conns && options_.conns->draining()));
  auto status = res.result_int();
  metrics::http_requests(std::string{http::to_string(req_method_)}, route_label_, status)
      .Increment();
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - started_;
  metrics::http_latency(route_label_, status).Observe(took.count());
  return status;
}

void http_session::write(response res) {
  finish_header(res);
  res.prepare_payload();
  pending_write_ = std::make_shared<response>(std::move(res));
  stream_.expires_after(options_.timeout);
  http::async_write(stream_, *pending_write_,
                    beast::bind_front_handler(&http_session::on_write, shared_from_this(),
                                              pending_write_->need_eof()));
}

void http_session::write_file(http::response<http::file_body> res) {
  finish_header(res);
  res.prepare_payload();
  pending_file_ = std::make_shared<http::response<http::file_body>>(std::move(res));
  // A backup of some gigabytes takes a while on a slow link: the idle timeout would cut it.
  stream_.expires_after(std::chrono::hours(6));
  http::async_write(stream_, *pending_file_,
                    beast::bind_front_handler(&http_session::on_write, shared_from_this(),
                                              pending_file_->need_eof()));
}

void http_session::on_write(bool close, beast::error_code ec, std::size_t) {
  pending_write_.reset();
  pending_file_.reset();
  idle();
  if (ec || close || (options_.conns && options_.conns->draining()))
    return do_close();
  do_read();
}

void http_session::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (drain_before_close_) {
    // A client still sending a refused body would get a reset, and lose our 413, if we
    // closed now: read and drop what it sends for a little while first (lingering close).
    drain_before_close_ = false;
    stream_.expires_after(std::chrono::seconds(5));
    do_drain();
  }
}

void http_session::do_drain() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(64 * 1024),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (!ec)
                              self->do_drain();
                          });
}

} // namespace crm::net
