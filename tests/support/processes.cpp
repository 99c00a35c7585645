#include "tests/support/processes.hpp"

#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <optional>
#include <sstream>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace crm::test {

namespace {

/// The child's environment: ours without any CRM_* (so nothing leaks in), plus `env`.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& env) {
  std::vector<std::string> result;
  for (char** e = environ; e && *e; ++e)
    if (std::string_view{*e}.rfind("CRM_", 0) != 0)
      result.emplace_back(*e);
  for (auto& [k, v] : env)
    result.push_back(k + "=" + v);
  return result;
}

pid_t spawn(const std::map<std::string, std::string>& env, const std::string& log_path) {
  auto binary = required_env("CRM_SERVER_BIN");
  auto vars = child_environment(env);
  std::vector<char*> envp;
  for (auto& v : vars)
    envp.push_back(v.data());
  envp.push_back(nullptr);
  pid_t pid = fork();
  BOOST_TEST_REQUIRE(pid >= 0);
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    // Nothing of the test's own (a stand-in's listening socket, client connections) may
    // live on in the server: a stand-in that "goes away" must really be gone.
    if (close_range(3, ~0U, 0) != 0)
      for (int i = 3; i < 1024; ++i)
        close(i);
    char* argv[] = {binary.data(), nullptr};
    execve(binary.c_str(), argv, envp.data());
    _exit(127);
  }
  return pid;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string temp_path(const std::string& stem) {
  static int counter = 0;
  auto dir = std::getenv("CRM_TEST_TMP") ? std::string{std::getenv("CRM_TEST_TMP")} : "/tmp";
  return dir + "/" + stem + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

/// Waits for the child to exit; returns its status, or nullopt at the deadline.
std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds patience) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

} // namespace

unsigned short free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

int shell(const std::string& command) {
  auto rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::pair<int, std::string> run_command(const std::string& command) {
  std::string out;
  auto* pipe = ::popen(command.c_str(), "r");
  if (!pipe)
    return {-1, out};
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, pipe))
    out.append(buf, n);
  auto rc = ::pclose(pipe);
  return {rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
}

server_process::server_process(std::map<std::string, std::string> env)
    : env_{std::move(env)}, port_{free_port()}, log_path_{temp_path("crm-server.log")} {
  env_["CRM_HTTP_PORT"] = std::to_string(port_);
  env_.try_emplace("CRM_LOG_LEVEL", "info");
  if (!env_.count("CRM_CONFIG")) { // never the developer's config/crm.json
    auto empty = temp_path("crm-empty.json");
    std::ofstream{empty} << "{}";
    env_["CRM_CONFIG"] = empty;
  }
}

server_process::~server_process() {
  if (pid_ > 0)
    stop();
}

void server_process::start() {
  pid_ = spawn(env_, log_path_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (http_request(port_, "GET", "/healthz").status == 200)
      return;
    if (auto status = wait_exit(pid_, std::chrono::milliseconds(50))) {
      pid_ = -1;
      BOOST_FAIL("crm-server exited with " << *status << " at start:\n" << output());
    }
  }
  BOOST_FAIL("crm-server did not answer /healthz within 30 s:\n" << output());
}

int server_process::stop() {
  if (pid_ <= 0)
    return -1;
  ::kill(pid_, SIGTERM);
  auto status = wait_exit(pid_, std::chrono::seconds(15));
  if (!status) {
    ::kill(pid_, SIGKILL);
    wait_exit(pid_, std::chrono::seconds(5));
    status = -1;
  }
  pid_ = -1;
  return *status;
}

void server_process::kill9() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGKILL);
  wait_exit(pid_, std::chrono::seconds(5));
  pid_ = -1;
}

std::string server_process::output() const {
  return read_file(log_path_);
}

