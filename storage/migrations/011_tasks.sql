-- Tasks: follow-ups with a due time and an assignee; reminders are sent once
-- (reminded_at). A broken promise creates one follow-up task (promise_id is unique).
create table tasks (
  id uuid primary key default gen_random_uuid(),
  title text not null check (length(title) between 1 and 200),
  notes text not null default '',
  due_at timestamptz not null,
  assignee_id uuid not null references users (id) on delete cascade,
  debtor_id uuid references debtors (id) on delete cascade,
  chat_id uuid references chats (id) on delete set null,
  promise_id uuid unique references payment_promises (id) on delete set null,
  status text not null default 'open' check (status in ('open', 'done', 'cancelled')),
  source text not null default 'manual' check (source in ('manual', 'broken_promise')),
  reminded_at timestamptz,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index tasks_assignee on tasks (assignee_id, status, due_at);
create index tasks_reminders on tasks (due_at) where status = 'open' and reminded_at is null;

create function task_json(t tasks) returns json language sql stable as $$
  select json_build_object('id', t.id, 'title', t.title, 'notes', t.notes,
    'dueAt', iso_utc(t.due_at), 'assigneeId', t.assignee_id, 'debtorId', t.debtor_id,
    'chatId', t.chat_id, 'promiseId', t.promise_id, 'status', t.status, 'source', t.source,
    'remindedAt', iso_utc(t.reminded_at), 'createdBy', t.created_by,
    'createdAt', iso_utc(t.created_at))
$$;
