-- name: required columns filled
-- severity: error
-- description: Columns the live schema declares not null are filled, and the text keys and names
-- description: SPEC §3/§4 require (NON_EMPTY in expectations/transform.py) are not empty.
-- {key}: the row's key as text; {tests}: one `case` per column naming it when empty; {cond}: some column is empty.
select {key} as key, 'empty: ' || concat_ws(', ', {tests}) as detail from {batch} where {cond}
