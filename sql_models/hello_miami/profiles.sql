-- One profile per normalized lumaEmail (the primary's values); '' Clerk ids are null, and a Clerk
-- id held by an earlier profile is null here.
select
    target_id as id, stored_clerk_user_id as clerk_user_id, luma_email, verification_status, is_app_admin,
    luma_attendee_id, bio, skills, github_username, twitter_handle, website_url, role,
    seeking_funding, open_to_mentoring, streak_count, onboarding_dismissed, created_at, updated_at
from intermediate.int_hello_miami__profiles
where outcome = 'migrated'
