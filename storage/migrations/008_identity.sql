-- Identity: refresh-token families, 2FA state, the hash-chained audit log.

-- TOTP secrets are sealed with secrets.key (domain/secrets) and kept as text; a pending
-- secret waits for its first code; the last used step stops a code being used twice.
alter table users drop column totp_secret;
alter table users add column totp_secret text, add column totp_pending text,
  add column totp_last_step bigint not null default 0;

-- Opaque refresh tokens, stored as SHA-256 hashes. A login starts a family; every use spends
-- the token and adds the next one to the family; presenting a spent one revokes the family.
create table refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  family_id uuid not null,
  token_hash bytea not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  spent_at timestamptz,
  revoked_at timestamptz,
  ip text,
  user_agent text
);
create index refresh_tokens_family on refresh_tokens (family_id);
create index refresh_tokens_user on refresh_tokens (user_id);

-- Roles are referenced by users: a role in use cannot be deleted.
alter table audit_log add column role text;
create index audit_log_action on audit_log (action, created_at);
create index audit_log_created on audit_log (created_at);

-- The hash of one audit row: SHA-256 over the previous row's hash and every field, in a
-- fixed text form (jsonb's text is canonical; times in UTC to the microsecond).
create function audit_row_hash(prev bytea, id bigint, user_id uuid, role text, action text,
                               entity text, entity_id text, before jsonb, after jsonb, ip text,
                               user_agent text, created_at timestamptz)
returns bytea language sql immutable as $$
  select sha256(coalesce(prev, ''::bytea) || convert_to(concat_ws(E'\x1f', id::text,
    coalesce(user_id::text, ''), coalesce(role, ''), action, entity, coalesce(entity_id, ''),
    coalesce(before::text, ''), coalesce(after::text, ''), coalesce(ip, ''),
    coalesce(user_agent, ''),
    to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')), 'UTF8'))
$$;

-- The only way rows are added: serialised by an advisory lock held to the end of the
-- transaction, so the chain has no forks whichever connection writes.
create function audit_append(p_user uuid, p_role text, p_action text, p_entity text,
                             p_entity_id text, p_before jsonb, p_after jsonb, p_ip text,
                             p_user_agent text)
returns bigint language plpgsql as $$
declare
  v_prev bytea;
  v_id bigint;
  v_at timestamptz := date_trunc('microseconds', clock_timestamp());
begin
  perform pg_advisory_xact_lock(727001);
  select hash into v_prev from audit_log order by id desc limit 1;
  v_id := nextval(pg_get_serial_sequence('audit_log', 'id'));
  insert into audit_log (id, user_id, role, action, entity, entity_id, before, after, ip,
                         user_agent, created_at, prev_hash, hash)
  values (v_id, p_user, p_role, p_action, p_entity, p_entity_id, p_before, p_after, p_ip,
          p_user_agent, v_at, v_prev,
          audit_row_hash(v_prev, v_id, p_user, p_role, p_action, p_entity, p_entity_id,
                         p_before, p_after, p_ip, p_user_agent, v_at));
  return v_id;
end $$;

-- Rows written before the chain existed (the bootstrap admin) join it, oldest first.
alter table audit_log disable trigger audit_log_no_update;
do $$
declare
  r record;
  v_prev bytea;
begin
  for r in select * from audit_log order by id loop
    update audit_log
       set prev_hash = v_prev,
           hash = audit_row_hash(v_prev, r.id, r.user_id, r.role, r.action, r.entity,
                                 r.entity_id, r.before, r.after, r.ip, r.user_agent, r.created_at)
     where id = r.id
    returning hash into v_prev;
  end loop;
end $$;
alter table audit_log enable trigger audit_log_no_update;
