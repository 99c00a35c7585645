// The IDENTITY WORKER: login with throttling and 2FA, refresh-token rotation with reuse
// detection, logout, users and roles, the audit log's reads. Auth events are audited in the
// same transaction as what they record.
#include "storage/identity_worker.hpp"

#include "domain/jwt.hpp"
#include "domain/password.hpp"
#include "domain/permissions.hpp"
#include "domain/totp.hpp"
#include "storage/audit_repository.hpp"
#include "storage/identity_repository.hpp"
#include "storage/pg.hpp"
#include "storage/records.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/transaction>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <regex>

namespace crm::storage {

namespace {

using json = nlohmann::json;
using namespace records;
using self_ptr = actor_pointer<identity_worker_actor, identity_worker_state>;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// 32 random bytes, base64url: what a client holds. Only its SHA-256 is stored.
std::string new_refresh_token() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return auth::base64url_encode({reinterpret_cast<char*>(bytes), sizeof bytes});
}

std::string sha256_hex(const std::string& text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string new_uuid(pqxx::transaction_base& txn) {
  return txn.exec1("select gen_random_uuid()::text")[0].as<std::string>();
}

audit_entry audit_of(const client_info& by, std::string action, std::string entity_id = {},
                     json after = nullptr, std::string user_id = {}) {
  audit_entry e;
  e.user_id = user_id.empty() ? by.user_id : user_id;
  e.role = by.role;
  e.action = std::move(action);
  e.entity = "auth";
  e.entity_id = std::move(entity_id);
  e.after = after.is_null() ? std::string{} : after.dump();
  e.ip = by.ip;
  e.user_agent = by.user_agent;
  return e;
}

// -- sessions ----------------------------------------------------------------------

/// A new access token and a refresh token in `family` (stored hashed).
json issue_tokens(identity_worker_state& st, pqxx::work& txn, const user_credentials& u,
                  const std::string& family, const client_info& by) {
  auto now = unix_now();
  auto expires = static_cast<std::int64_t>(st.options.access_minutes) * 60;
  auto access = auth::sign_jwt({u.id, u.role, u.ver, now, now + expires}, st.options.jwt_secret);
  auto refresh = new_refresh_token();
  identity_repository::store_refresh(txn, u.id, family, sha256_hex(refresh),
                                     st.options.refresh_days, by);
  return {{"accessToken", access},
          {"refreshToken", refresh},
          {"expiresIn", expires},
          {"user", identity_repository::user_json(txn, u.id, true)}};
}

api_reply login(identity_worker_state& st, const json& body, const client_info& by) {
  auto email = str(body, "email"), password = str(body, "password");
  if (email.empty() || password.empty())
    return invalid(email.empty() ? "email" : "password", "email and password are required");
  std::string lowered = email;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), ::tolower);
  auto account_key = "crm:login:account:" + lowered;
  auto address_key = "crm:login:ip:" + by.ip;
  auto wait = std::max(st.throttle->blocked_for(account_key, st.options.account_failures),
                       st.throttle->blocked_for(address_key, st.options.address_failures));
  if (wait > 0) {
    pqxx::work txn{st.connection()};
    audit_repository::append(txn, audit_of(by, "auth.login_throttled", {}, {{"email", email}}));
    txn.commit();
    auto r = error(429, "too_many_attempts", "too many failed logins; try again later");
    r.retry_after = wait;
    return r;
  }
  std::optional<user_credentials> user;
  {
    pqxx::read_transaction txn{st.connection()};
    user = identity_repository::by_email(txn, email);
  }
  // Argon2id runs whether or not the account exists: timing does not reveal accounts.
  static const std::string decoy = hash_password("decoy-password-not-used");
  bool password_ok = verify_password(password, user ? user->password_hash : decoy) && user;
  auto fail = [&](const std::string& code, const std::string& message) {
    st.throttle->fail(account_key, st.options.failure_window_s);
    st.throttle->fail(address_key, st.options.failure_window_s);
    pqxx::work txn{st.connection()};
    audit_repository::append(txn,
                             audit_of(by, "auth.login_failed", user ? user->id : "",
                                      {{"email", email}, {"reason", code}}, user ? user->id : ""));
    txn.commit();
    return error(401, code, message);
  };
  if (!password_ok || !user->active)
    return fail("invalid_credentials", "wrong email or password");
  pqxx::work txn{st.connection()};
  if (user->totp_enabled) {
    auto code = str(body, "totpCode");
    if (code.empty())
      return error(401, "totp_required", "this account needs its 2FA code (totpCode)");
    auto secret = st.box->open(user->totp_secret);
    auto step = secret ? totp::verify(*secret, code, unix_now(), user->totp_last_step)
                       : std::optional<std::int64_t>{};
    if (!step) {
      txn.abort();
      return fail("invalid_totp", "the 2FA code is wrong or was already used");
    }
    txn.exec_params("update users set totp_last_step = $2 where id = $1::uuid", user->id, *step);
  }
  st.throttle->reset(account_key);
  txn.exec_params("update users set last_login_at = now() where id = $1::uuid", user->id);
  auto client = by;
  client.user_id = user->id;
  client.role = user->role;
  auto result = issue_tokens(st, txn, *user, new_uuid(txn), client);
  audit_repository::append(txn, audit_of(client, "auth.login", user->id));
  txn.commit();
  return answer(200, std::move(result));
}

