#pragma once

#include "net/router.hpp"

#include <nlohmann/json.hpp>

#include <string_view>
#include <utility>
#include <vector>

namespace crm::net {

/// The OpenAPI 3 document of the server, built from the route table so it cannot drift:
/// the operations' texts and schemas come from the fragments in net/openapi/*.json
/// (embedded at build time), while each operation's permission (`x-permission`), security,
/// path parameters and 401/403/413 answers come from its route. A route no fragment
/// describes is still listed, marked `x-undocumented`; a fragment's operation with no route
/// is left out and named in `x-stale`; a schema or operation two fragments both define is
/// named in `x-conflicts`. The e2e test fails on any of the three.
nlohmann::json openapi_document(const std::vector<route>& routes);

/// The same, from explicit fragments ({file name, JSON text}); the first is the base.
nlohmann::json
openapi_document(const std::vector<route>& routes,
                 const std::vector<std::pair<std::string_view, std::string_view>>& fragments);

} // namespace crm::net
