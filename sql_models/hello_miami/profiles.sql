-- One profile per normalized lumaEmail (the primary's values); '' Clerk ids are null, and a Clerk
-- id held by an earlier profile is null here. Rows already live (SPEC §4): every live profile is
-- kept with its id; a primary matched to one (int_hello_miami__profiles.live_id) is that row, each
-- field by the table's rule (staging.live_wins: live wins for profiles unless configured otherwise,
-- the other side filling what the winner lacks). The columns only the application writes come
-- from the live row, or the table's default for a profile no live row holds.
with source as (
    select * from intermediate.int_hello_miami__profiles where outcome = 'migrated'
),
live as (
    select * from staging.stg_live_hello_miami__profiles
),
rule as (
    select staging.live_wins('hello_miami.profiles') as live_wins
)
select
    coalesce(l.id, s.target_id) as id,
    staging.field_rule(r.live_wins, l.clerk_user_id, s.stored_clerk_user_id) as clerk_user_id,
    staging.field_rule(r.live_wins, l.luma_email, s.luma_email) as luma_email,
    staging.field_rule(r.live_wins, l.verification_status, s.verification_status) as verification_status,
    staging.field_rule(r.live_wins, l.is_app_admin, s.is_app_admin) as is_app_admin,
    staging.field_rule(r.live_wins, l.luma_attendee_id, s.luma_attendee_id) as luma_attendee_id,
    staging.field_rule(r.live_wins, l.bio, s.bio) as bio,
    staging.field_rule(r.live_wins, l.skills, s.skills) as skills,
    staging.field_rule(r.live_wins, l.github_username, s.github_username) as github_username,
    staging.field_rule(r.live_wins, l.twitter_handle, s.twitter_handle) as twitter_handle,
    staging.field_rule(r.live_wins, l.website_url, s.website_url) as website_url,
    staging.field_rule(r.live_wins, l.role, s.role) as role,
    staging.field_rule(r.live_wins, l.seeking_funding, s.seeking_funding) as seeking_funding,
    staging.field_rule(r.live_wins, l.open_to_mentoring, s.open_to_mentoring) as open_to_mentoring,
    staging.field_rule(r.live_wins, l.streak_count, s.streak_count) as streak_count,
    staging.field_rule(r.live_wins, l.onboarding_dismissed, s.onboarding_dismissed) as onboarding_dismissed,
    staging.field_rule(r.live_wins, l.created_at, s.created_at) as created_at,
    staging.field_rule(r.live_wins, l.updated_at, s.updated_at) as updated_at,
    l.linkedin_url,
    coalesce(l.looking_for_cofounder, false) as looking_for_cofounder,
    coalesce(l.want_product_feedback, false) as want_product_feedback,
    coalesce(l.seeking_accelerator_intros, false) as seeking_accelerator_intros,
    coalesce(l.want_to_give_back, false) as want_to_give_back,
    coalesce(l.specialties, '[]'::jsonb) as specialties,
    coalesce(l.interested_experiences, '[]'::jsonb) as interested_experiences
from source as s
full join live as l on l.id = s.target_id
cross join rule as r
