#include "net/providers/http_pool.hpp"

#include "domain/error.hpp"

#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

#include <optional>
#include <regex>
#include <stdexcept>
#include <variant>

namespace crm::net {

base_url base_url::parse(const std::string& url) {
  static const std::regex shape{R"(^(https?)://([^/:]+)(?::([0-9]+))?(/.*)?$)"};
  std::smatch m;
  if (!std::regex_match(url, m, shape))
    throw std::invalid_argument("not an http(s) URL: " + url);
  base_url result;
  result.tls = m[1] == "https";
  result.host = m[2];
  result.port = m[3].matched ? m[3].str() : (result.tls ? "443" : "80");
  result.prefix = m[4].matched ? m[4].str() : "";
  while (!result.prefix.empty() && result.prefix.back() == '/')
    result.prefix.pop_back();
  return result;
}

std::pair<base_url, std::string> base_url::split(const std::string& url) {
  static const std::regex shape{R"(^(https?://[^/?#]+)([/?][^#]*)?(#.*)?$)"};
  std::smatch m;
  if (!std::regex_match(url, m, shape))
    throw std::invalid_argument("not an http(s) URL: " + url);
  auto target = m[2].matched ? m[2].str() : std::string{"/"};
  if (target[0] == '?')
    target.insert(0, "/");
  return {parse(m[1].str()), std::move(target)};
}

caf::error media_failure(const http_outcome& out, const std::string& what) {
  if (out.status == 404 || out.status == 410)
    return make_error(ec::not_found, "the provider no longer has this media (" + what + ")");
  if (out.status == 0)
    return make_error(ec::provider_rejected, what + " failed: " + out.error);
  return make_error(ec::provider_rejected, what + " answered " + std::to_string(out.status) + ": " +
                                               out.body.substr(0, 200));
}

caf::error too_large() {
  return make_error(ec::provider_rejected, "the media is larger than whatsapp.mediaMaxMb allows");
}

bool classify_unanswered(const message_id& id, const http_outcome& out, provider_reply& r) {
  r.id = id;
  r.http_status = out.status;
  if (out.status != 0)
    return false;
  r.retriable = !out.written;
  r.error_code = out.written ? "unknown_outcome" : "connection_failed";
  r.error_text = out.error;
  return true;
}

std::shared_ptr<asio::ssl::context> make_client_tls() {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->set_default_verify_paths();
  ctx->set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

/// One keep-alive connection; runs one request at a time on the pool's strand.
class http_pool::connection : public std::enable_shared_from_this<connection> {
 public:
  using tls_stream = beast::ssl_stream<beast::tcp_stream>;

  using stream_type = std::variant<beast::tcp_stream, tls_stream>;

  explicit connection(std::shared_ptr<http_pool> pool)
      : pool_{std::move(pool)}, resolver_{pool_->strand_}, stream_{make_stream(*pool_)} {}

  static stream_type make_stream(http_pool& p) {
    if (p.origin_.tls)
      return stream_type{std::in_place_type<tls_stream>, p.strand_, *p.tls_};
    return stream_type{std::in_place_type<beast::tcp_stream>, p.strand_};
  }

  void run(job j, bool retry_allowed) {
    job_ = std::move(j);
    retry_allowed_ = retry_allowed;
    written_ = false;
    parser_.emplace();
    parser_->body_limit(pool_->body_limit_);
    buffer_.clear();
    if (connected_)
      return write();
    resolver_.async_resolve(pool_->origin_.host, pool_->origin_.port,
                            beast::bind_front_handler(&connection::on_resolve, shared_from_this()));
  }

 private:
  beast::tcp_stream& lowest() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                      stream_);
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec)
      return fail("resolve", ec);
    lowest().expires_after(pool_->timeout_);
    lowest().async_connect(results,
                           beast::bind_front_handler(&connection::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec, tcp::endpoint) {
    if (ec)
      return fail("connect", ec);
    auto* tls = std::get_if<tls_stream>(&stream_);
    if (!tls) {
      connected_ = true;
      return write();
    }
    if (!SSL_set_tlsext_host_name(tls->native_handle(), pool_->origin_.host.c_str()))
      return fail("tls", beast::error_code{static_cast<int>(::ERR_get_error()),
                                           asio::error::get_ssl_category()});
    tls->set_verify_callback(asio::ssl::host_name_verification(pool_->origin_.host));
    lowest().expires_after(pool_->timeout_);
    tls->async_handshake(asio::ssl::stream_base::client,
                         beast::bind_front_handler(&connection::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec)
      return fail("tls handshake", ec);
    connected_ = true;
    write();
  }

  void write() {
    reused_ = uses_++ > 0;
    lowest().expires_after(pool_->timeout_);
    std::visit(
        [this](auto& s) {
          http::async_write(s, job_.req,
                            beast::bind_front_handler(&connection::on_write, shared_from_this()));
        },
        stream_);
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec)
      return fail("write", ec);
    written_ = true;
    lowest().expires_after(pool_->timeout_);
    std::visit(
        [this](auto& s) {
          http::async_read(s, buffer_, *parser_,
                           beast::bind_front_handler(&connection::on_read, shared_from_this()));
        },
        stream_);
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec)
      return fail("read", ec);
    auto res = parser_->release();
    http_outcome out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    out.written = true;
    bool keep = res.keep_alive();
    auto done = std::move(job_.done);
    pool_->finished(shared_from_this(), keep);
    done(std::move(out));
  }

