#include "net/websocket_session.hpp"

#include "actors/atoms.hpp"
#include "domain/permissions.hpp"
#include "net/chat_input.hpp"
#include "net/connections.hpp"
#include "net/http_error.hpp"

#include <caf/send.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace crm::net {

namespace websocket = beast::websocket;
using json = nlohmann::json;

namespace {

std::atomic<std::uint64_t> next_session_id{1};

std::shared_ptr<const std::string> frame_of(json j) {
  return std::make_shared<const std::string>(j.dump());
}

/// Answers an action as `{"reply": id, "ok": ..., ...}` on the session that sent it.
class action_reply final : public responder {
 public:
  // id_(...), not id_{...}: braces would wrap the id in a JSON array.
  action_reply(std::shared_ptr<ws_sink> sink, json id)
      : sink_{std::move(sink)}, id_(std::move(id)) {}

  ~action_reply() override {
    if (!answered_.load())
      fail(make_error(ec::storage_unavailable, "not answered"));
  }

  void reply(unsigned status, std::string, std::string body) override {
    if (answered_.exchange(true))
      return;
    auto data = json::parse(body, nullptr, false);
    if (status < 300)
      sink_->push(frame_of({{"reply", id_}, {"ok", true}, {"data", data}}));
    else
      sink_->push(
          frame_of({{"reply", id_}, {"ok", false}, {"error", data.value("error", json{})}}));
  }

  void fail(const caf::error& err) override {
    auto failure = to_http(err);
    reply(failure.status, "application/json", failure.body);
  }

  void reply_with(unsigned status, std::string type, std::string body,
                  std::vector<std::pair<std::string, std::string>>) override {
    reply(status, std::move(type), std::move(body));
  }

 private:
  std::shared_ptr<ws_sink> sink_;
  json id_;
  std::atomic<bool> answered_{false};
};

} // namespace

websocket_session::websocket_session(tcp::socket&& socket, const services& s, ws_user user)
    : ws_{std::move(socket)}, services_{s}, user_{std::move(user)}, id_{next_session_id++} {}

websocket_session::~websocket_session() = default;

void websocket_session::start(request req) {
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(64 * 1024);
  ws_.async_accept(req,
                   beast::bind_front_handler(&websocket_session::on_accept, shared_from_this()));
}

void websocket_session::on_accept(beast::error_code ec) {
  if (ec)
    return;
  joined_ = true;
  caf::anon_send(services_.hub, atom::join_v, user_, ws_sink_ptr{shared_from_this()});
  do_read();
}

