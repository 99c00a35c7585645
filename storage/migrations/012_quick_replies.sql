-- Canned answers for the composer, global (no campaign) or per campaign. Bodies may hold
-- {{clientName}}, {{debtAmount}}, {{daysOverdue}}, {{priority}}, {{agentName}}.
create table quick_replies (
  id uuid primary key default gen_random_uuid(),
  campaign_id uuid references campaigns (id) on delete cascade,
  shortcut text not null check (shortcut ~ '^/[a-z0-9_-]{1,30}$'),
  title text not null check (length(title) between 1 and 100),
  body text not null check (length(body) between 1 and 4096),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index quick_replies_shortcut
  on quick_replies (coalesce(campaign_id, '00000000-0000-0000-0000-000000000000'::uuid), shortcut);

create function quick_reply_json(q quick_replies) returns json language sql stable as $$
  select json_build_object('id', q.id, 'campaignId', q.campaign_id, 'shortcut', q.shortcut,
    'title', q.title, 'body', q.body, 'createdAt', iso_utc(q.created_at))
$$;
