"""The sample's dirt, continued: SPEC §4 rules that tests/test_sample_dirt.py's RULES list leaves
out, each seen in the snapshot files themselves (read here from scratch, not through the
generator's bookkeeping) and counted the same in expected.json:

- a user without first_name (migrated with '', never dropped);
- a vote whose voter is a merged duplicate user (re-pointed to the primary), and the other links
  to merged users (referrals, event owners, project owners, attendees, collaborators);
- a MongoDB memberId that names a merged duplicate profile (re-pointed to the primary);
- text longer than its column (city, state, phone, first_name): recorded as a cut, not dropped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.sample.generate import generate

PERSONAL = ("display_name", "first_name", "last_name", "phone", "street_1", "street_2", "city",
            "state", "zip_code", "country", "dob")
PROFILE_COMPLETENESS = ("clerkUserId", "lumaAttendeeId", "bio", "skills", "githubUsername", "twitterHandle",
                        "websiteUrl", "role")
WIDTHS = {"first_name": 50, "last_name": 50, "phone": 20, "zip_code": 20, "city": 100, "state": 100,
          "country": 100, "display_name": 255, "street_1": 255, "street_2": 255}
SAMPLES = [(0.05, 42), (0.01, 3), (0.2, 7)]


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or v == [] or v == {}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _bson(path: Path) -> list[dict]:
    import bson

    opts = bson.CodecOptions(tz_aware=True, tzinfo=dt.timezone.utc,
                             datetime_conversion=bson.DatetimeConversion.DATETIME_AUTO)
    return bson.decode_all(path.read_bytes(), opts)


class Snapshot:
    """What the files say, by SPEC §4's rules, computed here without the generator or its oracle."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.expected = json.loads((out / "expected.json").read_text())
        at = out / "airtable"
        self.users = _jsonl(at / "users.jsonl")
        self.events = _jsonl(at / "events.jsonl")
        self.projects = _jsonl(at / "projects.jsonl")
        self.votes = _jsonl(at / "votes.jsonl")
        self.referrals = _jsonl(at / "referrals.jsonl")
        self.user_primary, self.merged_users = self._podium_primaries()
        self.mongo = {c: _bson(out / "mongo" / f"{c}.bson")
                      for c in ("profiles", "projects", "member_badges", "survey_responses", "attendance")}
        self.profile_primary, self.merged_profiles = self._profile_primaries()

    def _podium_primaries(self) -> tuple[dict, set]:
        """user id -> its primary's id (users with an email); the merged duplicates."""
        groups: dict[str, list[dict]] = defaultdict(list)
        for u in self.users:
            email = u["fields"].get("email")
            if not _blank(email) and len(email.strip()) <= 255:
                groups[email.strip().lower()].append(u)
        primary, merged = {}, set()
        for members in groups.values():
            members.sort(key=lambda u: (-sum(not _blank(u["fields"].get(k)) for k in PERSONAL),
                                        u["createdTime"], u["id"]))
            for u in members:
                primary[u["id"]] = members[0]["id"]
                if u is not members[0]:
                    merged.add(u["id"])
        return primary, merged

    def _profile_primaries(self) -> tuple[dict, set]:
        def created(p):
            v = p.get("createdAt")
            return v if isinstance(v, dt.datetime) else p["_id"].generation_time

        groups: dict[str, list[dict]] = defaultdict(list)
        for p in self.mongo["profiles"]:
            if not _blank(p.get("lumaEmail")):
                groups[p["lumaEmail"].strip().lower()].append(p)
        primary, merged = {}, set()
        for members in groups.values():
            members.sort(key=lambda p: (p.get("verificationStatus") != "verified",
                                        -sum(not _blank(p.get(k)) for k in PROFILE_COMPLETENESS),
                                        created(p), p["_id"]))
            for p in members:
                primary[p["_id"]] = members[0]["_id"]
                if p is not members[0]:
                    merged.add(p["_id"])
        return primary, merged

    def migrated_users(self) -> list[dict]:
        """Primaries and singles: the users that become rows of podium.users."""
        return [u for u in self.users if u["id"] in self.user_primary and u["id"] not in self.merged_users]

    def dirt(self, rule: str) -> int:
        return self.expected["dirt"].get(rule, 0)


