"""Catalog work for the schema swap: tables, row counts, locks, renames, ownership and grants.

Renaming a schema keeps everything inside it (tables, indexes, constraints, their owners and
grants), so after `podium_next` becomes `podium` the live schema would carry the candidate's
grants. The applications' roles were granted on the old live schema; `take_acl` / `give_acl`
copy that schema's owner, ACL and default privileges, and every table's owner and ACL, onto the
schema that replaces it. Column-level grants are not copied (the applications use none).
The fresh candidate schemas come from the migrations' DDL code (migrations.ddl.create_app_schema).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from psycopg import sql

# relkinds whose ownership and grants matter: tables, partitioned tables, views, sequences
_RELKINDS = ("r", "p", "v", "m", "S", "f")
# pg_default_acl object type -> the word ALTER DEFAULT PRIVILEGES uses
_DEFAULT_ACL_OBJECTS = {"r": "tables", "S": "sequences", "f": "functions", "T": "types"}


def schema_exists(conn, schema: str) -> bool:
    return conn.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone() is not None


def tables(conn, schema: str) -> list[str]:
    """Ordinary and partitioned tables of `schema`, sorted by name."""
    rows = conn.execute(
        """
        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = %s and c.relkind in ('r', 'p') and not c.relispartition
         order by c.relname
        """,
        (schema,),
    ).fetchall()
    return [r[0] for r in rows]


def row_counts(conn, schema: str) -> dict[str, int]:
    """Exact row count of every table of `schema` (count(*), not the planner's estimate)."""
    counts = {}
    for table in tables(conn, schema):
        query = sql.SQL("select count(*) from {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        counts[table] = conn.execute(query).fetchone()[0]
    return counts


def lock_schemas(conn, schemas: list[str]) -> None:
    """ACCESS EXCLUSIVE on every table: readers queue behind the swap instead of reading a table
    that is being renamed away, and no writer slips a row in between count and commit."""
    names = [sql.SQL("{}.{}").format(sql.Identifier(s), sql.Identifier(t)) for s in schemas if schema_exists(conn, s) for t in tables(conn, s)]
    if names:
        conn.execute(sql.SQL("lock table {} in access exclusive mode").format(sql.SQL(", ").join(names)))


def rename_schema(conn, old: str, new: str) -> None:
    conn.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(old), sql.Identifier(new)))


def drop_schema(conn, schema: str) -> None:
    conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))


@dataclass
class Acl:
    """Owner and privileges of one schema and its tables, as catalog facts (role names)."""

    owner: str
    grants: set = field(default_factory=set)  # (grantee or 'PUBLIC', privilege, grantable)
    defaults: list = field(default_factory=list)  # (for_role, objtype, grantee, privilege, grantable)
    relations: dict = field(default_factory=dict)  # relname -> (relkind, owner, grants)


def _grants(conn, acl_sql: str, params) -> set:
    rows = conn.execute(
        f"""
        select coalesce(pg_get_userbyid(nullif(a.grantee, 0)), 'PUBLIC'), a.privilege_type, a.is_grantable
          from ({acl_sql}) src(acl), aclexplode(src.acl) a
        """,
        params,
    ).fetchall()
    return {tuple(r) for r in rows}


def take_acl(conn, schema: str) -> Acl:
    owner = conn.execute("select pg_get_userbyid(nspowner) from pg_namespace where nspname = %s", (schema,)).fetchone()[0]
    acl = Acl(owner=owner, grants=_grants(conn, "select nspacl from pg_namespace where nspname = %s", (schema,)))
    acl.defaults = [
        tuple(r)
        for r in conn.execute(
            """
            select pg_get_userbyid(d.defaclrole), d.defaclobjtype,
                   coalesce(pg_get_userbyid(nullif(a.grantee, 0)), 'PUBLIC'), a.privilege_type, a.is_grantable
              from pg_default_acl d join pg_namespace n on n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a
             where n.nspname = %s
            """,
            (schema,),
        ).fetchall()
    ]
    rels = conn.execute(
        """
        select c.relname, c.relkind, pg_get_userbyid(c.relowner), c.oid
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = %s and c.relkind = any(%s)
        """,
        (schema, list(_RELKINDS)),
    ).fetchall()
    for relname, relkind, relowner, oid in rels:
        grants = _grants(conn, "select relacl from pg_class where oid = %s", (oid,))
        acl.relations[relname] = (relkind, relowner, grants)
    return acl


def _role(name: str):
    return sql.SQL("public") if name == "PUBLIC" else sql.Identifier(name)


def _diff(conn, on: sql.Composable, current: set, wanted: set, owner: str) -> None:
    """Grant what `wanted` has and `current` lacks, revoke the rest (the owner's own rights stay)."""
    for grantee, privilege, grantable in sorted(current - wanted):
        if grantee == owner:
            continue
        conn.execute(sql.SQL("revoke {} on {} from {} cascade").format(sql.SQL(privilege), on, _role(grantee)))
    for grantee, privilege, grantable in sorted(wanted - current):
        option = sql.SQL(" with grant option") if grantable else sql.SQL("")
        conn.execute(sql.SQL("grant {} on {} to {}{}").format(sql.SQL(privilege), on, _role(grantee), option))


def give_acl(conn, schema: str, acl: Acl) -> None:
    """Make `schema` (and its tables of the same names) owned and granted as `acl` records."""
    target = sql.SQL("schema {}").format(sql.Identifier(schema))
    conn.execute(sql.SQL("alter schema {} owner to {}").format(sql.Identifier(schema), sql.Identifier(acl.owner)))
    _diff(conn, target, take_acl(conn, schema).grants, acl.grants, acl.owner)
    for for_role, objtype, grantee, privilege, grantable in acl.defaults:
        word = _DEFAULT_ACL_OBJECTS.get(objtype)
        if word is None:
            continue
        option = sql.SQL(" with grant option") if grantable else sql.SQL("")
        conn.execute(
            sql.SQL("alter default privileges for role {} in schema {} grant {} on {} to {}{}").format(
                sql.Identifier(for_role), sql.Identifier(schema), sql.SQL(privilege), sql.SQL(word), _role(grantee), option
            )
        )
    now = take_acl(conn, schema).relations
    for relname, (relkind, owner, grants) in acl.relations.items():
        if relname not in now:
            continue
        kind = sql.SQL("sequence" if relkind == "S" else "view" if relkind == "v" else "materialized view" if relkind == "m" else "table")
        name = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(relname))
        if now[relname][1] != owner:
            conn.execute(sql.SQL("alter {} {} owner to {}").format(kind, name, sql.Identifier(owner)))
        current = take_acl_relation(conn, schema, relname)
        on = sql.SQL("sequence {}").format(name) if relkind == "S" else sql.SQL("table {}").format(name)
        _diff(conn, on, current, grants, owner)


def take_acl_relation(conn, schema: str, relname: str) -> set:
    return _grants(
        conn,
        "select c.relacl from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = %s and c.relname = %s",
        (schema, relname),
    )


def row_counts_of(conn, schema: str, table: str) -> int:
    query = sql.SQL("select count(*) from {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    return conn.execute(query).fetchone()[0]
