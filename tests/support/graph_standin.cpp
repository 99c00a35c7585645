#include "tests/support/graph_standin.hpp"

#include "net/beast.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <sys/socket.h>

namespace crm::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct graph_standin::impl {
  explicit impl(unsigned short port)
      : acceptor{ioc, tcp::endpoint{asio::ip::make_address("127.0.0.1"), port}},
        endpoint{acceptor.local_endpoint()} {}
  asio::io_context ioc;
  tcp::acceptor acceptor;
  tcp::endpoint endpoint; // kept across set_unreachable
  std::atomic<bool> accepting{false};
  std::atomic<int> failing{0}; // fail_all's status
  std::thread accept_thread;
  std::vector<std::thread> connections;
  std::vector<int> fds; // open connections, shut down when the stand-in goes
  mutable std::mutex mutex;
  std::vector<received> log;
  struct answer {
    int status;
    std::string body;
    std::chrono::milliseconds delay;
  };
  std::deque<answer> scripted;
  std::atomic<bool> stopping{false};
  std::atomic<long> next_id{1};
  std::map<std::string, std::pair<std::string, std::string>> media; // id -> mime, bytes
};

namespace {

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

} // namespace

graph_standin::graph_standin(unsigned short port) : impl_{std::make_unique<impl>(port)} {
  start_accepting();
}

void graph_standin::start_accepting() {
  if (!impl_->acceptor.is_open()) {
    impl_->acceptor.open(impl_->endpoint.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address{true});
    impl_->acceptor.bind(impl_->endpoint);
    impl_->acceptor.listen();
  }
  impl_->accepting = true;
  impl_->accept_thread = std::thread{[this] {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket{impl_->ioc};
      impl_->acceptor.accept(socket, ec);
      if (ec || !impl_->accepting)
        return;
      auto fd = socket.release();
      std::lock_guard lock{impl_->mutex};
      impl_->fds.push_back(fd);
      impl_->connections.emplace_back([this, fd] { serve(fd); });
    }
  }};
}

void graph_standin::stop_accepting() {
  impl_->accepting = false;
  // Wake the blocking accept with a connection of our own, then close.
  beast::error_code ec;
  {
    asio::io_context ioc;
    tcp::socket s{ioc};
    s.connect(impl_->endpoint, ec);
    impl_->accept_thread.join();
  }
  impl_->acceptor.close(ec);
  // Clients may keep their connections open: end them from our side.
  std::lock_guard lock{impl_->mutex};
  for (auto fd : impl_->fds)
    ::shutdown(fd, SHUT_RDWR);
}

graph_standin::~graph_standin() {
  impl_->stopping = true;
  if (impl_->accepting)
    stop_accepting();
  std::vector<std::thread> connections;
  {
    std::lock_guard lock{impl_->mutex};
    connections = std::move(impl_->connections);
  }
  for (auto& t : connections)
    t.join();
}

void graph_standin::fail_all(int status) {
  impl_->failing = status;
}

void graph_standin::set_unreachable(bool unreachable) {
  if (unreachable && impl_->accepting)
    stop_accepting();
  else if (!unreachable && !impl_->accepting)
    start_accepting();
}

std::string graph_standin::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->endpoint.port());
}

void graph_standin::script(int status, std::string body, std::chrono::milliseconds delay) {
  std::lock_guard lock{impl_->mutex};
  impl_->scripted.push_back({status, std::move(body), delay});
}

void graph_standin::add_media(const std::string& id, const std::string& mime,
                              const std::string& bytes) {
  std::lock_guard lock{impl_->mutex};
  impl_->media[id] = {mime, bytes};
}

std::string graph_standin::error_body(long code, const std::string& message) {
  return nlohmann::json{{"error",
                         {{"message", message},
                          {"type", "OAuthException"},
                          {"code", code},
                          {"error_data", {{"messaging_product", "whatsapp"}, {"details", message}}},
                          {"fbtrace_id", "AbCdEf123"}}}}
      .dump();
}

std::vector<graph_standin::received> graph_standin::requests() const {
  std::lock_guard lock{impl_->mutex};
  return impl_->log;
}

size_t graph_standin::count() const {
  std::lock_guard lock{impl_->mutex};
  return impl_->log.size();
}

