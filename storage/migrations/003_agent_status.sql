-- Time in each status, per agent: one row per stretch, closed when the status changes.
create table agent_status_log (
  id bigserial primary key,
  user_id uuid not null references users (id) on delete cascade,
  status text not null check (status in ('available', 'busy', 'break', 'offline')),
  started_at timestamptz not null default now(),
  ended_at timestamptz
);
create index agent_status_log_user on agent_status_log (user_id, started_at);
create unique index agent_status_log_open on agent_status_log (user_id) where ended_at is null;
