-- Dates of the business calendar (CRM_TIMEZONE) on every connection. The server passes the
-- zone as the custom setting crm.timezone on each connection it opens, so connections keep
-- UTC for their timestamps while "today" (days overdue, promises falling due, payments'
-- default date) is Bogota's day; without the setting the connection's TimeZone is used.
create function business_today() returns date language sql stable as $$
  select (now() at time zone coalesce(nullif(current_setting('crm.timezone', true), ''),
                                       current_setting('TimeZone')))::date
$$;

create or replace function debtor_days(d debtors) returns integer language sql stable as $$
  select case when d.due_date is null then d.days_overdue
              else greatest(0, business_today() - d.due_date) end
$$;

create or replace function promise_state(p payment_promises) returns text language sql stable as $$
  select case when promise_paid(p) >= p.amount then 'kept'
              when p.due_date < business_today() and promise_paid(p) > 0 then 'partially_kept'
              when p.due_date < business_today() then 'broken'
              else 'pending' end
$$;

alter table payments alter column paid_on set default business_today();

-- Contacts made outside the CRM (calls, SMS, e-mail, visits) are recorded with a note; they
-- count against the same daily and weekly rules as WhatsApp ones.
alter table contact_attempts add column note text not null default '';
create or replace function contact_attempt_json(a contact_attempts) returns json language sql stable as $$
  select json_build_object('id', a.id, 'debtorId', a.debtor_id, 'campaignId', a.campaign_id,
    'runId', a.run_id, 'numberId', a.number_id, 'channel', a.channel, 'kind', a.kind,
    'byUserId', a.by_user, 'toPhone', a.to_phone, 'template', a.template, 'chatId', a.chat_id,
    'messageId', a.message_id, 'status', a.status, 'error', a.error, 'note', a.note,
    'countedAs', a.counted_as, 'createdAt', iso_utc(a.created_at))
$$;

-- A chat as the chat list and the chat read show it: the API chat plus the debtor's name and
-- the last message, so a console lists chats without a request per row.
create function chat_view_json(c chats) returns json language sql stable as $$
  select (chat_json(c)::jsonb || jsonb_build_object(
    'debtorName', (select d.full_name from debtors d where d.id = c.debtor_id),
    'lastMessage', (select json_build_object('text', m.body, 'type', m.type,
                                             'direction', m.direction, 'status', m.status,
                                             'createdAt', iso_utc(m.created_at))
                      from messages m where m.chat_id = c.id
                     order by m.created_at desc limit 1)))::json
$$;

-- Phones whose owner asked not to be contacted, kept even when no debtor has the phone yet:
-- a debtor later imported or created with it starts opted out.
create table opted_out_phones (
  phone text primary key,
  opted_out_at timestamptz not null default now()
);
insert into opted_out_phones (phone)
  select distinct p.phone from debtor_phones p join debtors d on d.id = p.debtor_id
   where d.opted_out
  on conflict do nothing;

create function debtor_phone_opted_out() returns trigger language plpgsql as $$
begin
  if exists (select 1 from opted_out_phones o where o.phone = new.phone) then
    update debtors set opted_out = true, opted_out_at = coalesce(opted_out_at, now())
     where id = new.debtor_id and not opted_out;
  end if;
  return new;
end $$;
create trigger debtor_phones_opted_out after insert or update of phone on debtor_phones
  for each row execute function debtor_phone_opted_out();
