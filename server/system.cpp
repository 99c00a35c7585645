// The composition root: the only place that knows every part and wires them together.
#include "server/system.hpp"

#include "actors/agent.hpp"
#include "actors/chat_registry.hpp"
#include "actors/dispatcher.hpp"
#include "actors/gateway.hpp"
#include "actors/identity.hpp"
#include "actors/messages.hpp"
#include "actors/number_pool.hpp"
#include "actors/scheduler.hpp"
#include "actors/timeouts.hpp"
#include "actors/ws_hub.hpp"
#include "domain/jwt.hpp"
#include "domain/proxy_trust.hpp"
#include "domain/secrets.hpp"
#include "net/listener.hpp"
#include "net/providers/meta_client.hpp"
#include "net/providers/wppconnect_client.hpp"
#include "net/routes/routes.hpp"
#include "net/websocket_session.hpp"
#include "server/shutdown.hpp"
#include "storage/backup_worker.hpp"
#include "storage/crm_worker.hpp"
#include "storage/identity_repository.hpp"
#include "storage/identity_worker.hpp"
#include "storage/migrate.hpp"
#include "storage/pg.hpp"
#include "storage/pg_pool.hpp"
#include "storage/redis.hpp"
#include "storage/seed.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

namespace crm {

namespace {

/// The contact rules with the business zone's offset taken from the process's local time
/// (main sets TZ to CRM_TIMEZONE).
contact::settings business_contact_settings(const config& cfg) {
  auto s = contact_settings(cfg);
  s.rules.offset_at = [](contact::seconds t) {
    std::time_t at = t.time_since_epoch().count();
    std::tm local{};
    localtime_r(&at, &local);
    return std::chrono::minutes{local.tm_gmtoff / 60};
  };
  s.rules.utc_offset = s.rules.offset_at(
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  return s;
}

/// Connects for start-up work, waiting up to `patience` for PostgreSQL to come up.
std::unique_ptr<pqxx::connection> connect_at_start(const config& cfg,
                                                   std::chrono::seconds patience) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  for (;;) {
    try {
      return std::make_unique<pqxx::connection>(storage::with_connect_timeout(cfg.database_url));
    } catch (const std::exception& e) {
      if (std::chrono::steady_clock::now() > deadline)
        throw;
      spdlog::warn("PostgreSQL not reachable yet ({}); retrying", e.what());
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

bool prepare_database(const config& cfg) {
  try {
    auto conn = connect_at_start(cfg, std::chrono::seconds(30));
    auto applied = storage::apply_migrations(*conn);
    for (auto& name : applied)
      spdlog::info("migration {} applied", name);
    {
      // The system roles' grants follow domain/roles.json at every start.
      pqxx::work txn{*conn};
      storage::identity_repository::sync_system_roles(txn);
      txn.commit();
    }
    if (storage::bootstrap_admin(*conn, cfg.admin_email, cfg.admin_password))
      spdlog::info("super admin {} created", cfg.admin_email);
    return true;
  } catch (const std::exception& e) {
    spdlog::critical("database not ready: {}", e.what());
    return false;
  }
}

caf::actor_system_config actor_config(const config& cfg) {
  caf::actor_system_config result;
  result.set("scheduler.max-threads", static_cast<size_t>(cfg.actor_threads));
  result.set("logger.verbosity", caf::atom("quiet"));
  result.add_message_types<caf::id_block::crm>();
  result.add_error_category(caf::atom(error_category),
                            [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                              auto text = std::string{"crm:"} + to_string(static_cast<ec>(code));
                              if (!ctx.empty())
                                text += " " + caf::to_string(ctx);
                              return text;
                            });
  return result;
}

/// The I/O thread of the provider clients (outbound HTTPS), apart from the HTTP server's.
struct outbound_io {
  outbound_io() : tls{net::make_client_tls()}, guard{ioc.get_executor()} {
    thread = std::thread{[this] {
      ioc.run();
    }};
  }
  ~outbound_io() {
    guard.reset();
    ioc.stop();
    thread.join();
  }
  boost::asio::io_context ioc;
  std::shared_ptr<boost::asio::ssl::context> tls;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard;
  std::thread thread;
  /// Media downloads, shared by every number (origins chosen by the providers' URLs).
  std::shared_ptr<net::pool_set> media;
};

/// The running actors, kept for an orderly shutdown.
struct actors {
  outbound_io* io = nullptr; // owned by run_server, outlives the actor system
  storage::storage_parts storage;
  redis_actor redis;
  ws_hub_actor hub;
  chat_registry_actor registry;
  dispatcher_actor dispatcher;
  number_pool_actor numbers;
  identity_worker_actor identity_worker;
  identity_actor identity;
  crm_worker_actor crm_worker;
  backup_actor backups;
  scheduler_actor scheduler;
  std::shared_ptr<access_slot> access = std::make_shared<access_slot>();
  std::vector<agent_actor> agents;
  std::vector<std::pair<std::string, agent_actor>> agents_by_id;
  std::shared_ptr<agent_book> book; // grows with agents created through the API
  std::vector<gateway_actor> gateways;
};

/// The provider client of a number from its sealed credentials; null (with the reason
/// logged) when it cannot send.
provider_client_ptr provider_client_of(const number_profile& p, const config& cfg,
                                       outbound_io& io) {
  if (p.credentials.empty()) {
    spdlog::warn("number {} ({}) has no credentials: its messages will fail", p.id.value, p.phone);
    return nullptr;
  }
  auto plain = secret_box{cfg.secrets_key}.open(p.credentials);
  if (!plain) {
    spdlog::error("number {}: credentials do not open with secrets.key", p.id.value);
    return nullptr;
  }
  auto creds = nlohmann::json::parse(*plain, nullptr, false);
  if (p.provider == "meta") {
    auto token = creds.is_object() ? creds.value("accessToken", "") : "";
    if (token.empty() || p.meta_phone_number_id.empty()) {
      spdlog::warn("number {}: Meta access token or phone number id missing", p.id.value);
      return nullptr;
    }
    auto pool =
        std::make_shared<net::http_pool>(io.ioc, io.tls, net::base_url::parse(cfg.meta_graph_url),
                                         static_cast<size_t>(cfg.whatsapp_connections),
                                         std::chrono::seconds(cfg.whatsapp_timeout_s));
    return std::make_shared<net::meta_client>(pool, io.media, p.meta_phone_number_id, token);
  }
  auto token = creds.is_object() ? creds.value("token", "") : "";
  if (token.empty() || p.wppconnect_base_url.empty() || p.wppconnect_session.empty()) {
    spdlog::warn("number {}: WPPConnect base URL, session or token missing", p.id.value);
    return nullptr;
  }
  auto pool = std::make_shared<net::http_pool>(
      io.ioc, io.tls, net::base_url::parse(p.wppconnect_base_url),
      static_cast<size_t>(cfg.whatsapp_connections), std::chrono::seconds(cfg.whatsapp_timeout_s));
  return std::make_shared<net::wppconnect_client>(pool, io.media, p.wppconnect_session, token);
}

/// Starts NUMBERS with a NUMBER per active WhatsApp number.
number_pool_actor start_numbers(caf::actor_system& sys, actors& a, const config& cfg) {
  std::vector<number_profile> profiles;
  caf::scoped_actor self{sys};
  self->request(a.storage.storage, timeouts::read, atom::load_v, atom::numbers_v)
      .receive(
          [&](std::vector<number_profile>& loaded) { profiles = std::move(loaded); },
          [](caf::error& err) { spdlog::warn("numbers not loaded: {}", caf::to_string(err)); });
  number_factory factory;
  factory.client = [cfg, io = a.io](const number_profile& p) {
    return provider_client_of(p, cfg, *io);
  };
  factory.options = [cfg](const number_profile& p) {
    number_options options;
    options.rate_per_second = p.rate_per_second;
    options.max_attempts = cfg.whatsapp_max_attempts;
    options.retry_base = std::chrono::milliseconds(cfg.whatsapp_retry_base_ms);
    options.retry_max = std::chrono::milliseconds(cfg.whatsapp_retry_max_ms);
    options.outage_give_up = std::chrono::minutes(cfg.whatsapp_outage_give_up_min);
    options.max_in_flight = cfg.whatsapp_connections;
    return options;
  };
  spdlog::info("{} WhatsApp numbers started", profiles.size());
  return sys.spawn(number_pool, std::move(profiles), a.storage.storage, std::move(factory));
}

/// Starts an AGENT per active agent and tells the DISPATCHER every campaign's routing.
/// Blocking is fine here: the main thread, before anything is served.
void start_agents(caf::actor_system& sys, actors& a, const config& cfg) {
  caf::scoped_actor self{sys};
  self->request(a.storage.storage, timeouts::read, atom::load_v, atom::campaigns_v)
      .receive(
          [&](std::vector<campaign_routing>& campaigns) {
            for (auto& c : campaigns)
              self->send(a.dispatcher, std::move(c));
          },
          [](caf::error& err) { spdlog::warn("campaigns not loaded: {}", caf::to_string(err)); });
  self->request(a.storage.storage, timeouts::read, atom::load_v, atom::agents_v)
      .receive(
          [&](std::vector<agent_profile>& profiles) {
            for (auto& p : profiles) {
              auto id = p.id.value;
              auto handle = sys.spawn(agent, std::move(p),
                                      agent_peers{a.dispatcher, a.storage.storage, a.hub,
                                                  std::chrono::seconds(cfg.requeue_after_s)});
              a.agents.push_back(handle);
              a.agents_by_id.emplace_back(std::move(id), handle);
            }
            spdlog::info("{} agents started", a.agents.size());
          },
          [](caf::error& err) { spdlog::warn("agents not loaded: {}", caf::to_string(err)); });
}

actors spawn_actors(caf::actor_system& sys, const config& cfg, outbound_io& io) {
  actors a;
  a.io = &io;
  auto writers = static_cast<size_t>(cfg.database_writers);
  auto readers = static_cast<size_t>(cfg.database_pool_size) - writers;
  storage::batch_policy policy{static_cast<size_t>(cfg.batch_max_rows),
                               std::chrono::milliseconds(cfg.batch_max_delay_ms)};
  a.storage = storage::spawn_storage(sys, cfg.database_url, readers, writers, policy);
  if (!cfg.redis_url.empty())
    if (auto ep = storage::parse_redis_url(cfg.redis_url))
      a.redis = sys.spawn<caf::detached>(storage::redis, *ep);
  a.hub = sys.spawn(ws_hub, std::chrono::seconds(cfg.ws_offline_grace_s));
  a.numbers = start_numbers(sys, a, cfg);
  dispatcher_options routing;
  routing.skills_fallback_after = std::chrono::seconds(cfg.skills_fallback_s);
  routing.hub = a.hub;
  // The sink (the REGISTRY) comes by message: it is spawned once the AGENTs exist.
  a.dispatcher = sys.spawn(dispatcher, assignment_sink_actor{}, routing);
  start_agents(sys, a, cfg);
  auto directory = std::make_shared<agent_book>(
      std::unordered_map<std::string, agent_actor>(a.agents_by_id.begin(), a.agents_by_id.end()));
  a.book = directory;
  auto contact = std::make_shared<const contact::settings>(business_contact_settings(cfg));
  a.crm_worker =
      sys.spawn<caf::detached>(storage::crm_worker, cfg.database_url, cfg.timezone, *contact);
  a.backups = sys.spawn<caf::detached>(
      storage::backup_worker,
      storage::backup_settings{cfg.backup_dir, cfg.backup_keep, cfg.backup_key_file,
                               cfg.backup_command, cfg.database_url});
  chat_peers chats{a.storage.storage,          a.hub,    a.dispatcher, {},
                   agent_directory{directory}, a.numbers};
  chats.crm = a.crm_worker;
  chats.contact = contact;
  chats.idle_after = std::chrono::seconds(cfg.chat_idle_s);
  a.registry = sys.spawn(chat_registry, std::move(chats));
  caf::anon_send(a.dispatcher, assignment_sink_actor{a.registry});
  for (auto& handle : a.agents)
    caf::anon_send(handle, a.registry);
  caf::anon_send(a.numbers, a.registry);
  caf::anon_send(a.hub, agent_directory{directory});
  storage::identity_options id_options;
  id_options.database_url = cfg.database_url;
  id_options.jwt_secret = cfg.jwt_secret;
  id_options.access_minutes = cfg.access_token_minutes;
  id_options.refresh_days = cfg.refresh_token_days;
  id_options.secrets_key = cfg.secrets_key;
  id_options.account_failures = cfg.login_max_failures;
  id_options.address_failures = cfg.login_ip_max_failures;
  id_options.failure_window_s = cfg.login_window_s;
  if (!cfg.redis_url.empty())
    id_options.redis = storage::parse_redis_url(cfg.redis_url);
  a.identity_worker = sys.spawn<caf::detached>(storage::identity_worker, std::move(id_options));
  identity_peers who{a.identity_worker, a.hub, a.access, a.storage.storage, directory};
  who.dispatcher = a.dispatcher;
  // Agents created or changed through the API get their AGENT now, wired like the others.
  who.spawn_agent = [&sys, dispatcher = a.dispatcher, storage = a.storage.storage, hub = a.hub,
                     registry = a.registry,
                     requeue = std::chrono::seconds(cfg.requeue_after_s)](agent_profile p) {
    auto handle = sys.spawn(agent, std::move(p), agent_peers{dispatcher, storage, hub, requeue});
    caf::anon_send(handle, registry);
    return handle;
  };
  a.identity = sys.spawn(identity, std::move(who));
  {
    // The first access table before anything is served (blocking is fine: main thread).
    caf::scoped_actor self{sys};
    self->request(a.identity, timeouts::route, atom::load_v, atom::access_v)
        .receive([](atom::ok) {},
                 [](caf::error& err) {
                   spdlog::warn("access table not loaded: {}", caf::to_string(err));
                 });
  }
  scheduler_peers timers{a.crm_worker, a.hub, a.registry,
                         std::chrono::seconds(cfg.scheduler_tick_s),
                         cfg.task_reminder_lead_minutes};
  timers.stats_interval = std::chrono::seconds(cfg.stats_interval_s);
  a.scheduler = sys.spawn(scheduler, std::move(timers));
  auto secrets = std::make_shared<const secret_box>(cfg.secrets_key);
  for (int i = 0; i < cfg.actor_threads; ++i)
    a.gateways.push_back(sys.spawn(
        gateway, gateway_peers{a.registry, a.storage.storage, a.redis, a.dispatcher, a.numbers,
                               a.identity_worker, a.identity, a.crm_worker, secrets, directory}));
  return a;
}

/// Stops the actors; with `flush_wait`, first commits every write queued at the STORAGE before
/// the flush (the producers are told to stop first; a write one sends later was never
/// acknowledged, and is dropped with the storage). True when all of them committed.
bool stop_actors(const actors& a, caf::actor_system& sys,
                 std::chrono::milliseconds flush_wait = std::chrono::milliseconds{0}) {
  for (auto& g : a.gateways)
    caf::anon_send_exit(g, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(a.registry, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(a.dispatcher, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(a.hub, caf::exit_reason::user_shutdown);
  for (auto& [id, agent] : a.book->all())
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(a.numbers, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(a.identity, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(a.identity_worker, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(a.scheduler, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(a.crm_worker, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(a.backups, caf::exit_reason::user_shutdown);
  if (a.redis)
    caf::anon_send_exit(a.redis, caf::exit_reason::user_shutdown);
  bool flushed = flush_wait.count() > 0 && storage::flush_storage(sys, a.storage, flush_wait);
  if (flush_wait.count() > 0) {
    if (flushed)
      spdlog::info("storage flushed: every queued write committed");
    else
      spdlog::warn("storage not flushed (database down, or more than {} ms): writes that "
                   "were never acknowledged are dropped",
                   flush_wait.count());
  }
  storage::stop_storage(a.storage);
  return flushed;
}

} // namespace

/// HTTP session settings, with the WebSocket upgrade wired to the WS_HUB.
net::session_options session_options(const config& cfg, const net::services& svc) {
  net::session_options result;
  result.body_limit = cfg.http_body_limit;
  result.timeout = std::chrono::seconds(cfg.http_timeout_s);
  result.cors_origins = svc.cors_origins;
  result.web = svc.web;
  result.conns = svc.conns;
  result.proxies = *proxy_trust::parse(cfg.trusted_proxies); // checked by the config loader
  result.authenticate_ws = [secret = cfg.jwt_secret,
                            access = svc.access](std::string_view token) -> std::optional<ws_user> {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    auto claims = auth::verify_jwt(token, secret, now);
    if (!claims || !access->get()->refusal(claims->sub, claims->role, claims->ver).empty())
      return std::nullopt;
    return ws_user{claims->sub, claims->role};
  };
  result.start_ws = [&svc](net::tcp::socket&& socket, net::request&& req, ws_user user) {
    net::start_websocket(std::move(socket), std::move(req), svc, std::move(user));
  };
  return result;
}

int run_server(const config& given) {
  auto cfg = given;
  cfg.database_url = storage::with_business_zone(cfg.database_url, cfg.timezone);
  spdlog::info("crm-server starting ({} mode)", cfg.mode);
  if (!cfg.redis_url.empty() && !storage::parse_redis_url(cfg.redis_url)) {
    spdlog::critical("configuration key 'redis.url' is not a valid redis:// URL");
    return 2;
  }
  if (!prepare_database(cfg))
    return 1;
  auto caf_cfg = actor_config(cfg);
  // The HTTP server's I/O context, declared first and so destroyed last: at shutdown the
  // actors (WS_HUB sinks, pending responders) and the provider callbacks still hold sessions
  // that live on it, and drop them (or post onto their strands) only as they stop.
  boost::asio::io_context ioc{cfg.http_threads};
  // Provider connections die with their actors, before the I/O context they run on.
  outbound_io outbound;
  // A file takes longer than a send: each step of a download gets a few send timeouts.
  outbound.media = std::make_shared<net::pool_set>(
      outbound.ioc, outbound.tls, static_cast<size_t>(cfg.whatsapp_connections),
      std::chrono::seconds(cfg.whatsapp_timeout_s * 6),
      static_cast<std::uint64_t>(cfg.whatsapp_media_max_mb) * 1024 * 1024);
  caf::actor_system sys{caf_cfg};
  auto running = spawn_actors(sys, cfg, outbound);

  net::services svc;
  svc.gateways = running.gateways;
  svc.access = running.access;
  svc.storage = running.storage.storage;
  svc.backups = running.backups;
  for (size_t start = 0; start < cfg.cors_origins.size();) {
    auto comma = cfg.cors_origins.find(',', start);
    auto origin =
        cfg.cors_origins.substr(start, comma == std::string::npos ? comma : comma - start);
    origin.erase(0, origin.find_first_not_of(' '));
    origin.erase(origin.find_last_not_of(' ') + 1);
    if (!origin.empty())
      svc.cors_origins.push_back(origin);
    start = comma == std::string::npos ? cfg.cors_origins.size() : comma + 1;
  }
  svc.meta_verify_token = cfg.meta_verify_token;
  svc.meta_app_secret = cfg.meta_app_secret;
  svc.jwt_secret = cfg.jwt_secret;
  svc.secrets = std::make_shared<const secret_box>(cfg.secrets_key);
  svc.hub = running.hub;
  svc.conns = std::make_shared<net::connections>();
  svc.contact = std::make_shared<const contact::settings>(business_contact_settings(cfg));
  auto routes = net::make_router(svc);
  try {
    svc.web = net::static_files::load(cfg.web_root);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    stop_actors(running, sys);
    return 1;
  }
  // Only what the viewer's page loads: the folder also holds source maps of some MB.
  svc.api_viewer = net::static_files::load(
      cfg.api_docs_root, 8 * 1024 * 1024, [](const std::filesystem::path& p) {
        auto name = p.generic_string();
        return name == "swagger-ui-bundle.js" || name == "swagger-ui.css" ||
               name == "favicon-32x32.png" || name == "favicon-16x16.png";
      });
  if (svc.api_viewer->size() == 0)
    spdlog::warn("no API viewer in '{}' (http.apiDocsRoot): /api/docs/ui answers 404",
                 cfg.api_docs_root);
  if (svc.web->size() == 0)
    spdlog::warn("no console files in '{}' (http.webRoot): only the API is served", cfg.web_root);
  else
    spdlog::info("serving the console: {} files from '{}'", svc.web->size(), cfg.web_root);
  if (cfg.meta_app_secret.empty())
    spdlog::warn("meta.appSecret is empty: every Meta webhook will be refused (401)");

  std::shared_ptr<net::listener> http;
  try {
    auto address = boost::asio::ip::make_address(cfg.http_address);
    http = std::make_shared<net::listener>(
        ioc, net::tcp::endpoint{address, static_cast<unsigned short>(cfg.http_port)}, routes,
        session_options(cfg, svc));
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}:{}: {}", cfg.http_address, cfg.http_port, e.what());
    stop_actors(running, sys);
    return 1;
  }
  http->start();
  spdlog::info("listening on http://{}:{}", cfg.http_address, http->port());

  if (!cfg.trusted_proxies.empty())
    spdlog::info("client addresses from X-Forwarded-For of: {}", cfg.trusted_proxies);

  graceful_stop stopping{ioc, http, svc.conns, std::chrono::seconds(cfg.shutdown_grace_s)};
  std::vector<std::thread> threads;
  for (int i = 1; i < cfg.http_threads; ++i)
    threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads)
    t.join();
  // Whatever hangs from here on (a library's destructor) must not keep the process past
  // its grace period: systemd would SIGKILL it and report a failure.
  stopping.arm_watchdog(std::chrono::seconds(5));
  if (stop_actors(running, sys, std::max(stopping.remaining(), std::chrono::milliseconds{3000})))
    stopping.clean();
  spdlog::info("crm-server stopped ({} ms after the signal)", stopping.since_signal().count());
  return 0;
}

int seed_demo(const config& cfg, const std::string& agent_password) {
  if (!prepare_database(cfg))
    return 1;
  try {
    auto conn = connect_at_start(cfg, std::chrono::seconds(5));
    storage::seed_demo(*conn, agent_password);
    spdlog::info("demo data loaded");
    return 0;
  } catch (const std::exception& e) {
    spdlog::critical("demo data not loaded: {}", e.what());
    return 1;
  }
}

} // namespace crm
