// crm-loadgen: closed-loop HTTP/1.1 load generator for the CRM server.
//
// Every connection keeps exactly one request in flight and sends the next one as soon as the
// answer arrives, so the load is set by --connections and by the server's own latency (not by a
// target rate). Scenarios: `healthz` (GET /healthz) and `meta-webhook` (signed Meta Cloud API
// webhook POSTs, one fresh message id per request).

// <utility> must come before any Asio header: Boost 1.74 Asio uses std::exchange without
// including it, which breaks under C++20 with GCC 12.
#include <utility>
// (this comment keeps clang-format from regrouping <utility> after the Boost headers)
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

constexpr int exit_ok = 0;
constexpr int exit_bad_options = 1;
constexpr int exit_no_connection = 2;

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/// A command line the tool cannot run with; main() prints it and exits 1.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// --help was given; main() prints the usage and exits 0.
struct help_requested {};

enum class scenario_kind { healthz, meta_webhook };

struct options {
  std::string url = "http://127.0.0.1:8080";
  std::string host;        // from --url
  std::string port;        // from --url
  std::string host_header; // from --url, as written (keeps IPv6 brackets)
  std::string path;        // empty: the scenario's own path
  scenario_kind scenario = scenario_kind::healthz;
  int connections = 64;
  int threads = 1;
  double duration_s = 10;
  double warmup_s = 2;
  uint64_t requests = 0; // 0: run for duration_s
  double timeout_s = 10;
  std::string phone_number_id = "100000000000001";
  std::string app_secret;
  uint32_t debtors = 10000;
  int server_pid = 0; // 0: do not sample
  std::string json_file;
  std::string label;
  std::string bearer; // Authorization: Bearer for GET scenarios (REST reads)
};

const char* scenario_name(scenario_kind s) {
  return s == scenario_kind::healthz ? "healthz" : "meta-webhook";
}

std::string default_path(scenario_kind s) {
  return s == scenario_kind::healthz ? "/healthz" : "/api/v1/webhooks/meta";
}

void print_usage(std::FILE* out) {
  std::fputs(
      "usage: crm-loadgen [--name value]...\n"
      "  --url URL             http://host:port of the server (default http://127.0.0.1:8080)\n"
      "  --scenario NAME       healthz | meta-webhook (default healthz)\n"
      "  --path PATH           override the request path (default /healthz or "
      "/api/v1/webhooks/meta)\n"
      "  --connections N       concurrent keep-alive connections, one request in flight each "
      "(64)\n"
      "  --duration S          measured seconds (10)\n"
      "  --warmup S            seconds of load before measuring, not counted (2)\n"
      "  --requests N          stop after N answered requests (overrides --duration)\n"
      "  --timeout S           connect / per-request timeout, counted as a transport error "
      "(10)\n"
      "  --threads N           threads running the io_context (1)\n"
      "  --phone-number-id ID  metadata.phone_number_id for meta-webhook (100000000000001)\n"
      "  --app-secret S        Meta app secret that signs the bodies (required for "
      "meta-webhook)\n"
      "  --debtors N           distinct sender phones 57300NNNNNNN to cycle over (10000)\n"
      "  --server-pid PID      sample the server's CPU and RSS from /proc during the window\n"
      "  --json FILE           also write the results as JSON\n"
      "  --label NAME          free-form label copied into the output\n"
      "  --bearer TOKEN        send Authorization: Bearer TOKEN (REST reads with --path)\n"
      "exit status: 0 ran, 1 bad options, 2 nothing could connect\n",
      out);
}

/// Parses a whole non-negative integer, rejecting trailing junk ("10s") and overflow.
template <typename T>
T parse_integer(const std::string& name, const std::string& text, T min, T max) {
  T value{};
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    throw usage_error("--" + name + " wants an integer in [" + std::to_string(min) + ", " +
                      std::to_string(max) + "], got '" + text + "'");
  }
  return value;
}

double parse_seconds(const std::string& name, const std::string& text) {
  double value = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc{} || end != text.data() + text.size() || !(value >= 0) || value > 86400) {
    throw usage_error("--" + name + " wants seconds (e.g. 10 or 0.5), got '" + text + "'");
  }
  return value;
}

/// Splits http://host:port[/] into the options; anything else is a usage error so that a typo
/// never silently benchmarks the wrong thing.
void parse_url(options& o) {
  std::string_view u = o.url;
  if (u.starts_with("https://")) {
    throw usage_error("--url: only plain http:// is supported");
  }
  if (!u.starts_with("http://")) {
    throw usage_error("--url must look like http://host:port, got '" + o.url + "'");
  }
  u.remove_prefix(7);
  const auto slash = u.find('/');
  std::string_view hostport = u.substr(0, slash);
  if (slash != std::string_view::npos && u.substr(slash) != "/") {
    throw usage_error("--url takes host and port only; give the path with --path");
  }
  std::string_view host = hostport;
  std::string_view port = "80";
  if (hostport.starts_with('[')) { // [::1]:8080
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) {
      throw usage_error("--url: unterminated IPv6 address");
    }
    host = hostport.substr(1, close - 1);
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) {
        throw usage_error("--url: expected ':port' after the IPv6 address");
      }
      port = rest.substr(1);
    }
  } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  if (host.empty()) {
    throw usage_error("--url has no host");
  }
  parse_integer<int>("url port", std::string(port), 1, 65535);
  o.host = host;
  o.port = port;
  o.host_header = hostport;
}