void graph_standin::serve(int fd) {
  asio::io_context ioc;
  beast::tcp_stream stream{tcp::socket{ioc, tcp::v4(), fd}};
  // Declared after the stream: forgets the fd before the stream closes it (a closed fd's
  // number may be reused by another socket, which the destructor must not shut down).
  struct forget {
    impl& i;
    int fd;
    ~forget() {
      std::lock_guard lock{i.mutex};
      i.fds.erase(std::remove(i.fds.begin(), i.fds.end(), fd), i.fds.end());
    }
  } forget_fd{*impl_, fd};
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    beast::error_code ec;
    stream.expires_after(std::chrono::seconds(30));
    http::read(stream, buffer, req, ec);
    if (ec || impl_->stopping)
      return;
    int status = 200;
    std::string body;
    std::chrono::milliseconds delay{0};
    size_t index = 0;
    {
      std::lock_guard lock{impl_->mutex};
      index = impl_->log.size();
      impl_->log.push_back({std::string{req.method_string()}, std::string{req.target()},
                            std::string{req[http::field::authorization]}, req.body(),
                            std::chrono::steady_clock::now()});
      if (auto failing = impl_->failing.load()) {
        status = failing;
        body = error_body(2, "Service temporarily unavailable");
      } else if (!impl_->scripted.empty()) {
        auto& next = impl_->scripted.front();
        status = next.status;
        body = std::move(next.body);
        delay = next.delay;
        impl_->scripted.pop_front();
      }
    }
    std::string content_type = "application/json";
    if (status == 200 && body.empty() && req.method() == http::verb::get) {
      // Media: Meta's lookup and download, WPPConnect's get-media-by-message.
      std::string target{req.target()};
      auto last = target.substr(target.rfind('/') + 1);
      std::lock_guard lock{impl_->mutex};
      auto it = impl_->media.find(last);
      if (it == impl_->media.end()) {
        status = 400;
        body = target.find("/get-media-by-message/") != std::string::npos
                   ? R"({"status":"error","message":"Message not found"})"
                   : nlohmann::json{{"error",
                                     {{"message", "Unsupported get request. Object with ID '" +
                                                      last + "' does not exist"},
                                      {"type", "GraphMethodException"},
                                      {"code", 100},
                                      {"error_subcode", 33}}}}
                         .dump();
      } else if (target.find("/get-media-by-message/") != std::string::npos) {
        body = nlohmann::json{{"base64", base64(it->second.second)}, {"mimetype", it->second.first}}
                   .dump();
      } else if (target.rfind("/media-download/", 0) == 0) {
        content_type = it->second.first;
        body = it->second.second;
      } else {
        body =
            nlohmann::json{
                {"messaging_product", "whatsapp"},       {"url", url() + "/media-download/" + last},
                {"mime_type", it->second.first},         {"sha256", "stand-in"},
                {"file_size", it->second.second.size()}, {"id", last}}
                .dump();
      }
    }
    if (status == 200 && body.empty() && req.target().find("/api/") == 0) {
      // A WPPConnect server's answer.
      auto in = nlohmann::json::parse(req.body(), nullptr, false);
      auto phone = in.is_object() ? in.value("phone", "") : "";
      body =
          nlohmann::json{
              {"status", "success"},
              {"response",
               {{{"id", "true_" + phone + "@c.us_3EB0" + std::to_string(impl_->next_id++)},
                 {"ack", 0}}}},
              {"session", "stand-in"}}
              .dump();
    }
    if (status == 200 && body.empty()) {
      auto in = nlohmann::json::parse(req.body(), nullptr, false);
      auto to = in.is_object() ? in.value("to", "") : "";
      body = nlohmann::json{{"messaging_product", "whatsapp"},
                            {"contacts", {{{"input", to}, {"wa_id", to}}}},
                            {"messages", {{{"id", "wamid.SI" + std::to_string(impl_->next_id++)}}}}}
                 .dump();
    }
    {
      std::lock_guard lock{impl_->mutex};
      impl_->log[index].status = status;
    }
    if (delay.count() > 0)
      std::this_thread::sleep_for(delay);
    http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
    res.set(http::field::content_type, content_type);
    res.keep_alive(req.keep_alive());
    res.body() = body;
    res.prepare_payload();
    http::write(stream, res, ec);
    if (ec || !req.keep_alive())
      return;
  }
}

} // namespace crm::test
