"""`cutover snapshot --out DIR`: capture the live sources in the SPEC §2.4 layout (manifest.json,
airtable/*.jsonl + schema.json, and the MongoDB and Luma parts where their writers exist)."""

from __future__ import annotations


def run(args) -> int:
    from pipelines.snapshot import capture

    manifest = capture(args.out)
    for key, count in sorted(manifest["counts"].items()):
        print(f"{key}: {count}")
    print(f"snapshot written to {args.out} (captured_at {manifest['captured_at']}).")
    return 0