/// Applies one `--name value`; unknown names are errors (a misspelt option must not be ignored).
void apply_option(options& o, const std::string& name, const std::string& value) {
  if (name == "url") {
    o.url = value;
  } else if (name == "scenario") {
    if (value == "healthz") {
      o.scenario = scenario_kind::healthz;
    } else if (value == "meta-webhook") {
      o.scenario = scenario_kind::meta_webhook;
    } else {
      throw usage_error("--scenario must be healthz or meta-webhook, got '" + value + "'");
    }
  } else if (name == "path") {
    if (!value.starts_with('/')) {
      throw usage_error("--path must start with '/'");
    }
    o.path = value;
  } else if (name == "connections") {
    o.connections = parse_integer<int>(name, value, 1, 100000);
  } else if (name == "threads") {
    o.threads = parse_integer<int>(name, value, 1, 256);
  } else if (name == "duration") {
    o.duration_s = parse_seconds(name, value);
  } else if (name == "warmup") {
    o.warmup_s = parse_seconds(name, value);
  } else if (name == "requests") {
    o.requests = parse_integer<uint64_t>(name, value, 1, uint64_t{1} << 40);
  } else if (name == "timeout") {
    o.timeout_s = parse_seconds(name, value);
  } else if (name == "phone-number-id") {
    o.phone_number_id = value;
  } else if (name == "app-secret") {
    o.app_secret = value;
  } else if (name == "debtors") {
    // The sender is 57300 + a 7-digit index, so at most 10^7 distinct phones.
    o.debtors = parse_integer<uint32_t>(name, value, 1, 10000000);
  } else if (name == "server-pid") {
    o.server_pid = parse_integer<int>(name, value, 1, 1 << 30);
  } else if (name == "json") {
    o.json_file = value;
  } else if (name == "label") {
    o.label = value;
  } else if (name == "bearer") {
    o.bearer = value;
  } else {
    throw usage_error("unknown option --" + name);
  }
}

/// Cross-option checks, done before any load is generated so a bad run fails in milliseconds.
void validate(options& o) {
  parse_url(o);
  if (o.requests == 0 && o.duration_s <= 0) {
    throw usage_error("--duration must be > 0 (or give --requests)");
  }
  if (o.timeout_s <= 0) {
    throw usage_error("--timeout must be > 0");
  }
  if (o.scenario == scenario_kind::meta_webhook && o.app_secret.empty()) {
    throw usage_error("--scenario meta-webhook needs --app-secret (the server's "
                      "CRM_META_APP_SECRET)");
  }
  if (o.phone_number_id.empty()) {
    throw usage_error("--phone-number-id must not be empty");
  }
  if (o.server_pid != 0 &&
      access(("/proc/" + std::to_string(o.server_pid) + "/stat").c_str(), R_OK) != 0) {
    throw usage_error("--server-pid " + std::to_string(o.server_pid) + ": no such process");
  }
  if (!o.json_file.empty()) {
    // Fail now rather than after the whole run.
    const auto slash = o.json_file.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : o.json_file.substr(0, slash + 1);
    if (access(dir.c_str(), W_OK) != 0) {
      throw usage_error("--json " + o.json_file + ": directory is not writable");
    }
  }
  if (o.path.empty()) {
    o.path = default_path(o.scenario);
  }
}

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      throw help_requested{};
    }
    if (!arg.starts_with("--")) {
      throw usage_error("unexpected argument '" + std::string(arg) + "'");
    }
    arg.remove_prefix(2);
    std::string name, value;
    if (const auto eq = arg.find('='); eq != std::string_view::npos) { // --name=value
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else {
      name = arg;
      if (i + 1 >= argc) {
        throw usage_error("--" + name + " needs a value");
      }
      value = argv[++i];
    }
    apply_option(o, name, value);
  }
  validate(o);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Meta webhook bodies
// ---------------------------------------------------------------------------------------------

/// HMAC-SHA256 with the key schedule computed once: duplicating a keyed context per message is
/// far cheaper than the one-shot HMAC(), which re-fetches the algorithm and re-keys every call.
/// Not shared between threads: each connection owns one.
class hmac_sha256 {
 public:
  explicit hmac_sha256(std::string_view key) {
    mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    keyed_ = mac_ ? EVP_MAC_CTX_new(mac_) : nullptr;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (!keyed_ || EVP_MAC_init(keyed_, reinterpret_cast<const unsigned char*>(key.data()),
                                key.size(), params) != 1) {
      EVP_MAC_CTX_free(keyed_); // the destructor does not run when the constructor throws
      EVP_MAC_free(mac_);
      throw std::runtime_error("OpenSSL HMAC-SHA256 setup failed");
    }
  }
  ~hmac_sha256() {
    EVP_MAC_CTX_free(keyed_);
    EVP_MAC_free(mac_);
  }
  hmac_sha256(const hmac_sha256&) = delete;
  hmac_sha256& operator=(const hmac_sha256&) = delete;

