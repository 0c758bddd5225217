-- The label fields of the listed keys of one raw table, in the order report_labels.LABELS names
-- them (the first non-empty one is shown). Keys compare lower-cased: MongoDB ids are listed as
-- lower(_id) (registry source_id), Airtable and Luma ids never differ only by case.
select lower(r.{key}::text) as key, array[{fields}]::text[] as labels
  from {raw} r
 where lower(r.{key}::text) = any(%(keys)s)
