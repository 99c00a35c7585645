#include "net/session_responder.hpp"

#include "net/http_error.hpp"
#include "net/http_session.hpp"

#include <spdlog/spdlog.h>

namespace crm::net {

session_responder::session_responder(std::shared_ptr<http_session> session)
    : session_{std::move(session)} {}

session_responder::~session_responder() {
  if (!answered_.load())
    reply(503, "application/json",
          error_body("unavailable", "the request was not answered; retry later"));
}

void session_responder::reply(unsigned status, std::string content_type, std::string body) {
  reply_with(status, std::move(content_type), std::move(body), {});
}

void session_responder::reply_with(unsigned status, std::string content_type, std::string body,
                                   std::vector<std::pair<std::string, std::string>> headers) {
  if (answered_.exchange(true))
    return;
  auto res = response{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, content_type);
  for (auto& [name, value] : headers)
    res.set(name, value);
  res.body() = std::move(body);
  asio::post(session_->executor(), [session = session_, res = std::move(res)]() mutable {
    session->write(std::move(res));
  });
}

void session_responder::send_file(std::string path, std::string content_type,
                                  std::vector<std::pair<std::string, std::string>> headers) {
  if (answered_.exchange(true))
    return;
  http::response<http::file_body> res{http::status::ok, 11};
  beast::error_code ec;
  res.body().open(path.c_str(), beast::file_mode::scan, ec);
  if (ec) {
    answered_ = false;
    return reply(404, "application/json", error_body("not_found", "no such file"));
  }
  res.set(http::field::content_type, content_type);
  for (auto& [name, value] : headers)
    res.set(name, value);
  asio::post(session_->executor(), [session = session_, res = std::move(res)]() mutable {
    session->write_file(std::move(res));
  });
}

void session_responder::fail(const caf::error& err) {
  auto failure = to_http(err);
  if (failure.status >= 500)
    spdlog::warn("request failed: {}", caf::to_string(err));
  reply(failure.status, "application/json", std::move(failure.body));
}

} // namespace crm::net
