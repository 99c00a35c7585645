#include "storage/identity_repository.hpp"

#include "domain/permissions.hpp"
#include "storage/records.hpp"

#include <pqxx/result>

namespace crm::storage {

namespace {

using json = nlohmann::json;

constexpr auto credentials_columns = R"sql(
select u.id::text, r.name, u.password_hash, coalesce(u.totp_secret, ''),
       coalesce(u.totp_pending, ''), u.token_version, u.totp_last_step, u.is_active, u.totp_enabled
  from users u join roles r on r.id = u.role_id
)sql";

constexpr auto user_object = R"sql(
select json_build_object(
         'id', u.id, 'email', u.email, 'fullName', u.full_name, 'role', r.name,
         'status', u.status, 'maxConcurrentChats', u.max_concurrent_chats, 'skills', u.skills,
         'campaignIds', coalesce((select json_agg(ca.campaign_id order by ca.campaign_id)
                                    from campaign_agents ca where ca.user_id = u.id), '[]'),
         'currentChats', (select count(*) from chats c
                           where c.agent_id = u.id and c.status = 'assigned'),
         'isActive', u.is_active, 'twoFactorEnabled', u.totp_enabled,
         'lastLoginAt', u.last_login_at, 'createdAt', u.created_at)::text
  from users u join roles r on r.id = u.role_id
)sql";

std::optional<user_credentials> credentials(const pqxx::result& rows) {
  if (rows.empty())
    return std::nullopt;
  auto& r = rows[0];
  user_credentials u;
  u.id = r[0].as<std::string>();
  u.role = r[1].as<std::string>();
  u.password_hash = r[2].as<std::string>();
  u.totp_secret = r[3].as<std::string>();
  u.totp_pending = r[4].as<std::string>();
  u.ver = r[5].as<std::int64_t>();
  u.totp_last_step = r[6].as<std::int64_t>();
  u.active = r[7].as<bool>();
  u.totp_enabled = r[8].as<bool>();
  return u;
}

} // namespace

void identity_repository::sync_system_roles(pqxx::transaction_base& txn) {
  for (auto& role : system_roles()) {
    auto id =
        txn.exec_params1("insert into roles (name, description, is_system) values ($1, $2, true)"
                         " on conflict (name) do update set description = excluded.description,"
                         " is_system = true returning id::text",
                         role.name, role.description)[0]
            .as<std::string>();
    txn.exec_params("delete from role_permissions where role_id = $1::uuid", id);
    for (auto& p : role.permissions)
      txn.exec_params("insert into role_permissions (role_id, permission) values ($1::uuid, $2)",
                      id, p);
  }
}

std::optional<user_credentials> identity_repository::by_email(pqxx::transaction_base& txn,
                                                              const std::string& email) {
  return credentials(txn.exec_params(
      std::string{credentials_columns} + " where lower(u.email) = lower($1)", email));
}

std::optional<user_credentials> identity_repository::by_id(pqxx::transaction_base& txn,
                                                           const std::string& id) {
  return credentials(
      txn.exec_params(std::string{credentials_columns} + " where u.id = $1::uuid", id));
}

json identity_repository::user_json(pqxx::transaction_base& txn, const std::string& id,
                                    bool with_permissions) {
  auto rows = txn.exec_params(std::string{user_object} + " where u.id = $1::uuid", id);
  if (rows.empty())
    return nullptr;
  auto user = json::parse(rows[0][0].as<std::string>());
  if (with_permissions) {
    auto perms = txn.exec_params(
        "select coalesce(json_agg(rp.permission order by rp.permission), '[]')::text"
        " from users u join role_permissions rp on rp.role_id = u.role_id where u.id = $1::uuid",
        id);
    user["permissions"] = json::parse(perms[0][0].as<std::string>());
  }
  return user;
}

json identity_repository::users(pqxx::transaction_base& txn, const json& filters) {
  auto page = filters.value("page", std::int64_t{1});
  auto limit = filters.value("limit", std::int64_t{50});
  auto row = txn.exec_params1("select coalesce(json_agg(s.obj::json order by s.email), '[]')::text,"
                              " coalesce(max(s.total), 0) from ("
                              " select (" +
                                  std::string{user_object} +
                                  " where u.id = x.id) as obj, x.email, count(*) over () as total"
                                  " from users x join roles xr on xr.id = x.role_id"
                                  " where ($1 = '' or xr.name = $1) and ($2 = '' or x.status = $2)"
                                  " and ($3 = '' or x.is_active = ($3 = 'true'))"
                                  " order by lower(x.email) limit $4 offset $5) s",
                              records::str(filters, "role"), records::str(filters, "status"),
                              records::str(filters, "active"), limit, (page - 1) * limit);
  return {{"items", json::parse(row[0].as<std::string>())},
          {"total", row[1].as<std::int64_t>()},
          {"page", page},
          {"limit", limit}};
}

