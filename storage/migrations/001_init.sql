-- The core schema: identity, numbers, campaigns, debtors, chats, messages, history, audit.
-- UUIDs come from gen_random_uuid() (built into PostgreSQL 13+).

create table roles (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  description text not null default '',
  is_system boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table permissions (
  name text primary key,           -- module:action
  module text not null,
  action text not null check (action in ('create', 'read', 'update', 'delete')),
  unique (module, action)
);

create table role_permissions (
  role_id uuid not null references roles (id) on delete cascade,
  permission text not null references permissions (name) on delete cascade,
  primary key (role_id, permission)
);

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  password_hash text not null,
  full_name text not null,
  role_id uuid not null references roles (id),
  status text not null default 'offline'
    check (status in ('available', 'busy', 'break', 'offline')),
  max_concurrent_chats integer not null default 5 check (max_concurrent_chats between 1 and 100),
  skills text[] not null default '{}',
  is_active boolean not null default true,
  token_version integer not null default 0,
  totp_secret bytea,
  totp_enabled boolean not null default false,
  last_login_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

create table campaigns (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  description text not null default '',
  strategy text not null default 'least_busy'
    check (strategy in ('round_robin', 'least_busy', 'skills_based')),
  bot_flow_id uuid,
  required_skills text[] not null default '{}',
  business_hours jsonb not null default '{}',
  max_chats_per_agent integer not null default 5,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table campaign_agents (
  campaign_id uuid not null references campaigns (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  primary key (campaign_id, user_id)
);

create table whatsapp_numbers (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  phone_number text not null unique,          -- E.164
  provider text not null check (provider in ('meta', 'wppconnect')),
  campaign_id uuid references campaigns (id) on delete set null,
  meta_phone_number_id text unique,           -- routes Meta webhooks
  credentials bytea,                          -- secrets, encrypted by the server
  status text not null default 'disconnected',
  last_error text,
  rate_limit_per_second integer not null default 80,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (provider <> 'meta' or meta_phone_number_id is not null)
);

create table debtors (
  id uuid primary key default gen_random_uuid(),
  full_name text not null,
  document_type text not null default 'CC',
  document_number text not null unique,
  email text,
  debt_amount numeric(16, 2) not null default 0,
  currency char(3) not null default 'COP',
  due_date date,
  days_overdue integer not null default 0,
  collection_status text not null default 'pending'
    check (collection_status in ('pending', 'contacted', 'promise', 'paid', 'legal', 'unlocatable')),
  tags text[] not null default '{}',
  consent boolean not null default true,
  opted_out boolean not null default false,
  assigned_agent_id uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table debtor_phones (
  debtor_id uuid not null references debtors (id) on delete cascade,
  phone text not null,                        -- E.164
  is_primary boolean not null default false,
  primary key (debtor_id, phone)
);
create index debtor_phones_phone on debtor_phones (phone);

create table chats (
  id uuid primary key default gen_random_uuid(),
  number_id uuid not null references whatsapp_numbers (id),
  debtor_phone text not null,
  debtor_id uuid references debtors (id) on delete set null,
  campaign_id uuid references campaigns (id) on delete set null,
  contact_name text not null default '',
  status text not null default 'queued' check (status in ('bot', 'queued', 'assigned', 'closed')),
  agent_id uuid references users (id) on delete set null,
  priority text not null default 'BAJA' check (priority in ('URGENTE', 'ALTA', 'MEDIA', 'BAJA')),
  unread integer not null default 0,
  last_message_at timestamptz,
  last_inbound_at timestamptz,
  opened_at timestamptz not null default now(),
  queued_at timestamptz,
  assigned_at timestamptz,
  first_reply_at timestamptz,
  closed_at timestamptz,
  outcome text
) with (fillfactor = 70); -- every inbound message updates its chat: leave room for HOT updates
-- One open conversation per debtor phone and number.
create unique index chats_open_key on chats (number_id, debtor_phone) where status <> 'closed';
create index chats_status on chats (status, priority, queued_at);
create index chats_agent on chats (agent_id) where status <> 'closed';
create index chats_debtor on chats (debtor_id);

create table messages (
  id uuid primary key default gen_random_uuid(),
  chat_id uuid not null references chats (id),
  number_id uuid not null references whatsapp_numbers (id),
  direction text not null check (direction in ('in', 'out')),
  type text not null,
  body text not null default '',
  media jsonb,
  details jsonb,
  provider_id text,
  status text not null,
  error jsonb,
  sent_by uuid references users (id) on delete set null,
  provider_timestamp timestamptz,
  status_at timestamptz,
  created_at timestamptz not null default now(),
  unique (number_id, provider_id)
);
create index messages_chat on messages (chat_id, created_at);

-- Every provider status as it came (deduped on id + status): the durable log that
-- message.status is derived from, also for statuses that arrive before their send's reply.
create table message_statuses (
  number_id uuid not null references whatsapp_numbers (id),
  provider_id text not null,
  status text not null,
  occurred_at timestamptz not null,
  recipient text,
  errors jsonb,
  received_at timestamptz not null default now(),
  primary key (number_id, provider_id, status)
);

-- Provider traffic we could not route (unknown number) or that reports provider errors.
create table provider_events (
  id bigserial primary key,
  provider text not null,
  number_key text not null,
  kind text not null check (kind in ('unrouted', 'error')),
  payload jsonb not null,
  received_at timestamptz not null default now()
);

create table assignments (
  id bigserial primary key,
  chat_id uuid not null references chats (id),
  agent_id uuid references users (id) on delete set null,
  previous_agent_id uuid references users (id) on delete set null,
  kind text not null check (kind in ('assign', 'transfer', 'unassign', 'requeue')),
  reason text not null default '',
  by_user_id uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index assignments_chat on assignments (chat_id, created_at);
create index assignments_agent on assignments (agent_id, created_at);

-- Append-only: triggers refuse edits. prev_hash/hash chain the rows (filled by the audit
-- writer that comes with the identity work; GET /audit/verify checks them).
create table audit_log (
  id bigserial primary key,
  user_id uuid,
  action text not null,
  entity text not null,
  entity_id text,
  before jsonb,
  after jsonb,
  ip text,
  user_agent text,
  created_at timestamptz not null default now(),
  prev_hash bytea,
  hash bytea
);
create index audit_log_entity on audit_log (entity, entity_id);
create index audit_log_user on audit_log (user_id, created_at);

create function audit_log_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_refuse_change();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_refuse_change();

-- Mirrors domain/message.cpp status_rank: statuses only move forward.
create function message_status_rank(s text) returns integer language sql immutable as $$
  select case s when 'pending' then 0 when 'sent' then 1 when 'failed' then 2
                when 'delivered' then 3 when 'read' then 4 when 'played' then 4
                else -1 end
$$;
