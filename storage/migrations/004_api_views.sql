-- How the API shows times: ISO-8601 in UTC with milliseconds and a Z.
create function iso_utc(t timestamptz) returns text language sql immutable as $$
  select to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- A chat as the API returns it (API.md, Conversations).
create function chat_json(c chats) returns json language sql stable as $$
  select json_build_object(
    'id', c.id, 'debtorId', c.debtor_id, 'debtorPhone', c.debtor_phone, 'numberId', c.number_id,
    'campaignId', c.campaign_id, 'status', c.status, 'agentId', c.agent_id,
    'priority', c.priority, 'contactName', c.contact_name,
    'lastMessageAt', iso_utc(c.last_message_at), 'unread', c.unread,
    'openedAt', iso_utc(c.opened_at), 'assignedAt', iso_utc(c.assigned_at),
    'closedAt', iso_utc(c.closed_at), 'outcome', c.outcome)
$$;

-- A message as the API returns it.
create function message_json(m messages) returns json language sql stable as $$
  select json_build_object(
    'id', m.id, 'chatId', m.chat_id, 'direction', m.direction, 'type', m.type,
    'text', m.body, 'media', m.media, 'details', m.details, 'providerId', m.provider_id,
    'status', m.status, 'error', m.error, 'sentBy', m.sent_by,
    'createdAt', iso_utc(m.created_at))
$$;

create index chats_last_message on chats (last_message_at desc nulls last);
