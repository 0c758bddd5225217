"""Headless Chromium for the report tests: load a local page and list every request the PAGE made
(Chrome DevTools Protocol, Network domain), so a test can assert it made none off the machine.

The browser's own background traffic (its clock, component updates) is not the page's and is not
listed; all of it goes to an unreachable proxy anyway, so nothing leaves the machine. Chromium is
Debian's `chromium` package; `.ci/run` installs it and runs the tests marked `browser`, which are
skipped where it is missing (tests/conftest.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")


def chromium_binary() -> str | None:
    return next((path for path in map(shutil.which, CANDIDATES) if path), None)


def _devtools_port(profile: Path, process: subprocess.Popen, timeout: float) -> int:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while not port_file.exists() or not port_file.read_text().strip():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"Chromium did not start (exit {process.poll()})")
        time.sleep(0.1)
    return int(port_file.read_text().split()[0])


class _Page:
    """One page target over its DevTools websocket: send commands, collect events."""

    def __init__(self, ws_url: str):
        from websockets.sync.client import connect

        self.ws = connect(ws_url, max_size=None)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {event} within {timeout} s")
            try:
                self.events.append(json.loads(self.ws.recv(timeout=remaining)))
            except TimeoutError:
                raise TimeoutError(f"no {event} within {timeout} s") from None


def _remove_profile(profile: Path, timeout: float = 10) -> None:
    """Chromium's helper processes outlive the browser process by a moment and may still write into
    its profile (`Default/`) while it is removed: a plain TemporaryDirectory clean-up then failed
    CI with "Directory not empty". Retried until they are gone."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            shutil.rmtree(profile)
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() > deadline:
                shutil.rmtree(profile, ignore_errors=True)
                return
            time.sleep(0.2)


def render(page: Path, timeout: float = 60, settle: float = 1.5) -> tuple[str, list[str]]:
    """(the page's DOM after its scripts ran, the URLs of the requests it made off the machine)."""
    profile = tempfile.mkdtemp(prefix="chromium-")
    try:
        process = subprocess.Popen(
            [chromium_binary(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--proxy-server=http://127.0.0.1:9", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            port = _devtools_port(Path(profile), process, timeout)
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=timeout))
            tab = _Page(next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page"))
            tab.call("Network.enable")
            tab.call("Page.enable")
            tab.call("Page.navigate", url=page.resolve().as_uri())
            tab.wait_for("Page.loadEventFired", timeout)
            time.sleep(settle)  # requests a script starts after load
            dom = tab.call("Runtime.evaluate", expression="document.documentElement.outerHTML")["result"]["value"]
            tab.ws.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        _remove_profile(Path(profile))
    urls = [e["params"]["request"]["url"] for e in tab.events if e.get("method") == "Network.requestWillBeSent"]
    return dom, [u for u in urls if not u.startswith(LOCAL_SCHEMES)]
