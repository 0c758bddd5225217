-- Helpers for reading MongoDB Extended JSON v2 (relaxed) and Airtable values in the models.
-- Inline SQL functions (one expression) so the planner folds them into each query; it does so only
-- when a function is marked as volatile as its body is (an immutable one calling stable ones is not).
-- The safe casts they use (migration.try_<type>) are the migrations' (migrations/ddl/safe_casts.sql):
-- the Luma sync and the gates need them too, and load none of these. Those open a subtransaction,
-- which no process of a parallel query may, so ts() and num() are PARALLEL UNSAFE like them.

create schema if not exists staging;
create schema if not exists intermediate;

-- an ObjectId reference: {"$oid": "hex"} or, in older documents, the hex string itself
create or replace function staging.oid(v jsonb) returns text
language sql immutable parallel safe as $$
  select case jsonb_typeof(v)
           when 'object' then lower(v->>'$oid')
           when 'string' then case when v #>> '{}' ~* '^[0-9a-f]{24}$' then lower(v #>> '{}') end
         end
$$;

-- a datetime: {"$date": "ISO"} / {"$date": {"$numberLong": ms}} / an ISO string; null when it does
-- not parse or lies outside years 1..9999 (what Python can represent). Stable, as the text ->
-- timestamptz cast is: marked immutable it was not inlined and cost ~13 µs a value, ~4 µs inlined
-- (200k rows, PostgreSQL 16).
create or replace function staging.ts(v jsonb) returns timestamptz
language sql stable parallel unsafe as $$
  select case
           when jsonb_typeof(v) = 'object' and jsonb_typeof(v->'$date') = 'string'
                and (v->>'$date') ~ '^\d{4}-'
             then migration.try_timestamptz(v->>'$date')
           when jsonb_typeof(v) = 'object' and jsonb_typeof(v->'$date') = 'object'
                and migration.try_numeric(v->'$date'->>'$numberLong') between -62135596800000 and 253402300799999
             then to_timestamp((v->'$date'->>'$numberLong')::numeric / 1000)
           when jsonb_typeof(v) = 'object' and jsonb_typeof(v->'$date') = 'number'
                and (v->>'$date')::numeric between -62135596800000 and 253402300799999
             then to_timestamp((v->>'$date')::numeric / 1000)
           when jsonb_typeof(v) = 'string' and (v #>> '{}') ~ '^\d{4}-'
             then migration.try_timestamptz(v #>> '{}')
         end
$$;

-- a UTC timestamp without time zone, as the hello_miami columns hold it
create or replace function staging.utc(t timestamptz) returns timestamp
language sql immutable parallel safe as $$
  select t at time zone 'UTC'
$$;

-- a number: plain JSON number, {"$numberDecimal"|"$numberLong"|"$numberInt"|"$numberDouble"}, or a
-- numeric string; null otherwise (NaN/Infinity included)
create or replace function staging.num(v jsonb) returns numeric
language sql immutable parallel unsafe as $$
  select case
           when jsonb_typeof(v) = 'number' then (v #>> '{}')::numeric
           when jsonb_typeof(v) = 'object'
                and lower(coalesce(v->>'$numberDecimal', v->>'$numberLong', v->>'$numberInt', v->>'$numberDouble')) not in ('nan', 'infinity', '-infinity')
             then migration.try_numeric(coalesce(v->>'$numberDecimal', v->>'$numberLong', v->>'$numberInt', v->>'$numberDouble'))
           when jsonb_typeof(v) = 'string'
                and lower(v #>> '{}') not in ('nan', 'infinity', '-infinity')
             then migration.try_numeric(v #>> '{}')
         end
$$;

-- a boolean: JSON true/false; anything else is null (callers decide the default)
create or replace function staging.bool(v jsonb) returns boolean
language sql immutable parallel safe as $$
  select case jsonb_typeof(v) when 'boolean' then (v #>> '{}')::boolean end
$$;

-- a text value: strings as they are, scalars as their text, null/absent as null
create or replace function staging.txt(v jsonb) returns text
language sql immutable parallel safe as $$
  select case jsonb_typeof(v)
           when 'string' then v #>> '{}'
           when 'number' then v #>> '{}'
           when 'boolean' then v #>> '{}'
         end
$$;

-- an array that must be a JSON array (skills, tags): anything else becomes []
create or replace function staging.arr(v jsonb) returns jsonb
language sql immutable parallel safe as $$
  select case jsonb_typeof(v) when 'array' then v else '[]'::jsonb end
$$;

-- the first record id of an Airtable link (a link is always an array; tolerate a bare string)
create or replace function staging.link(v jsonb) returns text
language sql immutable parallel safe as $$
  select nullif(trim(case jsonb_typeof(v) when 'array' then v->>0 when 'string' then v #>> '{}' end), '')
$$;

-- the creation time embedded in an ObjectId (its first four bytes, seconds since the epoch)
create or replace function staging.oid_time(id text) returns timestamptz
language sql immutable parallel safe as $$
  select case when id ~* '^[0-9a-f]{24}$'
              then to_timestamp(('x' || lpad(substr(id, 1, 8), 16, '0'))::bit(64)::bigint) end
$$;

-- Extended JSON -> plain JSON for values stored as jsonb in the target (payloads, responses,
-- questions): {"$oid"} -> hex, {"$date": "ISO"} -> the ISO text, {"$numberLong|Int|Decimal"} -> number.
-- Done on jsonb's canonical text form (set-based, no recursion): inside a JSON string the quotes
-- are escaped, so the patterns only ever match real wrapper objects.
create or replace function staging.plain(v jsonb) returns jsonb
language sql immutable parallel safe as $$
  select regexp_replace(regexp_replace(regexp_replace(v::text,
           '\{"\$oid": ("[0-9a-fA-F]{24}")\}', '\1', 'g'),
           '\{"\$date": ("[^"\\]*")\}', '\1', 'g'),
           '\{"\$number(?:Long|Int|Decimal)": "(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"\}', '\1', 'g')::jsonb
$$;
