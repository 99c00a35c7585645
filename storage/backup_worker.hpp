#pragma once

#include "actors/interfaces.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>

namespace crm::storage {

/// Where backups go and how they are made: the same settings scripts/backup reads from
/// the environment (CRM_BACKUP_*), so the timer's backups and the API's are one set.
struct backup_settings {
  std::string dir;
  int keep = 14;
  std::string key_file;
  std::string command;      // e.g. "scripts/backup", run from the working directory
  std::string database_url; // as configured (passed on as CRM_DATABASE_URL)
};

/// One run of the backup command, as the API shows it.
struct backup_run {
  std::string name;               // the file made; empty until done
  std::string status = "running"; // running, done, failed
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  std::string error;
  std::string requested_by;
};

/// A backup's file name as scripts/backup makes it ("crm-20261128T054200Z.dump", ".gpg" when
/// encrypted): the only names the API reads, so no request can reach another file.
bool is_backup_name(const std::string& name);

/// State of the BACKUPS.
struct backup_worker_state {
  static inline const char* name = "backups";
  backup_worker_state() = default;

  backup_settings settings;
  std::optional<backup_run> running;
  std::optional<backup_run> last;
  pid_t child = -1;
  std::string out_path, err_path; // the child's stdout and stderr
};

/// Spawn with `sys.spawn<caf::detached>(backup_worker, settings)`.
backup_actor::behavior_type backup_worker(actor_pointer<backup_actor, backup_worker_state> self,
                                          backup_settings settings);

} // namespace crm::storage
