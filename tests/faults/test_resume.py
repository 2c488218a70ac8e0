"""kill -9 (and Ctrl-C) at chosen moments of a sweep, then the same command again.

With JOBDIR the same command completes the same inspection with exactly the rows of an
uninterrupted sweep (pages, findings, link checks, list entries, links, columns,
verdicts): nothing lost, nothing duplicated.  Until then the inspection reads
'interrupted' everywhere and publishes no verdict.  Without JOBDIR a killed sweep's
inspection is 'interrupted', never 'running' for ever.  (benchmarks/bench_faults.py runs
the bigger matrix: kill -9 at 5 random moments on a bigger world.)
"""

from __future__ import annotations

import json
import signal
from collections import Counter
from typing import Any

import pytest

from govcrawl.store import Store

from .harness import Sweep, diff, govcrawl, lost_or_extra, pages_stored, snapshot, sweep_cmd, tracebacks, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]


def _moment(when: str, fw: Any, sweep: Sweep, store: Any) -> None:
    total = len(fw.reference["pages"])
    if when == "early":
        wait_until(lambda: pages_stored(store) >= 8, sweep, what="8 pages stored")
    elif when == "middle":
        wait_until(lambda: pages_stored(store) >= total * 0.6, sweep, what="60% of the pages stored")
    else:  # the end: site checks under way (one site judged, the other maybe not)
        wait_until(lambda: "site checks 61" in sweep.text(), sweep, what="the site checks")


def _history(store: Any) -> list[dict]:
    r = govcrawl("history", "--store", str(store))
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def _assert_unpublished(store: Any, state: str) -> None:
    """What every command says about an inspection that is not finished."""
    v = govcrawl("verdicts", "--store", str(store), "--format", "jsonl")
    assert v.returncode == 2 and v.stdout == "", v.stdout
    assert f"is {state}" in v.stderr and "no verdicts from an unfinished inspection" in v.stderr, v.stderr
    f = govcrawl("findings", "--store", str(store), "--format", "jsonl")
    assert f.returncode == 0 and f"is {state}" in f.stderr
    assert all(json.loads(line)["inspection_state"] == state for line in f.stdout.splitlines())
    out = store.parent / "report"
    r = govcrawl("report", "--store", str(store), "--out", str(out))
    assert r.returncode == 2 and f"is {state}" in r.stderr and not out.exists(), r.stderr
    assert [(h["inspection"], h["state"]) for h in _history(store)] == [(1, state)]


@pytest.mark.parametrize("when", ["early", "middle", "end"])
def test_kill_9_then_the_same_command_completes_the_inspection(fault_world: Any, tmp_path: Any,
                                                               when: str) -> None:
    fw = fault_world
    store, job = tmp_path / "s.db", tmp_path / "job"
    cmd = sweep_cmd(fw.registry, store, "-s", f"JOBDIR={job}")
    fw.server.reset()
    fw.server.latency = 0.04  # slow sites: the kill lands inside the crawl
    try:
        first = Sweep(cmd, tmp_path / "first.log").start()
        _moment(when, fw, first, store)
        first.signal(signal.SIGKILL)
        first.wait()
        assert pages_stored(store) < len(fw.reference["pages"]) or when == "end"
        _assert_unpublished(store, "interrupted")
        again = Sweep(cmd, tmp_path / "again.log").start()
        assert again.wait() == 0, again.text()[-3000:]
    finally:
        fw.server.latency = 0.01
    log = again.text()
    assert "resuming inspection 1" in log
    got = snapshot(store)
    assert got["status"] == "finished"
    assert lost_or_extra(diff(got, fw.reference)) == {}
    assert tracebacks(first.text()) == 0 and tracebacks(log) == 0, log[-3000:]
    assert [(h["inspection"], h["state"]) for h in _history(store)] == [(1, "finished")]
    # every page fetched; again only what was in flight, or done but not yet committed
    gets = fw.server.page_hits("GET")
    assert {u for u, *_ in fw.reference["pages"] if "127.0.0.1:9/" not in u} <= set(gets)
    assert sum(n - 1 for n in gets.values()) <= 20, Counter({u: n for u, n in gets.items() if n > 1})


@pytest.mark.postgres
def test_kill_9_on_a_postgresql_store_then_resume(fault_world: Any, tmp_path: Any, pg_url: str) -> None:
    """The frontier in PostgreSQL (pickled requests as BYTEA, upserts on its key)."""
    fw = fault_world
    cmd = sweep_cmd(fw.registry, pg_url, "-s", f"JOBDIR={tmp_path / 'job'}")
    fw.server.latency = 0.04
    try:
        first = Sweep(cmd, tmp_path / "first.log").start()
        _moment("middle", fw, first, pg_url)
        first.signal(signal.SIGKILL)
        first.wait()
        again = Sweep(cmd, tmp_path / "again.log").start()
        assert again.wait() == 0, again.text()[-3000:]
    finally:
        fw.server.latency = 0.01
    assert "resuming inspection 1" in again.text()
    got = snapshot(pg_url)
    assert got["status"] == "finished"
    assert lost_or_extra(diff(got, fw.reference)) == {}
    assert tracebacks(first.text()) + tracebacks(again.text()) == 0


def test_ctrl_c_leaves_it_interrupted_without_verdicts_then_resumes(fault_world: Any, tmp_path: Any) -> None:
    fw = fault_world
    store, job = tmp_path / "s.db", tmp_path / "job"
    cmd = sweep_cmd(fw.registry, store, "-s", f"JOBDIR={job}")
    fw.server.latency = 0.04
    try:
        first = Sweep(cmd, tmp_path / "first.log").start()
        _moment("middle", fw, first, store)
        first.signal(signal.SIGINT)
        assert first.wait() == 1  # 0 only when the sweep ran to its end (contract §1)
        assert "scrapy crawl sweep: the inspection is interrupted (no verdicts)" in first.text()
        s = Store(store, readonly=True)
        row = s.inspection(1)
        assert row["status"] == "interrupted" and s.state(row) == "interrupted"
        assert s.conn.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0] == 0  # none from partial data
        s.close()
        assert "inspection 1 interrupted" in first.text()
        _assert_unpublished(store, "interrupted")
        again = Sweep(cmd, tmp_path / "again.log").start()
        assert again.wait() == 0, again.text()[-3000:]
    finally:
        fw.server.latency = 0.01
    got = snapshot(store)
    assert got["status"] == "finished"
    assert lost_or_extra(diff(got, fw.reference)) == {}
    assert tracebacks(first.text()) + tracebacks(again.text()) == 0


def test_kill_9_without_jobdir_is_interrupted_not_running(fault_world: Any, tmp_path: Any) -> None:
    """No JOBDIR, nothing to resume from: the inspection must still not read 'running' for
    ever; a later sweep in the same store also writes 'interrupted' into its status."""
    fw = fault_world
    store = tmp_path / "s.db"
    fw.server.latency = 0.04
    try:
        first = Sweep(sweep_cmd(fw.registry, store), tmp_path / "first.log").start()
        _moment("early", fw, first, store)
        s = Store(store, readonly=True)
        assert s.state(1) == "running"  # its process lives
        s.close()
        first.signal(signal.SIGKILL)
        first.wait()
    finally:
        fw.server.latency = 0.01
    _assert_unpublished(store, "interrupted")
    s = Store(store)
    assert s.inspection(1)["status"] == "running" and s.state(1) == "interrupted"
    assert s.reap() == [1]  # what a sweep starting in this store does first
    assert s.inspection(1)["status"] == "interrupted"
    s.close()
