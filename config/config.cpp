#include "config/config.hpp"

#include "domain/contact_rules.hpp"
#include "domain/proxy_trust.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

extern char** environ;

namespace crm {

namespace {

using json = nlohmann::json;

std::string bad(const std::string& key, const std::string& why) {
  return "configuration key '" + key + "' " + why;
}

/// A key's binding to the struct: parse from JSON and from an env string, then validate.
struct binding {
  config_key key;
  std::function<std::string(config&, const json&)> from_json; // "" on success
  std::function<std::string(config&, const std::string&)> from_env;
};

template <class Check>
binding str_key(std::string path, std::string env, std::string desc, std::string config::*field,
                Check check) {
  auto set = [field, check](config& c, const std::string& v) -> std::string {
    if (std::string err = check(v); !err.empty())
      return err;
    c.*field = v;
    return {};
  };
  return {{path, env, desc, config{}.*field},
          [set](config& c, const json& j) -> std::string {
            if (!j.is_string())
              return "must be a string";
            return set(c, j.get<std::string>());
          },
          set};
}

/// A contact window as configured: "HH:MM-HH:MM" inside the legal one, or empty (no contact
/// that day). The law's limits may be tightened, never widened.
std::function<std::string(const std::string&)> window_rule(const char* legal) {
  return [legal](const std::string& v) -> std::string {
    if (v.empty())
      return {};
    auto w = contact::parse_window(v);
    auto limit = contact::parse_window(legal);
    if (!w)
      return "must be HH:MM-HH:MM (from < to) or empty";
    if (!limit || w->from < limit->from || w->to > limit->to)
      return std::string{"must lie inside the legal window "} + (limit ? legal : "(none)");
    return {};
  };
}

binding str_key(std::string path, std::string env, std::string desc, std::string config::*field) {
  return str_key(path, env, desc, field, [](const std::string&) { return std::string{}; });
}

template <class Int>
binding int_key(std::string path, std::string env, std::string desc, Int config::*field,
                long long lo, long long hi) {
  auto range = "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  auto set = [field, lo, hi, range](config& c, long long v) -> std::string {
    if (v < lo || v > hi)
      return range;
    c.*field = static_cast<Int>(v);
    return {};
  };
  return {{path, env, desc, std::to_string(config{}.*field)},
          [set, range](config& c, const json& j) -> std::string {
            if (!j.is_number_integer())
              return range;
            return set(c, j.get<long long>());
          },
          [set, range](config& c, const std::string& s) -> std::string {
            long long v = 0;
            auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), v);
            if (err != std::errc{} || end != s.data() + s.size())
              return range;
            return set(c, v);
          }};
}

std::string one_of(const std::string& v, std::initializer_list<const char*> allowed) {
  for (auto a : allowed)
    if (v == a)
      return {};
  std::string list;
  for (auto a : allowed)
    list += (list.empty() ? "" : ", ") + std::string{a};
  return "must be one of: " + list;
}

std::string url_with_scheme(const std::string& v, std::initializer_list<const char*> schemes) {
  for (auto s : schemes)
    if (v.rfind(s, 0) == 0)
      return {};
  return "must be a URL starting with " + std::string{*schemes.begin()};
}

