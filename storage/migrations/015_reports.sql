-- Reports (definitions in docs/reports.md). A *handling* is one agent's hold of a chat: from
-- an assignment or transfer to that agent until the chat's next assignment or its close.
-- Metrics are credited to the agent holding the chat when they happen.
create index messages_agent_out on messages (sent_by, created_at) where sent_by is not null;
create index payment_promises_creator on payment_promises (created_by, created_at);
create index chats_closed on chats (closed_at) where closed_at is not null;

-- The handlings that started in [p_from, p_to), with their response clock:
--   response_from: when the agent owed an answer: the assignment, if a debtor message was
--     waiting unanswered (by a person) then; else the debtor's first message after it;
--   first_reply_at: the agent's first message at or after response_from, while holding it.
create function agent_handlings(p_from timestamptz, p_to timestamptz)
returns table (chat_id uuid, agent_id uuid, campaign_id uuid, number_id uuid, priority text,
               assigned_at timestamptz, released_at timestamptz, closed boolean, outcome text,
               response_from timestamptz, first_reply_at timestamptz)
language sql stable as $$
  select a.chat_id, a.agent_id, c.campaign_id, c.number_id, c.priority, a.created_at,
         coalesce(nxt.at, c.closed_at), nxt.at is null and c.closed_at is not null,
         case when nxt.at is null then c.outcome end, r.response_from,
         (select min(o.created_at) from messages o
           where o.chat_id = a.chat_id and o.direction = 'out' and o.sent_by = a.agent_id
             and o.created_at >= r.response_from and (nxt.at is null or o.created_at < nxt.at))
    from assignments a
    join chats c on c.id = a.chat_id
    cross join lateral (
      select min(b.created_at) as at from assignments b
       where b.chat_id = a.chat_id and b.created_at >= a.created_at and b.id > a.id) nxt
    cross join lateral (
      select (select min(m.created_at) from messages m
               where m.chat_id = a.chat_id and m.direction = 'in'
                 and m.created_at > coalesce((select max(o.created_at) from messages o
                                               where o.chat_id = a.chat_id
                                                 and o.direction = 'out'
                                                 and o.sent_by is not null
                                                 and o.created_at < a.created_at),
                                             '-infinity'::timestamptz)) as first_waiting) w
    cross join lateral (
      select case when w.first_waiting is null then null
                  else greatest(a.created_at, w.first_waiting) end as response_from) r
   where a.agent_id is not null and a.created_at >= p_from and a.created_at < p_to
$$;

-- Seconds an agent spent in each status inside [p_from, p_to).
create function agent_status_seconds(p_from timestamptz, p_to timestamptz)
returns table (agent_id uuid, status text, seconds double precision)
language sql stable as $$
  select l.user_id, l.status,
         sum(extract(epoch from least(coalesce(l.ended_at, now()), p_to)
                              - greatest(l.started_at, p_from)))
    from agent_status_log l
   where l.started_at < p_to and coalesce(l.ended_at, now()) > p_from
   group by l.user_id, l.status
$$;
