-- migration.stable_id(app, tbl, source_key): the target uuid of a source record, the same in every
-- run and on every server. No extension is available (no uuid-ossp), so it is built from the core
-- sha256(): the first 128 bits of sha256('app/tbl/source_key'), stamped with version 5 and the
-- RFC 4122 variant like a name-based uuid. strict: a null part gives a null id, never a shared one.
-- app and tbl never contain '/' (they are fixed names), so the joined text is unambiguous.
-- Alembic 0002 installs this file and 0016 re-installs it; the ids are a contract across runs, so
-- the body may change only to compute the same values (tests/test_stable_id.py pins them against
-- the Python twin, migrations/ddl/identity.py).
-- PL/pgSQL, not SQL: a SQL function that needs the digest twice cannot be inlined, and was run as
-- a planned query on every call (7.3 s per million ids here, against 1.6 s for this body, whose
-- one expression PL/pgSQL evaluates on its fast path); the transform computes millions of them.
create or replace function migration.stable_id(app text, tbl text, source_key text)
returns uuid
language plpgsql
immutable strict parallel safe
as $fn$
declare
    digest bytea := sha256(convert_to(app || '/' || tbl || '/' || source_key, 'UTF8'));
begin
    -- byte 6's high nibble is the version (5), byte 8's two high bits the variant (10)
    return encode(
        set_byte(set_byte(substring(digest from 1 for 16), 6, (get_byte(digest, 6) & 15) | 80),
                 8, (get_byte(digest, 8) & 63) | 128),
        'hex')::uuid;
end
$fn$;