const std::vector<binding>& bindings() {
  static const std::vector<binding> table = {
      str_key("mode", "CRM_MODE", "development or production (production refuses weak secrets)",
              &config::mode,
              [](const std::string& v) {
                return one_of(v, {"development", "production"});
              }),
      str_key("http.address", "CRM_HTTP_ADDRESS", "listen address", &config::http_address,
              [](const std::string& v) { return v.empty() ? "must not be empty" : ""; }),
      int_key("http.port", "CRM_HTTP_PORT", "listen port (0 picks a free one)", &config::http_port,
              0, 65535),
      int_key("http.threads", "CRM_HTTP_THREADS", "I/O threads of the HTTP server",
              &config::http_threads, 1, 64),
      int_key("http.bodyLimit", "CRM_HTTP_BODY_LIMIT", "largest request body in bytes",
              &config::http_body_limit, 1024, 64 * 1024 * 1024),
      int_key("http.timeoutSeconds", "CRM_HTTP_TIMEOUT", "idle/read timeout of a connection",
              &config::http_timeout_s, 1, 3600),
      int_key("actors.threads", "CRM_ACTOR_THREADS", "CAF scheduler worker threads",
              &config::actor_threads, 1, 64),
      str_key("database.url", "CRM_DATABASE_URL", "libpq URL of PostgreSQL", &config::database_url,
              [](const std::string& v) {
                return url_with_scheme(v, {"postgresql://", "postgres://"});
              }),
      int_key("database.poolSize", "CRM_DATABASE_POOL_SIZE",
              "PostgreSQL connections (readers + writers)", &config::database_pool_size, 2, 64),
      int_key("database.writers", "CRM_DATABASE_WRITERS",
              "connections reserved for group-commit batches", &config::database_writers, 1, 32),
      int_key("database.batchMaxRows", "CRM_BATCH_MAX_ROWS", "rows per group commit at most",
              &config::batch_max_rows, 1, 100000),
      int_key("database.batchMaxDelayMs", "CRM_BATCH_MAX_DELAY_MS",
              "longest wait before a partial batch is committed", &config::batch_max_delay_ms, 0,
              1000),
      int_key("requestTimeoutMs", "CRM_REQUEST_TIMEOUT_MS",
              "how long a request waits on actors/storage before 503/504",
              &config::request_timeout_ms, 100, 600000),
      int_key("chats.idleSeconds", "CRM_CHAT_IDLE_SECONDS",
              "a chat with no event for this long is passivated (actor stopped, snapshot kept)",
              &config::chat_idle_s, 1, 86400),
      int_key("dispatch.skillsFallbackSeconds", "CRM_SKILLS_FALLBACK_SECONDS",
              "how long a chat waits for a skilled agent before any eligible one will do",
              &config::skills_fallback_s, 0, 86400),
      int_key("dispatch.requeueAfterSeconds", "CRM_REQUEUE_AFTER_SECONDS",
              "when an agent is away (break, offline), its chats without a reply of its own for "
              "this long go back to the queue (0: they stay with the agent)",
              &config::requeue_after_s, 0, 86400),
      str_key("secrets.key", "CRM_SECRETS_KEY",
              "64 hex characters: the key provider credentials are sealed with at rest",
              &config::secrets_key,
              [](const std::string& v) {
                return v.size() == 64 &&
                               v.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos
                           ? std::string{}
                           : std::string{"must be 64 hex characters"};
              }),
      int_key("whatsapp.retryBaseMs", "CRM_WHATSAPP_RETRY_BASE_MS",
              "first wait before a send the provider did not take is retried (doubles each time)",
              &config::whatsapp_retry_base_ms, 1, 600000),
      int_key("whatsapp.maxAttempts", "CRM_WHATSAPP_MAX_ATTEMPTS",
              "attempts per outbound message the provider throttles (429) before it fails",
              &config::whatsapp_max_attempts, 1, 20),
      int_key("whatsapp.retryMaxMs", "CRM_WHATSAPP_RETRY_MAX_MS",
              "the longest wait between two retries or outage probes",
              &config::whatsapp_retry_max_ms, 1, 3600000),
      int_key("whatsapp.outageGiveUpMinutes", "CRM_WHATSAPP_OUTAGE_GIVE_UP_MINUTES",
              "how long a message waits through a provider outage (5xx, unreachable) before "
              "it fails",
              &config::whatsapp_outage_give_up_min, 1, 10080),
      int_key("whatsapp.timeoutSeconds", "CRM_WHATSAPP_TIMEOUT_SECONDS",
              "connect/write/read timeout of a provider request", &config::whatsapp_timeout_s, 1,
              300),
      int_key("whatsapp.connectionsPerNumber", "CRM_WHATSAPP_CONNECTIONS",
              "keep-alive connections (and sends in flight) per WhatsApp number",
              &config::whatsapp_connections, 1, 64),
      int_key("whatsapp.mediaMaxMb", "CRM_WHATSAPP_MEDIA_MAX_MB",
              "largest media file GET /messages/{id}/media relays (WhatsApp documents: 100)",
              &config::whatsapp_media_max_mb, 1, 2048),
      int_key("ws.offlineGraceSeconds", "CRM_WS_OFFLINE_GRACE_SECONDS",
              "how long an agent may have no open WebSocket before it is set offline",
              &config::ws_offline_grace_s, 0, 86400),
      int_key("auth.accessTokenMinutes", "CRM_ACCESS_TOKEN_MINUTES",
              "lifetime of an access token (JWT)", &config::access_token_minutes, 1, 1440),
      int_key("auth.refreshTokenDays", "CRM_REFRESH_TOKEN_DAYS",
              "lifetime of a refresh token (rotated on every use)", &config::refresh_token_days, 1,
              90),
      int_key("auth.loginMaxFailures", "CRM_LOGIN_MAX_FAILURES",
              "failed logins per account inside the window before 429", &config::login_max_failures,
              1, 1000),
      int_key("auth.loginIpMaxFailures", "CRM_LOGIN_IP_MAX_FAILURES",
              "failed logins per client IP inside the window before 429",
              &config::login_ip_max_failures, 1, 100000),
      int_key("auth.loginWindowSeconds", "CRM_LOGIN_WINDOW_SECONDS",
              "how long failed logins are counted", &config::login_window_s, 1, 86400),
      int_key("tasks.reminderLeadMinutes", "CRM_TASK_REMINDER_LEAD_MINUTES",
              "how long before a task is due its reminder reaches the assignee",
              &config::task_reminder_lead_minutes, 0, 10080),
      int_key("scheduler.tickSeconds", "CRM_SCHEDULER_TICK_SECONDS",
              "how often reminders and broken promises are looked for", &config::scheduler_tick_s,
              1, 3600),
      int_key("reports.statsIntervalSeconds", "CRM_STATS_INTERVAL_SECONDS",
              "how often supervisors get the live overview (stats.overview) over the WebSocket",
              &config::stats_interval_s, 1, 3600),
      str_key("contact.weekdays", "CRM_CONTACT_WEEKDAYS",
              "collection contact window Monday-Friday, local time (HH:MM-HH:MM)",
              &config::contact_weekdays, window_rule("07:00-19:00")),
      str_key("contact.saturday", "CRM_CONTACT_SATURDAY",
              "collection contact window on Saturdays (HH:MM-HH:MM; empty: none)",
              &config::contact_saturday, window_rule("08:00-15:00")),
      str_key("contact.sunday", "CRM_CONTACT_SUNDAY",
              "collection contact window on Sundays: must stay empty (the law forbids it)",
              &config::contact_sunday, window_rule("")),
      int_key("contact.holidaysClosed", "CRM_CONTACT_HOLIDAYS_CLOSED",
              "1: no collection contact on Colombian public holidays (the law's rule)",
              &config::contact_holidays_closed, 1, 1),
      int_key("contact.perDay", "CRM_CONTACT_PER_DAY",
              "collection contacts per debtor per day, all channels and numbers",
              &config::contact_per_day, 1, 1),
      int_key("contact.oneChannelPerWeek", "CRM_CONTACT_ONE_CHANNEL_PER_WEEK",
              "1: once contacted, no second channel in the same week",
              &config::contact_one_channel_per_week, 1, 1),
      str_key("contact.count", "CRM_CONTACT_COUNT",
              "what counts as a contact: attempts (every outbound attempt) or two_way",
              &config::contact_count,
              [](const std::string& v) {
                return v == "attempts" || v == "two_way" ? "" : "must be attempts or two_way";
              }),
      str_key("contact.optOutPhrases", "CRM_OPT_OUT_PHRASES",
              "what a debtor writes to stop collection messages, separated by |",
              &config::opt_out_phrases),
      str_key("contact.optOutReply", "CRM_OPT_OUT_REPLY",
              "the one confirmation an opted-out debtor receives", &config::opt_out_reply),
      str_key("chats.afterHoursReply", "CRM_AFTER_HOURS_REPLY",
              "sent (once in 12 h) to a debtor waiting for an agent outside the campaign's "
              "business hours; {{nextOpen}} is when they open (empty: none)",
              &config::after_hours_reply),
      str_key("contact.forbiddenPhrases", "CRM_FORBIDDEN_PHRASES",
              "questions agents must not ask (why the debtor did not pay), separated by |",
              &config::forbidden_phrases),
      int_key("contact.clockOffsetSeconds", "CRM_CLOCK_OFFSET_SECONDS",
              "shifts the clock of contact decisions (drills and tests only)",
              &config::clock_offset_s, -400LL * 86400, 400LL * 86400),
      str_key("http.corsOrigins", "CRM_CORS_ORIGINS",
              "origins allowed to call the API from a browser, comma-separated (empty: none)",
              &config::cors_origins, [](const std::string&) { return std::string{}; }),
      str_key("http.webRoot", "CRM_WEB_ROOT",
              "folder of the browser console served at / (relative to the working directory; "
              "missing: API only)",
              &config::web_root, [](const std::string&) { return std::string{}; }),
      str_key("http.trustedProxies", "CRM_TRUSTED_PROXIES",
              "reverse proxies whose X-Forwarded-For/X-Real-IP give the client address: IPs or "
              "CIDR ranges, comma-separated (empty: none, the TCP peer is the client)",
              &config::trusted_proxies,
              [](const std::string& v) {
                std::string why;
                return proxy_trust::parse(v, &why) ? std::string{} : "has " + why;
              }),
      int_key("http.shutdownGraceSeconds", "CRM_SHUTDOWN_GRACE_SECONDS",
              "on SIGTERM: time to finish in-flight requests and flush writes before exiting",
              &config::shutdown_grace_s, 1, 600),
      str_key("http.apiDocsRoot", "CRM_API_DOCS_ROOT",
              "swagger-ui-dist folder served at /api/docs/ui (missing: only /api/docs)",
              &config::api_docs_root),
      str_key("backup.dir", "CRM_BACKUP_DIR",
              "folder of the backups (scripts/backup writes, the backups API lists)",
              &config::backup_dir,
              [](const std::string& v) { return v.empty() ? "must be set" : ""; }),
      int_key("backup.keep", "CRM_BACKUP_KEEP", "backups kept; older ones are deleted",
              &config::backup_keep, 1, 10000),
      str_key("backup.keyFile", "CRM_BACKUP_KEY_FILE",
              "passphrase file that encrypts backups with gpg (empty: not encrypted)",
              &config::backup_key_file),
      str_key("backup.command", "CRM_BACKUP_COMMAND",
              "what POST /api/v1/backups runs (prints the new file's path last)",
              &config::backup_command,
              [](const std::string& v) { return v.empty() ? "must be set" : ""; }),
      str_key("redis.url", "CRM_REDIS_URL", "Redis URL (empty: none)", &config::redis_url,
              [](const std::string& v) {
                return v.empty() ? std::string{} : url_with_scheme(v, {"redis://"});
              }),
      str_key(
          "jwt.secret", "CRM_JWT_SECRET", "HMAC secret for access tokens (>= 32 bytes)",
          &config::jwt_secret,
          [](const std::string& v) { return v.size() < 32 ? "must be at least 32 bytes" : ""; }),
      str_key("admin.email", "CRM_ADMIN_EMAIL", "super admin created on first start",
              &config::admin_email),
      str_key("admin.password", "CRM_ADMIN_PASSWORD", "its password (>= 10 characters)",
              &config::admin_password,
              [](const std::string& v) {
                return !v.empty() && v.size() < 10 ? "must be at least 10 characters" : "";
              }),
      str_key("meta.verifyToken", "CRM_META_VERIFY_TOKEN", "Meta webhook verification token",
              &config::meta_verify_token),
      str_key("meta.appSecret", "CRM_META_APP_SECRET", "Meta app secret (X-Hub-Signature-256)",
              &config::meta_app_secret),
      str_key("meta.graphUrl", "CRM_META_GRAPH_URL", "base URL of the Graph API",
              &config::meta_graph_url,
              [](const std::string& v) {
                return url_with_scheme(v, {"https://", "http://"});
              }),
      str_key("timezone", "CRM_TIMEZONE",
              "business time zone, an IANA name such as America/Bogota (contact windows, "
              "report days, days overdue)",
              &config::timezone, known_zone),
      str_key("log.level", "CRM_LOG_LEVEL", "spdlog level", &config::log_level,
              [](const std::string& v) {
                return one_of(v, {"trace", "debug", "info", "warn", "error", "critical", "off"});
              }),
  };
  return table;
}