api_reply refresh(identity_worker_state& st, const json& body, client_info by) {
  auto token = str(body, "refreshToken");
  if (token.empty())
    return invalid("refreshToken", "refreshToken is required");
  pqxx::work txn{st.connection()};
  auto row = identity_repository::refresh_by_hash(txn, sha256_hex(token));
  if (!row)
    return error(401, "invalid_refresh_token", "unknown refresh token");
  if (row->spent && !row->revoked) {
    // A spent token presented again: stolen or replayed. The whole family goes.
    identity_repository::revoke_refresh(txn, row->user_id, row->family_id);
    audit_repository::append(txn, audit_of(by, "auth.token_reuse", row->user_id,
                                           {{"family", row->family_id}}, row->user_id));
    txn.commit();
    return error(401, "refresh_token_reused",
                 "this refresh token was already used; every session of its login is revoked");
  }
  if (row->revoked || row->spent)
    return error(401, "invalid_refresh_token", "this refresh token was revoked");
  if (row->expired)
    return error(401, "invalid_refresh_token", "this refresh token expired");
  auto user = identity_repository::by_id(txn, row->user_id);
  if (!user || !user->active)
    return error(401, "invalid_refresh_token", "the user is deactivated");
  identity_repository::spend_refresh(txn, row->id);
  by.user_id = user->id;
  by.role = user->role;
  auto result = issue_tokens(st, txn, *user, row->family_id, by);
  txn.commit();
  return answer(200, std::move(result));
}

api_reply logout(identity_worker_state& st, const json& body, const client_info& by) {
  pqxx::work txn{st.connection()};
  std::string family;
  if (auto token = str(body, "refreshToken"); !token.empty())
    if (auto row = identity_repository::refresh_by_hash(txn, sha256_hex(token));
        row && row->user_id == by.user_id)
      family = row->family_id;
  // Its refresh tokens go, and its access tokens with the version bump (the table is
  // rebuilt, so they stop working at once, WebSockets included).
  identity_repository::revoke_refresh(txn, by.user_id, family);
  identity_repository::bump_version(txn, by.user_id);
  audit_repository::append(txn, audit_of(by, "auth.logout", by.user_id));
  txn.commit();
  return answer(200, {{"ok", true}}, true);
}

// -- 2FA ---------------------------------------------------------------------------

api_reply totp_setup(identity_worker_state& st, const client_info& by) {
  pqxx::work txn{st.connection()};
  auto user = identity_repository::by_id(txn, by.user_id);
  if (!user)
    return error(404, "not_found", "no such user");
  if (user->totp_enabled)
    return error(409, "conflict", "2FA is already on; disable it first");
  auto secret = totp::new_secret();
  txn.exec_params("update users set totp_pending = $2 where id = $1::uuid", by.user_id,
                  st.box->seal(secret));
  auto email = txn.exec_params1("select email from users where id = $1::uuid", by.user_id)[0]
                   .as<std::string>();
  audit_repository::append(txn, audit_of(by, "auth.2fa_setup", by.user_id));
  txn.commit();
  return answer(200, {{"secret", totp::base32(secret)},
                      {"otpauthUrl", totp::otpauth_uri(st.options.issuer, email, secret)}});
}

