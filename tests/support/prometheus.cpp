#include "tests/support/prometheus.hpp"

#include "tests/support/http_client.hpp"

#include <boost/test/unit_test.hpp>

#include <regex>
#include <set>
#include <sstream>

namespace crm::test {

std::map<std::string, double> parse_prometheus(const std::string& text) {
  static const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? )"
      R"(([-+]?([0-9.]+([eE][-+]?[0-9]+)?|Inf|NaN)))");
  static const std::regex meta(R"(# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  std::map<std::string, double> out;
  std::set<std::string> typed;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    std::smatch m;
    if (line[0] == '#') {
      BOOST_REQUIRE_MESSAGE(std::regex_match(line, m, meta), "bad comment line: " + line);
      if (m[1] == "TYPE")
        typed.insert(m[2]);
      continue;
    }
    BOOST_REQUIRE_MESSAGE(std::regex_match(line, m, sample), "bad sample line: " + line);
    auto name = m[1].str();
    auto family = std::regex_replace(name, std::regex("_(bucket|sum|count)$"), "");
    BOOST_CHECK_MESSAGE(typed.count(name) || typed.count(family), "no # TYPE before " + line);
    auto at = line.rfind(' ');
    out[line.substr(0, at)] = std::stod(line.substr(at + 1));
  }
  return out;
}

std::map<std::string, double> scrape_metrics(unsigned short port) {
  auto res = http_request(port, "GET", "/metrics");
  BOOST_REQUIRE_EQUAL(res.status, 200);
  return parse_prometheus(res.body);
}

} // namespace crm::test
