-- Hello Miami's live demo_slots as the dry-run landed them (raw_live_hello_miami): unchanged (SPEC §4
-- "Rows already live").
-- index: id
select * from raw_live_hello_miami.demo_slots
