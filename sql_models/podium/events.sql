-- Events that passed every check, owner re-pointed to the primary user.
select
    target_id as id, airtable_id, left(name, 255) as name, slug, description, join_code,
    votable, leaderboard_enabled, demo_links_optional, ysws_checks_enabled,
    left(feature_flags_csv, 500) as feature_flags_csv, owner_id
from intermediate.int_podium__events
where outcome = 'migrated'