  /// Lower-case hex of HMAC(key, data): the format Meta puts after "sha256=".
  std::string hex(std::string_view data) const {
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(keyed_),
                                                                  &EVP_MAC_CTX_free);
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    size_t len = 0;
    if (!ctx ||
        EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) != 1 ||
        EVP_MAC_final(ctx.get(), mac.data(), &len, mac.size()) != 1) {
      throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(len * 2, '0');
    for (size_t i = 0; i < len; ++i) {
      out[2 * i] = digits[mac[i] >> 4];
      out[2 * i + 1] = digits[mac[i] & 0xf];
    }
    return out;
  }

 private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* keyed_ = nullptr;
};

/// Appends `s` as a JSON string literal (UTF-8 passes through untouched, like Meta sends it).
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out += buf;
      } else {
        out += c;
      }
    }
  }
  out += '"';
}

/// Builds signed Meta webhook POST bodies: one text message per body, a fresh message id each
/// time, senders cycling over --debtors phones. Bodies are assembled by hand (not through a JSON
/// library) so the generator stays cheap next to the server it measures on the same machine.
class meta_webhook_factory {
 public:
  struct signed_body {
    std::string body;
    std::string signature; // "sha256=<hex>"
  };

  meta_webhook_factory(const options& o, std::string id_prefix)
      : signer_(o.app_secret), phone_number_id_(o.phone_number_id), debtors_(o.debtors),
        id_prefix_(std::move(id_prefix)) {}

  /// The seq-th message of the run; seq is run-wide so ids never repeat across connections.
  signed_body make(uint64_t seq) const {
    const uint32_t debtor = static_cast<uint32_t>(seq % debtors_);
    char phone[16];
    std::snprintf(phone, sizeof phone, "57300%07u", debtor);
    const std::string id = "wamid." + id_prefix_ + std::to_string(seq);
    const std::string ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());

    // Field order and nesting follow Meta's own payloads.
    std::string b;
    b.reserve(640);
    b += R"({"object":"whatsapp_business_account","entry":[{"id":)";
    append_json_string(b, waba_id);
    b +=
        R"(,"changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":)";
    append_json_string(b, display_phone_number);
    b += R"(,"phone_number_id":)";
    append_json_string(b, phone_number_id_);
    b += R"(},"contacts":[{"profile":{"name":)";
    append_json_string(b, debtor_name(debtor));
    b += R"(},"wa_id":)";
    append_json_string(b, phone);
    b += R"(}],"messages":[{"from":)";
    append_json_string(b, phone);
    b += R"(,"id":)";
    append_json_string(b, id);
    b += R"(,"timestamp":)";
    append_json_string(b, ts);
    b += R"(,"type":"text","text":{"body":)";
    append_json_string(b, texts[seq % texts.size()]);
    b += R"(}}]},"field":"messages"}]}]})";

    std::string sig = "sha256=" + signer_.hex(b);
    return {std::move(b), std::move(sig)};
  }

 private:
  // The business side of the payload; the server routes by phone_number_id only.
  static constexpr std::string_view waba_id = "200000000000001";
  static constexpr std::string_view display_phone_number = "576015550100";

  // Spanish with accents, ñ, ¿ and ¡: the bytes a re-serialising signature check gets wrong.
  static constexpr std::array<std::string_view, 8> texts = {
      "Hola, ¿cuánto debo todavía?",
      "Mañana pago la cuota, señorita. ¡Gracias!",
      "Ya realicé el pago por Nequi, ¿me confirma si llegó?",
      "¿Puedo negociar un acuerdo de pago a tres meses?",
      "No reconozco esa deuda, ¿de dónde sale ese saldo?",
      "Estoy sin empleo, ¿hay alguna opción de descuento?",
      "Envíeme el número de cuenta para consignar, por favor.",
      "Sí, soy el titular. Hablemos después de las 6 p. m."};
  static constexpr std::array<std::string_view, 8> first_names = {
      "José", "María", "Andrés", "Lucía", "Sebastián", "Ángela", "Martín", "Inés"};
  static constexpr std::array<std::string_view, 10> last_names = {
      "Pérez",     "Gómez",   "Muñoz",   "Rodríguez", "Díaz",
      "Hernández", "Sánchez", "Ramírez", "Peña",      "Ibáñez"};

  /// A stable profile name per debtor index, so one phone always carries the same name.
  static std::string debtor_name(uint32_t debtor) {
    std::string name(first_names[debtor % first_names.size()]);
    name += ' ';
    name += last_names[(debtor / first_names.size()) % last_names.size()];
    return name;
  }

  hmac_sha256 signer_;
  std::string phone_number_id_;
  uint32_t debtors_;
  std::string id_prefix_;
};

