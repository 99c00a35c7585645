-- Debtors as the API shows them: days overdue from the due date (each day, in the session's
-- time zone: the CRM worker sets CRM_TIMEZONE), priority by the rule in PRODUCT.md.

create function priority_of(days integer) returns text language sql immutable as $$
  select case when days > 90 then 'URGENTE' when days > 30 then 'ALTA'
              when days > 15 then 'MEDIA' else 'BAJA' end
$$;

create function debtor_days(d debtors) returns integer language sql stable as $$
  select case when d.due_date is null then d.days_overdue
              else greatest(0, current_date - d.due_date) end
$$;

create function debtor_json(d debtors) returns json language sql stable as $$
  select json_build_object(
    'id', d.id, 'fullName', d.full_name, 'documentType', d.document_type,
    'documentNumber', d.document_number,
    'phones', coalesce((select json_agg(p.phone order by p.is_primary desc, p.phone)
                          from debtor_phones p where p.debtor_id = d.id), '[]'),
    'email', d.email, 'debtAmount', d.debt_amount, 'currency', d.currency,
    'dueDate', d.due_date, 'daysOverdue', debtor_days(d),
    'priority', priority_of(debtor_days(d)), 'collectionStatus', d.collection_status,
    'tags', d.tags, 'optedOut', d.opted_out, 'consent', d.consent,
    'assignedAgentId', d.assigned_agent_id, 'createdAt', iso_utc(d.created_at),
    'updatedAt', iso_utc(d.updated_at))
$$;

create index debtors_name on debtors (lower(full_name));
create index debtors_status on debtors (collection_status);
create index debtors_agent on debtors (assigned_agent_id);
create index debtors_tags on debtors using gin (tags);