  void fail(const char* step, beast::error_code ec) {
    connected_ = false;
    // A kept-alive connection the server closed meanwhile: the request never left, so
    // one fresh try is safe.
    if (reused_ && !written_ && retry_allowed_) {
      auto fresh = std::make_shared<connection>(pool_);
      pool_->finished(shared_from_this(), false);
      ++pool_->busy_;
      return fresh->run(std::move(job_), false);
    }
    http_outcome out;
    out.written = written_;
    out.error = std::string{step} + ": " + ec.message();
    auto done = std::move(job_.done);
    pool_->finished(shared_from_this(), false);
    done(std::move(out));
  }

  std::shared_ptr<http_pool> pool_; // kept alive while a request runs
  tcp::resolver resolver_;
  stream_type stream_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  job job_;
  bool connected_ = false, written_ = false, reused_ = false, retry_allowed_ = true;
  size_t uses_ = 0;
};

http_pool::http_pool(asio::io_context& ioc, std::shared_ptr<asio::ssl::context> tls,
                     base_url origin, size_t max_connections, std::chrono::seconds timeout,
                     std::uint64_t body_limit)
    : ioc_{ioc}, strand_{asio::make_strand(ioc)}, tls_{std::move(tls)}, origin_{std::move(origin)},
      max_connections_{max_connections}, timeout_{timeout}, body_limit_{body_limit} {}

http_pool::~http_pool() = default;

void http_pool::send(request req, callback done) {
  req.set(http::field::host, origin_.host);
  req.keep_alive(true);
  req.prepare_payload();
  asio::post(strand_,
             [self = shared_from_this(), j = job{std::move(req), std::move(done)}]() mutable {
               self->waiting_.push_back(std::move(j));
               self->pump();
             });
}

void http_pool::pump() {
  while (!waiting_.empty() && (busy_ < max_connections_)) {
    std::shared_ptr<connection> c;
    if (!idle_.empty()) {
      c = std::move(idle_.back());
      idle_.pop_back();
    } else {
      c = std::make_shared<connection>(shared_from_this());
    }
    ++busy_;
    auto j = std::move(waiting_.front());
    waiting_.pop_front();
    c->run(std::move(j), true);
  }
}

void http_pool::finished(std::shared_ptr<connection> c, bool reusable) {
  --busy_;
  if (reusable)
    idle_.push_back(std::move(c));
  asio::post(strand_, [self = shared_from_this()] { self->pump(); });
}

pool_set::pool_set(asio::io_context& ioc, std::shared_ptr<asio::ssl::context> tls,
                   size_t max_connections, std::chrono::seconds timeout, std::uint64_t max_bytes)
    : max_bytes_{max_bytes}, ioc_{ioc}, tls_{std::move(tls)}, max_connections_{max_connections},
      timeout_{timeout}, body_limit_{max_bytes / 3 * 4 + 1024 * 1024} {}

std::shared_ptr<http_pool> pool_set::of(const base_url& origin) {
  auto key = (origin.tls ? "https://" : "http://") + origin.host + ":" + origin.port;
  std::lock_guard lock{mutex_};
  auto& pool = pools_[key];
  if (!pool) {
    auto bare = origin;
    bare.prefix.clear();
    pool = std::make_shared<http_pool>(ioc_, tls_, std::move(bare), max_connections_, timeout_,
                                       body_limit_);
  }
  return pool;
}

} // namespace crm::net
