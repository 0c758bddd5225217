"""The eleven collections and the fields the SQL mapping reads from each (SPEC §2.2)."""

from __future__ import annotations

COLLECTIONS: tuple[str, ...] = (
    "profiles", "projects", "badges", "member_badges", "events", "attendance",
    "pending_users", "luma_webhooks", "surveys", "survey_responses", "demo_slots",
)

_COMMON = ["_id", "createdAt", "updatedAt"]

# Top-level field names per collection, as the staging models read them from `document`.
# Used by the land gate: a mapped field found in no document is a warning (documents omit fields).
MAPPED_FIELDS: dict[str, list[str]] = {
    "profiles": _COMMON + [
        "clerkUserId", "lumaEmail", "verificationStatus", "isAppAdmin", "lumaAttendeeId", "bio",
        "skills", "githubUsername", "twitterHandle", "websiteUrl", "role", "seekingFunding",
        "openToMentoring", "streakCount", "onboardingDismissed",
    ],
    "projects": _COMMON + ["memberId", "title", "description", "tags", "imageUrls", "githubUrl", "publicUrl"],
    # `icon` is the older name of iconAscii; documents carry one or the other.
    "badges": _COMMON + ["name", "iconAscii", "icon", "criteria"],
    "member_badges": _COMMON + ["memberId", "badgeId", "awardedAt"],
    "events": _COMMON + [
        "lumaEventId", "name", "description", "coverUrl", "url", "startAt", "endAt", "timezone",
        "location", "stats", "isCanceled", "lastSyncedAt",
    ],
    "attendance": _COMMON + ["memberId", "lumaEventId", "status", "checkedInAt"],
    "pending_users": _COMMON + ["email", "name", "lumaAttendeeId", "subscribedAt", "approvedAt"],
    "luma_webhooks": _COMMON + ["type", "payload", "signature", "receivedAt"],
    "surveys": _COMMON + ["slug", "title", "description", "type", "isActive", "questions"],
    "survey_responses": _COMMON + ["surveyId", "memberId", "responses", "isComplete", "submittedAt"],
    "demo_slots": _COMMON + [
        "memberId", "eventId", "title", "description", "requestedTime", "durationMinutes", "status",
        "confirmedByOrganizer",
    ],
}
