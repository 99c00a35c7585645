-- Report rollups (docs/reports.md, "How they are computed"). A report over a year reads a
-- few thousand rows summed per past local day instead of a million chats. A day's rollup
-- holds the handlings and chats of the chats closed before its cutoff (a closed chat never
-- changes) and all its messages (immutable once the day is over). The rest is computed live
-- from the tables: today, days not rolled up yet, and the chats still open or closed after
-- the cutoff (a small set, found through their own indexes). Every handling is counted once,
-- by exactly one side.
create index chats_still_open on chats (opened_at) where closed_at is null;
create index payment_promises_created on payment_promises (created_at);
create index assignments_created on assignments (created_at);

-- One handling's facts (migration 015 defines a handling and its response clock): the
-- assignment's id, chat, time and agent in; when it ended, whether by the close and with which
-- outcome, the response start and first reply, and the chat's own facts. A debtor message is
-- owed an answer only while the agent holds the chat.
create function handling_of(p_id bigint, p_chat uuid, p_at timestamptz, p_agent uuid)
returns table (released_at timestamptz, closed boolean, outcome text, response_from timestamptz,
               first_reply_at timestamptz, chat_closed_at timestamptz, campaign_id uuid,
               number_id uuid, priority text)
language sql stable as $$
  select coalesce(nxt.at, c.closed_at), nxt.at is null and c.closed_at is not null,
         case when nxt.at is null then c.outcome end, r.response_from,
         (select min(o.created_at) from messages o
           where o.chat_id = p_chat and o.direction = 'out' and o.sent_by = p_agent
             and o.created_at >= r.response_from
             and o.created_at < coalesce(nxt.at, 'infinity'::timestamptz)),
         c.closed_at, c.campaign_id, c.number_id, c.priority
    from chats c
    cross join lateral (
      select min(b.created_at) as at from assignments b
       where b.chat_id = p_chat and b.created_at >= p_at and b.id > p_id) nxt
    cross join lateral (
      select min(m.created_at) as first_waiting from messages m
       where m.chat_id = p_chat and m.direction = 'in'
         and m.created_at < coalesce(nxt.at, c.closed_at, 'infinity'::timestamptz)
         and m.created_at > coalesce((select max(o.created_at) from messages o
                                       where o.chat_id = p_chat and o.direction = 'out'
                                         and o.sent_by is not null and o.created_at < p_at),
                                     '-infinity'::timestamptz)) w
    cross join lateral (
      select case when w.first_waiting is null then null
                  else greatest(p_at, w.first_waiting) end as response_from) r
   where c.id = p_chat
$$;

-- The handlings started in [p_from, p_to). These range functions are PL/pgSQL with EXECUTE
-- so that each call is planned for its own values (an index scan of a day, a sequential
-- scan of a year), wherever it is called from: a generic plan for an unknown range is the
-- wrong one for one of the two.
drop function agent_handlings(timestamptz, timestamptz);
create function agent_handlings(p_from timestamptz, p_to timestamptz)
returns table (chat_id uuid, agent_id uuid, campaign_id uuid, number_id uuid, priority text,
               assigned_at timestamptz, released_at timestamptz, closed boolean, outcome text,
               response_from timestamptz, first_reply_at timestamptz,
               chat_closed_at timestamptz)
language plpgsql stable as $$
begin
  return query execute $q$
  select a.chat_id, a.agent_id, h.campaign_id, h.number_id, h.priority, a.created_at,
         h.released_at, h.closed, h.outcome, h.response_from, h.first_reply_at, h.chat_closed_at
    from assignments a
    cross join lateral handling_of(a.id, a.chat_id, a.created_at, a.agent_id) h
   where a.agent_id is not null and a.created_at >= $1 and a.created_at < $2
  $q$ using p_from, p_to;
end $$;

-- Messages in [p_from, p_to) per local day, campaign, number and sender (null: the debtor,
-- the bot); summed per chat first: one chat lookup per chat, not per message.
create function traffic_between(p_from timestamptz, p_to timestamptz)
returns table (day date, campaign_id uuid, number_id uuid, sent_by uuid, inbound bigint,
               outbound bigint)
language plpgsql stable as $$
begin
  return query execute $q$
  select m.day, (select c.campaign_id from chats c where c.id = m.chat_id), m.number_id,
         m.sent_by, sum(m.inbound)::bigint, sum(m.outbound)::bigint
    from (select x.created_at::date as day, x.chat_id, x.number_id, x.sent_by,
                 count(*) filter (where x.direction = 'in') as inbound,
                 count(*) filter (where x.direction = 'out') as outbound
            from messages x where x.created_at >= $1 and x.created_at < $2
           group by 1, 2, 3, 4) m
   group by 1, 2, 3, 4
  $q$ using p_from, p_to;
