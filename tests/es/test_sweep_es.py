"""The real sweep (`scrapy crawl sweep`) over part of the demo world with the fake
Elasticsearch killed mid-sweep and brought back: the cluster ends up holding exactly the
store's findings and pages, and the verdicts."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from govcrawl.es.fakeserver import FakeElasticsearch
from govcrawl.es.spool import Spool

from .test_crawl import wait_for

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2024, 6, 20)
SITES = "9901020001,9901000002"  # 开普云/GBK district portal (findings) and a 大汉 department


@pytest.mark.e2e
def test_sweep_with_elasticsearch_killed_midway(tmp_path):
    from govcrawl.demo import OUTSIDE_IDENTITY_HOSTS, DemoServer, build_world

    world = build_world(as_of=AS_OF, scale="e2e", seed=1)
    server = DemoServer(world)
    server.start()
    fake = FakeElasticsearch().start()
    registry = world.write_registry(tmp_path / "sites.yaml")
    store = tmp_path / "g.db"
    spool = Spool(tmp_path / "g.db.es-spool")  # the default: next to the store
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={registry}",
           "-a", f"store={store}", "-a", f"as_of={AS_OF.isoformat()}", "-a", f"sites={SITES}",
           "-s", "GOVCRAWL_BROWSER=False", "-s", f"ELASTICSEARCH_URL={fake.url}",
           "-s", "ELASTICSEARCH_FLUSH_INTERVAL=0.1", "-s", "ELASTICSEARCH_BULK_SIZE=10",
           "-s", "ELASTICSEARCH_RETRY_BACKOFF=0.01", "-s", "ELASTICSEARCH_MAX_RETRIES=2",
           "-s", "GOVCRAWL_LINKCHECK_SKIP_HOSTS=" + ",".join(OUTSIDE_IDENTITY_HOSTS)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: len(fake.docs("govcrawl-pages")) >= 20 or proc.poll() is not None,
                 "the sweep's first page records", limit=300)
        assert proc.poll() is None, "the sweep ended before the outage could be staged"
        fake.stop()
        wait_for(lambda: spool.has_pending() or proc.poll() is not None,
                 "the sweep to spool during the outage", limit=300)
        fake.start()
        out, _ = proc.communicate(timeout=900)
        log = out.decode("utf-8", "replace")
        assert proc.returncode == 0, log[-3000:]
        db = sqlite3.connect(store)
        keys = {r[0] for r in db.execute("SELECT key FROM findings")}
        pages = db.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
        verdicts = db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]
        db.close()
        assert keys, "the sweep stored no finding: nothing to compare"
        assert set(fake.docs("govcrawl-findings")) == keys
        assert len(fake.docs("govcrawl-pages")) == pages
        assert len(fake.docs("govcrawl-verdicts")) == verdicts
        assert spool.counts() == {"pending": 0, "rejected": 0}
        assert "Elasticsearch unavailable" in log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        fake.stop()
        server.stop()
