-- Demo data for ./scripts/run: idempotent (re-running changes nothing).
-- The agents' password hash comes in as the setting crm.demo_agent_hash.
insert into campaigns (name, description, strategy, required_skills, max_chats_per_agent)
values ('Cartera Demo', 'Campaña de demostración: cartera vencida de consumo', 'least_busy',
        '{}', 5)
on conflict (name) do nothing;

insert into users (email, password_hash, full_name, role_id, status, max_concurrent_chats, skills)
select v.email, current_setting('crm.demo_agent_hash'), v.full_name, r.id, 'offline', 5, v.skills
  from (values ('gestor1@demo.crm', 'Laura Gómez', array['cobranza', 'negociacion']),
               ('gestor2@demo.crm', 'Andrés Rojas', array['cobranza']),
               ('gestor3@demo.crm', 'Camila Torres', array['cobranza', 'legal']),
               ('supervisor@demo.crm', 'Jorge Martínez', array[]::text[])) as v(email, full_name, skills)
  join roles r on r.name = case when v.email like 'supervisor%' then 'supervisor' else 'agent' end
on conflict (lower(email)) do nothing;

insert into campaign_agents (campaign_id, user_id)
select c.id, u.id from campaigns c, users u
 where c.name = 'Cartera Demo' and u.email like 'gestor%@demo.crm'
on conflict do nothing;

insert into whatsapp_numbers (name, phone_number, provider, campaign_id, meta_phone_number_id,
                              status)
select 'Línea Demo Meta', '+573000000001', 'meta', c.id, '100000000000001', 'connected'
  from campaigns c where c.name = 'Cartera Demo'
on conflict (phone_number) do nothing;

insert into debtors (full_name, document_type, document_number, email, debt_amount, currency,
                     due_date, days_overdue, collection_status, tags)
values ('María Fernanda López', 'CC', '1010101010', 'maria.lopez@example.com', 1250000, 'COP',
        current_date - 120, 120, 'pending', '{tarjeta}'),
       ('Carlos Andrés Pérez', 'CC', '2020202020', null, 480000, 'COP',
        current_date - 45, 45, 'contacted', '{libranza}'),
       ('Ana Lucía Restrepo', 'CC', '3030303030', 'ana.restrepo@example.com', 2300000, 'COP',
        current_date - 20, 20, 'promise', '{consumo}'),
       ('Juan Sebastián Díaz', 'CE', '4040404040', null, 150000, 'COP',
        current_date - 5, 5, 'pending', '{}'),
       ('Diana Marcela Vargas', 'CC', '5050505050', null, 3100000, 'COP',
        current_date - 200, 200, 'legal', '{tarjeta,legal}')
on conflict (document_number) do nothing;

insert into debtor_phones (debtor_id, phone, is_primary)
select d.id, v.phone, true
  from (values ('1010101010', '+573001112233'), ('2020202020', '+573002223344'),
               ('3030303030', '+573003334455'), ('4040404040', '+573004445566'),
               ('5050505050', '+573005556677')) as v(doc, phone)
  join debtors d on d.document_number = v.doc
on conflict do nothing;
