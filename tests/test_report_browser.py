"""report.html as a stakeholder's browser shows it: headless Chromium (Debian's package), every
network request routed to a recording proxy on 127.0.0.1. The page of a real dry-run (real Dagster,
real PostgreSQL, a small sample) must make no request off the machine and show its verdict.

Marked `browser`: kept out of `make test`, run by .ci/run after it installs Chromium."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from tests.browser import render

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(admin_url, template_db, tmp_path_factory):
    import uuid

    from assets.cli import main
    from pipelines.database import engine
    from tests.conftest import _create_database, _drop_database

    name = f"t_{uuid.uuid4().hex[:10]}"
    url = _create_database(admin_url, name, template=template_db)
    out = tmp_path_factory.mktemp("browser")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        mp.delenv("DAGSTER_PG_URL", raising=False)
        mp.setenv("CUTOVER_QUARANTINE_CEILING", "0.9")  # a tiny dirty sample quarantines more than the real base
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert main(["sample", "--out", str(out / "snap"), "--scale", "0.02"]) == 0
            assert main(["dry-run", "--snapshot", str(out / "snap"), "--report-dir", str(out / "report")]) == 0
    engine(url).dispose()
    _drop_database(admin_url, name)
    return out / "report" / "report.html"


def test_the_report_renders_offline_with_its_verdict(report):
    dom, requests = render(report)
    assert requests == [], f"report.html tried to reach the network: {requests[:5]}"
    text = re.sub(r"<[^>]+>", " ", dom)
    from pipelines import registry

    for app in registry.APPLICATIONS:
        assert f"{registry.title(app)}: ready to cut over." in text
    assert "not ready" not in text.lower()
    # a picture per source table: one outcome bar in each row of "Where every record went"
    tables = registry.tables()
    bars = re.findall(r'<svg class="bar"[^>]*aria-label="([^"]+)"', dom)
    assert len(bars) >= len(tables) > 0
    assert any("migrated" in label and "held back" in label for label in bars)
    assert "blocking checks passed" in text and "warning(s), which report and never stop a cutover" in text


def test_a_page_that_loads_from_a_cdn_is_caught(tmp_path):
    """The proxy really sees what a page asks for (else the test above proves nothing)."""
    page = tmp_path / "cdn.html"
    page.write_text('<html><head><link rel="stylesheet" href="http://cdn.example.com/x.css"></head><body>hi</body></html>')
    _dom, requests = render(page)
    assert any("cdn.example.com" in r for r in requests)