api_reply totp_change(identity_worker_state& st, const json& body, const client_info& by,
                      bool enable) {
  auto code = str(body, "code");
  if (code.size() != totp::digits)
    return invalid("code", "code must be the 6 digits the authenticator shows");
  pqxx::work txn{st.connection()};
  auto user = identity_repository::by_id(txn, by.user_id);
  if (!user)
    return error(404, "not_found", "no such user");
  if (enable ? user->totp_pending.empty() : !user->totp_enabled)
    return error(409, "conflict", enable ? "call /auth/2fa/setup first" : "2FA is not on");
  auto secret = st.box->open(enable ? user->totp_pending : user->totp_secret);
  auto step = secret ? totp::verify(*secret, code, unix_now(), user->totp_last_step)
                     : std::optional<std::int64_t>{};
  if (!step) {
    audit_repository::append(txn, audit_of(by, "auth.2fa_code_refused", by.user_id));
    txn.commit();
    return error(400, "invalid_totp", "the code is wrong or was already used");
  }
  if (enable)
    txn.exec_params("update users set totp_secret = totp_pending, totp_pending = null,"
                    " totp_enabled = true, totp_last_step = $2 where id = $1::uuid",
                    by.user_id, *step);
  else
    txn.exec_params("update users set totp_secret = null, totp_pending = null,"
                    " totp_enabled = false, totp_last_step = $2 where id = $1::uuid",
                    by.user_id, *step);
  audit_repository::append(
      txn, audit_of(by, enable ? "auth.2fa_enabled" : "auth.2fa_disabled", by.user_id));
  txn.commit();
  return answer(200, {{"twoFactorEnabled", enable}});
}

// -- audit of users and roles -------------------------------------------------------

/// The fields of `after` that differ from `before` (all of them when there was no before),
/// as {before: {...}, after: {...}}; `keys` limits which fields count.
std::pair<json, json> changes(const json& before, const json& after,
                              const std::vector<std::string>& keys) {
  json b = json::object(), a = json::object();
  for (auto& k : keys) {
    auto had = before.is_object() && before.contains(k) ? before[k] : json{};
    auto has = after.is_object() && after.contains(k) ? after[k] : json{};
    if (had != has) {
      if (before.is_object())
        b[k] = had;
      a[k] = has;
    }
  }
  return {before.is_object() ? b : json{}, after.is_object() ? a : json{}};
}

/// Appends the row of a change to users or roles, in the transaction that makes it.
void audit_change(pqxx::transaction_base& txn, const client_info& by, const std::string& action,
                  const std::string& entity, const std::string& id, const json& before,
                  const json& after, const std::vector<std::string>& keys) {
  auto [b, a] = changes(before, after, keys);
  audit_entry e;
  e.user_id = by.user_id;
  e.role = by.role;
  e.action = action;
  e.entity = entity;
  e.entity_id = id;
  e.before = b.is_null() ? std::string{} : b.dump();
  e.after = a.is_null() ? std::string{} : a.dump();
  e.ip = by.ip;
  e.user_agent = by.user_agent;
  audit_repository::append(txn, e);
}

const std::vector<std::string>& user_keys() {
  static const std::vector<std::string> keys = {
      "email", "fullName", "role", "maxConcurrentChats", "skills", "campaignIds", "isActive"};
  return keys;
}

json role_by_id(pqxx::transaction_base& txn, const std::string& id) {
  auto all = identity_repository::roles(txn); // kept: the loop must not outlive it
  for (auto& r : all["items"])
    if (r["id"] == id)
      return r;
  return nullptr;
}

// -- users -------------------------------------------------------------------------

