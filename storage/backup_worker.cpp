#include "storage/backup_worker.hpp"

#include "actors/atoms.hpp"
#include "domain/iso_time.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace crm::storage {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto poll_every = 250ms;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json time_or_null(std::int64_t ms) {
  return ms > 0 ? json(iso_utc(ms)) : json(nullptr);
}

json run_json(const backup_run& r) {
  return {{"name", r.name.empty() ? json(nullptr) : json(r.name)},
          {"status", r.status},
          {"startedAt", time_or_null(r.started_ms)},
          {"finishedAt", time_or_null(r.finished_ms)},
          {"error", r.error.empty() ? json(nullptr) : json(r.error)},
          {"requestedBy", r.requested_by.empty() ? json(nullptr) : json(r.requested_by)}};
}

json optional_run(const std::optional<backup_run>& r) {
  return r ? run_json(*r) : json(nullptr);
}

std::string error_json(const std::string& code, const std::string& message) {
  return json{{"error", {{"code", code}, {"message", message}}}}.dump();
}

std::string read_text(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string last_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  auto nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

/// A temporary file for the child's output; "" when none can be made.
std::string temp_file(const char* stem) {
  std::string path = fs::temp_directory_path().string() + "/" + stem + "-XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0)
    return {};
  ::close(fd);
  return path;
}

/// The backups in the folder, newest first (names sort by their UTC stamp).
json list_files(const backup_settings& cfg) {
  json items = json::array();
  std::error_code ec;
  std::vector<fs::directory_entry> found;
  // Never the throwing increment: an error must not end the actor.
  for (fs::directory_iterator it{cfg.dir, ec}, end; !ec && it != end; it.increment(ec))
    if (std::error_code type;
        is_backup_name(it->path().filename().string()) && it->is_regular_file(type))
      found.push_back(*it);
  // Newest first: by the UTC stamp, then the same second's "-N" suffix.
  auto order = [](const fs::directory_entry& e) {
    auto name = e.path().filename().string();
    auto dash = name.find('-', 4);
    int n = dash == std::string::npos ? 0 : std::atoi(name.c_str() + dash + 1);
    return std::pair{name.substr(4, 16), n};
  };
  std::sort(found.begin(), found.end(), [&](auto& a, auto& b) { return order(a) > order(b); });
  for (auto& e : found) {
    auto name = e.path().filename().string();
    std::error_code size_ec, time_ec;
    auto size = e.file_size(size_ec);
    auto written = std::chrono::file_clock::to_sys(e.last_write_time(time_ec));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(written.time_since_epoch());
    items.push_back({{"name", name},
                     {"size", size_ec ? 0 : size},
                     {"createdAt", iso_utc(ms.count())},
                     {"encrypted", name.size() > 4 && name.substr(name.size() - 4) == ".gpg"}});
  }
  return items;
}

/// Starts the backup command with the settings in its environment; the child's pid.
pid_t start_child(const backup_settings& cfg, const std::string& out, const std::string& err) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv{*e};
    auto eq = kv.find('=');
    if (eq != std::string::npos)
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  env["CRM_DATABASE_URL"] = cfg.database_url;
  env["CRM_BACKUP_DIR"] = cfg.dir;
  env["CRM_BACKUP_KEEP"] = std::to_string(cfg.keep);
  if (cfg.key_file.empty())
    env.erase("CRM_BACKUP_KEY_FILE");
  else
    env["CRM_BACKUP_KEY_FILE"] = cfg.key_file;
  std::vector<std::string> kvs;
  for (auto& [k, v] : env)
    kvs.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& kv : kvs)
    envp.push_back(kv.data());
  envp.push_back(nullptr);
  std::string command = cfg.command;
  char* argv[] = {command.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_TRUNC, 0600);
  // Not the server's sockets (Asio opens them without CLOEXEC): a child holding the listening
  // socket would keep the port after the server stopped.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  // Signals as a fresh process has them, whatever the server's threads block or handle.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, command.c_str(), &actions, &attr, argv, envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  return pid;
}

