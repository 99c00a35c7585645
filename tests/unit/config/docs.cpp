// The configuration reference (docs/configuration.md) names every key the server reads, with
// its variable and default: a key added to config.cpp without its documentation fails here.
#include "config/config.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

BOOST_AUTO_TEST_SUITE(config_docs)

BOOST_AUTO_TEST_CASE(every_key_is_in_the_configuration_reference) {
  std::ifstream in{std::string{CRM_SOURCE_DIR} + "/docs/configuration.md"};
  BOOST_REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = ss.str();
  BOOST_REQUIRE_GT(crm::config_keys().size(), 60u);
  for (auto& key : crm::config_keys()) {
    // One table row per key: | `path` | `CRM_VAR` | default | meaning |
    auto row = doc.find("| `" + key.path + "` | `" + key.env + "` |");
    BOOST_CHECK_MESSAGE(row != std::string::npos, key.path << " / " << key.env << " has no row");
    if (row == std::string::npos)
      continue;
    auto line = doc.substr(row, doc.find('\n', row) - row);
    // Short defaults are written in the row; long texts point to their own section.
    if (!key.default_value.empty() && key.default_value.size() <= 40)
      BOOST_CHECK_MESSAGE(line.find(key.default_value) != std::string::npos,
                          key.path << ": the row does not give the default '" << key.default_value
                                   << "'");
  }
}

BOOST_AUTO_TEST_SUITE_END()