/// Checks the fields a user may carry; `creating` requires email, fullName, password, role.
std::optional<api_reply> check_user(const json& b, bool creating) {
  static const std::regex email_shape{R"(^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$)"};
  for (auto key : {"email", "fullName", "password", "role"})
    if (creating && !b.contains(key))
      return invalid(key, std::string{key} + " is required");
  if (b.contains("email") &&
      (!b["email"].is_string() || !std::regex_match(b["email"].get<std::string>(), email_shape)))
    return invalid("email", "email must be an email address");
  if (b.contains("fullName") &&
      (!b["fullName"].is_string() || b["fullName"].get<std::string>().empty() ||
       b["fullName"].get<std::string>().size() > 200))
    return invalid("fullName", "fullName must be 1 to 200 characters");
  if (b.contains("password")) {
    if (!b["password"].is_string())
      return invalid("password", "password must be a string");
    if (auto why = password_policy_violation(b["password"].get<std::string>()))
      return invalid("password", "password " + *why);
  }
  if (b.contains("role") && !b["role"].is_string())
    return invalid("role", "role must be a role name");
  if (b.contains("maxConcurrentChats") &&
      (!b["maxConcurrentChats"].is_number_integer() || b["maxConcurrentChats"].get<int>() < 1 ||
       b["maxConcurrentChats"].get<int>() > 100))
    return invalid("maxConcurrentChats", "maxConcurrentChats must be 1 to 100");
  if (b.contains("skills")) {
    if (!b["skills"].is_array())
      return invalid("skills", "skills must be a list of names");
    for (auto& s : b["skills"])
      if (!s.is_string() || s.get<std::string>().empty() || s.get<std::string>().size() > 50)
        return invalid("skills", "each skill must be a name of 1 to 50 characters");
  }
  if (b.contains("campaignIds")) {
    if (!b["campaignIds"].is_array())
      return invalid("campaignIds", "campaignIds must be a list of ids");
    for (auto& c : b["campaignIds"])
      if (!c.is_string() || !is_uuid(c.get<std::string>()))
        return invalid("campaignIds", "each campaign id must be a UUID");
  }
  if (b.contains("isActive") && !b["isActive"].is_boolean())
    return invalid("isActive", "isActive must be true or false");
  for (auto& [key, value] : b.items())
    if (key != "email" && key != "fullName" && key != "password" && key != "role" &&
        key != "maxConcurrentChats" && key != "skills" && key != "campaignIds" && key != "isActive")
      return invalid(key, "unknown field " + key);
  return std::nullopt;
}

