#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

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
prometheus::Histogram& http_latency(const std::string& route);
prometheus::Gauge& http_connections();
prometheus::Gauge& ws_sessions();

// -- inbound ------------------------------------------------------------------
/// Inbound provider messages by outcome: stored, duplicate, unrouted, failed.
prometheus::Counter& inbound_messages(const std::string& provider, const std::string& outcome);
prometheus::Counter& inbound_statuses(const std::string& provider, const std::string& outcome);
prometheus::Counter& webhook_rejections(const std::string& provider, const std::string& reason);

// -- actors -------------------------------------------------------------------
prometheus::Gauge& actors(const std::string& type);
prometheus::Gauge& open_chats();

// -- dispatching --------------------------------------------------------------
prometheus::Gauge& queue_length();
/// Time from an offer to the AGENT's acceptance.
prometheus::Histogram& assignment_seconds();

// -- storage ------------------------------------------------------------------
prometheus::Histogram& batch_rows();
prometheus::Histogram& commit_seconds();
prometheus::Counter& storage_failures(const std::string& operation);

// -- providers
prometheus::Counter& number_sends(const std::string& number, const std::string& outcome);
prometheus::Gauge& number_queue(const std::string& number);

} // namespace crm::metrics