/// "LG<unix ms>P<pid>N": message ids made from it never collide with an earlier run's (the
/// server dedupes on them), yet stay alphanumeric after "wamid." like Meta's.
std::string make_run_id_prefix() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return "LG" + std::to_string(ms) + "P" + std::to_string(getpid()) + "N";
}

// ---------------------------------------------------------------------------------------------
// /proc sampling (server process and machine)
// ---------------------------------------------------------------------------------------------

struct proc_sample {
  uint64_t cpu_ticks = 0; // utime + stime, in clock ticks
  uint64_t rss_kib = 0;   // VmRSS
};

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Value of a "Key:   123 kB"-style line in /proc files, or 0.
uint64_t proc_kib_field(const std::string& text, std::string_view key) {
  const auto at = text.find(key);
  if (at == std::string::npos) {
    return 0;
  }
  std::istringstream in(text.substr(at + key.size()));
  uint64_t value = 0;
  in >> value;
  return value;
}

/// Samples CPU ticks and RSS of a process; nullopt if it is gone.
std::optional<proc_sample> sample_process(int pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  const auto stat = read_file(dir + "/stat");
  const auto status = read_file(dir + "/status");
  if (!stat || !status) {
    return std::nullopt;
  }
  // The command name (field 2) may contain spaces and ')', so count fields after the last ')':
  // the next one is field 3 (state); utime and stime are fields 14 and 15.
  const auto paren = stat->rfind(')');
  if (paren == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream in(stat->substr(paren + 1));
  std::string skip;
  for (int field = 3; field < 14; ++field) {
    in >> skip;
  }
  proc_sample s;
  uint64_t utime = 0, stime = 0;
  if (!(in >> utime >> stime)) {
    return std::nullopt;
  }
  s.cpu_ticks = utime + stime;
  s.rss_kib = proc_kib_field(*status, "VmRSS:");
  return s;
}

struct machine_info {
  long cores = 0;
  std::string cpu_model = "unknown";
  uint64_t mem_total_kib = 0;
};

machine_info read_machine_info() {
  machine_info m;
  m.cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (const auto cpuinfo = read_file("/proc/cpuinfo")) {
    if (const auto at = cpuinfo->find("model name"); at != std::string::npos) {
      const auto colon = cpuinfo->find(':', at);
      const auto eol = cpuinfo->find('\n', at);
      if (colon != std::string::npos && colon < eol) {
        m.cpu_model = cpuinfo->substr(colon + 2, eol - colon - 2);
      }
    }
  }
  if (const auto meminfo = read_file("/proc/meminfo")) {
    m.mem_total_kib = proc_kib_field(*meminfo, "MemTotal:");
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// The run: shared state, phases and the connections
// ---------------------------------------------------------------------------------------------

/// Warmup answers are discarded; measure answers are recorded; done stops every connection.
enum class phase { warmup, measure, done };

enum class stop_reason { finished, no_connection, stalled };

/// Tallies of one connection. Touched only on that connection's strand and merged after the
/// io_context has stopped, so no locking is needed on the hot path.
struct conn_stats {
  std::vector<int64_t> latency_ns;
  uint64_t ok = 0;
  std::map<unsigned, uint64_t> non_2xx;
  uint64_t transport_errors = 0;
};

class connection;

/// Owns the io_context, the connections and the phase timers (which run on their own strand).
class load_run {
 public:
  load_run(const options& o, tcp::resolver::results_type endpoints, std::string id_prefix)
      : opts_(o), endpoints_(std::move(endpoints)), id_prefix_(std::move(id_prefix)),
        ioc_(o.threads), control_(net::make_strand(ioc_)), warmup_timer_(control_),
        end_timer_(control_), sample_timer_(control_) {}

  struct outcome {
    stop_reason reason = stop_reason::finished;
    double window_s = 0;
    uint64_t connects_ok = 0;
    conn_stats merged;
    std::optional<proc_sample> server_start, server_end;
    uint64_t server_rss_peak_kib = 0;
  };

  /// Runs warmup + measurement on the calling thread plus threads-1 helpers; blocks until done.
  outcome execute();

  // --- called by connections (any thread) ---
  const options& opts() const { return opts_; }
  const tcp::resolver::results_type& endpoints() const { return endpoints_; }
  const std::string& id_prefix() const { return id_prefix_; }
  phase current_phase() const { return phase_.load(std::memory_order_acquire); }
  uint64_t next_message_seq() { return message_seq_.fetch_add(1, std::memory_order_relaxed); }
  void note_connected() { connects_ok_.fetch_add(1, std::memory_order_relaxed); }
  void note_first_connect_failed();
  void note_transport_error(const beast::error_code& ec, const char* what);
  /// Whether an answer completing now belongs to the measured window; with --requests it also
  /// tells the caller whether it was the last one (the caller then calls finish()).
  bool admit_answer(bool& last);
  void finish(stop_reason why);

 private:
  void begin_measure();
  void arm_sampler();
  void on_sample_tick();

  const options& opts_;
  tcp::resolver::results_type endpoints_;
  std::string id_prefix_;

  net::io_context ioc_;
  net::strand<net::io_context::executor_type> control_;
  net::steady_timer warmup_timer_, end_timer_, sample_timer_;
  std::vector<std::shared_ptr<connection>> conns_;

  std::atomic<phase> phase_{phase::warmup};
  std::atomic<uint64_t> measured_answers_{0};
  std::atomic<uint64_t> message_seq_{0};
  std::atomic<uint64_t> connects_ok_{0};
  std::atomic<int> first_connect_failures_{0};
  std::atomic<int> errors_logged_{0};
  std::atomic<steady::rep> last_answer_{0};

  // Written once by begin_measure() / the finish() winner, read after the threads joined.
  steady::time_point t0_{}, t1_{};
  stop_reason reason_ = stop_reason::finished;
  std::optional<proc_sample> server_start_, server_end_;
  uint64_t rss_peak_kib_ = 0; // control strand only
};

/// One keep-alive connection doing the closed loop: connect, write, read, write, read...
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(net::io_context& ioc, load_run& run, size_t reserve)
      : run_(run), stream_(net::make_strand(ioc)), retry_timer_(stream_.get_executor()) {
    stats_.latency_ns.reserve(reserve);
    const options& o = run.opts();
    req_.version(11);
    req_.target(o.path);
    req_.set(http::field::host, o.host_header);
    req_.set(http::field::user_agent, "crm-loadgen");
    req_.keep_alive(true);
    if (!o.bearer.empty())
      req_.set(http::field::authorization, "Bearer " + o.bearer);
    if (o.scenario == scenario_kind::meta_webhook) {
      req_.method(http::verb::post);
      req_.set(http::field::content_type, "application/json");
      webhook_.emplace(o, run.id_prefix());
    } else {
      req_.method(http::verb::get);
      req_.prepare_payload();
    }
  }

  void start() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->connect(); });
  }

  /// Aborts whatever is in flight; safe from any thread.
  void stop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      self->retry_timer_.cancel();
      self->stream_.close();
    });
  }

  const conn_stats& stats() const { return stats_; }

 private:
  bool stopped() const { return stopping_ || run_.current_phase() == phase::done; }

  std::chrono::steady_clock::duration timeout() const {
    return std::chrono::duration_cast<steady::duration>(
        std::chrono::duration<double>(run_.opts().timeout_s));
  }

  void connect() {
    if (stopped()) {
      return;
    }
    buffer_.clear(); // bytes of a dead connection must not leak into the next response
    stream_.expires_after(timeout());
    stream_.async_connect(run_.endpoints(),
                          beast::bind_front_handler(&connection::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec, const tcp::endpoint&) {
    const bool first = first_attempt_;
    first_attempt_ = false;
    if (ec) {
      if (first) {
        run_.note_first_connect_failed();
      }
      return fail(ec, "connect");
    }
    run_.note_connected();
    // Small request/answer exchanges: never let Nagle hold a request back.
    stream_.socket().set_option(tcp::no_delay(true), ec);
    send_next();
  }

  void send_next() {
    if (stopped()) {
      return;
    }
    if (webhook_) {
      auto signed_body = webhook_->make(run_.next_message_seq());
      req_.body() = std::move(signed_body.body);
      req_.set("X-Hub-Signature-256", signed_body.signature);
      req_.prepare_payload();
    }
    stream_.expires_after(timeout()); // one deadline for write + read of this request
    sent_at_ = steady::now();
    http::async_write(stream_, req_,
                      beast::bind_front_handler(&connection::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    if (ec) {
      return fail(ec, "write");
    }
    res_ = {}; // the parser appends to the message it is given, so start from an empty one
    http::async_read(stream_, buffer_, res_,
                     beast::bind_front_handler(&connection::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec) {
      return fail(ec, "read");
    }
    record_answer(res_.result_int(), steady::now() - sent_at_);
    if (!res_.keep_alive()) { // the server chose to close: reconnect, not an error
      stream_.close();
      return connect();
    }
    send_next();
  }

  void record_answer(unsigned status, steady::duration latency) {
    bool last = false;
    if (!run_.admit_answer(last)) {
      return;
    }
    stats_.latency_ns.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count());
    if (status >= 200 && status < 300) {
      ++stats_.ok;
    } else {
      ++stats_.non_2xx[status];
    }
    if (last) {
      run_.finish(stop_reason::finished);
    }
  }

  /// Counts the error, drops the connection and reconnects after a short pause (so a server
  /// that refuses connections is not hammered in a tight loop).
  void fail(beast::error_code ec, const char* what) {
    if (stopped()) {
      return;
    }
    if (run_.current_phase() == phase::measure) {
      ++stats_.transport_errors;
    }
    run_.note_transport_error(ec, what);
    stream_.close();
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) {
        self->connect();
      }
    });
  }

  load_run& run_;
  beast::tcp_stream stream_;
  net::steady_timer retry_timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  std::optional<meta_webhook_factory> webhook_;
  steady::time_point sent_at_{};
  bool first_attempt_ = true;
  bool stopping_ = false;
  conn_stats stats_;
};

