-- Hello Miami's live attendance as the dry-run landed them (raw_live_hello_miami): unchanged (SPEC §4
-- "Rows already live").
-- index: member_id
select * from raw_live_hello_miami.attendance
