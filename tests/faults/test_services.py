"""Redis (distributed sweeps) and the PostgreSQL store stopped in the middle of a sweep and
started again: one error line when the service goes, one when it is back, no traceback,
and exactly the rows of an uninterrupted sweep at the end (the SQLite reference)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from .harness import RestartableRedis, Sweep, diff, lost_or_extra, pages_stored, snapshot, sweep_cmd, tracebacks, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]


def _errors(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.search(r"\] ERROR: ", line)
            and "Gave up retrying <GET http://127.0.0.1:9/" not in line]  # the world's dead outside link


@pytest.mark.redis
def test_redis_stopped_15_s_mid_sweep(fault_world: Any, tmp_path: Any) -> None:
    fw = fault_world
    srv = RestartableRedis(tmp_path)
    store = tmp_path / "d.db"
    fw.server.latency = 0.04
    try:
        sweep = Sweep(sweep_cmd(fw.registry, store, "-s", f"GOVCRAWL_REDIS_URL={srv.url}",
                                "-s", "GOVCRAWL_DIST_HEARTBEAT_TTL=6"), tmp_path / "dist.log").start()
        wait_until(lambda: pages_stored(store) >= 15, sweep, what="15 pages stored")
        srv.stop()
        time.sleep(15)
        assert sweep.running(), sweep.text()[-3000:]
        srv.start()
        assert sweep.wait() == 0, sweep.text()[-3000:]
    finally:
        fw.server.latency = 0.01
        srv.stop()
    log = sweep.text()
    got = snapshot(store)
    assert got["status"] == "finished"
    assert lost_or_extra(diff(got, fw.reference)) == {}
    assert tracebacks(log) == 0, log[-3000:]
    errors = _errors(log)
    assert len(errors) == 1 and "Redis unreachable" in errors[0], errors
    assert "Redis reachable again" in log


@pytest.mark.postgres
def test_postgresql_stopped_mid_sweep(fault_world: Any, tmp_path: Any) -> None:
    from tests.pgserver import PgServer

    fw = fault_world
    pg = PgServer()  # its own server: this test stops it
    try:
        url = pg.new_database()
        fw.server.latency = 0.04
        sweep = Sweep(sweep_cmd(fw.registry, url, "-s", "GOVCRAWL_STORE_RETRY_INTERVAL=1"),
                      tmp_path / "pg.log").start()
        wait_until(lambda: pages_stored(url) >= 15, sweep, what="15 pages stored")
        pg.pause()
        time.sleep(8)
        assert sweep.running(), sweep.text()[-3000:]
        pg.resume()
        assert sweep.wait() == 0, sweep.text()[-3000:]
        got = snapshot(url)
    finally:
        fw.server.latency = 0.01
        pg.stop()
    log = sweep.text()
    assert got["status"] == "finished"
    assert lost_or_extra(diff(got, fw.reference)) == {}
    assert tracebacks(log) == 0, log[-3000:]
    errors = _errors(log)
    assert len(errors) == 1 and "unreachable" in errors[0], errors
    assert "reachable again" in log


@pytest.mark.redis
def test_redis_gone_for_good_worker_stops_then_a_new_one_completes(fault_world: Any, tmp_path: Any) -> None:
    """Redis away longer than GOVCRAWL_DIST_REDIS_TIMEOUT: the worker stops with one line and
    exit status 1; once Redis is back a worker started again finishes the inspection."""
    fw = fault_world
    srv = RestartableRedis(tmp_path)
    store = tmp_path / "d.db"
    common = ("-s", f"GOVCRAWL_REDIS_URL={srv.url}", "-s", "GOVCRAWL_DIST_HEARTBEAT_TTL=4",
              "-s", "GOVCRAWL_WORKER_ID=w1")
    fw.server.latency = 0.04
    try:
        first = Sweep(sweep_cmd(fw.registry, store, *common, "-s", "GOVCRAWL_DIST_REDIS_TIMEOUT=3"),
                      tmp_path / "first.log").start()
        wait_until(lambda: pages_stored(store) >= 15, first, what="15 pages stored")
        srv.stop()
        assert first.wait() == 1
        srv.start()
        again = Sweep(sweep_cmd(fw.registry, store, *common, "-a", "inspection=1"), tmp_path / "again.log").start()
        assert again.wait() == 0, again.text()[-3000:]
    finally:
        fw.server.latency = 0.01
        srv.stop()
    log = first.text()
    assert tracebacks(log) == 0, log[-3000:]
    errors = _errors(log)
    assert len(errors) == 2 and "Redis unreachable" in errors[0] and "still unreachable after 3 s" in errors[1], errors
    assert log.rstrip().splitlines()[-1].startswith("scrapy crawl sweep: Redis stayed unreachable")
    got = snapshot(store)
    assert got["status"] == "finished"
    assert lost_or_extra(diff(got, fw.reference)) == {}
    assert tracebacks(again.text()) == 0


@pytest.mark.redis
def test_redis_outage_bookkeeping_directly(tmp_path: Any) -> None:
    """What the worker does with Redis gone, on the scripts themselves (no crawl): a request
    whose fingerprint is recorded is always queued (one script), requests and acks wait in
    the worker and are sent when Redis is back, and a pop whose reply was lost goes back
    to the queue instead of staying 'in flight' for ever."""
    from govcrawl.dist.worker import Worker

    srv = RestartableRedis(tmp_path)
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=srv.port, socket_timeout=5)
        w = Worker(client, "t:i1:", "w1", 1, "2024-06-20", heartbeat_ttl=30, lease_ttl=60, key_ttl=600,
                   default_limit=2)
        w.register({"site:a": 2}, {})
        assert w.offer("fp1", "site:a", 0, b"r1") and not w.offer("fp1", "site:a", 0, b"r1-again")
        # a pop executed by Redis whose answer never came back (the connection dropped)
        w.scripts.pop(args=[w.prefix, w.id, "w1|lost", 60, 2, 600])
        srv.stop()
        assert w.offer("fp2", "site:a", 0, b"r2")  # kept here
        assert w.pop() is None and w.waiting() and w.has_queued()
        w.ack(())
        srv.start()
        assert w.reconnect() and not w.waiting()
        assert client.hlen("t:i1:inflight:w1") == 0  # the lost pop is queued again
        got = sorted(w.pop()[2] for _ in range(2))
        assert got == [b"r1", b"r2"]
        assert not w.offer("fp2", "site:a", 0, b"r2")  # its fingerprint went with it
    finally:
        srv.stop()
