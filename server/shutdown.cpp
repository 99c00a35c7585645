#include "server/shutdown.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace crm {

namespace {
using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
} // namespace

graceful_stop::graceful_stop(boost::asio::io_context& ioc, std::shared_ptr<net::listener> http,
                             std::shared_ptr<net::connections> conns, std::chrono::seconds grace)
    : ioc_{ioc}, http_{std::move(http)}, conns_{std::move(conns)}, grace_{grace},
      signals_{ioc, SIGINT, SIGTERM}, timer_{ioc} {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (!ec)
      on_signal(sig);
  });
}

std::chrono::milliseconds graceful_stop::since_signal() const {
  if (!signalled_)
    return 0ms;
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - (deadline_ - grace_));
}

std::chrono::milliseconds graceful_stop::remaining() const {
  if (!signalled_)
    return grace_;
  return std::max(0ms,
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - clock::now()));
}

void graceful_stop::on_signal(int sig) {
  signalled_ = true;
  deadline_ = clock::now() + grace_;
  spdlog::info("signal {} received: stopping within {} s ({} requests in flight, {} "
               "WebSockets open)",
               sig, grace_.count(), conns_->in_flight(), conns_->open_websockets());
  // A second signal is not a reason to drop what is being answered: systemd's stop timeout
  // (TimeoutStopSec, above the grace period) is the hard limit.
  signals_.async_wait([](const boost::system::error_code& ec, int again) {
    if (!ec)
      spdlog::warn("signal {} received again: still stopping", again);
  });
  http_->stop();
  conns_->drain();
  poll();
}

void graceful_stop::poll() {
  auto now = clock::now();
  if (!ws_closing_) {
    if (conns_->in_flight() > 0 && now < deadline_)
      return timer_.expires_after(10ms), timer_.async_wait([this](auto ec) {
        if (!ec)
          poll();
      });
    if (conns_->in_flight() > 0)
      spdlog::warn("grace period over with {} requests unanswered", conns_->in_flight());
    else
      spdlog::info("every request in flight answered");
    ws_closing_ = true;
    // The close handshake needs a round trip; a browser that does not answer is cut off.
    // At least a moment, even past the deadline: the posted closes must get to run.
    ws_deadline_ = std::max(std::min(deadline_, now + 2s), now + 200ms);
    conns_->close_websockets("server shutting down");
  }
  if (conns_->open_websockets() > 0 && now < ws_deadline_)
    return timer_.expires_after(10ms), timer_.async_wait([this](auto ec) {
      if (!ec)
        poll();
    });
  ioc_.stop();
}

void graceful_stop::arm_watchdog(std::chrono::seconds margin) {
  auto until = (signalled_ ? deadline_ : clock::now() + grace_) + margin;
  // Detached: a normal exit ends it with the process.
  std::thread{[clean = clean_, until] {
    std::this_thread::sleep_until(until);
    std::fprintf(stderr, "crm-server: shutdown overran its grace period; exiting now\n");
    ::_exit(clean->load() ? 0 : 1);
  }}.detach();
}

} // namespace crm