api_reply write_user(identity_worker_state& st, const std::string& id_in, const json& b,
                     const client_info& by) {
  bool creating = id_in.empty();
  if (auto bad = check_user(b, creating))
    return *bad;
  std::string hash;
  if (b.contains("password"))
    hash = hash_password(b["password"].get<std::string>()); // before the transaction
  pqxx::work txn{st.connection()};
  std::string role_id;
  if (b.contains("role")) {
    auto found = identity_repository::role_id(txn, b["role"].get<std::string>());
    if (!found)
      return invalid("role", "no role named " + b["role"].get<std::string>());
    role_id = *found;
  }
  if (b.contains("email")) {
    auto taken = txn.exec_params("select 1 from users where lower(email) = lower($1)"
                                 " and ($2 = '' or id <> nullif($2, '')::uuid)",
                                 b["email"].get<std::string>(), id_in);
    if (!taken.empty())
      return error(409, "conflict", "a user with this email exists");
  }
  if (b.contains("campaignIds"))
    for (auto& c : b["campaignIds"])
      if (txn.exec_params("select 1 from campaigns where id = $1::uuid", c.get<std::string>())
              .empty())
        return invalid("campaignIds", "no campaign " + c.get<std::string>());
  std::string id = id_in;
  bool revoke = false;
  auto before = creating ? json{} : identity_repository::user_json(txn, id);
  if (creating) {
    id = txn.exec_params1("insert into users (email, password_hash, full_name, role_id,"
                          " max_concurrent_chats, skills) values ($1, $2, $3, $4::uuid,"
                          " coalesce($5, 5), coalesce($6::text[], '{}')) returning id::text",
                          b["email"].get<std::string>(), hash, b["fullName"].get<std::string>(),
                          role_id,
                          b.contains("maxConcurrentChats")
                              ? std::optional<int>{b["maxConcurrentChats"].get<int>()}
                              : std::nullopt,
                          b.contains("skills") ? std::optional<std::string>{text_array(b["skills"])}
                                               : std::nullopt)[0]
             .as<std::string>();
  } else {
    auto before = identity_repository::by_id(txn, id);
    if (!before)
      return error(404, "not_found", "no such user");
    revoke = (!role_id.empty() && b["role"].get<std::string>() != before->role) ||
             b.contains("password") ||
             (b.contains("isActive") && !b["isActive"].get<bool>() && before->active);
    txn.exec_params(
        "update users set email = coalesce($2, email), full_name = coalesce($3, full_name),"
        " password_hash = coalesce(nullif($4, ''), password_hash),"
        " role_id = coalesce(nullif($5, '')::uuid, role_id),"
        " max_concurrent_chats = coalesce($6, max_concurrent_chats),"
        " skills = coalesce($7::text[], skills), is_active = coalesce($8, is_active),"
        " updated_at = now() where id = $1::uuid",
        id,
        b.contains("email") ? std::optional<std::string>{b["email"].get<std::string>()}
                            : std::nullopt,
        b.contains("fullName") ? std::optional<std::string>{b["fullName"].get<std::string>()}
                               : std::nullopt,
        hash, role_id,
        b.contains("maxConcurrentChats") ? std::optional<int>{b["maxConcurrentChats"].get<int>()}
                                         : std::nullopt,
        b.contains("skills") ? std::optional<std::string>{text_array(b["skills"])} : std::nullopt,
        b.contains("isActive") ? std::optional<bool>{b["isActive"].get<bool>()} : std::nullopt);
  }
  if (b.contains("campaignIds")) {
    txn.exec_params("delete from campaign_agents where user_id = $1::uuid", id);
    for (auto& c : b["campaignIds"])
      txn.exec_params("insert into campaign_agents (campaign_id, user_id) values ($1::uuid,"
                      " $2::uuid)",
                      c.get<std::string>(), id);
  }
  if (revoke) {
    // A new role, a new password or a deactivation ends every session at once.
    identity_repository::bump_version(txn, id);
    identity_repository::revoke_refresh(txn, id, "");
  }
  auto user = identity_repository::user_json(txn, id);
  auto after = user;
  if (b.contains("password"))
    after["password"] = "[changed]"; // that it changed is audited, never the value
  auto keys = user_keys();
  keys.push_back("password");
  audit_change(txn, by, creating ? "users.create" : "users.update", "users", id, before, after,
               keys);
  txn.commit();
  return answer(creating ? 201 : 200, std::move(user), true);
}

api_reply deactivate_user(identity_worker_state& st, const std::string& id, const client_info& by) {
  if (id == by.user_id)
    return error(409, "conflict", "you cannot deactivate yourself");
  pqxx::work txn{st.connection()};
  auto before = is_uuid(id) ? identity_repository::user_json(txn, id) : json{};
  auto rows = txn.exec_params("update users set is_active = false, status = 'offline',"
                              " token_version = token_version + 1, updated_at = now()"
                              " where id = $1::uuid returning id",
                              id);
  if (rows.empty())
    return error(404, "not_found", "no such user");
  identity_repository::revoke_refresh(txn, id, "");
  audit_change(txn, by, "users.delete", "users", id, before,
               identity_repository::user_json(txn, id), user_keys());
  txn.commit();
  return api_reply{204, "", "", 0, true};
}

// -- roles -------------------------------------------------------------------------

std::optional<api_reply> check_permissions(const json& b) {
  if (!b.contains("permissions"))
    return std::nullopt;
  if (!b["permissions"].is_array())
    return invalid("permissions", "permissions must be a list of module:action names");
  for (auto& p : b["permissions"])
    if (!p.is_string() || !is_permission(p.get<std::string>()))
      return invalid("permissions",
                     "unknown permission " + (p.is_string() ? p.get<std::string>() : p.dump()));
  return std::nullopt;
}

