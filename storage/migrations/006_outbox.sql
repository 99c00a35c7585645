-- Outbound messages are their own outbox: `pending` rows are the NUMBER's queue, resumed at
-- start. An attempt is counted before the request leaves, so a send whose answer was lost
-- in a crash is never sent twice blindly (Meta has no idempotency key).
alter table messages add column send_attempts integer not null default 0;
create index messages_outbox on messages (number_id, created_at)
  where direction = 'out' and status = 'pending';