std::pair<int, std::string> run_server_once(const std::map<std::string, std::string>& env,
                                            int timeout_s) {
  auto log = temp_path("crm-server-once.log");
  auto pid = spawn(env, log);
  auto status = wait_exit(pid, std::chrono::seconds(timeout_s));
  if (!status) {
    ::kill(pid, SIGKILL);
    wait_exit(pid, std::chrono::seconds(5));
  }
  return {status.value_or(-1), read_file(log)};
}

postgres_instance::postgres_instance() : dir_{temp_path("pg-own")}, port_{free_port()} {
  auto bin = required_env("CRM_TEST_PG_BIN");
  auto as_pg = std::string{geteuid() == 0 ? "runuser -u postgres -- " : ""};
  auto prep = "mkdir -p " + dir_ + (geteuid() == 0 ? " && chown postgres:postgres " + dir_ : "");
  BOOST_TEST_REQUIRE(shell(prep) == 0);
  BOOST_TEST_REQUIRE(shell(as_pg + bin + "/initdb -D " + dir_ + " -A trust -U crm -E UTF8" +
                           " --locale=C.UTF-8 >/dev/null") == 0);
  start();
}

postgres_instance::~postgres_instance() {
  stop();
  shell("rm -rf " + dir_);
}

void postgres_instance::start() {
  auto bin = required_env("CRM_TEST_PG_BIN");
  auto as_pg = std::string{geteuid() == 0 ? "runuser -u postgres -- " : ""};
  BOOST_TEST_REQUIRE(shell(as_pg + bin + "/pg_ctl -D " + dir_ + " -l " + dir_ + "/log -w -t 30" +
                           " -o \"-p " + std::to_string(port_) +
                           " -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off\" start" +
                           " >/dev/null") == 0);
  running_ = true;
}

void postgres_instance::stop() {
  if (!running_)
    return;
  auto bin = required_env("CRM_TEST_PG_BIN");
  auto as_pg = std::string{geteuid() == 0 ? "runuser -u postgres -- " : ""};
  shell(as_pg + bin + "/pg_ctl -D " + dir_ + " -m immediate -w stop >/dev/null");
  running_ = false;
}

std::string postgres_instance::url(const std::string& db) const {
  return "postgresql://crm@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

redis_instance::redis_instance() : dir_{temp_path("redis-own")}, port_{free_port()} {
  BOOST_TEST_REQUIRE(shell("mkdir -p " + dir_) == 0);
  start();
}

redis_instance::~redis_instance() {
  stop();
  shell("rm -rf " + dir_);
}

void redis_instance::start() {
  auto port = std::to_string(port_);
  BOOST_TEST_REQUIRE(shell("redis-server --port " + port + " --bind 127.0.0.1 --save ''" +
                           " --appendonly no --daemonize yes --pidfile " + dir_ + "/redis.pid" +
                           " --logfile " + dir_ + "/redis.log --dir " + dir_ + " >/dev/null") == 0);
  for (int i = 0; i < 100; ++i) {
    if (shell("redis-cli -p " + port + " ping >/dev/null 2>&1") == 0) {
      running_ = true;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_FAIL("redis-server did not start on " << port);
}

void redis_instance::stop() {
  if (!running_)
    return;
  shell("kill -9 $(cat " + dir_ + "/redis.pid) 2>/dev/null; rm -f " + dir_ + "/redis.pid");
  for (int i = 0; i < 100; ++i) {
    if (shell("redis-cli -p " + std::to_string(port_) + " ping >/dev/null 2>&1") != 0)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  running_ = false;
}

std::string redis_instance::cli(const std::string& args) const {
  std::string out;
  auto command = "redis-cli -p " + std::to_string(port_) + " " + args + " 2>&1";
  if (auto* pipe = ::popen(command.c_str(), "r")) {
    char buf[4096];
    while (auto n = std::fread(buf, 1, sizeof buf, pipe))
      out.append(buf, n);
    ::pclose(pipe);
  }
  return out;
}

} // namespace crm::test
