#include "net/openapi.hpp"

#include <regex>

namespace crm::embedded {
const std::vector<std::pair<std::string_view, std::string_view>>& openapi();
} // namespace crm::embedded

namespace crm::net {

namespace {

using json = nlohmann::json;

std::string lower(std::string_view verb) {
  std::string s{verb};
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

json error_ref(const char* name) {
  return {{"$ref", std::string{"#/components/responses/"} + name}};
}

/// Adds what the route table knows to one operation.
void apply_route(json& op, const route& r) {
  op["x-permission"] = r.permission;
  // Readers see it first (viewers show extensions last, if at all).
  auto who = r.permission == "none"            ? std::string{"public"}
             : r.permission == "authenticated" ? std::string{"any signed-in user"}
             : r.permission == "super_admin"   ? std::string{"the super_admin role only"}
                                               : "`" + r.permission + "`";
  auto text = op.value("description", std::string{});
  op["description"] = "**Permission:** " + who + (text.empty() ? "" : "\n\n" + text);
  auto& responses = op["responses"];
  if (!responses.is_object() || responses.empty())
    responses = json{{"200", {{"description", "OK"}}}};
  if (r.permission == "none") {
    op["security"] = json::array();
  } else {
    op["security"] = json::array({{{"bearer", json::array()}}});
    if (!responses.contains("401"))
      responses["401"] = error_ref("Unauthorized");
    if (r.permission != "authenticated" && !responses.contains("403"))
      responses["403"] = error_ref("Forbidden");
  }
  if (r.body_limit > 0) {
    op["x-body-limit"] = r.body_limit;
    if (!responses.contains("413"))
      responses["413"] = error_ref("PayloadTooLarge");
  }
  static const std::regex param{R"(\{([A-Za-z0-9_]+)\})"};
  auto& params = op["parameters"];
  if (!params.is_array())
    params = json::array();
  for (auto it = std::sregex_iterator(r.pattern.begin(), r.pattern.end(), param);
       it != std::sregex_iterator(); ++it) {
    auto name = (*it)[1].str();
    bool present = false;
    for (auto& p : params)
      present = present || (p.value("in", "") == "path" && p.value("name", "") == name);
    if (present)
      continue;
    json schema{{"type", "string"}};
    if (name == "id" || (name.size() > 2 && name.substr(name.size() - 2) == "Id"))
      schema["format"] = "uuid";
    params.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", schema}});
  }
  if (params.empty())
    op.erase("parameters");
}

} // namespace

json openapi_document(const std::vector<route>& routes,
                      const std::vector<std::pair<std::string_view, std::string_view>>& fragments) {
  json doc;
  json documented = json::object(); // path -> verb -> operation, from the fragments
  json conflicts = json::array();
  for (auto& [file, text] : fragments) {
    auto part = json::parse(text);
    if (doc.is_null()) {
      doc = part;
      doc["paths"] = json::object();
      continue;
    }
    // Named first: items() of a temporary would dangle.
    auto schemas = part.value("components", json::object()).value("schemas", json::object());
    auto paths = part.value("paths", json::object());
    for (auto& [name, schema] : schemas.items()) {
      if (doc["components"]["schemas"].contains(name))
        conflicts.push_back(std::string{file} + ": schema " + name);
      doc["components"]["schemas"][name] = schema;
    }
    for (auto& [path, ops] : paths.items())
      for (auto& [verb, op] : ops.items()) {
        if (documented[path].contains(verb))
          conflicts.push_back(std::string{file} + ": " + verb + " " + path);
        documented[path][verb] = op;
      }
  }
  for (auto& r : routes) {
    auto verb = lower(http::to_string(r.verb));
    json op;
    if (documented.contains(r.pattern) && documented[r.pattern].contains(verb)) {
      op = std::move(documented[r.pattern][verb]);
      documented[r.pattern].erase(verb);
    } else {
      op = {{"summary", verb + " " + r.pattern}, {"x-undocumented", true}};
    }
    apply_route(op, r);
    doc["paths"][r.pattern][verb] = std::move(op);
  }
  json stale = json::array();
  for (auto& [path, ops] : documented.items())
    for (auto& [verb, op] : ops.items())
      stale.push_back(verb + " " + path);
  if (!stale.empty())
    doc["x-stale"] = stale;
  if (!conflicts.empty())
    doc["x-conflicts"] = conflicts;
  return doc;
}

json openapi_document(const std::vector<route>& routes) {
  auto fragments = embedded::openapi();
  // The base first, whatever order the build listed the files in.
  std::stable_partition(fragments.begin(), fragments.end(),
                        [](auto& f) { return f.first == "common.json"; });
  return openapi_document(routes, fragments);
}

} // namespace crm::net
