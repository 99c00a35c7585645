-- The agent's last reply in each chat: the away-agent re-queue rule reads it.
alter table chats add column last_reply_at timestamptz;

-- Promises agreed when a chat closes with outcome 'promise' (the collections work adds
-- payments and the kept/broken follow-up).
create table payment_promises (
  id uuid primary key default gen_random_uuid(),
  debtor_id uuid not null references debtors (id) on delete cascade,
  chat_id uuid references chats (id),
  amount numeric(16, 2) not null check (amount > 0),
  due_date date not null,
  status text not null default 'pending'
    check (status in ('pending', 'kept', 'broken', 'partially_kept')),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index payment_promises_debtor on payment_promises (debtor_id, due_date);
create index payment_promises_pending on payment_promises (due_date) where status = 'pending';

alter table chats add constraint chats_outcome_known check (outcome is null or outcome in
  ('promise', 'paid', 'refused', 'wrong_number', 'unreachable', 'call_back'));