end $$;

-- Chats opened in [p_from, p_to) (only those closed before p_closed_before, if given), per
-- local day and the keys the reports filter and count by.
create function chats_opened_between(p_from timestamptz, p_to timestamptz,
                                     p_closed_before timestamptz)
returns table (day date, campaign_id uuid, number_id uuid, agent_id uuid, status text,
               priority text, outcome text, chats bigint)
language plpgsql stable as $$
begin
  return query execute $q$
  select c.opened_at::date, c.campaign_id, c.number_id, c.agent_id, c.status, c.priority,
         c.outcome, count(*)
    from chats c
   where c.opened_at >= $1 and c.opened_at < $2 and ($3 is null or c.closed_at < $3)
   group by 1, 2, 3, 4, 5, 6, 7
  $q$ using p_from, p_to, p_closed_before;
end $$;

-- The handlings started in [p_from, p_to) of the chats still open or closed at or after
-- p_since: those a rollup with that cutoff left out.
create function late_handlings(p_since timestamptz, p_from timestamptz, p_to timestamptz)
returns table (chat_id uuid, agent_id uuid, campaign_id uuid, number_id uuid, priority text,
               assigned_at timestamptz, released_at timestamptz, closed boolean, outcome text,
               response_from timestamptz, first_reply_at timestamptz,
               chat_closed_at timestamptz)
language plpgsql stable as $$
begin
  -- Driven by those few chats (a lateral per chat), never by the range's assignments.
  return query execute $q$
  select a.chat_id, a.agent_id, h.campaign_id, h.number_id, h.priority, a.created_at,
         h.released_at, h.closed, h.outcome, h.response_from, h.first_reply_at, h.chat_closed_at
    from (select id from chats where closed_at is null
          union all
          select id from chats where closed_at >= $1) c
    cross join lateral (
      select * from assignments x
       where x.chat_id = c.id and x.agent_id is not null
         and x.created_at >= $2 and x.created_at < $3) a
    cross join lateral handling_of(a.id, a.chat_id, a.created_at, a.agent_id) h
  $q$ using p_since, p_from, p_to;
end $$;

-- Which days are rolled up, in which time zone (a day is local: a different CRM_TIMEZONE
-- makes the old rollups useless, not wrong), and the cutoff of the chats they hold.
-- Today is rolled up too, up to a quarter of an hour ago (`upto`), so that a report reads
-- live only the last few minutes; a day is `final` once rolled up an hour after it ended.
create table report_days (
  day date not null,
  tz text not null,
  cutoff timestamptz not null,
  upto timestamptz not null,
  final boolean not null,
  rolled_at timestamptz not null default now(),
  primary key (day, tz)
);

-- Handlings started that day (chats closed before the cutoff), summed per agent, campaign,
-- number and the outcome the handling closed with (null: released by a transfer, or open).
create table report_agent_days (
  day date not null,
  tz text not null,
  agent_id uuid not null,
  campaign_id uuid,
  number_id uuid,
  outcome text,
  handled bigint not null,
  closed bigint not null,
  answered bigint not null,
  unanswered bigint not null,
  tmr_seconds double precision not null, -- sums; the report divides
  tmo_seconds double precision not null
);
create index report_agent_days_day on report_agent_days (tz, day);

-- Messages of that day per campaign, number and sender (null: the debtor, the bot).
create table report_traffic_days (
  day date not null,
  tz text not null,
  campaign_id uuid,
  number_id uuid,
  sent_by uuid,
  inbound bigint not null,
  outbound bigint not null
);
create index report_traffic_days_day on report_traffic_days (tz, day);

-- Chats opened that day and closed before the cutoff.
create table report_chat_days (
  day date not null,
  tz text not null,
  campaign_id uuid,
  number_id uuid,
  agent_id uuid,
  status text not null,
  priority text not null,
  outcome text,
  chats bigint not null
);
create index report_chat_days_day on report_chat_days (tz, day);

-- The handling terms the reports sum, one row per handling.
create function handling_terms(closed boolean, response_from timestamptz,
                               first_reply_at timestamptz, assigned_at timestamptz,
                               released_at timestamptz,
                               out answered int, out unanswered int,
                               out tmr_seconds double precision,
                               out tmo_seconds double precision)
