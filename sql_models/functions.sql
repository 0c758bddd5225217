-- Helpers for reading MongoDB Extended JSON v2 (relaxed) and Airtable values in the models.
-- Inline SQL functions (one expression) so the planner folds them into each query; it does so only
-- when a function is marked as volatile as its body is (an immutable one calling stable ones is not).
-- The value readers staging.txt / ts / utc / num / bool, and the safe casts they use
-- (migration.try_<type>), are the migrations' (migrations/ddl/json_readers.sql, safe_casts.sql):
-- the Luma sync and the gates need them too, and load none of these.

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

-- SPEC §4: no value is changed silently. A value_fixes entry {field, original, stored, reason}
-- when `changed`, null otherwise; models gather them in a `fixes` column (array_remove(array[…],
-- null)) and int_*__value_fixes records those of migrated records. `original` is the source value
-- as text (strings as they are, anything else as its JSON), `stored` the candidate's value as text.
-- Stable, not immutable (jsonb_build_object is stable), and each argument cheap to repeat, so the
-- planner inlines these into the model's query: a function call per field and row cost 30x the
-- staging models' time (bench at scale 10).
create or replace function staging.fix_if(changed boolean, field text, original jsonb, stored text, reason text) returns jsonb
language sql stable parallel safe as $$
  select case when changed then jsonb_build_object(
           'field', field,
           'original', case jsonb_typeof(original) when 'string' then original #>> '{}' else original::text end,
           'stored', stored, 'reason', reason) end
$$;

-- The common cases: the source holds a value (present, not JSON null) that does not read as the
-- field's type, so a default or fallback (`stored`) took its place. A value that is absent or null
-- takes SPEC §4's default without a record: nothing was there to change.
create or replace function staging.text_fix(field text, v jsonb, stored text) returns jsonb
language sql stable parallel safe as $$
  select staging.fix_if(jsonb_typeof(v) in ('object', 'array'), field, v, stored, 'not text')
$$;

create or replace function staging.bool_fix(field text, v jsonb, stored text) returns jsonb
language sql stable parallel safe as $$
  select staging.fix_if(jsonb_typeof(v) not in ('boolean', 'null'), field, v, stored, 'not true/false')
$$;

-- the same with the date as the model already read it (`read` = staging.ts(v)): a date is the
-- costliest value to read, so the models read each once (a lateral `dates` beside the document,
-- `offset 0` so that the planner does not copy the read into every use)
create or replace function staging.date_fix(field text, v jsonb, read timestamptz, stored text) returns jsonb
language sql stable parallel safe as $$
  select staging.fix_if(jsonb_typeof(v) <> 'null' and read is null, field, v, stored, 'not a date in years 1-9999')
$$;

create or replace function staging.date_fix(field text, v jsonb, stored text) returns jsonb
language sql stable parallel safe as $$
  select staging.date_fix(field, v, staging.ts(v), stored)
$$;

-- a plain JSON integer of at most 9 digits: an int4 as it is (the common case, read without
-- staging.num's validation)
create or replace function staging.small_int(v jsonb) returns boolean
language sql immutable parallel safe as $$
  select jsonb_typeof(v) = 'number' and (v #>> '{}') ~ '^-?[0-9]{1,9}$'
$$;

-- a whole number in integer range (counts, minutes): the number with any fraction dropped; null
-- when it is no number or outside integer range (a cast would abort the whole model)
create or replace function staging.int4(v jsonb) returns integer
language sql immutable parallel safe as $$
  select case when staging.small_int(v) then (v #>> '{}')::integer
              when trunc(staging.num(v)) between -2147483648 and 2147483647 then trunc(staging.num(v))::integer end
$$;

-- an integer field: not a number (or beyond integer range), or a fraction dropped
create or replace function staging.int_fix(field text, v jsonb, stored text) returns jsonb
language sql stable parallel safe as $$
  select case when not staging.small_int(v) then
           staging.fix_if(jsonb_typeof(v) <> 'null' and coalesce(staging.int4(v) <> staging.num(v), true), field, v, stored,
             case when staging.int4(v) is null then 'not a number in integer range' else 'fraction dropped' end) end
$$;

-- an array field (skills, tags): anything but an array is recorded as replaced by []
create or replace function staging.arr_fix(field text, v jsonb) returns jsonb
language sql stable parallel safe as $$
  select staging.fix_if(jsonb_typeof(v) not in ('array', 'null'), field, v, '[]', 'not an array')
$$;

-- Rows already live (SPEC §4): whether the live row wins the fields of `target_table`
-- ('<app>.<table>'), as the run configured it (cutover.live_wins: pipelines/registry.py live_wins)
create or replace function staging.live_wins(target_table text) returns boolean
language sql stable parallel safe as $$
  select target_table = any(string_to_array(coalesce(current_setting('cutover.live_wins', true), ''), ','))
$$;

-- one field of a source record matched to a live row: the winner's value where it holds one, else
-- the other's (the winner is the live row where staging.live_wins says so, else the source).
-- anycompatible: a live varchar(n) column meets the source's text (the result is text, and the
-- candidate column's width judges it as for any source value); the earlier anyelement version,
-- which required one type, is dropped so that a call never matches two.
drop function if exists staging.field_rule(boolean, anyelement, anyelement);
create or replace function staging.field_rule(live_wins boolean, live_value anycompatible, source_value anycompatible) returns anycompatible
language sql immutable parallel safe as $$
  select case when live_wins then coalesce(live_value, source_value) else coalesce(source_value, live_value) end
$$;

-- Rows already live (SPEC §4): the fields where a live row and the source record matched to it
-- both hold a value and the values differ (whichever the table's rule stored); left = the live
-- value, right = the source's. Compared: the live row's fields, except the id and the bookkeeping
-- timestamps, which differ by nature (and a staging model's derived key, email_key).
create or replace function staging.live_differences(live_row jsonb, source_row jsonb)
returns table (field text, left_value jsonb, right_value jsonb)
language sql immutable parallel safe as $$
  select f.key, f.value, source_row->f.key
  from jsonb_each(live_row) as f
  where f.key not in ('id', 'email_key', 'created_at', 'updated_at', 'last_synced_at')
    and jsonb_typeof(f.value) <> 'null' and jsonb_typeof(source_row->f.key) <> 'null'
    and f.value <> source_row->f.key
$$;

-- a conflict's value as migration.conflicts records it: a string as it is, anything else as its JSON
create or replace function staging.value_text(v jsonb) returns text
language sql immutable parallel safe as $$
  select case jsonb_typeof(v) when 'string' then v #>> '{}' else v::text end
$$;
