#pragma once

#include <map>
#include <string>

namespace crm::test {

/// A Prometheus text exposition parsed strictly: every sample line is `name{labels} value`
/// after its family's # HELP and # TYPE; the samples by their full series name. A line that
/// does not parse fails the test.
std::map<std::string, double> parse_prometheus(const std::string& text);

/// GET /metrics from the server on `port`, parsed as above.
std::map<std::string, double> scrape_metrics(unsigned short port);

} // namespace crm::test
