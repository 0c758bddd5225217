-- Hello Miami's live profiles as the dry-run landed them (raw_live_hello_miami, the rows the
-- application wrote through Clerk sign-ins): unchanged, plus the natural key the matching reads.
-- index: id
-- index: email_key
-- index: clerk_user_id
select
    id, clerk_user_id, luma_email, verification_status, is_app_admin, luma_attendee_id, bio, skills,
    github_username, twitter_handle, website_url, role, seeking_funding, open_to_mentoring,
    streak_count, onboarding_dismissed, created_at, updated_at, linkedin_url, looking_for_cofounder,
    want_product_feedback, seeking_accelerator_intros, want_to_give_back, specialties,
    interested_experiences,
    lower(trim(luma_email)) as email_key
from raw_live_hello_miami.profiles
