#pragma once

#include <map>
#include <string>
#include <sys/types.h>

namespace crm::test {

/// A TCP port on 127.0.0.1 that nothing listens on right now.
unsigned short free_port();

/// The real crm-server binary (CRM_SERVER_BIN) running on a free port with the given
/// CRM_* settings; no config file, so only these and the defaults apply.
class server_process {
 public:
  explicit server_process(std::map<std::string, std::string> env);
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  /// Starts it and waits until /healthz answers (fails the test after 30 s).
  void start();
  /// SIGTERM and wait; returns the exit status (-1 if it had to be killed).
  int stop();
  /// SIGKILL, as a crash would.
  void kill9();

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  /// What the server printed so far.
  std::string output() const;

 private:
  std::map<std::string, std::string> env_;
  unsigned short port_;
  pid_t pid_ = -1;
  std::string log_path_;
};

/// Runs crm-server to completion with the given settings; returns {exit status, output}.
std::pair<int, std::string> run_server_once(const std::map<std::string, std::string>& env,
                                            int timeout_s = 20);

/// A PostgreSQL cluster of the test's own (for outage tests): initdb, start, stop, restart
/// on the same port. Uses CRM_TEST_PG_BIN; runs the tools as `postgres` when root.
class postgres_instance {
 public:
  postgres_instance();
  ~postgres_instance();
  void start();
  void stop();
  std::string url(const std::string& db = "postgres") const;
  unsigned short port() const { return port_; }

 private:
  std::string dir_;
  unsigned short port_;
  bool running_ = false;
};

/// A Redis server of the test's own (for outage tests): no persistence, stopped with SIGKILL
/// as a crash would, started again on the same port (empty).
class redis_instance {
 public:
  redis_instance();
  ~redis_instance();
  void start();
  void stop();
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }
  /// What `redis-cli` prints for `args` (e.g. "--scan") against this server.
  std::string cli(const std::string& args) const;

 private:
  std::string dir_;
  unsigned short port_;
  bool running_ = false;
};

/// Runs a shell command; returns its exit status.
int shell(const std::string& command);

/// Runs a shell command (/bin/sh -c) to completion; returns {exit status, its stdout}.
/// stderr is not captured (it goes to the test's output); append 2>&1 to capture it too.
std::pair<int, std::string> run_command(const std::string& command);

} // namespace crm::test
