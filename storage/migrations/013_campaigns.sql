-- Campaigns as the API shows them, bot flows (JSON definitions checked by bot_flows/ on
-- save), debtor notes, and the mark an erasure (habeas data, Ley 1581 de 2012) leaves.

create table bot_flows (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (length(name) between 1 and 100),
  description text not null default '',
  definition jsonb not null,
  is_default boolean not null default false,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- One default flow (the shipped one, put there by the CRM worker when none exists).
create unique index bot_flows_one_default on bot_flows (is_default) where is_default;

create function bot_flow_json(f bot_flows) returns json language sql stable as $$
  select json_build_object('id', f.id, 'name', f.name, 'description', f.description,
    'definition', f.definition, 'isDefault', f.is_default, 'createdBy', f.created_by,
    'createdAt', iso_utc(f.created_at), 'updatedAt', iso_utc(f.updated_at))
$$;

-- Until now bot_flow_id pointed nowhere: no flow existed to point at.
update campaigns set bot_flow_id = null where bot_flow_id is not null;
-- A flow in use cannot be deleted.
alter table campaigns add constraint campaigns_bot_flow_id_fkey
  foreign key (bot_flow_id) references bot_flows (id) on delete restrict;
create index campaigns_bot_flow on campaigns (bot_flow_id);

-- Contact windows of the campaign by weekday ({"mon": "08:00-18:00", "sun": null, ...});
-- null: the global legal windows.
alter table campaigns add column contact_windows jsonb;
alter table campaigns add constraint campaigns_max_chats_per_agent_check
  check (max_chats_per_agent between 1 and 100);

create function campaign_json(c campaigns) returns json language sql stable as $$
  select json_build_object('id', c.id, 'name', c.name, 'description', c.description,
    'strategy', c.strategy, 'botFlowId', c.bot_flow_id, 'requiredSkills', c.required_skills,
    'businessHours', c.business_hours, 'contactWindows', c.contact_windows,
    'maxChatsPerAgent', c.max_chats_per_agent, 'isActive', c.is_active,
    'numberIds', coalesce((select json_agg(n.id order by n.created_at, n.id)
                             from whatsapp_numbers n where n.campaign_id = c.id), '[]'),
    'agentIds', coalesce((select json_agg(a.user_id order by a.user_id)
                            from campaign_agents a where a.campaign_id = c.id), '[]'),
    'createdAt', iso_utc(c.created_at), 'updatedAt', iso_utc(c.updated_at))
$$;
create index whatsapp_numbers_campaign on whatsapp_numbers (campaign_id);
create index chats_campaign_open on chats (campaign_id) where status <> 'closed';

create table debtor_notes (
  id uuid primary key default gen_random_uuid(),
  debtor_id uuid not null references debtors (id) on delete cascade,
  body text not null check (length(body) between 1 and 4000),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index debtor_notes_debtor on debtor_notes (debtor_id, created_at);

create function debtor_note_json(n debtor_notes) returns json language sql stable as $$
  select json_build_object('id', n.id, 'debtorId', n.debtor_id, 'body', n.body,
    'createdBy', n.created_by, 'createdAt', iso_utc(n.created_at))
$$;

-- Set when the debtor's personal fields were anonymised (amounts are kept for accounting).
alter table debtors add column erased_at timestamptz;
