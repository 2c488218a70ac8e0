"""Joining a distributed sweep with bad input: one line, exit 2, nothing crawled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from govcrawl.registry import load_registry
from govcrawl.store import Store

from .helpers import ROOT

pytestmark = pytest.mark.redis

REG = """sites:
- {{id: '6105000001', name: 测试局, url: 'http://127.0.0.1:9/'}}
- {{id: '6105000002', name: 示范局, url: '{second}'}}
"""


def _join(registry: Path, store: Path, redis_url: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={registry}",
                           "-a", f"store={store}", "-s", f"GOVCRAWL_REDIS_URL={redis_url}", *extra],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def _only_line(stderr: str) -> str:
    ours = [line for line in stderr.splitlines() if line.startswith("scrapy crawl sweep:")]
    assert len(ours) == 1 and "Traceback" not in stderr, stderr[-3000:]
    return ours[0]


def test_joining_with_another_registry_is_refused(tmp_path: Path, redis_server: Any) -> None:
    started = tmp_path / "started.yaml"
    started.write_text(REG.format(second="http://127.0.0.1:10/"), encoding="utf-8")
    store = tmp_path / "s.db"
    reg = load_registry(str(started))
    s = Store(store)
    iid = s.create_inspection(as_of="2024-06-20", registry_path=str(started), registry=reg.to_dict(),
                              settings={"sites": sorted(x.id for x in reg.sites)})
    s.close()
    stale = tmp_path / "stale.yaml"  # a machine whose copy has an old address for one site
    stale.write_text(REG.format(second="http://127.0.0.1:11/"), encoding="utf-8")
    r = _join(stale, store, redis_server.url, "-a", f"inspection={iid}")
    assert r.returncode == 2
    line = _only_line(r.stderr)
    assert "differs from the one inspection 1" in line and "6105000002" in line and "6105000001" not in line
    # fewer sites (-a sites) than the inspection: refused too
    r = _join(started, store, redis_server.url, "-a", f"inspection={iid}", "-a", "sites=6105000001")
    assert r.returncode == 2 and "only in the inspection's: 6105000002" in _only_line(r.stderr)


def test_joining_an_inspection_that_does_not_exist(tmp_path: Path, redis_server: Any) -> None:
    reg = tmp_path / "sites.yaml"
    reg.write_text(REG.format(second="http://127.0.0.1:10/"), encoding="utf-8")
    r = _join(reg, tmp_path / "s.db", redis_server.url, "-a", "inspection=99")
    assert r.returncode == 2 and "no inspection 99 to join" in _only_line(r.stderr)