load_run::outcome load_run::execute() {
  last_answer_.store(steady::now().time_since_epoch().count());
  const size_t reserve = opts_.requests ? opts_.requests / opts_.connections + 16 : size_t{1} << 14;
  conns_.reserve(opts_.connections);
  for (int i = 0; i < opts_.connections; ++i) {
    conns_.push_back(std::make_shared<connection>(ioc_, *this, reserve));
  }

  if (opts_.warmup_s > 0) {
    warmup_timer_.expires_after(std::chrono::duration_cast<steady::duration>(
        std::chrono::duration<double>(opts_.warmup_s)));
    warmup_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) {
        begin_measure();
      }
    });
  } else {
    begin_measure(); // nothing runs yet, so no strand is needed
  }
  arm_sampler();
  for (auto& c : conns_) {
    c->start();
  }

  std::vector<std::thread> helpers;
  for (int i = 1; i < opts_.threads; ++i) {
    helpers.emplace_back([this] { ioc_.run(); });
  }
  ioc_.run();
  for (auto& t : helpers) {
    t.join();
  }

  outcome out;
  out.reason = reason_;
  out.connects_ok = connects_ok_.load();
  out.window_s = t0_ == steady::time_point{} ? 0 : std::chrono::duration<double>(t1_ - t0_).count();
  out.server_start = server_start_;
  out.server_end = server_end_;
  out.server_rss_peak_kib = std::max(rss_peak_kib_, server_end_ ? server_end_->rss_kib : 0);
  size_t total = 0;
  for (const auto& c : conns_) {
    total += c->stats().latency_ns.size();
  }
  out.merged.latency_ns.reserve(total);
  for (const auto& c : conns_) {
    const conn_stats& s = c->stats();
    out.merged.latency_ns.insert(out.merged.latency_ns.end(), s.latency_ns.begin(),
                                 s.latency_ns.end());
    out.merged.ok += s.ok;
    out.merged.transport_errors += s.transport_errors;
    for (const auto& [status, n] : s.non_2xx) {
      out.merged.non_2xx[status] += n;
    }
  }
  return out;
}