void start(actor_pointer<backup_actor, backup_worker_state> self, const api_request& req,
           const responder_ptr& out) {
  auto& st = self->state;
  if (st.running)
    return out->reply(409, "application/json",
                      error_json("backup_running", "a backup is already running (started " +
                                                       iso_utc(st.running->started_ms) + ")"));
  std::error_code ec;
  if (fs::create_directories(st.settings.dir, ec)) // new: only its owner may read backups
    fs::permissions(st.settings.dir, fs::perms::owner_all, ec);
  st.out_path = temp_file("crm-backup-out");
  st.err_path = temp_file("crm-backup-err");
  backup_run run;
  run.started_ms = now_ms();
  run.requested_by = req.by.user_id;
  st.child = st.out_path.empty() || st.err_path.empty()
                 ? -1
                 : start_child(st.settings, st.out_path, st.err_path);
  if (st.child < 0) {
    run.status = "failed";
    run.finished_ms = now_ms();
    run.error = "cannot run '" + st.settings.command + "': " + std::strerror(errno);
    spdlog::error("backup: {}", run.error);
    st.last = run;
    return out->reply(500, "application/json", error_json("backup_failed", run.error));
  }
  spdlog::info("backup started by {} (pid {})", run.requested_by, st.child);
  st.running = run;
  out->reply(202, "application/json", run_json(run).dump());
  self->delayed_send(self, poll_every, atom::tick_v);
}

void check(actor_pointer<backup_actor, backup_worker_state> self) {
  auto& st = self->state;
  if (!st.running)
    return;
  int status = 0;
  auto done = ::waitpid(st.child, &status, WNOHANG);
  if (done == 0) {
    self->delayed_send(self, poll_every, atom::tick_v);
    return;
  }
  auto run = *st.running;
  run.finished_ms = now_ms();
  auto made = fs::path{last_line(read_text(st.out_path))}.filename().string();
  bool ok = done == st.child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (ok && is_backup_name(made)) {
    run.status = "done";
    run.name = made;
    spdlog::info("backup done: {}", made);
  } else {
    run.status = "failed";
    auto why = last_line(read_text(st.err_path));
    if (why.empty())
      why = ok ? "the backup command named no backup file"
               : "the backup command failed (status " + std::to_string(status) + ")";
    run.error = why.substr(0, 500);
    spdlog::error("backup failed: {}", run.error);
  }
  ::unlink(st.out_path.c_str());
  ::unlink(st.err_path.c_str());
  st.child = -1;
  st.running.reset();
  st.last = run;
}

} // namespace

bool is_backup_name(const std::string& name) {
  static const std::regex pattern{R"(crm-[0-9]{8}T[0-9]{6}Z(-[0-9]{1,3})?\.dump(\.gpg)?)"};
  return std::regex_match(name, pattern);
}

backup_actor::behavior_type backup_worker(actor_pointer<backup_actor, backup_worker_state> self,
                                          backup_settings settings) {
  self->state.settings = std::move(settings);
  return {
      [self](api_request& req, responder_ptr& out) {
        auto& st = self->state;
        if (req.op == "backups.create")
          return start(self, req, out);
        if (req.op == "backups.get") {
          if (!is_backup_name(req.id))
            return out->reply(400, "application/json",
                              error_json("invalid_input", "not a backup file name"));
          auto path = fs::path{st.settings.dir} / req.id;
          std::error_code ec;
          if (!fs::is_regular_file(path, ec))
            return out->reply(404, "application/json",
                              error_json("not_found", "no backup named " + req.id));
          return out->send_file(
              path.string(), "application/octet-stream",
              {{"Content-Disposition", "attachment; filename=\"" + req.id + "\""}});
        }
        // backups.list
        auto query = json::parse(req.body, nullptr, false);
        auto page = std::max<std::int64_t>(1, query.value("page", 1));
        auto limit = std::max<std::int64_t>(1, query.value("limit", 50));
        auto all = list_files(st.settings);
        json items = json::array();
        for (std::int64_t i = (page - 1) * limit; i < page * limit && i < (std::int64_t)all.size();
             ++i)
          items.push_back(all[i]);
        out->ok(json{{"items", items},
                     {"total", all.size()},
                     {"page", page},
                     {"limit", limit},
                     {"running", optional_run(st.running)},
                     {"lastRun", optional_run(st.last)}}
                    .dump());
      },
      [self](atom::tick) { check(self); },
  };
}

} // namespace crm::storage
