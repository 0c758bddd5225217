-- Hello Miami's received Luma webhooks, payload kept whole (as plain JSON). `fixes`: see staging.fix_if.
-- index: mongo_id
with raw_luma_webhooks as (
    select _id, document from raw_mongo.luma_webhooks
),
typed as (
    select
        lower(_id) as mongo_id,
        coalesce(staging.txt(document->'type'), '') as type,
        coalesce(staging.plain(document->'payload'), 'null'::jsonb) as payload,
        staging.txt(document->'signature') as signature,
        staging.utc(coalesce(dates."receivedAt", dates."createdAt", staging.oid_time(_id)))
            as received_at,
        document, dates.*
    from raw_luma_webhooks
    cross join lateral (select staging.ts(document->'receivedAt') as "receivedAt", staging.ts(document->'createdAt') as "createdAt" offset 0) as dates
)
select mongo_id, type, payload, signature, received_at,
       array_remove(array[
           staging.text_fix('type', document->'type', type),
           staging.text_fix('signature', document->'signature', null),
           staging.date_fix('receivedAt', document->'receivedAt', "receivedAt", received_at::text)
       ], null) as fixes
from typed
