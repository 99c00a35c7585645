// The API's own documentation: the OpenAPI document (built from the route table, see
// net/openapi.hpp) and Swagger UI to read it (swagger-ui-dist from npm, CRM_API_DOCS_ROOT).
#include "net/http_error.hpp"
#include "net/routes/routes.hpp"

namespace crm::net {

namespace {

constexpr const char* viewer_page = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>CRM de cobranzas: API</title>
<link rel="stylesheet" href="/api/docs/ui/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/ui/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/ui/swagger-ui-bundle.js"></script>
<script src="/api/docs/ui/init.js"></script>
</body>
</html>
)";

// An external script: the CSP allows no inline ones.
constexpr const char* viewer_init = R"(window.ui = SwaggerUIBundle({
  url: "/api/docs",
  dom_id: "#swagger-ui",
  deepLinking: true,
  docExpansion: "list",
  showExtensions: true, // x-permission: what each operation needs
  tryItOutEnabled: false
});
)";

// Swagger UI sets inline styles; everything else stays as strict as the console's.
constexpr const char* viewer_csp =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

using headers = std::vector<std::pair<std::string, std::string>>;

void not_installed(const responder_ptr& out) {
  out->reply(404, "application/json",
             error_body("not_installed",
                        "the API viewer (swagger-ui-dist) is not installed: run scripts/install "
                        "or set CRM_API_DOCS_ROOT; the document itself is at /api/docs"));
}

} // namespace

route_table docs_routes(const services& s, std::shared_ptr<const std::string> document) {
  return {
      {http::verb::get, "/api/docs", "none",
       [document](request_context&, responder_ptr out) {
         if (document->empty())
           return out->reply(500, "application/json",
                             error_body("internal", "the API document could not be built"));
         out->reply_with(200, "application/json", *document,
                         headers{{"Cache-Control", "no-cache"}});
       }},
      {http::verb::get, "/api/docs/ui", "none",
       [&s](request_context&, responder_ptr out) {
         if (!s.api_viewer || s.api_viewer->size() == 0)
           return not_installed(out);
         out->reply_with(200, "text/html; charset=utf-8", viewer_page,
                         headers{{"Content-Security-Policy", viewer_csp}});
       }},
      {http::verb::get, "/api/docs/ui/{file}", "none",
       [&s](request_context& ctx, responder_ptr out) {
         auto& name = ctx.params.at("file");
         if (name == "init.js")
           return out->reply_with(200, "text/javascript; charset=utf-8", viewer_init,
                                  headers{{"Cache-Control", "no-cache"}});
         const static_files::file* f = s.api_viewer ? s.api_viewer->find("/" + name) : nullptr;
         if (!f) {
           if (!s.api_viewer || s.api_viewer->size() == 0)
             return not_installed(out);
           return out->reply(404, "application/json", error_body("not_found", "no such file"));
         }
         out->reply_with(200, f->content_type, f->body,
                         headers{{"Cache-Control", "public, max-age=86400"}, {"ETag", f->etag}});
       }},
  };
}

} // namespace crm::net
