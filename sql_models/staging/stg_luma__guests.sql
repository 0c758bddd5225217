-- Luma guests, read as the sync reads them: migration.luma_guests (migrations/ddl/luma_guests.sql,
-- both entry shapes unwrapped, email normalized, checked in when the guest or any ticket is, and the
-- guest's attendance status by SPEC §4).
-- reads: raw_luma.guests
-- index: event_api_id
-- index: email
select * from migration.luma_guests()
