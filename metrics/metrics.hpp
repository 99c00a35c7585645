#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <cstdint>
#include <string>

/// The process's Prometheus metrics: one registry, families declared once here so names and
/// labels stay consistent. Metric objects are thread-safe; look them up once and keep the
/// reference on hot paths.
namespace crm::metrics {

prometheus::Registry& registry();

/// The text exposition format of everything registered.
std::string render();

// -- HTTP ---------------------------------------------------------------------
prometheus::Counter& http_requests(const std::string& method, const std::string& route,
                                   unsigned status);
prometheus::Histogram& http_latency(const std::string& route, int status);
prometheus::Gauge& http_connections();
prometheus::Gauge& ws_sessions();

// -- inbound ------------------------------------------------------------------
/// Inbound provider messages by outcome: stored, duplicate, unrouted, failed.
prometheus::Counter& inbound_messages(const std::string& provider, const std::string& outcome);
prometheus::Counter& inbound_statuses(const std::string& provider, const std::string& outcome);
prometheus::Counter& webhook_rejections(const std::string& provider, const std::string& reason);

// -- actors -------------------------------------------------------------------

/// The mailbox figures of one actor type, shared by its actors (actors/instrumented.hpp).
struct actor_type_stats {
  prometheus::Gauge& live;        // actors of the type (counted from their first message)
  prometheus::Counter& processed; // messages handled
  prometheus::Gauge& queued;      // messages waiting, summed over the type's actors
  prometheus::Gauge& deepest;     // the deepest single mailbox since the previous scrape
  std::atomic<std::int64_t> deepest_seen{0};

  void note_depth(std::int64_t depth) {
    auto seen = deepest_seen.load(std::memory_order_relaxed);
    while (depth > seen &&
           !deepest_seen.compare_exchange_weak(seen, depth, std::memory_order_relaxed)) {
    }
  }
};
/// Created on first use; lives as long as the process.
actor_type_stats& actor_type(const std::string& type);
prometheus::Gauge& open_chats();
prometheus::Gauge& live_chats();

// -- dispatching --------------------------------------------------------------
prometheus::Gauge& queue_length();
/// Time from an offer to the AGENT's acceptance.
prometheus::Histogram& assignment_seconds();
/// Time a chat waited in the queue before an agent took it.
prometheus::Histogram& queue_wait_seconds();

// -- storage ------------------------------------------------------------------
prometheus::Histogram& batch_rows();
prometheus::Histogram& commit_seconds();
prometheus::Counter& storage_failures(const std::string& operation);

// -- providers
prometheus::Counter& number_sends(const std::string& number, const std::string& outcome);
prometheus::Gauge& number_queue(const std::string& number);

} // namespace crm::metrics
