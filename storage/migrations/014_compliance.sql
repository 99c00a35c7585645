-- Collection contact under Ley 2300 de 2023: every proactive contact (campaign send,
-- agent-initiated message) is a row here, reserved before it leaves; the daily cap and the
-- one-channel-per-week rule count these rows. Bot sessions live on their chat.

-- Who the person is to the account: co-debtors are contacted under the same rules with
-- their own counters; personal references never.
alter table debtors add column party text not null default 'debtor'
  check (party in ('debtor', 'co_debtor', 'reference'));
alter table debtors add column primary_debtor_id uuid references debtors (id) on delete set null;
alter table debtors add column authorized_channels text[] not null default '{whatsapp}';
alter table debtors add column opted_out_at timestamptz;

create table outbound_runs (
  id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references campaigns (id) on delete cascade,
  filters jsonb not null default '{}',
  template jsonb not null,
  per_minute integer not null check (per_minute between 1 and 1000),
  status text not null default 'running'
    check (status in ('running', 'finished', 'cancelled')),
  total integer not null default 0,
  created_by uuid references users (id) on delete set null,
  started_at timestamptz not null default now(),
  finished_at timestamptz
);
create index outbound_runs_running on outbound_runs (started_at) where status = 'running';

-- The debtors a run selected when it started, and what became of each.
create table outbound_targets (
  run_id uuid not null references outbound_runs (id) on delete cascade,
  debtor_id uuid not null references debtors (id) on delete cascade,
  seq integer not null,
  state text not null default 'waiting' check (state in ('waiting', 'sent', 'skipped')),
  reason text,
  attempt_id uuid,
  primary key (run_id, debtor_id)
);
create index outbound_targets_waiting on outbound_targets (run_id, seq) where state = 'waiting';

create table contact_attempts (
  id uuid primary key default gen_random_uuid(),
  debtor_id uuid not null references debtors (id) on delete cascade,
  campaign_id uuid references campaigns (id) on delete set null,
  run_id uuid references outbound_runs (id) on delete set null,
  number_id uuid references whatsapp_numbers (id) on delete set null,
  channel text not null default 'whatsapp',
  kind text not null check (kind in ('campaign', 'agent')),
  by_user uuid references users (id) on delete set null,
  to_phone text not null,
  template jsonb,
  chat_id uuid references chats (id) on delete set null,
  message_id uuid references messages (id) on delete set null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  error jsonb,
  -- the rule that let it through: 'attempts' (every attempt counts) or 'two_way'
  counted_as text not null default 'attempts',
  created_at timestamptz not null  -- the compliance clock's time, not now()
);
create index contact_attempts_debtor on contact_attempts (debtor_id, created_at desc);

create function contact_attempt_json(a contact_attempts) returns json language sql stable as $$
  select json_build_object('id', a.id, 'debtorId', a.debtor_id, 'campaignId', a.campaign_id,
    'runId', a.run_id, 'numberId', a.number_id, 'channel', a.channel, 'kind', a.kind,
    'byUserId', a.by_user, 'toPhone', a.to_phone, 'template', a.template, 'chatId', a.chat_id,
    'messageId', a.message_id, 'status', a.status, 'error', a.error,
    'countedAs', a.counted_as, 'createdAt', iso_utc(a.created_at))
$$;

-- Where the chat stands in its campaign's bot flow (engine session JSON).
alter table chats add column bot_state jsonb;

create or replace function debtor_json(d debtors) returns json language sql stable as $$
  select json_build_object(
    'id', d.id, 'fullName', d.full_name, 'documentType', d.document_type,
    'documentNumber', d.document_number,
    'phones', coalesce((select json_agg(p.phone order by p.is_primary desc, p.phone)
                          from debtor_phones p where p.debtor_id = d.id), '[]'),
    'email', d.email, 'debtAmount', d.debt_amount, 'currency', d.currency,
    'dueDate', d.due_date, 'daysOverdue', debtor_days(d),
    'priority', priority_of(debtor_days(d)), 'collectionStatus', d.collection_status,
    'tags', d.tags, 'optedOut', d.opted_out, 'optedOutAt', iso_utc(d.opted_out_at),
    'consent', d.consent, 'authorizedChannels', d.authorized_channels, 'party', d.party,
    'primaryDebtorId', d.primary_debtor_id, 'erasedAt', iso_utc(d.erased_at),
    'assignedAgentId', d.assigned_agent_id, 'createdAt', iso_utc(d.created_at),
    'updatedAt', iso_utc(d.updated_at))
$$;
