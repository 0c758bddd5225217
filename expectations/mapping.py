"""The source fields the mapping reads (SPEC §2), per source table: the land gate's field contract.

Airtable: a field missing from the base's schema fails the gate (the original backfill read
`feature_flags`, which did not exist, and migrated every event's flags as empty). Without a schema
(a snapshot lacking schema.json, MongoDB, Luma), a field present in no record is a warning: a field
that is empty everywhere is absent from every record, so absence alone cannot be an error.
"""

AIRTABLE = {
    "users": ["email", "display_name", "first_name", "last_name", "phone", "street_1", "street_2", "city",
              "state", "zip_code", "country", "dob", "attending_events"],
    "events": ["name", "description", "slug", "join_code", "votable", "leaderboard_enabled", "demo_links_optional",
               "ysws_checks_enabled", "feature_flags_csv", "owner", "attendees"],
    "projects": ["name", "repo", "image_url", "demo", "description", "hours_spent", "points", "join_code",
                 "cached_auto_quality", "event", "owner", "collaborators"],
    "votes": ["voter", "project", "event"],
    "referrals": ["content", "user", "event"],
}

MONGO = {
    "profiles": ["clerkUserId", "lumaEmail", "verificationStatus", "isAppAdmin", "lumaAttendeeId", "bio", "skills",
                 "githubUsername", "twitterHandle", "websiteUrl", "role", "seekingFunding", "openToMentoring",
                 "streakCount", "onboardingDismissed", "createdAt", "updatedAt"],
    "projects": ["memberId", "title", "description", "tags", "imageUrls", "githubUrl", "publicUrl"],
    "badges": ["name", "criteria"],
    "member_badges": ["memberId", "badgeId", "awardedAt"],
    "events": ["lumaEventId", "name", "description", "coverUrl", "url", "startAt", "endAt", "timezone", "location",
               "stats", "isCanceled"],
    "attendance": ["memberId", "lumaEventId", "status", "checkedInAt"],
    "pending_users": ["email", "name", "lumaAttendeeId", "subscribedAt", "approvedAt"],
    "luma_webhooks": ["type", "payload", "signature", "receivedAt"],
    "surveys": ["slug", "title", "description", "type", "isActive", "questions"],
    "survey_responses": ["surveyId", "memberId", "responses", "isComplete", "submittedAt"],
    "demo_slots": ["memberId", "eventId", "title", "description", "requestedTime", "durationMinutes", "status",
                   "confirmedByOrganizer"],
}

LUMA = {
    "events": ["name", "description", "cover_url", "url", "start_at", "end_at", "timezone", "geo_address_info",
               "is_canceled"],
    "guests": ["approval_status", "registered_at"],
}

# raw table -> (key columns, jsonb column holding the record, wrapper key of the wrapped Luma shape)
RAW_TABLES = {
    **{("airtable", t): (("id",), "fields", None) for t in AIRTABLE},
    **{("mongo", t): (("_id",), "document", None) for t in MONGO},
    ("luma", "events"): (("api_id",), "record", "event"),
    ("luma", "guests"): (("event_api_id", "api_id"), "record", "guest"),
}
FIELDS = {"airtable": AIRTABLE, "mongo": MONGO, "luma": LUMA}
# A Luma key listed again in one landing (pipelines/luma/source.py): the later entries are rows of
# raw_luma.duplicates, current while the row they repeat is of the same landing (same load id).
LUMA_DUPLICATES = {
    table: "select d.* from raw_luma.duplicates as d join raw_luma.{0} as k on k.api_id = d.api_id "
           "and k._dlt_load_id = d._dlt_load_id{1} where d.source_table = '{0}'".format(
               table, " and k.event_api_id = d.event_api_id" if table == "guests" else "")
    for table in ("events", "guests")
}
APPLICATION = {"airtable": "podium", "mongo": "hello_miami", "luma": "hello_miami"}