/// Walks the file's JSON, applying known keys and naming the first unknown one.
std::string apply_json(config& cfg, const json& node, const std::string& prefix) {
  for (auto& [name, value] : node.items()) {
    auto path = prefix.empty() ? name : prefix + "." + name;
    if (name.rfind("_", 0) == 0)
      continue; // "_comment" style keys are allowed
    const binding* found = nullptr;
    bool is_section = false;
    for (auto& b : bindings()) {
      if (b.key.path == path)
        found = &b;
      else if (b.key.path.rfind(path + ".", 0) == 0)
        is_section = true;
    }
    if (found) {
      if (auto err = found->from_json(cfg, value); !err.empty())
        return bad(path, err);
    } else if (is_section) {
      if (!value.is_object())
        return bad(path, "must be an object");
      if (auto err = apply_json(cfg, value, path); !err.empty())
        return err;
    } else {
      return bad(path, "is unknown");
    }
  }
  return {};
}

std::string check_whole(const config& cfg) {
  if (cfg.database_writers >= cfg.database_pool_size)
    return bad("database.writers", "must be smaller than database.poolSize (readers need one)");
  if (cfg.mode == "production") {
    config defaults;
    if (cfg.jwt_secret == defaults.jwt_secret)
      return bad("jwt.secret", "must be set in production (the default is public)");
    if (cfg.meta_app_secret.empty())
      return bad("meta.appSecret", "must be set in production (webhooks are verified with it)");
    if (cfg.secrets_key == defaults.secrets_key)
      return bad("secrets.key", "must be set in production (the default is public)");
  }
  return {};
}

} // namespace

