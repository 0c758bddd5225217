-- Safe casts: migration.try_{type}(text) is the text cast to {type}, or null where the cast would
-- raise a data exception (SQLSTATE class 22: bad format, out of range, unknown time zone, bad
-- JSON). They replace pg_input_is_valid(), which exists only from PostgreSQL 16 on; the project
-- runs on 15 to 18. Alembic 0004 installs this file once per type: try_timestamptz, try_date,
-- try_numeric, try_jsonb (migrations/versions/0004_safe_casts.py, TYPES, with their volatility).
--
-- Cost: the exception block opens a subtransaction per call, about 0.6 µs on top of the cast
-- (pg_input_is_valid + cast: ~0.4 µs; this: ~1.0 µs a timestamptz, 300k values). A pattern
-- that proves the text valid before casting was tried and dropped: PostgreSQL's regex engine takes
-- 0.5-2 µs to match an ISO timestamp, more than the subtransaction it would save.
--
-- Volatility ({volatility} here) is the cast's: text -> timestamptz / date reads TimeZone and DateStyle (stable),
-- numeric and jsonb input read nothing (immutable). PARALLEL UNSAFE, as PostgreSQL's manual asks of
-- an exception block: no process of a parallel query may open a subtransaction, not even the leader
-- ("cannot start subtransactions during a parallel operation"), so a query calling these runs
-- without parallel workers.

create or replace function migration.try_{type}(v text) returns {type}
language plpgsql {volatility} strict parallel unsafe as $fn$
begin
    return v::{type};
exception when data_exception then
    return null;
end
$fn$;
