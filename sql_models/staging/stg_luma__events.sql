-- Luma events, read as the sync reads them: migration.luma_events (migrations/ddl/luma_events.sql,
-- both entry shapes unwrapped, location mapped to the application's {type, name, address, lat, lng}).
-- reads: raw_luma.events
-- index: api_id
select * from migration.luma_events()
