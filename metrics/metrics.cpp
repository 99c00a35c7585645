#include "metrics/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <dirent.h>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <unistd.h>

namespace crm::metrics {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

const prometheus::Histogram::BucketBoundaries& latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries b = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return b;
}

} // namespace

prometheus::Registry& registry() {
  static auto instance = std::make_shared<prometheus::Registry>();
  return *instance;
}

namespace {

/// The process's own figures under Prometheus's standard names, read from /proc at scrape.
void refresh_process_metrics() {
  static auto& cpu = BuildCounter()
                         .Name("process_cpu_seconds_total")
                         .Help("User and system CPU time spent, in seconds")
                         .Register(registry())
                         .Add({});
  static auto& rss = BuildGauge()
                         .Name("process_resident_memory_bytes")
                         .Help("Resident memory size in bytes")
                         .Register(registry())
                         .Add({});
  static auto& fds = BuildGauge()
                         .Name("process_open_fds")
                         .Help("Open file descriptors")
                         .Register(registry())
                         .Add({});
  static auto& threads = BuildGauge()
                             .Name("process_threads")
                             .Help("Operating system threads")
                             .Register(registry())
                             .Add({});
  std::ifstream stat{"/proc/self/stat"};
  std::string text{std::istreambuf_iterator<char>(stat), {}};
  // Fields after the command name (which may hold spaces) start at ") ".
  auto close = text.rfind(") ");
  if (close != std::string::npos) {
    std::istringstream rest{text.substr(close + 2)};
    std::string field;
    std::vector<std::string> f;
    while (rest >> field)
      f.push_back(field);
    // state is field 3 of the man page: f[0]; utime 14 -> f[11], stime 15 -> f[12],
    // num_threads 20 -> f[17], rss 24 -> f[21] (pages).
    if (f.size() > 21) {
      double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
      // A counter: it only grows, by what was spent since the last scrape.
      auto spent = (std::stod(f[11]) + std::stod(f[12])) / ticks;
      if (spent > cpu.Value())
        cpu.Increment(spent - cpu.Value());
      threads.Set(std::stod(f[17]));
      rss.Set(std::stod(f[21]) * static_cast<double>(sysconf(_SC_PAGESIZE)));
    }
  }
  if (auto* dir = opendir("/proc/self/fd")) {
    int n = 0;
    while (auto* e = readdir(dir))
      if (e->d_name[0] != '.')
        ++n;
    closedir(dir);
    fds.Set(n - 1); // the directory being read
  }
}

} // namespace

namespace {

std::mutex types_mutex;
std::map<std::string, std::unique_ptr<actor_type_stats>>& types() {
  static std::map<std::string, std::unique_ptr<actor_type_stats>> instance;
  return instance;
}

/// Publishes each type's deepest mailbox since the previous scrape and starts a new window.
void refresh_mailbox_depths() {
  std::lock_guard lock{types_mutex};
  for (auto& [_, s] : types())
    s->deepest.Set(static_cast<double>(s->deepest_seen.exchange(0, std::memory_order_relaxed)));
}

} // namespace

actor_type_stats& actor_type(const std::string& type) {
  static auto& live =
      BuildGauge().Name("crm_actors").Help("Live actors by type").Register(registry());
  static auto& processed = BuildCounter()
                               .Name("crm_actor_messages_total")
                               .Help("Messages processed, by actor type")
                               .Register(registry());
  static auto& queued = BuildGauge()
                            .Name("crm_mailbox_messages")
                            .Help("Messages waiting in mailboxes, summed by actor type")
                            .Register(registry());
  static auto& deepest = BuildGauge()
                             .Name("crm_mailbox_max")
                             .Help("The deepest mailbox of the type since the previous scrape")
                             .Register(registry());
  std::lock_guard lock{types_mutex};
  auto& slot = types()[type];
  if (!slot)
    slot.reset(new actor_type_stats{live.Add({{"type", type}}), processed.Add({{"type", type}}),
                                    queued.Add({{"type", type}}), deepest.Add({{"type", type}})});
  return *slot;
}

std::string render() {
  refresh_process_metrics();
  refresh_mailbox_depths();
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry().Collect());
}

prometheus::Counter& http_requests(const std::string& method, const std::string& route,
                                   unsigned status) {
  static auto& family = BuildCounter()
                            .Name("crm_http_requests_total")
                            .Help("HTTP requests answered, by method, route and status")
                            .Register(registry());
  return family.Add({{"method", method}, {"route", route}, {"status", std::to_string(status)}});
}

