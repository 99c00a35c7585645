// Proactive contact under Ley 2300 de 2023. Every campaign send and every agent-initiated
// message is reserved here first: the debtor's flags, the contact window, the daily cap and
// the one-channel-per-week rule are checked against the attempts already made, and the new
// attempt is written in the same transaction (the debtor row locked), so two senders racing
// for one debtor cannot both get through.
#include "storage/contact_records.hpp"

#include "domain/iso_time.hpp"
#include "storage/records.hpp"

#include <pqxx/result>
#include <pqxx/transaction>

namespace crm::storage {

namespace {

using json = nlohmann::json;
using namespace records;
using namespace std::chrono;

constexpr const char* day_keys[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

/// The global rules, narrowed by a campaign's own windows (never widened).
contact::policy narrowed(contact::policy p, const json& windows) {
  if (!windows.is_object())
    return p;
  for (int d = 0; d < 7; ++d) {
    if (!windows.contains(day_keys[d]))
      continue;
    auto& w = windows[day_keys[d]];
    auto mine = w.is_string() ? contact::parse_window(w.get<std::string>()) : std::nullopt;
    if (!mine || !p.windows[d]) {
      p.windows[d].reset();
      continue;
    }
    auto from = std::max(mine->from, p.windows[d]->from), to = std::min(mine->to, p.windows[d]->to);
    if (from < to)
      p.windows[d] = contact::window{from, to};
    else
      p.windows[d].reset();
  }
  return p;
}

std::string iso(contact::seconds t) {
  return iso_utc(duration_cast<milliseconds>(t.time_since_epoch()).count());
}

} // namespace

/// The attempts that count against a debtor in the last eight days.
std::vector<contact::past_contact> past_contacts(pqxx::transaction_base& txn,
                                                 const std::string& debtor, contact::seconds now,
                                                 bool two_way_only) {
  auto rows = txn.exec_params(
      "select extract(epoch from a.created_at)::bigint, a.channel from contact_attempts a"
      " where a.debtor_id = $1::uuid and a.created_at > to_timestamp($2) - interval '8 days'"
      " and (not $3 or exists (select 1 from messages m, messages sent where sent.id ="
      " a.message_id and m.chat_id = a.chat_id and m.direction = 'in'"
      " and m.created_at > sent.created_at))",
      debtor, now.time_since_epoch().count(), two_way_only);
  std::vector<contact::past_contact> out;
  for (auto r : rows)
    out.push_back(
        {contact::seconds{std::chrono::seconds{r[0].as<std::int64_t>()}}, r[1].as<std::string>()});
  return out;
}

contact_policy_for policy_of(pqxx::transaction_base& txn, const contact::settings& s,
                             const std::string& campaign) {
  if (campaign.empty())
    return {s.rules};
  auto rows = txn.exec_params(
      "select coalesce(contact_windows::text, 'null') from campaigns where id = $1::uuid",
      campaign);
  return {rows.empty() ? s.rules : narrowed(s.rules, json::parse(rows[0][0].as<std::string>()))};
}

std::variant<reservation, api_reply> reserve(pqxx::transaction_base& txn,
                                             const contact::settings& s, const contact_ask& ask) {
  auto d = txn.exec_params(
      "select d.party, d.opted_out, d.consent, 'whatsapp' = any(d.authorized_channels),"
      " d.erased_at is not null, (select p.phone from debtor_phones p where p.debtor_id = d.id"
      " order by p.is_primary desc, p.phone limit 1)"
      " from debtors d where d.id = $1::uuid for update",
      ask.debtor);
  if (d.empty())
    return error(404, "not_found", "no such debtor");
  auto refuse = [&](const std::string& rule, const std::string& message,
                    json extra = json::object()) -> api_reply {
    extra["rule"] = rule;
    return error(422, "contact_not_allowed", message, extra);
  };
  auto r = d[0];
  if (r[0].as<std::string>() == "reference")
    return refuse("reference", "personal references are never contacted for collection");
  if (r[1].as<bool>())
    return refuse("opted_out", "the debtor asked not to be contacted (opt-out)");
  if (r[4].as<bool>())
    return refuse("erased", "the debtor's personal data was erased");
  if (!r[2].as<bool>())
    return refuse("no_consent", "the debtor has not consented to be contacted");
  if (!r[3].as<bool>())
    return refuse("channel_not_authorized", "the debtor did not authorise WhatsApp contact");
  if (r[5].is_null())
    return refuse("no_phone", "the debtor has no phone number");
  auto phone = r[5].as<std::string>();

  auto now = s.now();
  auto policy = policy_of(txn, s, ask.campaign).rules;
  auto verdict =
      contact::check(now, "whatsapp", past_contacts(txn, ask.debtor, now, s.two_way_only), policy);
  if (!verdict.allowed) {
    static const std::map<std::string, std::string> why = {
        {"window", "outside the contact hours"},
        {"per_day", "the debtor was already contacted today"},
        {"channel_week", "the debtor was contacted through another channel this week"}};
    return refuse(verdict.rule, why.at(verdict.rule),
                  {{"nextAllowedAt", iso(verdict.next)}, {"now", iso(now)}});
  }

  // The number: the one asked for, else the one the debtor last talked on (inside the
  // campaign when there is one), else the campaign's (or any) number; never a removed one.
  auto n = txn.exec_params(
      "select n.id from whatsapp_numbers n where n.is_active"
      " and ($1 = '' or n.id = nullif($1, '')::uuid)"
      " and ($2 = '' or $1 <> '' or n.campaign_id = nullif($2, '')::uuid)"
      " order by (select max(c.opened_at) from chats c where c.number_id = n.id"
      " and c.debtor_id = $3::uuid) desc nulls last, n.status = 'connected' desc, n.created_at"
      " limit 1",
      ask.number, ask.campaign, ask.debtor);
  if (n.empty())
    return ask.number.empty() ? error(409, "no_number", "no WhatsApp number to send from")
                              : invalid("numberId", "no such WhatsApp number");
  reservation res;
  res.number = n[0][0].as<std::string>();
  res.phone = phone;
  res.attempt =
      txn.exec_params1("insert into contact_attempts (debtor_id, campaign_id, run_id, number_id,"
                       " kind, by_user, to_phone, template, counted_as, created_at)"
                       " values ($1::uuid, nullif($2, '')::uuid, nullif($3, '')::uuid, $4::uuid,"
                       " $5, nullif($6, '')::uuid, $7, $8::jsonb, $9, to_timestamp($10))"
                       " returning id",
                       ask.debtor, ask.campaign, ask.run, res.number, ask.kind, ask.by_user, phone,
                       ask.template_json, s.two_way_only ? "two_way" : "attempts",
                       now.time_since_epoch().count())[0]
          .as<std::string>();
  return res;
}

void link_attempt(pqxx::transaction_base& txn, const json& b) {
  txn.exec_params("update contact_attempts set chat_id = nullif($2, '')::uuid,"
                  " message_id = nullif($3, '')::uuid, status = $4, error = nullif($5, '')::jsonb"
                  " where id = $1::uuid",
                  str(b, "attemptId"), str(b, "chatId"), str(b, "messageId"),
                  str(b, "status") == "sent" ? "sent" : "failed",
                  b.contains("error") ? b["error"].dump() : std::string{});
}

} // namespace crm::storage
