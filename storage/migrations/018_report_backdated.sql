-- A row written with a time already rolled up (a backdated insert, a write retried long
-- after an outage, a correction by hand) unrolls its day: reports read that day live until
-- the SCHEDULER sums it again. Live writes carry the present time and never fire these
-- (the WHEN is checked without calling the function): rollups stop 15 minutes short of now.
create function report_unroll_day() returns trigger language plpgsql as $$
declare
  at timestamptz := (to_jsonb(new) ->> tg_argv[0])::timestamptz; -- the row's own time column
begin
  -- Days are local to whichever zone rolled them up: every zone's day that holds `at`.
  delete from report_days
   where day between (at - interval '14 hours')::date and (at + interval '14 hours')::date;
  return null;
end $$;

create trigger messages_unroll_day after insert on messages for each row
  when (new.created_at < now() - interval '15 minutes') execute function report_unroll_day('created_at');
create trigger assignments_unroll_day after insert on assignments for each row
  when (new.created_at < now() - interval '15 minutes') execute function report_unroll_day('created_at');
create trigger chats_unroll_day after insert on chats for each row
  when (new.opened_at < now() - interval '15 minutes') execute function report_unroll_day('opened_at');
