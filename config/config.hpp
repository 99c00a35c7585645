#pragma once

#include "domain/contact_rules.hpp"
#include "domain/error.hpp"

#include <map>
#include <string>
#include <vector>

namespace crm {

/// Everything the server reads at start. Loaded from a JSON file, then overridden by
/// CRM_* environment variables; every key is declared once in config.cpp's key table.
struct config {
  std::string mode = "development"; // or "production": refuses weak secrets
  std::string http_address = "127.0.0.1";
  int http_port = 8080;
  int http_threads = 1;
  std::size_t http_body_limit = 4 * 1024 * 1024; // Meta bodies reach 3 MB
  int http_timeout_s = 30;
  int actor_threads = 2;
  std::string database_url = "postgresql://crm@127.0.0.1:5432/crm";
  int database_pool_size = 3;
  int database_writers = 1; // on 2 cores one writer beats two (bench/)
  int batch_max_rows = 512;
  int batch_max_delay_ms = 1;
  int request_timeout_ms = 10000;
  int skills_fallback_s = 120;
  int requeue_after_s = 300;
  int ws_offline_grace_s = 60;
  std::string redis_url; // empty: no Redis configured
  std::string jwt_secret = "dev-only-secret-change-me-0123456789abcdef";
  std::string admin_email;
  std::string admin_password;
  std::string meta_verify_token;
  std::string meta_app_secret;
  std::string meta_graph_url = "https://graph.facebook.com/v21.0";
  std::string timezone = "America/Bogota";
  /// 64 hex characters: the key provider credentials are sealed with at rest.
  std::string secrets_key = "6465762d6f6e6c792d736563726574732d6b65792d6368616e67652d6d652121";
  int whatsapp_retry_base_ms = 1000;
  int whatsapp_max_attempts = 5;
  int whatsapp_retry_max_ms = 30000;
  int chat_idle_s = 600;
  int whatsapp_outage_give_up_min = 60;
  int whatsapp_timeout_s = 20;
  int whatsapp_connections = 4;
  int whatsapp_media_max_mb = 100;
  int access_token_minutes = 15;
  int refresh_token_days = 7;
  int login_max_failures = 5;
  int login_ip_max_failures = 20;
  int login_window_s = 900;
  std::string cors_origins; // comma-separated
  std::string web_root = "web";
  std::string trusted_proxies; // comma-separated addresses/CIDRs; empty: believe no proxy
  int shutdown_grace_s = 20;
  std::string api_docs_root = "vendor/swagger-ui/node_modules/swagger-ui-dist";
  std::string backup_dir = "var/backups";
  int backup_keep = 14;
  std::string backup_key_file; // empty: backups are not encrypted
  std::string backup_command = "scripts/backup";
  int task_reminder_lead_minutes = 10;
  int scheduler_tick_s = 15;
  int stats_interval_s = 5;
  // Collection contact (Ley 2300 de 2023); stricter values are always allowed.
  std::string contact_weekdays = "07:00-19:00";
  std::string contact_saturday = "08:00-15:00";
  std::string contact_sunday; // empty: no contact on Sundays
  int contact_holidays_closed = 1;
  int contact_per_day = 1;
  int contact_one_channel_per_week = 1;
  std::string contact_count = "attempts"; // or "two_way"
  std::string opt_out_phrases = "stop|baja|no más mensajes|no me escriban más|no quiero recibir "
                                "más mensajes|cancelar suscripción";
  std::string opt_out_reply =
      "Hemos registrado su solicitud: no volverá a recibir mensajes de cobranza por este medio. "
      "Si necesita algo, puede escribirnos cuando quiera.";
  std::string after_hours_reply =
      "Gracias por escribirnos. En este momento estamos fuera del horario de atención; un "
      "asesor le responderá {{nextOpen}}.";
  std::string forbidden_phrases =
      "por qué no ha pagado|por qué no pagó|por qué no ha cancelado|por qué dejó de pagar|"
      "motivo del no pago|razón del no pago|por qué no ha realizado el pago";
  int clock_offset_s = 0;

  std::string log_level = "info";
};

/// One configuration key: its path in the JSON file and its environment variable.
struct config_key {
  std::string path; // dotted, e.g. "http.port"
  std::string env;  // e.g. "CRM_HTTP_PORT"
  std::string description;
  std::string default_value; // as the file or the variable would spell it
};

/// Every key the server understands (the configuration reference is generated from this).
const std::vector<config_key>& config_keys();

/// Loads `file_json` (the file's text; empty means defaults only) and applies `env` on top.
/// Errors are ec::invalid_config with a message naming the bad key.
expected<config> load_config(const std::string& file_json,
                             const std::map<std::string, std::string>& env);

/// Which file to read: --config, else CRM_CONFIG, else config/crm.json, which a production
/// server (CRM_MODE=production) does not read (empty path: none).
struct config_source {
  std::string path;
  bool explicit_path = false;
};
config_source config_file_of(const std::map<std::string, std::string>& env, int argc, char** argv);

/// Reads the file at `path` (CRM_CONFIG or config/crm.json) and the process environment.
/// A missing file is an error only when the path was given explicitly.
expected<config> load_config_from_process(int argc, char** argv);

/// The contact rules and phrases the configuration sets.
contact::settings contact_settings(const config& c);

/// "" when `name` is a time zone of the system's tz database, else why not.
std::string known_zone(const std::string& name);

/// The current process's CRM_* variables.
std::map<std::string, std::string> crm_environment();

} // namespace crm
