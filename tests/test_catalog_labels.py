"""Labels a newcomer reads correctly: every asset described and grouped per application, no two
applications' assets under one description, candidates said to be candidates, and the live tables
the sync writes downstream of their candidates."""

from __future__ import annotations

from collections import defaultdict

from assets.definitions import defs
from pipelines import registry


def test_every_asset_is_described_grouped_and_never_confused_across_applications():
    graph = defs.resolve_asset_graph()
    by_description = defaultdict(set)
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description, f"{key.to_user_string()} has no description"
        assert node.group_name != "default", f"{key.to_user_string()} is in no group"
        app = next((a for a in registry.APPLICATIONS if node.group_name.startswith(f"{a}_")), None)
        by_description[node.description].add(app)
        if node.group_name.endswith("_candidates"):
            assert node.description.startswith("Candidate for "), key
    shared = {d: apps for d, apps in by_description.items() if len(apps - {None}) > 1}
    assert not shared


def test_the_live_tables_follow_their_candidates_in_the_lineage():
    graph = defs.resolve_asset_graph()
    for table in ("events", "attendance"):
        live = graph.get(next(k for k in graph.get_all_asset_keys() if k.path == ["hello_miami", table]))
        assert live.group_name == "hello_miami_live"
        assert [p.path for p in live.parent_keys] == [["hello_miami_next", table]]