prometheus::Histogram& http_latency(const std::string& route, int status) {
  static auto& family = BuildHistogram()
                            .Name("crm_http_request_duration_seconds")
                            .Help("Time from request read to response written, by route and status")
                            .Register(registry());
  return family.Add({{"route", route}, {"status", std::to_string(status)}}, latency_buckets());
}

prometheus::Gauge& http_connections() {
  static auto& family =
      BuildGauge().Name("crm_http_connections").Help("Open HTTP connections").Register(registry());
  static auto& gauge = family.Add({});
  return gauge;
}

prometheus::Gauge& ws_sessions() {
  static auto& family = BuildGauge()
                            .Name("crm_websocket_sessions")
                            .Help("Open WebSocket sessions")
                            .Register(registry());
  static auto& gauge = family.Add({});
  return gauge;
}

prometheus::Counter& inbound_messages(const std::string& provider, const std::string& outcome) {
  static auto& family = BuildCounter()
                            .Name("crm_inbound_messages_total")
                            .Help("Inbound provider messages by outcome")
                            .Register(registry());
  return family.Add({{"provider", provider}, {"outcome", outcome}});
}

prometheus::Counter& inbound_statuses(const std::string& provider, const std::string& outcome) {
  static auto& family = BuildCounter()
                            .Name("crm_inbound_statuses_total")
                            .Help("Provider delivery statuses by outcome")
                            .Register(registry());
  return family.Add({{"provider", provider}, {"outcome", outcome}});
}

prometheus::Counter& webhook_rejections(const std::string& provider, const std::string& reason) {
  static auto& family = BuildCounter()
                            .Name("crm_webhook_rejections_total")
                            .Help("Webhooks refused before reaching an actor, by reason")
                            .Register(registry());
  return family.Add({{"provider", provider}, {"reason", reason}});
}

prometheus::Gauge& open_chats() {
  static auto& family = BuildGauge()
                            .Name("crm_open_chats")
                            .Help("Chats not closed, as known to the registry")
                            .Register(registry());
  static auto& gauge = family.Add({});
  return gauge;
}

prometheus::Gauge& live_chats() {
  static auto& family = BuildGauge()
                            .Name("crm_live_chats")
                            .Help("Open chats with a running actor (the rest are passivated)")
                            .Register(registry());
  static auto& gauge = family.Add({});
  return gauge;
}

prometheus::Gauge& queue_length() {
  static auto& family =
      BuildGauge().Name("crm_queue_length").Help("Chats waiting for an agent").Register(registry());
  static auto& gauge = family.Add({});
  return gauge;
}

prometheus::Histogram& assignment_seconds() {
  static auto& family = BuildHistogram()
                            .Name("crm_assignment_seconds")
                            .Help("Time from an offer to the agent's acceptance")
                            .Register(registry());
  static auto& h = family.Add({}, latency_buckets());
  return h;
}

prometheus::Histogram& queue_wait_seconds() {
  static auto& family = BuildHistogram()
                            .Name("crm_queue_wait_seconds")
                            .Help("Time a chat waited in the queue before an agent took it")
                            .Register(registry());
  static auto& h = family.Add({}, prometheus::Histogram::BucketBoundaries{
                                      0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600});
  return h;
}

prometheus::Histogram& batch_rows() {
  static auto& family = BuildHistogram()
                            .Name("crm_storage_batch_rows")
                            .Help("Rows per group commit")
                            .Register(registry());
  static auto& h = family.Add({}, prometheus::Histogram::BucketBoundaries{
                                      1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096});
  return h;
}

prometheus::Histogram& commit_seconds() {
  static auto& family = BuildHistogram()
                            .Name("crm_storage_commit_seconds")
                            .Help("Time of one group commit transaction")
                            .Register(registry());
  static auto& h = family.Add({}, latency_buckets());
  return h;
}

prometheus::Counter& storage_failures(const std::string& operation) {
  static auto& family = BuildCounter()
                            .Name("crm_storage_failures_total")
                            .Help("Storage operations that failed, by operation")
                            .Register(registry());
  return family.Add({{"operation", operation}});
}

prometheus::Counter& number_sends(const std::string& number, const std::string& outcome) {
  static auto& family = BuildCounter()
                            .Name("crm_provider_sends_total")
                            .Help("Outbound sends by WhatsApp number and outcome (sent, failed, "
                                  "retried)")
                            .Register(registry());
  return family.Add({{"number", number}, {"outcome", outcome}});
}

prometheus::Gauge& number_queue(const std::string& number) {
  static auto& family = BuildGauge()
                            .Name("crm_number_queue_depth")
                            .Help("Outbound messages waiting or in flight, by WhatsApp number")
                            .Register(registry());
  return family.Add({{"number", number}});
}

} // namespace crm::metrics
