"""`cutover snapshot --out DIR [--app APP]`: capture the live sources in the SPEC §2.4 layout
(manifest.json, airtable/*.jsonl + schema.json, mongo/*.bson, luma/*.jsonl): those of the named
application only (Podium: Airtable; Hello Miami: MongoDB and Luma), needing only their settings,
or, without --app, every application's."""

from __future__ import annotations


def run(args) -> int:
    from pipelines.snapshot import capture

    app = getattr(args, "app", None)
    manifest = capture(args.out, [app] if app else None)
    for key, count in sorted(manifest["counts"].items()):
        print(f"{key}: {count}")
    print(f"snapshot of {', '.join(manifest['applications'])} written to {args.out} (captured_at {manifest['captured_at']}).")
    return 0
