-- One simulated stretch of a 30-agent team for the report benchmark (scripts/bench-reports):
-- :chats chats over :days days, :per_chat messages each (half in, half out by the agent),
-- one assignment per chat (a tenth transferred once), a fifth with a promise, eight hours
-- available per agent per day. Bulk inserts with generate_series; indexes stay in place, as
-- in production.
\set ON_ERROR_STOP on
insert into campaigns (name, strategy) select 'Bench ' || g, 'least_busy' from generate_series(1, 3) g;
insert into whatsapp_numbers (name, phone_number, provider, campaign_id, meta_phone_number_id)
select 'N' || g, '+5730000' || lpad(g::text, 4, '0'), 'meta',
       (select id from campaigns where name = 'Bench ' || (1 + g % 3)), '9000' || g
  from generate_series(1, 10) g;
insert into users (email, password_hash, full_name, role_id)
select 'agent' || g || '@reports.bench', 'x', 'Agent ' || lpad(g::text, 2, '0'), r.id
  from generate_series(1, 30) g, roles r where r.name = 'agent';
create temp table bench_agents as
  select row_number() over (order by u.id) - 1 as k, u.id from users u
   where u.email like '%@reports.bench';
create temp table bench_numbers as
  select row_number() over (order by id) - 1 as k, id, campaign_id from whatsapp_numbers;
select :'days'::int as days, now() - (:'days' || ' days')::interval as t0 \gset
\timing on
-- A year written at once is all backdated: the triggers that unroll a day for a late row
-- (migration 018) would fire twenty million times. The rollup runs at the end anyway.
set session_replication_role = replica;
-- Chats, spread evenly over the stretch.
insert into chats (number_id, debtor_phone, campaign_id, status, priority, agent_id, opened_at,
                   assigned_at, closed_at, outcome, queued_at)
select n.id, '+57310' || lpad(g::text, 7, '0'), n.campaign_id, 'closed',
       (array['URGENTE', 'ALTA', 'MEDIA', 'BAJA'])[1 + g % 4], a.id, o.at, o.at + interval '1 minute',
       o.at + interval '25 minutes',
       (array['promise', 'paid', 'refused', 'wrong_number', 'unreachable', 'call_back'])[1 + g % 6],
       o.at
  from generate_series(1, :chats) g
  join bench_numbers n on n.k = g % 10
  join bench_agents a on a.k = g % 30
  cross join lateral (select :'t0'::timestamptz
                        + (g::double precision / :chats) * (:'days' || ' days')::interval as at) o
 order by g; -- rows land in time order, as they do in production
insert into assignments (chat_id, agent_id, kind, created_at)
select c.id, c.agent_id, 'assign', c.assigned_at from chats c where c.debtor_phone like '+57310%';
-- A tenth are transferred to the next agent ten minutes in.
insert into assignments (chat_id, agent_id, previous_agent_id, kind, created_at)
select c.id, b.id, c.agent_id, 'transfer', c.assigned_at + interval '10 minutes'
  from chats c join bench_agents a on a.id = c.agent_id join bench_agents b on b.k = (a.k + 1) % 30
 where c.debtor_phone like '+57310%' and right(c.debtor_phone, 1) = '7';
insert into messages (chat_id, number_id, direction, type, body, status, sent_by, created_at,
                      provider_id)
select c.id, c.number_id, case when i % 2 = 0 then 'in' else 'out' end, 'text', 'x',
       case when i % 2 = 0 then 'received' else 'read' end,
       case when i % 2 = 1 then c.agent_id end,
       c.opened_at + i * interval '70 seconds', 'wamid.b' || c.id || '.' || i
  from chats c cross join generate_series(0, :per_chat - 1) i
 where c.debtor_phone like '+57310%'
 order by c.opened_at, i;
insert into debtors (full_name, document_number, debt_amount, days_overdue)
select 'Deudor ' || g, 'B' || g, 1000000, g % 200 from generate_series(1, 1000) g;
insert into payment_promises (debtor_id, chat_id, amount, due_date, created_by, created_at)
select d.id, c.id, 150000, (c.closed_at + interval '10 days')::date, c.agent_id, c.closed_at
  from chats c join lateral (select id from debtors where document_number = 'B' || (1 + abs(hashtext(c.id::text)) % 1000)) d on true
 where c.outcome = 'promise';
set session_replication_role = origin; -- payments keep their promise's paid_total
insert into payments (debtor_id, promise_id, amount, paid_on)
select p.debtor_id, p.id, p.amount, p.due_date - 1 from payment_promises p
 where right(p.id::text, 1) in ('0', '1', '2', '3', '4', '5', '6', '7');
insert into agent_status_log (user_id, status, started_at, ended_at)
select a.id, 'available', d + interval '13 hours', d + interval '21 hours'
  from bench_agents a cross join generate_series(date_trunc('day', :'t0'::timestamptz),
                                                 now(), interval '1 day') d;
-- Past promises carry the status the daily sweep would have stored (their follow-up tasks
-- are not part of this stretch); otherwise the server's first ticks work off a year of them.
update payment_promises p set status = promise_state(p) where p.due_date < current_date;
analyze;
-- The past days summed for the reports, as the SCHEDULER does a little at a time.
set timezone = :'tz';
select report_roll_pending('1 hour') as days_rolled_up;
\timing off
