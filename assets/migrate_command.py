"""`cutover migrate`: the Alembic migrations, on DATABASE_URL or the embedded server."""

import migrations
from pipelines.database import check_server, redact, database_url


def run(args) -> int:
    url = database_url()
    check_server(url)  # an unreachable or too old server is one sentence before Alembic's traceback
    if args.downgrade:
        migrations.downgrade(url, args.downgrade)
        print(f"downgraded {redact(url)} to {args.downgrade}")
    else:
        migrations.upgrade(url)
        print(f"{redact(url)} is at the latest migration")
    return 0
