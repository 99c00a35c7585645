#pragma once

#include "net/connections.hpp"
#include "net/listener.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace crm {

/// The HTTP half of a graceful stop. On SIGTERM or SIGINT: stop accepting, close idle
/// connections, let the requests in flight be answered, then close the WebSockets with
/// 1001 and a reason, and stop the I/O context; all within the grace period. What is left
/// for the caller once `ioc.run()` returns: flush storage and stop the actors.
class graceful_stop {
 public:
  graceful_stop(boost::asio::io_context& ioc, std::shared_ptr<net::listener> http,
                std::shared_ptr<net::connections> conns, std::chrono::seconds grace);

  /// Time since the signal (zero when none came).
  std::chrono::milliseconds since_signal() const;

  /// Time left of the grace period (the whole of it when no signal came).
  std::chrono::milliseconds remaining() const;

  /// A stop that overruns the grace period by `margin` (e.g. a hang in a library's
  /// destructor) ends the process with `_exit`: 0 when `clean()` was reported, else 1.
  void arm_watchdog(std::chrono::seconds margin);
  void clean() { *clean_ = true; }

 private:
  void on_signal(int sig);
  void poll();
  void close_websockets();

  boost::asio::io_context& ioc_;
  std::shared_ptr<net::listener> http_;
  std::shared_ptr<net::connections> conns_;
  std::chrono::seconds grace_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point deadline_{};
  std::chrono::steady_clock::time_point ws_deadline_{};
  bool signalled_ = false;
  bool ws_closing_ = false;
  // Shared with the watchdog thread, which may outlive this object (it guards the
  // destructors that run after it).
  std::shared_ptr<std::atomic<bool>> clean_ = std::make_shared<std::atomic<bool>>(false);
};

} // namespace crm
