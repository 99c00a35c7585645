-- Numbers are managed through the API: a removed number is deactivated (its chats and
-- messages keep pointing at it), and the API shows it without its secrets.
alter table whatsapp_numbers add column is_active boolean not null default true;
alter table whatsapp_numbers add column wppconnect_base_url text;
alter table whatsapp_numbers add column wppconnect_session text;

create function number_json(n whatsapp_numbers) returns json language sql stable as $$
  select json_build_object(
    'id', n.id, 'name', n.name, 'phoneNumber', n.phone_number, 'provider', n.provider,
    'campaignId', n.campaign_id,
    'meta', case when n.provider = 'meta'
                 then json_build_object('phoneNumberId', n.meta_phone_number_id) end,
    'wppconnect', case when n.provider = 'wppconnect'
                       then json_build_object('baseUrl', n.wppconnect_base_url,
                                              'session', n.wppconnect_session) end,
    'hasCredentials', n.credentials is not null,
    'status', n.status, 'lastError', n.last_error,
    'rateLimitPerSecond', n.rate_limit_per_second, 'active', n.is_active,
    'createdAt', iso_utc(n.created_at), 'updatedAt', iso_utc(n.updated_at))
$$;