void identity_repository::store_refresh(pqxx::transaction_base& txn, const std::string& user_id,
                                        const std::string& family_id, const std::string& token_hash,
                                        int days, const client_info& by) {
  txn.exec_params("insert into refresh_tokens (user_id, family_id, token_hash, expires_at, ip,"
                  " user_agent) values ($1::uuid, $2::uuid, decode($3, 'hex'),"
                  " now() + make_interval(days => $4), nullif($5, ''), nullif($6, ''))",
                  user_id, family_id, token_hash, days, by.ip, by.user_agent);
}

std::optional<refresh_row> identity_repository::refresh_by_hash(pqxx::transaction_base& txn,
                                                                const std::string& token_hash) {
  auto rows =
      txn.exec_params("select id::text, user_id::text, family_id::text, spent_at is not null,"
                      " revoked_at is not null, expires_at <= now()"
                      " from refresh_tokens where token_hash = decode($1, 'hex') for update",
                      token_hash);
  if (rows.empty())
    return std::nullopt;
  auto& r = rows[0];
  return refresh_row{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                     r[3].as<bool>(),        r[4].as<bool>(),        r[5].as<bool>()};
}

void identity_repository::spend_refresh(pqxx::transaction_base& txn, const std::string& id) {
  txn.exec_params("update refresh_tokens set spent_at = now() where id = $1::uuid", id);
}

void identity_repository::revoke_refresh(pqxx::transaction_base& txn, const std::string& user_id,
                                         const std::string& family_id) {
  txn.exec_params("update refresh_tokens set revoked_at = now()"
                  " where user_id = $1::uuid and revoked_at is null"
                  " and ($2 = '' or family_id = nullif($2, '')::uuid)",
                  user_id, family_id);
}

void identity_repository::bump_version(pqxx::transaction_base& txn, const std::string& user_id) {
  txn.exec_params("update users set token_version = token_version + 1, updated_at = now()"
                  " where id = $1::uuid",
                  user_id);
}

json identity_repository::roles(pqxx::transaction_base& txn) {
  auto row = txn.exec1(
      "select coalesce(json_agg(json_build_object('id', r.id, 'name', r.name, 'description',"
      " r.description, 'isSystem', r.is_system, 'permissions', coalesce((select"
      " json_agg(rp.permission order by rp.permission) from role_permissions rp"
      " where rp.role_id = r.id), '[]'), 'users', (select count(*) from users u"
      " where u.role_id = r.id and u.is_active)) order by r.is_system desc, r.name), '[]')::text"
      " from roles r");
  auto items = json::parse(row[0].as<std::string>());
  auto total = items.size();
  return {{"items", std::move(items)}, {"total", total}, {"page", 1}, {"limit", total}};
}

std::optional<std::string> identity_repository::role_id(pqxx::transaction_base& txn,
                                                        const std::string& name, bool* is_system) {
  auto rows = txn.exec_params(
      "select id::text, is_system from roles where name = $1 or id::text = $1", name);
  if (rows.empty())
    return std::nullopt;
  if (is_system)
    *is_system = rows[0][1].as<bool>();
  return rows[0][0].as<std::string>();
}

access_rows identity_repository::access(pqxx::transaction_base& txn) {
  access_rows result;
  for (auto r : txn.exec("select u.id::text, r.name, u.token_version, u.is_active"
                         " from users u join roles r on r.id = u.role_id"))
    result.users.push_back(
        {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>(), r[3].as<bool>()});
  for (auto r : txn.exec("select r.name, coalesce(array_agg(rp.permission)"
                         " filter (where rp.permission is not null), '{}')::text"
                         " from roles r left join role_permissions rp on rp.role_id = r.id"
                         " group by r.name")) {
    role_grants g{r[0].as<std::string>(), {}};
    auto arr = r[1].as_array();
    for (auto item = arr.get_next(); item.first != pqxx::array_parser::juncture::done;
         item = arr.get_next())
      if (item.first == pqxx::array_parser::juncture::string_value)
        g.permissions.push_back(item.second);
    result.roles.push_back(std::move(g));
  }
  return result;
}

} // namespace crm::storage
