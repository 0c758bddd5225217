-- The events a Luma landing wrote (its loads rewrite every listed row's _dlt_load_id, the listing
-- being whole) that start in the sync window, bounds inclusive as Luma's period filters are.
select api_id, updated_at
  from raw_luma.events
 where _dlt_load_id = any(%(load_ids)s)
   and start_at between %(start)s::timestamptz and %(end)s::timestamptz
