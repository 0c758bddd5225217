-- migration.stable_id(app, tbl, source_key): the target uuid of a source record, the same in every
-- run and on every server. No extension is available (no uuid-ossp), so it is built from the core
-- sha256(): the first 128 bits of sha256('app/tbl/source_key'), stamped with version 5 and the
-- RFC 4122 variant like a name-based uuid. strict: a null part gives a null id, never a shared one.
-- app and tbl never contain '/' (they are fixed names), so the joined text is unambiguous.
-- Alembic 0002 installs this file; the ids are a contract across runs, so never edit the body.
create or replace function migration.stable_id(app text, tbl text, source_key text)
returns uuid
language sql
immutable strict parallel safe
as $fn$
    with digest as (
        select encode(sha256(convert_to(app || '/' || tbl || '/' || source_key, 'UTF8')), 'hex') as hex
    )
    select (
        substr(hex, 1, 12)
        || '5'
        || substr(hex, 14, 3)
        || substr('89ab', (('x' || substr(hex, 17, 1))::bit(4)::int % 4) + 1, 1)
        || substr(hex, 18, 15)
    )::uuid
      from digest
$fn$;