api_reply write_role(identity_worker_state& st, const std::string& id, const json& b,
                     const client_info& by) {
  static const std::regex name_shape{"^[a-z][a-z0-9_]{1,39}$"};
  bool creating = id.empty();
  if (creating && (!b.contains("name") || !b["name"].is_string() ||
                   !std::regex_match(b["name"].get<std::string>(), name_shape)))
    return invalid("name", "name must be 2 to 40 characters: a-z, 0-9 and _");
  if (b.contains("description") && !b["description"].is_string())
    return invalid("description", "description must be text");
  if (auto bad = check_permissions(b))
    return *bad;
  for (auto& [key, value] : b.items())
    if (key != "name" && key != "description" && key != "permissions")
      return invalid(key, "unknown field " + key);
  pqxx::work txn{st.connection()};
  std::string role = id;
  auto before = creating || !is_uuid(id) ? json{} : role_by_id(txn, id);
  if (creating) {
    if (identity_repository::role_id(txn, b["name"].get<std::string>()))
      return error(409, "conflict", "a role with this name exists");
    role = txn.exec_params1("insert into roles (name, description) values ($1, $2)"
                            " returning id::text",
                            b["name"].get<std::string>(), str(b, "description"))[0]
               .as<std::string>();
  } else {
    bool is_system = false;
    if (!is_uuid(id) || !identity_repository::role_id(txn, id, &is_system))
      return error(404, "not_found", "no such role");
    if (is_system)
      return error(409, "conflict", "system roles come from roles.json and cannot be changed");
    if (b.contains("name"))
      return invalid("name", "a role keeps its name");
    txn.exec_params("update roles set description = coalesce($2, description),"
                    " updated_at = now() where id = $1::uuid",
                    id,
                    b.contains("description")
                        ? std::optional<std::string>{b["description"].get<std::string>()}
                        : std::nullopt);
  }
  if (b.contains("permissions")) {
    txn.exec_params("delete from role_permissions where role_id = $1::uuid", role);
    for (auto& p : b["permissions"])
      txn.exec_params("insert into role_permissions (role_id, permission) values ($1::uuid, $2)"
                      " on conflict do nothing",
                      role, p.get<std::string>());
  }
  auto after = role_by_id(txn, role);
  audit_change(txn, by, creating ? "roles.create" : "roles.update", "roles", role, before, after,
               {"name", "description", "permissions"});
  txn.commit();
  return answer(creating ? 201 : 200, after, true);
}

api_reply delete_role(identity_worker_state& st, const std::string& id, const client_info& by) {
  pqxx::work txn{st.connection()};
  bool is_system = false;
  if (!is_uuid(id) || !identity_repository::role_id(txn, id, &is_system))
    return error(404, "not_found", "no such role");
  if (is_system)
    return error(409, "conflict", "system roles cannot be deleted");
  if (!txn.exec_params("select 1 from users where role_id = $1::uuid limit 1", id).empty())
    return error(409, "conflict", "users still hold this role");
  auto before = role_by_id(txn, id);
  txn.exec_params("delete from roles where id = $1::uuid", id);
  audit_change(txn, by, "roles.delete", "roles", id, before, json::object(),
               {"name", "description", "permissions"});
  txn.commit();
  return api_reply{204, "", "", 0, true};
}

// -- dispatch ----------------------------------------------------------------------

