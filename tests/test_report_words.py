"""The report's plain words and pictures (assets/gates/report_words.py)."""

import re
import xml.etree.ElementTree as ET

import pytest

from assets.gates.report_words import explain_reason, outcome_bar, quarantine_share


@pytest.mark.parametrize("reason, sentence", [
    ("owner not migrated", "it points to an owner that exists but could not be migrated itself"),
    ("owner not found", "it points to an owner that does not exist in the source"),
    ("memberId not found", "it points to a member that does not exist in the source"),
    ("missing join_code", "the record has no join code, which the application cannot do without"),
    ("duplicate lumaEmail", "an earlier record already has this Luma email, which must be unique; the earlier one keeps it"),
    ("email too long", "its email is longer than the application's column allows"),
    ("something new", "something new"),
])
def test_each_reason_pattern_reads_as_a_sentence(reason, sentence):
    assert explain_reason(reason) == sentence


def test_the_bar_splits_the_width_by_outcome_and_says_it_in_words():
    svg = ET.fromstring(outcome_bar(60, 30, 10, width=200))
    ns = {"s": "http://www.w3.org/2000/svg"}
    rects = svg.findall("s:rect", ns)
    assert [round(float(r.get("width")), 1) for r in rects] == [120.0, 60.0, 20.0]
    assert [float(r.get("x")) for r in rects] == [0.0, 120.0, 180.0]
    assert [r.find("s:title", ns).text for r in rects] == [
        "60 migrated (60.0 %)", "30 merged into another record (30.0 %)", "10 held back (quarantined) (10.0 %)"]
    assert svg.get("aria-label") == "60 migrated, 30 merged into another record, 10 held back (quarantined)"


def test_an_empty_table_is_a_grey_bar_and_no_division_by_zero():
    svg = outcome_bar(0, None, 0)
    assert "no records classified" in svg and "#d0d7de" in svg
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", svg)  # nothing to fetch


def test_quarantine_share_against_the_ceiling():
    assert quarantine_share(30, 100, 0.25) == {"percent": 30.0, "ceiling_percent": 25.0, "over": True}
    assert quarantine_share(25, 100, 0.25) == {"percent": 25.0, "ceiling_percent": 25.0, "over": False}
    assert quarantine_share(0, 0, 0.25)["percent"] is None
