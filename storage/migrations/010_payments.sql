-- Payments against a debtor (optionally against one promise) and the promise's state
-- derived from them and from the calendar, so it is right without waiting for a timer:
-- kept when paid in full; after its due date, partially kept or broken.

create table payments (
  id uuid primary key default gen_random_uuid(),
  debtor_id uuid not null references debtors (id) on delete cascade,
  promise_id uuid references payment_promises (id) on delete set null,
  amount numeric(16, 2) not null check (amount > 0),
  paid_on date not null default current_date,
  method text not null default '',
  reference text not null default '',
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index payments_debtor on payments (debtor_id, paid_on);
create index payments_promise on payments (promise_id);

create function promise_paid(p payment_promises) returns numeric language sql stable as $$
  select coalesce(sum(amount), 0) from payments where promise_id = p.id
$$;

create function promise_state(p payment_promises) returns text language sql stable as $$
  select case when promise_paid(p) >= p.amount then 'kept'
              when p.due_date < current_date and promise_paid(p) > 0 then 'partially_kept'
              when p.due_date < current_date then 'broken'
              else 'pending' end
$$;

create function promise_json(p payment_promises) returns json language sql stable as $$
  select json_build_object('id', p.id, 'debtorId', p.debtor_id, 'chatId', p.chat_id,
    'amount', p.amount, 'dueDate', p.due_date, 'paidAmount', promise_paid(p),
    'status', promise_state(p), 'createdBy', p.created_by, 'createdAt', iso_utc(p.created_at))
$$;

create function payment_json(x payments) returns json language sql stable as $$
  select json_build_object('id', x.id, 'debtorId', x.debtor_id, 'promiseId', x.promise_id,
    'amount', x.amount, 'paidOn', x.paid_on, 'method', x.method, 'reference', x.reference,
    'createdBy', x.created_by, 'createdAt', iso_utc(x.created_at))
$$;
