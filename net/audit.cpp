#include "net/audit.hpp"

#include <caf/send.hpp>

#include <atomic>

namespace crm::net {

namespace {

using json = nlohmann::json;

bool secret_key(const std::string& key) {
  static const char* const secrets[] = {"password", "token",    "accessToken", "refreshToken",
                                        "code",     "totpCode", "secret",      "credentials"};
  for (auto s : secrets)
    if (key == s)
      return true;
  return false;
}

class audited_responder final : public responder {
 public:
  audited_responder(responder_ptr inner, storage_actor storage, audit_entry entry)
      : inner_{std::move(inner)}, storage_{std::move(storage)}, entry_{std::move(entry)} {}

  void reply(unsigned status, std::string type, std::string body) override {
    record(status, body);
    inner_->reply(status, std::move(type), std::move(body));
  }

  void reply_with(unsigned status, std::string type, std::string body,
                  std::vector<std::pair<std::string, std::string>> headers) override {
    record(status, body);
    inner_->reply_with(status, std::move(type), std::move(body), std::move(headers));
  }

  void send_file(std::string path, std::string type,
                 std::vector<std::pair<std::string, std::string>> headers) override {
    record(200, {});
    inner_->send_file(std::move(path), std::move(type), std::move(headers));
  }

  // A failure changed nothing: nothing to audit.
  void fail(const caf::error& err) override { inner_->fail(err); }

 private:
  void record(unsigned status, const std::string& body) {
    if (status >= 400 || recorded_.exchange(true))
      return;
    if (entry_.entity_id.empty()) {
      auto created = json::parse(body, nullptr, false);
      if (created.is_object() && created.contains("id") && created["id"].is_string())
        entry_.entity_id = created["id"].get<std::string>();
    }
    caf::anon_send(storage_, std::move(entry_));
  }

  responder_ptr inner_;
  storage_actor storage_;
  audit_entry entry_;
  std::atomic<bool> recorded_{false};
};

} // namespace

json redacted(const json& body) {
  if (body.is_object()) {
    json out = json::object();
    for (auto& [key, value] : body.items())
      out[key] = secret_key(key) ? json("[redacted]") : redacted(value);
    return out;
  }
  if (body.is_array()) {
    json out = json::array();
    for (auto& v : body)
      out.push_back(redacted(v));
    return out;
  }
  return body;
}

audit_entry audit_of(const request_context& ctx, std::string action, std::string entity) {
  audit_entry e;
  if (ctx.user) {
    e.user_id = ctx.user->sub;
    e.role = ctx.user->role;
  }
  e.action = std::move(action);
  e.entity = std::move(entity);
  if (auto it = ctx.params.find("id"); it != ctx.params.end())
    e.entity_id = it->second;
  e.ip = ctx.remote_address;
  e.user_agent = std::string{ctx.header("User-Agent")}.substr(0, 300);
  return e;
}

responder_ptr audited(responder_ptr inner, const services& s, audit_entry entry) {
  return std::make_shared<audited_responder>(std::move(inner), s.storage, std::move(entry));
}

std::string entity_of(const route& r) {
  if (auto colon = r.permission.find(':'); colon != std::string::npos)
    return r.permission.substr(0, colon);
  std::string_view path{r.pattern};
  constexpr std::string_view base = "/api/v1/";
  if (path.substr(0, base.size()) == base)
    path.remove_prefix(base.size());
  return std::string{path.substr(0, path.find('/'))};
}

} // namespace crm::net
