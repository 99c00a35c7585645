#include "config/config.hpp"
#include "server/system.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string_view>

namespace {

void usage() {
  std::puts("usage: crm-server [--config FILE] [--seed-demo AGENT_PASSWORD] [--print-config-keys]\n"
            "Configuration: config/crm.json (or CRM_CONFIG / --config) plus CRM_* variables.");
}

} // namespace

int main(int argc, char** argv) {
  std::string seed_password;
  bool seed = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg{argv[i]};
    if (arg == "--help" || arg == "-h") {
      usage();
      return 0;
    }
    if (arg == "--print-config-keys") {
      for (auto& k : crm::config_keys())
        std::printf("%-28s %-30s %s (default: %s)\n", k.path.c_str(), k.env.c_str(),
                    k.description.c_str(),
                    k.default_value.empty() ? "empty" : ("\"" + k.default_value + "\"").c_str());
      return 0;
    }
    if (arg == "--seed-demo" && i + 1 < argc) {
      seed = true;
      seed_password = argv[++i];
    } else if (arg == "--config" && i + 1 < argc) {
      ++i; // read by load_config_from_process
    } else {
      std::fprintf(stderr, "crm-server: unknown argument '%s'\n", argv[i]);
      usage();
      return 2;
    }
  }
  auto cfg = crm::load_config_from_process(argc, argv);
  if (!cfg) {
    std::fprintf(stderr, "crm-server: %s\n", crm::message_of(cfg.error()).c_str());
    return 2;
  }
  // The process's local time is the business zone (contact windows ask localtime_r for the
  // offset at each instant, daylight saving time included); set before any thread starts.
  ::setenv("TZ", (":" + cfg->timezone).c_str(), 1);
  ::tzset();
  spdlog::set_level(spdlog::level::from_str(cfg->log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%t] %v", spdlog::pattern_time_type::utc);
  return seed ? crm::seed_demo(*cfg, seed_password) : crm::run_server(*cfg);
}