api_reply run(identity_worker_state& st, const api_request& req) {
  auto body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (!body.is_object())
    return invalid("body", "the body must be a JSON object");
  const auto& op = req.op;
  if (op == "login")
    return login(st, body, req.by);
  if (op == "refresh")
    return refresh(st, body, req.by);
  if (op == "logout")
    return logout(st, body, req.by);
  if (op == "2fa.setup")
    return totp_setup(st, req.by);
  if (op == "2fa.enable" || op == "2fa.disable")
    return totp_change(st, body, req.by, op == "2fa.enable");
  if (op == "me" || op == "users.get") {
    auto id = op == "me" ? req.by.user_id : req.id;
    pqxx::read_transaction txn{st.connection()};
    auto user = is_uuid(id) ? identity_repository::user_json(txn, id, op == "me") : json{};
    return user.is_null() ? error(404, "not_found", "no such user") : answer(200, user);
  }
  if (op == "users.list") {
    pqxx::read_transaction txn{st.connection()};
    return answer(200, identity_repository::users(txn, body));
  }
  if (op == "users.create" || op == "users.update") {
    if (op == "users.update" && !is_uuid(req.id))
      return error(404, "not_found", "no such user");
    return write_user(st, op == "users.create" ? "" : req.id, body, req.by);
  }
  if (op == "users.delete")
    return is_uuid(req.id) ? deactivate_user(st, req.id, req.by)
                           : error(404, "not_found", "no such user");
  if (op == "roles.list") {
    pqxx::read_transaction txn{st.connection()};
    return answer(200, identity_repository::roles(txn));
  }
  if (op == "roles.create" || op == "roles.update")
    return write_role(st, op == "roles.create" ? "" : req.id, body, req.by);
  if (op == "roles.delete")
    return delete_role(st, req.id, req.by);
  if (op == "audit.list") {
    pqxx::read_transaction txn{st.connection()};
    return answer(200, audit_repository::list(txn, body));
  }
  if (op == "audit.verify") {
    pqxx::read_transaction txn{st.connection()};
    return answer(200, audit_repository::verify(txn));
  }
  return error(404, "not_found", "no identity operation " + op);
}

} // namespace

// -- throttle ----------------------------------------------------------------------

login_throttle::login_throttle(std::optional<redis_endpoint> redis) {
  if (redis) {
    redis_.emplace();
    redis_->endpoint = *redis;
  }
}

std::int64_t login_throttle::blocked_for(const std::string& key, int limit) {
  if (redis_) {
    if (auto count = redis_->command({"GET", key})) {
      if (count->empty() || std::stoll(*count) < limit)
        return 0;
      auto ttl = redis_->command({"TTL", key});
      return ttl && !ttl->empty() ? std::max<std::int64_t>(1, std::stoll(*ttl)) : 1;
    }
    spdlog::warn("identity: Redis unreachable, login throttling is per process");
  }
  auto it = local_.find(key);
  auto now = std::chrono::steady_clock::now();
  if (it == local_.end() || it->second.until <= now || it->second.count < limit)
    return 0;
  return std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(it->second.until - now).count());
}

void login_throttle::fail(const std::string& key, int window_s) {
  if (redis_) {
    if (auto n = redis_->command({"INCR", key})) {
      if (*n == "1")
        redis_->command({"EXPIRE", key, std::to_string(window_s)});
      return;
    }
  }
  auto now = std::chrono::steady_clock::now();
  auto& c = local_[key];
  if (c.until <= now)
    c = {0, now + std::chrono::seconds(window_s)};
  ++c.count;
}

void login_throttle::reset(const std::string& key) {
  if (redis_ && redis_->command({"DEL", key}))
    return;
  local_.erase(key);
}

// -- actor -------------------------------------------------------------------------

pqxx::connection& identity_worker_state::connection() {
  if (!conn || !conn->is_open())
    conn = std::make_unique<pqxx::connection>(with_connect_timeout(options.database_url));
  return *conn;
}

identity_worker_actor::behavior_type
identity_worker(actor_pointer<identity_worker_actor, identity_worker_state> self,
                identity_options options) {
  auto& st = self->state;
  st.box = std::make_unique<secret_box>(options.secrets_key);
  st.throttle = std::make_unique<login_throttle>(options.redis);
  st.options = std::move(options);
  auto guarded = [self](const char* what, auto f) -> decltype(f()) {
    try {
      return f();
    } catch (const std::exception& e) {
      spdlog::error("identity: {} failed: {}", what, e.what());
      if (connection_lost(e))
        self->state.conn.reset();
      return translate(e);
    }
  };
  return {
      [self, guarded](const api_request& req) -> caf::result<api_reply> {
        auto result = guarded(req.op.c_str(),
                              [&]() -> caf::expected<api_reply> { return run(self->state, req); });
        if (!result)
          return result.error();
        return std::move(*result);
      },
      [self, guarded](atom::load, atom::access) -> caf::result<access_rows> {
        auto result = guarded("load_access", [&]() -> caf::expected<access_rows> {
          pqxx::read_transaction txn{self->state.connection()};
          return identity_repository::access(txn);
        });
        if (!result)
          return result.error();
        return std::move(*result);
      },
  };
}

} // namespace crm::storage
