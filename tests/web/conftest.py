"""Fixtures of the review application's tests.

- `history`: the three-quarter history of tests/report (a crawled title holding
  `<script>`, a false alarm, repeat offenders), in a temporary store;
- `client`: the application over it, in process (Starlette's TestClient);
- `served(store)`: `govcrawl serve --port 0` as a subprocess, stopped after the test;
- `hostile_sweep`: one real `scrapy crawl sweep` (browser on) of tests/web/hostile_site.py,
  screenshots taken by the sweep itself;
- `demo_desk`: the demo world swept (browser off, as the other end-to-end tests do), then
  `govcrawl evidence` while its sites are still served.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.report.report_history import build_history

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("GOVCRAWL_CHROMIUM", "/usr/bin/chromium")
# loopback sites are what these tests sweep (the egress policy's allow-list, issue 27)
LOOPBACK_ENV = {"GOVCRAWL_ALLOW_ADDRESSES": "127.0.0.0/8,::1/128"}


def need_chromium() -> None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Debian chromium not found at {CHROMIUM}: run `make setup` (apt-get install chromium)")


@pytest.fixture()
def history(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "store.sqlite"
    return path, build_history(path)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


@pytest.fixture()
def client(history: tuple[Path, dict[str, Any]]) -> Any:
    from starlette.testclient import TestClient

    from govcrawl.web import create_app

    path, _ = history
    evidence = path.with_name(path.name + ".evidence")
    evidence.mkdir()
    with TestClient(create_app(str(path), evidence=evidence), base_url="http://127.0.0.1") as c:
        yield c


class Served:
    """`govcrawl serve` in a subprocess on a free port."""

    def __init__(self, store: Path | str, *extra: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "govcrawl", "serve", "--store", str(store), "--port", "0", *extra],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, **(env or {})})
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        m = re.search(r"(http://\S+/)", line)
        if not m:
            self.stop()
            raise AssertionError(f"govcrawl serve did not start: {line}{self.proc.stdout.read()[-2000:]}")
        self.url = m.group(1).rstrip("/")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture()
def served() -> Iterator[Callable[..., Served]]:
    running: list[Served] = []

    def start(store: Path | str, *extra: str, env: dict[str, str] | None = None) -> Served:
        s = Served(store, *extra, env=env)
        running.append(s)
        return s

    yield start
    for s in running:
        s.stop()


@pytest.fixture(scope="session")
def hostile_sweep(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The hostile site swept with the browser on and at most 4 screenshots per site; the
    suspect-page renders of the hacked-page checks are off, so the only browser that runs
    the pages' scripts is the evidence screenshots' own (no typo model: the site's
    findings come from the lexicons)."""
    need_chromium()
    from tests.web.hostile_site import HostileSite

    out = tmp_path_factory.mktemp("hostile")
    store = out / "store.sqlite"
    with HostileSite() as site:
        reg = site.write_registry(out / "sites.yaml")
        t0 = time.monotonic()
        r = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={reg}", "-a", f"store={store}",
             "-a", "as_of=2024-06-20", "-s", "LOG_LEVEL=WARNING", "-s", "GOVCRAWL_BROWSER=True",
             "-s", "GOVCRAWL_HACKED_SAMPLE=0", "-s", "GOVCRAWL_HACKED_SUSPECT_RENDER=0",
             "-s", "GOVCRAWL_EVIDENCE_MAX_PER_SITE=4", "-s", "GOVCRAWL_TYPO=False"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
            env={**os.environ, **LOOPBACK_ENV, "SCRAPY_SETTINGS_MODULE": "govcrawl.settings"})
        took = time.monotonic() - t0
        hits = {"site": dict(site.site.hits), "outside": dict(site.outside.hits)}
    assert r.returncode == 0, r.stderr[-3000:]
    return {"store": store, "evidence": out / "store.sqlite.evidence", "hits": hits, "seconds": took}


DEMO_EVIDENCE_SITE = "9901020001"  # 东湖区人民政府: a banned term among its deductions


@pytest.fixture(scope="session")
def demo_desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the demo sweep (no typo model: what these tests look at comes from the
    lexicons) with the evidence screenshots of one site."""
    need_chromium()
    from tests.demo_sweep import sweep_demo

    out = tmp_path_factory.mktemp("demo-desk")

    def screenshots(store: Path | str) -> None:
        r = subprocess.run([sys.executable, "-m", "govcrawl", "evidence", "--store", str(store),
                            "--sites", DEMO_EVIDENCE_SITE], cwd=ROOT, capture_output=True, text=True,
                           timeout=600, env={**os.environ, **LOOPBACK_ENV})
        assert r.returncode == 0, r.stderr[-3000:]

    _, store = sweep_demo(out, "GOVCRAWL_TYPO=False", scale="demo", while_serving=screenshots)
    return Path(store)
