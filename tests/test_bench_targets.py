"""bench/report.py judges every target of issue 17 from one run's figures (no database: the figures
are given), and its README table shows each one, or that its scale was not run."""

from __future__ import annotations

from bench.report import GIB, markdown, targets


def _scale(wall: float, pss: int, table: list[dict]) -> dict:
    return {"dry_run": {"wall_s": wall, "peak_pss_bytes": pss, "peak_rss_bytes": pss}, "table": table}


LISTING = {"requests": 21, "seconds": 5.8, "latency_s": 0.25, "floor_s": 4.2, "ratio": 1.38, "pace_floor_s": 5.29,
           "pace_ratio": 1.1, "throttled": 0}


def test_each_target_is_judged_on_its_scale_and_listing():
    one = _scale(9.5, GIB // 2, [{"phase": "land_gate", "seconds": 1.2}])
    big = _scale(58.0, GIB - 1, [{"phase": "land", "ratio": 2.3}, {"phase": "transform", "records_per_s": 120_000}])
    luma = {**LISTING, "ratio": 0.9, "throttled": 1}
    found = targets({"1": one, "100": big}, {"airtable": LISTING, "luma": luma})
    met = {name: t["met"] for name, t in found.items()}
    assert met == {"dry_run_scale1": True, "land_gate_scale1": False, "dry_run_scale100": True, "transform_rows_per_s": True,
                   "landing_to_floor": False, "peak_memory": True, "memory_growth": False,
                   "airtable_listing_to_floor": False, "luma_listing_to_floor": False}  # a 429 fails a listing
    assert found["land_gate_scale1"]["value"] == 1.2 and found["memory_growth"]["value"] == 2.0


def test_the_readme_table_shows_every_target_or_that_it_was_not_run():
    table = markdown({"targets": targets({"1": _scale(9.5, GIB // 2, [{"phase": "land_gate", "seconds": 0.8}])},
                                         {"airtable": LISTING})})
    assert "| scale-1 land gate (s) | ≤ 1.0 | 0.8 | yes |  |" in table
    assert "| scale-100 dry-run wall (s) | | not run (scale 100) | | |" in table
    assert "| Airtable listing / requests at 5/s | ≤ 1.2 | 1.38 | no | 21 requests at 250 ms answers" in table
    assert "| Luma listing / requests at 200/min | | not run (the listing) | | |" in table