language sql immutable as $$
  select (first_reply_at is not null)::int,
         (response_from is not null and first_reply_at is null)::int,
         coalesce(extract(epoch from first_reply_at - response_from), 0)::double precision,
         case when closed then extract(epoch from released_at - assigned_at) else 0
         end::double precision
$$;

-- Rolls up one local day (the session's TimeZone): the whole of it once it ended over an hour
-- ago (writes retried after an outage carry their own time and may land a little late), else
-- up to a quarter of an hour ago. Returns whether it did.
create function report_roll_day(p_day date) returns boolean language plpgsql as $$
declare
  zone text := current_setting('TimeZone');
  f timestamptz := p_day::timestamptz;
  t timestamptz := (p_day + 1)::timestamptz;
  is_final boolean := t <= now() - interval '1 hour';
  upto timestamptz := case when is_final then t else least(t, now() - interval '15 minutes') end;
  cut timestamptz := case when is_final then now() - interval '1 hour' else upto end;
begin
  if upto <= f then
    return false;
  end if;
  perform pg_advisory_xact_lock(hashtext('report_roll_day'), hashtext(p_day::text));
  delete from report_agent_days where tz = zone and day = p_day;
  delete from report_traffic_days where tz = zone and day = p_day;
  delete from report_chat_days where tz = zone and day = p_day;
  insert into report_agent_days
  select p_day, zone, h.agent_id, h.campaign_id, h.number_id, h.outcome, count(*),
         count(*) filter (where h.closed), sum(x.answered), sum(x.unanswered),
         sum(x.tmr_seconds), sum(x.tmo_seconds)
    from agent_handlings(f, upto) h
    cross join lateral handling_terms(h.closed, h.response_from, h.first_reply_at,
                                      h.assigned_at, h.released_at) x
   where h.chat_closed_at < cut
   group by h.agent_id, h.campaign_id, h.number_id, h.outcome;
  insert into report_traffic_days
  select p_day, zone, x.campaign_id, x.number_id, x.sent_by, x.inbound, x.outbound
    from traffic_between(f, upto) x;
  insert into report_chat_days
  select p_day, zone, x.campaign_id, x.number_id, x.agent_id, x.status, x.priority, x.outcome,
         x.chats
    from chats_opened_between(f, upto, cut) x;
  insert into report_days (day, tz, cutoff, upto, final) values (p_day, zone, cut, upto, is_final)
  on conflict (day, tz) do update
    set cutoff = excluded.cutoff, upto = excluded.upto, final = excluded.final,
        rolled_at = now();
  return true;
end $$;

-- Rolls up, within about p_budget of time, oldest first: past days not rolled up for good;
-- today, if its rollup is over ten minutes old; recent days rolled up over six hours ago, so
-- that chats closed since stop being read live. Returns how many days it rolled.
create function report_roll_pending(p_budget interval) returns int language plpgsql as $$
declare
  zone text := current_setting('TimeZone');
  started timestamptz := clock_timestamp();
  first_day date := (select min(opened_at) from chats)::date;
  d date;
  n int := 0;
begin
  if first_day is null then
    return 0;
  end if;
  for d in
    select g::date from generate_series(first_day, current_date, interval '1 day') g
     where not exists (select 1 from report_days r
                        where r.tz = zone and r.day = g::date
                          and (r.final or (g::date = current_date
                                           and r.rolled_at > now() - interval '10 minutes')))
    union all
    (select day from report_days
      where tz = zone and final and rolled_at < now() - interval '6 hours'
        and day >= current_date - 35
      order by rolled_at)
  loop
    exit when clock_timestamp() - started > p_budget;
    if report_roll_day(d) then
      n := n + 1;
    end if;
  end loop;
  return n;
end $$;

-- What a promise has been paid, kept on the promise so that reports over a year of promises
-- do not sum payments per promise.
alter table payment_promises add column paid_total numeric(16, 2) not null default 0;
update payment_promises p set paid_total = promise_paid(p) where promise_paid(p) <> 0;

create function payments_update_promise() returns trigger language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and old.promise_id is not null then
    update payment_promises p set paid_total = promise_paid(p) where p.id = old.promise_id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.promise_id is not null then
    update payment_promises p set paid_total = promise_paid(p) where p.id = new.promise_id;
  end if;
  return null;
end $$;
create trigger payments_update_promise after insert or update or delete on payments
  for each row execute function payments_update_promise();