@pytest.fixture(scope="module", params=SAMPLES, ids=lambda p: f"scale{p[0]}-seed{p[1]}")
def snap(request, tmp_path_factory) -> Snapshot:
    scale, seed = request.param
    out = tmp_path_factory.mktemp("dirt_more") / "snap"
    generate(out, scale, seed)
    return Snapshot(out)


def _link(value):
    return value[0] if isinstance(value, list) and value else None


# --- a person without a first name ---------------------------------------------------------------

def test_users_without_first_name_exist_and_migrate(snap):
    nameless = [u for u in snap.migrated_users() if _blank(u["fields"].get("first_name"))]
    assert nameless, "no migrating user lacks first_name"
    assert len(nameless) == snap.dirt("airtable.users: missing first_name")
    # they are people with an email: migrated (first_name ''), never quarantined for it
    assert all(not _blank(u["fields"].get("email")) for u in nameless)
    users = snap.expected["classification"]["airtable.users"]
    reasons = snap.expected["quarantine_reasons"]["airtable.users"]
    assert set(reasons) <= {"missing email", "email too long"}, reasons
    assert sum(reasons.values()) == users["quarantined"]
    assert users["migrated"] == len(snap.migrated_users()) == snap.expected["targets"]["podium.users"]


def test_a_user_without_first_name_exists_in_every_sample(tmp_path):
    generate(tmp_path / "s", 0.01, 5)
    s = Snapshot(tmp_path / "s")
    assert any(_blank(u["fields"].get("first_name")) for u in s.migrated_users())


def test_missing_first_name_dirt_equals_the_files_when_the_long_name_user_drew_none(tmp_path):
    generate(tmp_path / "s", 0.01, 12)
    s = Snapshot(tmp_path / "s")
    nameless = [u for u in s.migrated_users() if _blank(u["fields"].get("first_name"))]
    assert len(nameless) == s.dirt("airtable.users: missing first_name")


# --- links to a merged duplicate user ------------------------------------------------------------

def test_votes_whose_voter_is_a_merged_duplicate_are_re_pointed(snap):
    pr_ids = {p["id"] for p in snap.projects}
    ev_ids = {e["id"] for e in snap.events}
    assert snap.merged_users, "the sample has no duplicate user"
    complete = [v for v in snap.votes
                if _link(v["fields"].get("voter")) in snap.user_primary
                and _link(v["fields"].get("project")) in pr_ids and _link(v["fields"].get("event")) in ev_ids]
    pairs = Counter((snap.user_primary[_link(v["fields"]["voter"])], _link(v["fields"]["project"])) for v in complete)
    by_merged = [v for v in complete if _link(v["fields"]["voter"]) in snap.merged_users]
    re_pointed = [v for v in by_merged
                  if pairs[(snap.user_primary[v["fields"]["voter"][0]], v["fields"]["project"][0])] == 1]
    collapsed = [v for v in by_merged if v not in re_pointed]
    assert re_pointed, "no vote names a merged duplicate voter"
    assert len(re_pointed) == snap.dirt("airtable.votes: voter re-pointed")
    # a merged voter's vote that the merge makes a second vote on the same project collapses
    assert collapsed and len(collapsed) == snap.dirt("airtable.votes: duplicate after re-pointing a merged voter")
    assert snap.expected["merge_rules"]["airtable.votes"]["duplicate vote"] >= len(collapsed)
    # every vote that names a merged voter is one of these two kinds: nothing else links to a merged user
    assert len(by_merged) == len(re_pointed) + len(collapsed)