void load_run::begin_measure() {
  if (opts_.server_pid != 0) {
    server_start_ = sample_process(opts_.server_pid);
    if (server_start_) {
      rss_peak_kib_ = server_start_->rss_kib;
    }
  }
  t0_ = steady::now();
  phase expected = phase::warmup;
  if (!phase_.compare_exchange_strong(expected, phase::measure)) {
    return; // already finished (e.g. nothing could connect)
  }
  if (opts_.requests == 0) {
    end_timer_.expires_after(std::chrono::duration_cast<steady::duration>(
        std::chrono::duration<double>(opts_.duration_s)));
    end_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) {
        finish(stop_reason::finished);
      }
    });
  }
}

void load_run::arm_sampler() {
  sample_timer_.expires_after(std::chrono::milliseconds(500));
  sample_timer_.async_wait([this](beast::error_code ec) {
    if (!ec) {
      on_sample_tick();
    }
  });
}

/// Every 500 ms: track the server's peak RSS, and with --requests give up when no answer came
/// for longer than the request timeout (otherwise a dead server would make the run endless).
void load_run::on_sample_tick() {
  const phase p = current_phase();
  if (p == phase::done) {
    return;
  }
  if (p == phase::measure && opts_.server_pid != 0) {
    if (const auto s = sample_process(opts_.server_pid)) {
      rss_peak_kib_ = std::max(rss_peak_kib_, s->rss_kib);
    }
  }
  if (opts_.requests != 0) {
    const auto idle = steady::now() - steady::time_point(steady::duration(last_answer_.load()));
    if (idle > std::chrono::duration<double>(opts_.timeout_s + 1)) {
      return finish(stop_reason::stalled);
    }
  }
  arm_sampler();
}

void load_run::note_first_connect_failed() {
  const int failed = first_connect_failures_.fetch_add(1) + 1;
  if (failed == opts_.connections && connects_ok_.load() == 0) {
    finish(stop_reason::no_connection);
  }
}

/// Reports the first few transport errors on stderr (the rest only in the counters).
void load_run::note_transport_error(const beast::error_code& ec, const char* what) {
  const int n = errors_logged_.fetch_add(1, std::memory_order_relaxed);
  if (n < 5) {
    std::fprintf(stderr, "crm-loadgen: %s: %s\n", what, ec.message().c_str());
  } else if (n == 5) {
    std::fprintf(stderr, "crm-loadgen: (further transport errors only counted)\n");
  }
}

