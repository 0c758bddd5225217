-- Hello Miami profiles: Extended JSON unwrapped; lumaEmail normalized as the identity key;
-- createdAt falls back to the ObjectId's time, updatedAt to createdAt. `fixes`: every value the
-- source holds that is stored otherwise (see staging.fix_if).
-- index: mongo_id
with raw_profiles as (
    select _id, document from raw_mongo.profiles
),
typed as (
    select
        lower(_id) as mongo_id,
        nullif(lower(trim(staging.txt(document->'lumaEmail'))), '') as luma_email,
        staging.txt(document->'clerkUserId') as clerk_user_id_raw,
        nullif(staging.txt(document->'clerkUserId'), '') as clerk_user_id,
        coalesce(staging.txt(document->'verificationStatus'), 'pending') as verification_status,
        coalesce(staging.bool(document->'isAppAdmin'), false) as is_app_admin,
        nullif(staging.txt(document->'lumaAttendeeId'), '') as luma_attendee_id,
        staging.txt(document->'bio') as bio,
        staging.arr(document->'skills') as skills,
        staging.txt(document->'githubUsername') as github_username,
        staging.txt(document->'twitterHandle') as twitter_handle,
        staging.txt(document->'websiteUrl') as website_url,
        staging.txt(document->'role') as role,
        coalesce(staging.bool(document->'seekingFunding'), false) as seeking_funding,
        coalesce(staging.bool(document->'openToMentoring'), false) as open_to_mentoring,
        coalesce(staging.int4(document->'streakCount'), 0) as streak_count,
        coalesce(staging.bool(document->'onboardingDismissed'), false) as onboarding_dismissed,
        staging.utc(coalesce(dates."createdAt", staging.oid_time(_id))) as created_at,
        staging.utc(dates."updatedAt") as updated_at_raw,
        document, dates.*
    from raw_profiles
    cross join lateral (select staging.ts(document->'createdAt') as "createdAt", staging.ts(document->'updatedAt') as "updatedAt" offset 0) as dates
)
select
    mongo_id, luma_email, clerk_user_id_raw, clerk_user_id, verification_status, is_app_admin,
    luma_attendee_id, bio, skills, github_username, twitter_handle, website_url, role,
    seeking_funding, open_to_mentoring, streak_count, onboarding_dismissed,
    created_at, updated_at,
    array_remove(array[
        staging.text_fix('verificationStatus', document->'verificationStatus', verification_status),
        staging.bool_fix('isAppAdmin', document->'isAppAdmin', is_app_admin::text),
        staging.bool_fix('seekingFunding', document->'seekingFunding', seeking_funding::text),
        staging.bool_fix('openToMentoring', document->'openToMentoring', open_to_mentoring::text),
        staging.bool_fix('onboardingDismissed', document->'onboardingDismissed', onboarding_dismissed::text),
        staging.text_fix('bio', document->'bio', null),
        staging.text_fix('githubUsername', document->'githubUsername', null),
        staging.text_fix('twitterHandle', document->'twitterHandle', null),
        staging.text_fix('websiteUrl', document->'websiteUrl', null),
        staging.text_fix('role', document->'role', null),
        staging.arr_fix('skills', document->'skills'),
        staging.int_fix('streakCount', document->'streakCount', streak_count::text),
        staging.date_fix('createdAt', document->'createdAt', "createdAt", created_at::text),
        staging.date_fix('updatedAt', document->'updatedAt', "updatedAt", updated_at::text)
    ], null) as fixes
from (select typed.*, coalesce(updated_at_raw, created_at) as updated_at from typed) as typed
