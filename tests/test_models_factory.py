"""The transform asset factory: lineage derived from the SQL, groups per layer, definitions that
load with and without the land phase's assets."""

from __future__ import annotations

import dagster as dg

from assets.transform.models import build_assets, load_models


def _graph(defs):
    from assets.resources import shared_resources

    return dg.Definitions.merge(defs, dg.Definitions(resources=shared_resources())).resolve_asset_graph()


def test_models_deps_are_derived_from_sql_references():
    graph = _graph(dg.Definitions(assets=build_assets()))
    users = graph.get(dg.AssetKey(["staging", "stg_airtable__users"]))
    assert users.parent_keys == {dg.AssetKey(["raw_airtable", "users"])}
    events = graph.get(dg.AssetKey(["podium_next", "events"]))
    # the candidate reads the source records and the live rows (SPEC §4 "Rows already live")
    assert events.parent_keys == {dg.AssetKey(["intermediate", "int_podium__events"]), dg.AssetKey(["staging", "stg_live_podium__events"])}
    assert events.group_name == "podium_candidates"
    votes = graph.get(dg.AssetKey(["intermediate", "int_podium__votes"]))
    assert {k.path[-1] for k in votes.parent_keys} == {
        "stg_airtable__votes", "int_podium__users", "int_podium__projects", "int_podium__events", "stg_live_podium__votes"}
    # helper function calls (staging.txt(...)) are not table references
    assert not any(k.path[0] == "staging" and k.path[1] in {"txt", "oid", "ts"} for k in users.parent_keys)


def test_models_every_layer_has_its_group_and_one_asset_per_file():
    models = load_models()
    graph = _graph(dg.Definitions(assets=build_assets()))
    for model in models:
        assert graph.get(model.key).group_name == model.group
    layers = {m.layer for m in models}
    assert layers == {"staging", "intermediate", "podium", "hello_miami", "reconcile"}
    assert {m.group for m in models} == {f"{app}_{layer}" for app in ("podium", "hello_miami")
                                         for layer in ("staging", "intermediate", "candidates", "reconcile")}
    # a model runs for the application it belongs to: staging by its source, intermediate by prefix
    owners = {m.key: m.app for m in models}
    assert owners[dg.AssetKey(["staging", "stg_luma__guests"])] == "hello_miami"
    assert owners[dg.AssetKey(["intermediate", "int_podium__classification"])] == "podium"
    # each reconcile model once per application, reading only that application's classification
    ledgers = {m.app: m for m in models if m.name == "count_ledger"}
    assert set(ledgers) == {"podium", "hello_miami"}
    assert {r[0] for r in ledgers["podium"].refs} == {"intermediate", "podium_next"}
    assert {r[0] for r in ledgers["hello_miami"].refs} == {"intermediate", "hello_miami_next"}
    assert len([m for m in models if m.layer == "staging"]) == 37  # 5 Airtable + 11 MongoDB + 3 Luma tables (events, guests, duplicates) + 11 live Hello Miami and 7 live Podium tables


def test_models_definitions_load_with_and_without_land_assets():
    from assets import jobs
    from assets.gates.report_asset import dry_run_report
    from assets.resources import shared_resources
    from assets.transform.definitions import defs as transform

    # the dry-run jobs end in the report asset; the land phase is what this test leaves out
    alone = dg.Definitions.merge(transform, dg.Definitions(assets=[dry_run_report], jobs=jobs.jobs, resources=shared_resources()))
    dg.Definitions.validate_loadable(alone)
    # the land assets' keys exist here only as deps; with the land phase present they are its assets
    job = alone.resolve_job_def("dry_run")
    assert dg.AssetKey(["hello_miami_next", "events"]) in job.asset_layer.executable_asset_keys


def test_a_model_that_reads_raw_through_a_function_names_the_table_in_a_reads_header():
    """stg_luma__* read raw_luma through the migrations' migration.luma_* (shared with the sync):
    their land deps come from `-- reads:`, so the dry-run still runs them after the landing."""
    models = {m.name: m for m in load_models()}
    assert ("raw_luma", "events") in models["stg_luma__events"].refs
    assert ("raw_luma", "guests") in models["stg_luma__guests"].refs
    assert "raw_luma" not in models["stg_luma__events"].description