const std::vector<config_key>& config_keys() {
  static const std::vector<config_key> keys = [] {
    std::vector<config_key> result;
    for (auto& b : bindings())
      result.push_back(b.key);
    return result;
  }();
  return keys;
}

expected<config> load_config(const std::string& file_json,
                             const std::map<std::string, std::string>& env) {
  config cfg;
  if (!file_json.empty()) {
    json root;
    try {
      root = json::parse(file_json);
    } catch (const json::exception& e) {
      return make_error(ec::invalid_config,
                        std::string{"configuration file is not JSON: "} + e.what());
    }
    if (!root.is_object())
      return make_error(ec::invalid_config, "configuration file must hold a JSON object");
    if (auto err = apply_json(cfg, root, ""); !err.empty())
      return make_error(ec::invalid_config, err);
  }
  for (auto& b : bindings()) {
    auto it = env.find(b.key.env);
    if (it == env.end())
      continue;
    if (auto err = b.from_env(cfg, it->second); !err.empty())
      return make_error(ec::invalid_config,
                        "environment variable " + b.key.env + " (" + b.key.path + ") " + err);
  }
  if (auto err = check_whole(cfg); !err.empty())
    return make_error(ec::invalid_config, err);
  return cfg;
}

std::map<std::string, std::string> crm_environment() {
  std::map<std::string, std::string> result;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv{*e};
    if (kv.rfind("CRM_", 0) != 0)
      continue;
    auto eq = kv.find('=');
    if (eq != std::string_view::npos)
      result.emplace(std::string{kv.substr(0, eq)}, std::string{kv.substr(eq + 1)});
  }
  return result;
}

