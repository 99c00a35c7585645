-- Time-range scans of messages (trends, the overview's last hour): a BRIN index is a few
-- pages for millions of rows and costs the append path almost nothing.
create index messages_created_brin on messages using brin (created_at);
create index payments_paid_on on payments (paid_on);
create index chats_opened on chats (opened_at);