def test_referrals_name_merged_duplicate_users(snap):
    ev_ids = {e["id"] for e in snap.events}
    refs = [x for x in snap.referrals
            if _link(x["fields"].get("user")) in snap.merged_users and _link(x["fields"].get("event")) in ev_ids]
    assert refs and len(refs) == snap.dirt("airtable.referrals: user re-pointed")


@pytest.mark.parametrize("rows, field, rule", [
    ("events", "attendees", "airtable.events.attendees: re-pointed"),
    ("projects", "collaborators", "airtable.projects.collaborators: re-pointed"),
])
def test_list_links_name_merged_duplicate_users(snap, rows, field, rule):
    named = 0
    for row in getattr(snap, rows):
        links = row["fields"].get(field, [])
        for uid in links:
            # a re-pointed link: a merged user whose primary is not listed beside it
            if uid in snap.merged_users and snap.user_primary[uid] not in links:
                named += 1
    assert named > 0 and named == snap.dirt(rule)


def test_projects_owned_by_merged_duplicate_users(snap):
    owned = [p for p in snap.projects if _link(p["fields"].get("owner")) in snap.merged_users]
    assert owned and len(owned) >= snap.dirt("airtable.projects: owner re-pointed") > 0


# --- MongoDB references to a merged duplicate profile --------------------------------------------

MONGO_KEYS = {
    "projects": lambda d, m: d["_id"],
    "member_badges": lambda d, m: (m, d.get("badgeId")),
    "survey_responses": lambda d, m: (d.get("surveyId"), m),
    "attendance": lambda d, m: (m, d.get("lumaEventId")),
}


@pytest.mark.parametrize("collection", sorted(MONGO_KEYS))
def test_member_id_of_a_merged_duplicate_profile_is_re_pointed(snap, collection):
    assert snap.merged_profiles, "the sample has no duplicate profile"
    docs = [d for d in snap.mongo[collection] if d.get("memberId") in snap.profile_primary]
    key = MONGO_KEYS[collection]
    resolved = Counter(key(d, snap.profile_primary[d["memberId"]]) for d in docs)
    to_merged = [d for d in docs if d["memberId"] in snap.merged_profiles]
    re_pointed = [d for d in to_merged if resolved[key(d, snap.profile_primary[d["memberId"]])] == 1]
    assert re_pointed, f"no mongo.{collection} document names a merged duplicate profile"
    assert len(re_pointed) == snap.dirt(f"mongo.{collection}: memberId re-pointed")
    # the profile they name is merged into another, as expected.json records
    assert snap.expected["merge_rules"]["mongo.profiles"]["duplicate lumaEmail"] == len(snap.merged_profiles)


# --- text longer than its column ------------------------------------------------------------------

@pytest.mark.parametrize("field, width", [("city", 100), ("state", 100), ("phone", 20), ("first_name", 50)])
def test_text_longer_than_its_column_is_in_the_files_and_recorded_as_a_cut(snap, field, width):
    long_values = [u["fields"][field] for u in snap.migrated_users()
                   if isinstance(u["fields"].get(field), str) and len(u["fields"][field]) > width]
    assert long_values, f"no migrating user has a {field} longer than {width}"
    assert len(long_values) == snap.dirt(f"airtable.users: {field} longer than {width}")


@pytest.mark.parametrize("width", [100, 50, 20])
def test_every_cut_is_recorded_in_expected_json(snap, width):
    """value_fixes 'truncated to N' counts every over-long value of an N-wide column of a migrating
    user, and those users are migrated, not quarantined (the full value is kept beside the cut)."""
    over = sum(1 for u in snap.migrated_users() for name, w in WIDTHS.items()
               if w == width and isinstance(u["fields"].get(name), str) and len(u["fields"][name]) > w)
    assert over > 0
    assert snap.expected["value_fixes"]["airtable.users"][f"truncated to {width}"] == over
    assert snap.dirt(f"airtable.users: truncated to {width}") == over
    assert not any("long" in reason for reason in snap.expected["quarantine_reasons"]["airtable.users"]
                   if reason != "email too long")