bool load_run::admit_answer(bool& last) {
  last_answer_.store(steady::now().time_since_epoch().count(), std::memory_order_relaxed);
  if (current_phase() != phase::measure) {
    return false;
  }
  if (opts_.requests == 0) {
    return true;
  }
  const uint64_t n = measured_answers_.fetch_add(1, std::memory_order_relaxed) + 1;
  last = n == opts_.requests;
  return n <= opts_.requests; // answers racing past the limit are not counted
}

/// Ends the run once (whoever gets here first wins): samples the server, stops the timers and
/// aborts every connection so the io_context runs out of work and execute() returns.
void load_run::finish(stop_reason why) {
  phase p = current_phase();
  do {
    if (p == phase::done) {
      return;
    }
  } while (!phase_.compare_exchange_weak(p, phase::done, std::memory_order_acq_rel));
  t1_ = steady::now();
  if (p != phase::measure) {
    t0_ = t1_; // never measured: an empty window
  }
  reason_ = why;
  if (opts_.server_pid != 0 && p == phase::measure) {
    server_end_ = sample_process(opts_.server_pid);
  }
  net::post(control_, [this] {
    warmup_timer_.cancel();
    end_timer_.cancel();
    sample_timer_.cancel();
  });
  for (auto& c : conns_) {
    c->stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

struct latency_summary {
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0; // milliseconds
};

/// Nearest-rank percentiles over all samples (sorts them in place).
latency_summary summarize(std::vector<int64_t>& ns) {
  latency_summary s;
  if (ns.empty()) {
    return s;
  }
  std::sort(ns.begin(), ns.end());
  const auto at = [&](double q) {
    size_t rank = static_cast<size_t>(q * static_cast<double>(ns.size()) + 0.999999999);
    rank = std::clamp<size_t>(rank, 1, ns.size());
    return static_cast<double>(ns[rank - 1]) / 1e6;
  };
  s.p50 = at(0.50);
  s.p90 = at(0.90);
  s.p99 = at(0.99);
  s.p999 = at(0.999);
  s.max = static_cast<double>(ns.back()) / 1e6;
  long double sum = 0;
  for (const int64_t v : ns) {
    sum += v;
  }
  s.mean = static_cast<double>(sum / ns.size()) / 1e6;
  return s;
}

struct report {
  const options& opts;
  load_run::outcome& run;
  latency_summary latency;
  machine_info machine;
  std::string started_at; // UTC, ISO 8601
  uint64_t answered() const {
    uint64_t n = run.merged.ok;
    for (const auto& [status, count] : run.merged.non_2xx) {
      n += count;
    }
    return n;
  }
  uint64_t non_2xx() const { return answered() - run.merged.ok; }
  double throughput() const { return run.window_s > 0 ? answered() / run.window_s : 0; }
  bool has_server() const { return run.server_start && run.server_end && run.window_s > 0; }
  double server_cpu_percent() const {
    const double ticks =
        static_cast<double>(run.server_end->cpu_ticks - run.server_start->cpu_ticks);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK)) / run.window_s * 100.0;
  }
};

/// Milliseconds with about three significant digits.
std::string format_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf,
                ms >= 100  ? "%.0f"
                : ms >= 10 ? "%.1f"
                : ms >= 1  ? "%.2f"
                           : "%.3f",
                ms);
  return std::string(buf) + " ms";
}

std::string format_gib(uint64_t kib) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(kib) / (1024.0 * 1024.0));
  return buf;
}

const char* stop_reason_name(stop_reason r) {
  switch (r) {
  case stop_reason::finished:
    return "finished";
  case stop_reason::no_connection:
    return "no_connection";
  case stop_reason::stalled:
    return "stalled";
  }
  return "?";
}

void print_report(const report& r) {
  const auto& m = r.run.merged;
  if (!r.opts.label.empty()) {
    std::printf("label %s\n", r.opts.label.c_str());
  }
  std::printf("scenario %s  connections %d  duration %.1f s\n", scenario_name(r.opts.scenario),
              r.opts.connections, r.run.window_s);
  std::printf("requests %llu  ok %llu  non-2xx %llu", static_cast<unsigned long long>(r.answered()),
              static_cast<unsigned long long>(m.ok), static_cast<unsigned long long>(r.non_2xx()));
  if (!m.non_2xx.empty()) {
    std::string detail;
    for (const auto& [status, n] : m.non_2xx) {
      detail += (detail.empty() ? "" : ", ") + std::to_string(status) + ": " + std::to_string(n);
    }
    std::printf(" (%s)", detail.c_str());
  }
  std::printf("  transport errors %llu\n", static_cast<unsigned long long>(m.transport_errors));
  std::printf("throughput %.1f req/s\n", r.throughput());
  if (r.answered() == 0) {
    std::printf("latency n/a (no answers)\n");
  } else {
    std::printf("latency p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n",
                format_ms(r.latency.p50).c_str(), format_ms(r.latency.p90).c_str(),
                format_ms(r.latency.p99).c_str(), format_ms(r.latency.p999).c_str(),
                format_ms(r.latency.max).c_str());
  }
  if (r.has_server()) {
    std::printf("server cpu %.0f%% of one core  rss peak %.1f MiB\n", r.server_cpu_percent(),
                static_cast<double>(r.run.server_rss_peak_kib) / 1024.0);
  } else if (r.opts.server_pid != 0) {
    std::printf("server cpu n/a (pid %d not sampled over a measured window)\n", r.opts.server_pid);
  }
  std::printf("machine: %ld cores, %s, %s\n", r.machine.cores, r.machine.cpu_model.c_str(),
              format_gib(r.machine.mem_total_kib).c_str());
  if (r.run.reason == stop_reason::stalled) {
    std::printf("note: stopped early, no answer for more than %.1f s\n", r.opts.timeout_s + 1);
  }
  std::fflush(stdout);
}

