"""An interrupted sweep (Ctrl-C) resumed from its JOBDIR completes the same inspection
without fetching any page twice or duplicating pages or findings."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from govcrawl.demo import OUTSIDE_IDENTITY_HOSTS, DemoServer, build_world
from govcrawl.settings import USER_AGENT

from .conftest import AS_OF, ROOT, run_sweep

pytestmark = pytest.mark.e2e
SITE = "9901000005"  # the clean TRS site, ~150 pages


def test_ctrl_c_then_resume_completes_one_inspection(tmp_path):
    world = build_world(as_of=AS_OF, scale="e2e", seed=1)
    with DemoServer(world, latency=0.05) as server:
        registry = world.write_registry(tmp_path / "sites.yaml")
        store = tmp_path / "s.db"
        jobdir = tmp_path / "job"
        cmd = [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={registry}",
               "-a", f"store={store}", "-a", f"as_of={AS_OF}", "-a", f"sites={SITE}",
               "-s", f"JOBDIR={jobdir}", "-s", "GOVCRAWL_BROWSER=0",
               "-s", "GOVCRAWL_LINKCHECK_SKIP_HOSTS=" + ",".join(OUTSIDE_IDENTITY_HOSTS)]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # interrupt once a good part (but not all) of the site has been fetched
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = server.stats().get(SITE, {}).get("total", 0)
            if done >= 40:
                break
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out1, _ = proc.communicate(timeout=120)
        first = sqlite3.connect(store).execute("SELECT COUNT(*) FROM pages").fetchone()[0]
        required = set(world.manifest["sites"][SITE]["pages"])
        assert 0 < first < len(required), out1[-2000:]

        proc2 = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert proc2.returncode == 0, proc2.stderr[-2000:]
        assert "resuming inspection" in proc2.stderr

        db = sqlite3.connect(store)
        inspections = db.execute("SELECT id, status FROM inspections").fetchall()
        assert inspections == [(1, "finished")]
        pages = {r[0] for r in db.execute("SELECT url FROM pages WHERE inspection_id=1")}
        assert len(required & pages) / len(required) >= 0.99
        gets = Counter(url for st in server.stats().values() for m, url, ua, _r in st["log"]
                       if m == "GET" and ua == USER_AGENT)
        dups = [u for u, n in gets.items() if n > 1]
        assert len(dups) <= 0.01 * len(gets) + 2, dups  # only requests in flight at Ctrl-C may repeat
        keys = db.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM findings").fetchone()
        assert keys[0] == keys[1]
