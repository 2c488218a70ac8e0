"""Distributed sweeps end to end: 2 workers + Redis against generated loopback sites.

- two workers sharing one inspection fetch every page exactly once and store exactly
  what a single-worker sweep stores (pages, findings, link checks, columns, verdicts);
- a worker killed with SIGKILL mid-sweep and started again: the inspection completes
  with nothing lost and nothing duplicated.
"""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from govcrawl.dist.loadsite import LoadServer, LoadWorld

from .helpers import AS_OF, ROOT, pages_stored, snapshot, start_worker, sweep_cmd, wait

pytestmark = [pytest.mark.redis, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: Any) -> Any:
    world = LoadWorld(AS_OF, sites=3, columns=2, articles=25, seed=7)
    server = LoadServer(world, latency=0.01).start()
    tmp = tmp_path_factory.mktemp("dist")
    registry = world.write_registry(tmp / "sites.yaml")
    try:
        yield world, server, registry, tmp
    finally:
        server.stop()


@pytest.fixture(scope="module")
def reference(sites: Any) -> dict[str, Any]:
    """The single-worker sweep (no Redis) every distributed result is compared with."""
    import subprocess

    world, server, registry, tmp = sites
    store = tmp / "single.db"
    server.reset()
    proc = subprocess.run(sweep_cmd(registry, store), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    snap = snapshot(store)
    assert snap["status"] == "finished"
    assert len(snap["pages"]) >= world.page_count(), "the reference sweep missed pages"
    assert snap["findings"], "the generated sites carry problems: an empty result is a failure"
    return snap


def _log(path: Path) -> str:
    return path.read_text(errors="replace")


def _wait_for_pages(store: Any, n: int, proc: Any, log: Path) -> None:
    """Until the running worker has stored `n` pages (it must not exit meanwhile)."""
    deadline = time.monotonic() + 240
    while pages_stored(store) < n:
        assert proc.poll() is None, _log(log)[-3000:]
        assert time.monotonic() < deadline, "the sweep did not get going"
        time.sleep(0.2)


def test_two_workers_fetch_each_page_once_and_match_single_worker(sites: Any, reference: dict, redis_server: Any) -> None:
    world, server, registry, tmp = sites
    store = tmp / "two.db"
    server.reset()
    common = ("-s", f"GOVCRAWL_REDIS_URL={redis_server.url}", "-a", "run=two-workers",
              "-s", "GOVCRAWL_DIST_HEARTBEAT_TTL=10", "-s", "GOVCRAWL_DIST_MIN_WORKERS=2",
              # 3 sites x 2 = 6 requests at once in all; 3 per worker, so both must work
              "-s", "CONCURRENT_REQUESTS=3")
    logs = [tmp / "w1.log", tmp / "w2.log"]
    procs = [start_worker(registry, store, logs[0], *common, "-s", "GOVCRAWL_WORKER_ID=w1"),
             start_worker(registry, store, logs[1], *common, "-s", "GOVCRAWL_WORKER_ID=w2")]
    codes = [wait(p) for p in procs]
    text = [_log(p) for p in logs]
    assert codes == [0, 0], "\n".join(t[-3000:] for t in text)

    # one inspection, finalized by exactly one worker
    snap = snapshot(store)
    assert snap["inspection"] == 1 and snap["status"] == "finished"
    finalizers = [t.count("runs the site checks and verdicts") for t in text]
    assert sorted(finalizers) == [0, 1], finalizers
    # both workers did part of the crawl
    for t in text:
        m = re.search(r"sweep finished: (\d+) requests", t)
        assert m and int(m.group(1)) > 0, t[-2000:]

    # the sites' concurrency (2) held across both workers together
    assert max(server.peak.values()) <= 2, dict(server.peak)
    # every page and every link target fetched once across both workers
    gets, heads = server.page_hits("GET"), server.page_hits("HEAD")
    assert gets and heads
    assert {u: n for u, n in gets.items() if n != 1} == {}
    assert {u: n for u, n in heads.items() if n != 1} == {}
    assert sorted(gets) == sorted(u for u, *_ in reference["pages"] if "127.0.0.1:9/" not in u)

    # the same results as one worker
    for k in ("pages", "findings", "link_status", "entries", "links", "columns", "verdicts"):
        assert snap[k] == reference[k], k

    # the inspection's Redis keys are gone, only its 'finished' marker stays
    keys = [k.decode() for k in redis_server.client.scan_iter(match="govcrawl:*:i1:*")]
    assert keys and all(k.endswith(":state") for k in keys), keys


@pytest.mark.postgres
def test_two_machines_share_a_postgresql_store(sites: Any, reference: dict, redis_server: Any, pg_url: str) -> None:
    """Workers on two machines: nothing on a shared disk, the store is a PostgreSQL URL.
    Each worker runs in its own directory (its own JOBDIR-free state, logs, spool) and
    reaches the store and Redis over TCP only; together they make one inspection that
    holds exactly what the single-worker SQLite sweep holds."""
    world, server, registry, tmp = sites
    server.reset()
    machines = [tmp / "machine-a", tmp / "machine-b"]
    for m in machines:
        m.mkdir()
    common = ("-s", f"GOVCRAWL_REDIS_URL={redis_server.url}", "-a", "run=two-machines",
              "-s", "GOVCRAWL_DIST_HEARTBEAT_TTL=10", "-s", "GOVCRAWL_DIST_MIN_WORKERS=2",
              "-s", "CONCURRENT_REQUESTS=3")
    logs = [m / "worker.log" for m in machines]
    procs = [start_worker(registry, pg_url, logs[i], *common, "-s", f"GOVCRAWL_WORKER_ID=host{i}:1",
                          cwd=machines[i]) for i in range(2)]
    codes = [wait(p) for p in procs]
    text = [_log(p) for p in logs]
    assert codes == [0, 0], "\n".join(t[-3000:] for t in text)
    # both joined the same inspection under the same Redis keys (derived from the URL)
    joined = {re.search(r"on inspection (\d+) .*Redis keys (\S+)\*", t).groups() for t in text}
    assert len(joined) == 1, joined
    assert sorted(t.count("runs the site checks and verdicts") for t in text) == [0, 1]
    for t in text:
        m = re.search(r"sweep finished: (\d+) requests", t)
        assert m and int(m.group(1)) > 0, t[-2000:]
    assert max(server.peak.values()) <= 2, dict(server.peak)
    gets = server.page_hits("GET")
    assert {u: n for u, n in gets.items() if n != 1} == {}
    snap = snapshot(pg_url)
    assert snap["status"] == "finished"
    for k in ("pages", "findings", "link_status", "entries", "links", "columns", "verdicts"):
        assert snap[k] == reference[k], k
    # nothing was written into the machines' directories but their logs
    assert sorted(p.name for m in machines for p in m.iterdir()) == ["worker.log", "worker.log"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_kill_worker_mid_sweep_and_restart(sites: Any, reference: dict, redis_server: Any, backend: str,
                                           request: Any) -> None:
    """SIGKILL the only worker (no cleanup at all: requests in flight, site leases, rows
    buffered for the store, an open store transaction), start it again: it takes its
    leftovers back and completes.  On the SQLite file and on a PostgreSQL store."""
    world, server, registry, tmp = sites
    store = tmp / "killed.db" if backend == "sqlite" else request.getfixturevalue("pg_url")
    server.reset()
    server.latency = 0.08  # slow sites: the sweep lasts long enough to kill the worker in it
    try:
        common = ("-s", f"GOVCRAWL_REDIS_URL={redis_server.url}", "-s", "GOVCRAWL_DIST_HEARTBEAT_TTL=6",
                  "-s", "GOVCRAWL_WORKER_ID=kw", "-s", "GOVCRAWL_STORE_BATCH=10")
        first, again = tmp / f"kill-{backend}-1.log", tmp / f"kill-{backend}-2.log"
        a = start_worker(registry, store, first, *common)
        total = len(reference["pages"])
        _wait_for_pages(store, total // 5, a, first)
        a.send_signal(signal.SIGKILL)
        a.wait()
        assert pages_stored(store) < total, "too late: the sweep was over before the kill"
        b = start_worker(registry, store, again, *common, "-a", "inspection=1")
        code = wait(b)
        out = _log(again)
        assert code == 0, out[-3000:]
    finally:
        server.latency = 0.01

    assert re.search(r"requeued \d+ request\(s\) this worker id left in flight", out), out[-3000:]
    assert "runs the site checks and verdicts" in out
    snap = snapshot(store)
    assert snap["status"] == "finished"
    # nothing lost, nothing duplicated: the same rows as the single-worker sweep
    for k in ("pages", "findings", "link_status", "entries", "links", "columns", "verdicts"):
        assert snap[k] == reference[k], k
    gets = server.page_hits("GET")
    assert set(gets) == {u for u, *_ in reference["pages"] if "127.0.0.1:9/" not in u}


@pytest.mark.postgres
def test_postgresql_down_mid_sweep_nothing_lost(sites: Any, reference: dict) -> None:
    """The PostgreSQL store stops in the middle of a sweep and comes back 4 s later: the
    worker keeps its rows, writes them when the server is back, and the inspection holds
    exactly what the SQLite reference holds (no Redis: one plain worker)."""
    from tests.pgserver import PgServer

    world, server, registry, tmp = sites
    pg = PgServer()  # its own server: this test stops it
    try:
        url = pg.new_database()
        server.reset()
        server.latency = 0.05
        log = tmp / "outage.log"
        proc = start_worker(registry, url, log, "-s", "GOVCRAWL_STORE_BATCH=10",
                            "-s", "GOVCRAWL_STORE_RETRY_INTERVAL=1")
        total = len(reference["pages"])
        _wait_for_pages(url, total // 5, proc, log)
        pg.pause()
        time.sleep(4)
        assert proc.poll() is None, "the worker gave up while the store was down:\n" + _log(log)[-3000:]
        pg.resume()
        code = wait(proc)
        out = _log(log)
        assert code == 0, out[-3000:]
        assert "unreachable" in out and "reachable again: buffered rows written" in out, out[-3000:]
        snap = snapshot(url)
        assert snap["status"] == "finished"
        for k in ("pages", "findings", "link_status", "entries", "links", "columns", "verdicts"):
            assert snap[k] == reference[k], k
    finally:
        server.latency = 0.01
        pg.stop()

