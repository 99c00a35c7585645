#pragma once

#include "config/config.hpp"

namespace crm {

/// Runs the server until SIGINT/SIGTERM: migrations, actors, HTTP. Returns the exit code.
int run_server(const config& cfg);

/// Applies migrations, creates the super admin if configured, and loads the demo data.
int seed_demo(const config& cfg, const std::string& agent_password);

} // namespace crm