void websocket_session::do_read() {
  ws_.async_read(buffer_,
                 beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
}

void websocket_session::on_read(beast::error_code ec, std::size_t) {
  if (ec)
    return leave();
  auto text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  handle_frame(text);
  do_read();
}

void websocket_session::handle_frame(const std::string& text) {
  auto frame = json::parse(text, nullptr, false);
  auto id = frame.is_object() ? frame.value("id", json{}) : json{};
  auto fail = [&](const char* code, const char* message) {
    enqueue(frame_of(
        {{"reply", id}, {"ok", false}, {"error", {{"code", code}, {"message", message}}}}));
  };
  if (!frame.is_object() || !frame.contains("action") || !frame["action"].is_string())
    return fail("invalid_input", "frames are {\"action\": NAME, \"data\": {...}, \"id\": N}");
  auto action = frame["action"].get<std::string>();
  auto data = frame.value("data", json::object());
  if (action == "agent.status") {
    if (!data.is_object() || !data.contains("status") || !data["status"].is_string())
      return fail("invalid_input", "agent.status needs data.status");
    auto out = std::make_shared<action_reply>(shared_from_this(), id);
    caf::anon_send(services_.gateway(), user_status_request{user_.user_id, data["status"]},
                   responder_ptr{out});
    return;
  }
  if (action == "chat.watch" || action == "chat.unwatch")
    return watch(action == "chat.watch", data, id);
  auto chat_action = action == "message.send" ? "send" : action == "chat.typing" ? "typing" : "";
  if (*chat_action) {
    chat_command cmd;
    auto chat = data.is_object() ? data.value("chatId", json{}) : json{};
    if (!chat.is_string() || !is_uuid(chat.get<std::string>()))
      return fail("invalid_input", "data.chatId must be a chat id");
    cmd.chat.value = chat.get<std::string>();
    if (auto err = read_chat_command(chat_action, data, cmd))
      return fail("invalid_input", err->message.c_str());
    if (!forbidden_question(cmd, services_.contact.get()).empty())
      return fail("forbidden_question",
                  "the law forbids asking the debtor why they did not pay; offer payment "
                  "alternatives instead");
    cmd.by_user = user_.user_id;
    cmd.by_role = user_.role;
    if (!services_.access->get()->allows(user_.role, action == "message.send" ? "messages:create"
                                                                              : "chats:read"))
      return fail("forbidden", "this role may not do that");
    auto out = std::make_shared<action_reply>(shared_from_this(), id);
    caf::anon_send(services_.gateway(), std::move(cmd), responder_ptr{out});
    return;
  }
  fail("unknown_action", "this action is not supported");
}

void websocket_session::watch(bool on, const json& data, const json& id) {
  auto reply = [&](bool ok, const char* code, const char* message) {
    json frame = {{"reply", id}, {"ok", ok}};
    if (!ok)
      frame["error"] = {{"code", code}, {"message", message}};
    enqueue(frame_of(std::move(frame)));
  };
  auto chat = data.is_object() ? data.value("chatId", json{}) : json{};
  if (!chat.is_string() || !is_uuid(chat.get<std::string>()))
    return reply(false, "invalid_input", "data.chatId must be a chat id");
  // Agents get their own chats' events already, and no one else's.
  if (user_.role == "agent" || !services_.access->get()->allows(user_.role, "chats:read"))
    return reply(false, "forbidden", "this role may not watch chats");
  if (on)
    caf::anon_send(services_.hub, atom::watch_v, id_, chat_id{chat.get<std::string>()});
  else
    caf::anon_send(services_.hub, atom::unwatch_v, id_, chat_id{chat.get<std::string>()});
  reply(true, "", "");
}

void websocket_session::push(std::shared_ptr<const std::string> frame) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame)]() mutable {
    self->enqueue(std::move(frame));
  });
}

void websocket_session::enqueue(std::shared_ptr<const std::string> frame) {
  if (closing_)
    return;
  if (queue_.size() >= max_queued_frames) {
    spdlog::warn("websocket {} of {} fell behind; closing it", id_, user_.user_id);
    return begin_close(websocket::close_code::policy_error, "too slow");
  }
  queue_.push_back(std::move(frame));
  if (queue_.size() == 1)
    do_write();
}

void websocket_session::do_write() {
  ws_.text(true);
  ws_.async_write(asio::buffer(*queue_.front()),
                  beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
}

void websocket_session::on_write(beast::error_code ec, std::size_t) {
  if (ec)
    return leave();
  queue_.pop_front();
  if (closing_) // the queue was cut to the frame that was in flight
    return do_close();
  if (!queue_.empty())
    do_write();
}

void websocket_session::close(std::string reason) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
    self->begin_close(websocket::close_code::normal, reason);
  });
}

void websocket_session::going_away(std::string reason) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
    self->begin_close(websocket::close_code::going_away, reason);
  });
}

/// Beast allows one write at a time and the frame being written must outlive it: the close
/// waits for the write in flight, and the frames behind it are dropped. A client that never
/// reads again does not get to hold the session: its socket is shut after five seconds.
void websocket_session::begin_close(websocket::close_code code, const std::string& reason) {
  if (closing_)
    return;
  closing_ = true;
  close_reason_ = websocket::close_reason{code, reason};
  if (queue_.empty())
    return do_close();
  queue_.erase(std::next(queue_.begin()), queue_.end());
  close_deadline_.expires_after(std::chrono::seconds(5));
  close_deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->queue_.empty())
      return;
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().close(ignored); // fails the stuck write
  });
}

void websocket_session::do_close() {
  close_deadline_.cancel();
  ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) { self->leave(); });
}

void websocket_session::leave() {
  if (!joined_)
    return;
  joined_ = false;
  caf::anon_send(services_.hub, atom::leave_v, id_);
}

void start_websocket(tcp::socket&& socket, request&& req, const services& s, ws_user user) {
  auto session = std::make_shared<websocket_session>(std::move(socket), s, std::move(user));
  if (s.conns)
    s.conns->add(session);
  session->start(std::move(req));
}

} // namespace crm::net
