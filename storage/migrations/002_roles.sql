-- The 48 permissions (12 modules x 4 actions) and the five system roles.
-- super_admin holds every permission; the other roles' grants come with the RBAC work.
insert into permissions (name, module, action)
select m || ':' || a, m, a
from unnest(array['users', 'roles', 'campaigns', 'whatsapp', 'chats', 'messages', 'queue', 'bot',
                  'debtors', 'tasks', 'reports', 'audit']) as m,
     unnest(array['create', 'read', 'update', 'delete']) as a
on conflict do nothing;

insert into roles (name, description, is_system) values
  ('super_admin', 'Administrador: acceso total', true),
  ('supervisor', 'Supervisor de cobranzas', true),
  ('agent', 'Gestor de cobranzas', true),
  ('quality', 'Calidad: solo lectura operativa', true),
  ('auditor', 'Auditoría: lectura de auditoría y reportes', true)
on conflict (name) do nothing;

insert into role_permissions (role_id, permission)
select r.id, p.name from roles r cross join permissions p where r.name = 'super_admin'
on conflict do nothing;
