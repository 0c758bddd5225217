-- The JSON value readers every model uses (Extended JSON v2 relaxed, Airtable and Luma values), and
-- the one reading of Luma uses (luma_events.sql, luma_guests.sql). Alembic 0006 installs them,
-- rather than the models' run-time helpers (sql_models/functions.sql) as before, because the Luma
-- sync reads Luma through them too and never loads the models' helpers. In schema `staging` as
-- they always were, so every model calls them by the same names. Inline SQL functions (one
-- expression): the planner folds them into each query only when a function is marked as volatile
-- as its body is. The safe casts (migration.try_<type>) open a subtransaction, which no process of a parallel query may, so
-- ts() and num() are PARALLEL UNSAFE like them.

create schema if not exists staging;

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