config_source config_file_of(const std::map<std::string, std::string>& env, int argc, char** argv) {
  config_source source{"config/crm.json", false};
  if (auto it = env.find("CRM_CONFIG"); it != env.end())
    source = {it->second, true};
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string_view{argv[i]} == "--config")
      source = {argv[i + 1], true};
  // The repository's config/crm.json holds development values (a public app secret among
  // them): a production server reads a file only when told which.
  if (!source.explicit_path)
    if (auto it = env.find("CRM_MODE"); it != env.end() && it->second == "production")
      source.path.clear();
  return source;
}

expected<config> load_config_from_process(int argc, char** argv) {
  auto env = crm_environment();
  auto [path, explicit_path] = config_file_of(env, argc, argv);
  std::string text;
  std::ifstream in;
  if (!path.empty())
    in.open(path);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  } else if (explicit_path) {
    return make_error(ec::invalid_config, "cannot read configuration file " + path);
  }
  auto result = load_config(text, env);
  if (!result)
    return make_error(ec::invalid_config,
                      (path.empty() ? "environment" : path) + ": " + message_of(result.error()));
  return result;
}

std::string known_zone(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos)
    return "must be an IANA zone name such as America/Bogota";
  const char* dir = std::getenv("TZDIR");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(
          std::filesystem::path{dir && *dir ? dir : "/usr/share/zoneinfo"} / name, ec))
    return "unknown time zone (is the tzdata package installed?)";
  return "";
}

contact::settings contact_settings(const config& c) {
  contact::settings s;
  for (int d = 1; d <= 5; ++d)
    s.rules.windows[d] = contact::parse_window(c.contact_weekdays);
  s.rules.windows[6] = contact::parse_window(c.contact_saturday);
  s.rules.windows[0] = contact::parse_window(c.contact_sunday);
  s.rules.holidays_closed = c.contact_holidays_closed != 0;
  s.rules.per_day = c.contact_per_day;
  s.rules.one_channel_per_week = c.contact_one_channel_per_week != 0;
  s.two_way_only = c.contact_count == "two_way";
  s.opt_out_phrases = contact::split_phrases(c.opt_out_phrases);
  s.opt_out_reply = c.opt_out_reply;
  s.after_hours_reply = c.after_hours_reply;
  s.forbidden_phrases = contact::split_phrases(c.forbidden_phrases);
  s.clock_offset = std::chrono::seconds{c.clock_offset_s};
  return s;
}

} // namespace crm
