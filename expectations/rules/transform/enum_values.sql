-- name: {column} in ({names})
-- severity: error
-- description: An enum-like column holds one of its known values (SPEC §3/§4; ENUMS in
-- description: expectations/transform.py).
-- {key}: the row's key as text; {label}: the column's name (a literal); {column}: plain, {quoted}: quoted;
-- {allowed}: the known values (literals).
select {key} as key, {label} || ' = ' || coalesce({quoted}::text, 'null') as detail
  from {batch} where {quoted} is null or {quoted}::text not in ({allowed})