nlohmann::ordered_json report_json(const report& r) {
  const auto& m = r.run.merged;
  nlohmann::ordered_json j;
  j["label"] = r.opts.label;
  j["scenario"] = scenario_name(r.opts.scenario);
  j["url"] = r.opts.url;
  j["path"] = r.opts.path;
  j["started_at"] = r.started_at;
  j["connections"] = r.opts.connections;
  j["threads"] = r.opts.threads;
  j["warmup_s"] = r.opts.warmup_s;
  j["requests_limit"] = r.opts.requests ? nlohmann::ordered_json(r.opts.requests) : nullptr;
  j["duration_s"] = r.run.window_s;
  j["stop_reason"] = stop_reason_name(r.run.reason);
  j["requests"] = r.answered();
  j["ok"] = m.ok;
  j["non_2xx"] = r.non_2xx();
  j["non_2xx_by_status"] = nlohmann::ordered_json::object();
  for (const auto& [status, n] : m.non_2xx) {
    j["non_2xx_by_status"][std::to_string(status)] = n;
  }
  j["transport_errors"] = m.transport_errors;
  j["throughput_rps"] = r.throughput();
  if (r.answered() == 0) {
    j["latency_ms"] = nullptr;
  } else {
    j["latency_ms"] = {{"p50", r.latency.p50},    {"p90", r.latency.p90}, {"p99", r.latency.p99},
                       {"p99_9", r.latency.p999}, {"max", r.latency.max}, {"mean", r.latency.mean}};
  }
  if (r.has_server()) {
    j["server"] = {{"pid", r.opts.server_pid},
                   {"cpu_percent_one_core", r.server_cpu_percent()},
                   {"rss_peak_mib", static_cast<double>(r.run.server_rss_peak_kib) / 1024.0},
                   {"rss_start_mib", static_cast<double>(r.run.server_start->rss_kib) / 1024.0},
                   {"rss_end_mib", static_cast<double>(r.run.server_end->rss_kib) / 1024.0}};
  } else {
    j["server"] = nullptr;
  }
  j["machine"] = {{"cores", r.machine.cores},
                  {"cpu_model", r.machine.cpu_model},
                  {"mem_total_mib", r.machine.mem_total_kib / 1024}};
  return j;
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// Resolves once up front: a name that does not resolve means nothing can connect (exit 2).
std::optional<tcp::resolver::results_type> resolve(const options& o) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  auto results = resolver.resolve(o.host, o.port, ec);
  if (ec) {
    std::fprintf(stderr, "crm-loadgen: cannot resolve %s:%s: %s\n", o.host.c_str(), o.port.c_str(),
                 ec.message().c_str());
    return std::nullopt;
  }
  return results;
}

int run_main(const options& o) {
  const auto endpoints = resolve(o);
  if (!endpoints) {
    return exit_no_connection;
  }
  const std::string started_at = utc_now_iso8601();
  load_run run(o, *endpoints, make_run_id_prefix());
  load_run::outcome outcome = run.execute();
  if (outcome.connects_ok == 0) {
    std::fprintf(stderr, "crm-loadgen: could not connect to %s\n", o.url.c_str());
    return exit_no_connection;
  }

  report r{o, outcome, summarize(outcome.merged.latency_ns), read_machine_info(), started_at};
  print_report(r);
  if (!o.json_file.empty()) {
    std::ofstream out(o.json_file);
    out << report_json(r).dump(2) << '\n';
    if (!out) {
      std::fprintf(stderr, "crm-loadgen: cannot write %s\n", o.json_file.c_str());
      return exit_bad_options;
    }
  }
  return exit_ok;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  try {
    o = parse_options(argc, argv);
  } catch (const help_requested&) {
    print_usage(stdout);
    return exit_ok;
  } catch (const usage_error& e) {
    std::fprintf(stderr, "crm-loadgen: %s\n", e.what());
    std::fprintf(stderr, "run crm-loadgen --help for the options\n");
    return exit_bad_options;
  }
  try {
    return run_main(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crm-loadgen: %s\n", e.what());
    return exit_no_connection;
  }
}
