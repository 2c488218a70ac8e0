"""The shared queue's rules, checked directly on Redis (no crawl, fast).

- a site's limit holds across workers together (leases), and frees on release;
- slots are served round robin, priorities first inside a slot;
- a dead worker's in-flight requests go back to the queue, its leases are freed;
- a worker restarted under the same id takes its own leftovers back at once;
- the finalization gate: wait while anything is queued or in flight, then exactly one
  worker finalizes; a finished inspection makes everyone skip.
"""

from __future__ import annotations

import time
from itertools import count
from typing import Any

import pytest

from govcrawl.dist.worker import Worker

pytestmark = pytest.mark.redis
_n = count()


@pytest.fixture()
def prefix(redis_server: Any) -> str:
    return f"t{next(_n)}:i1:"


def mk(redis_server: Any, prefix: str, wid: str, ttl: float = 30.0, limits: dict | None = None) -> Worker:
    w = Worker(redis_server.client, prefix, wid, 1, "2024-06-20", heartbeat_ttl=ttl, lease_ttl=60,
               key_ttl=600, default_limit=1)
    w.register(limits if limits is not None else {"site:a": 2, "site:b": 2}, {})
    return w


def test_site_limit_holds_across_workers(redis_server: Any, prefix: str) -> None:
    w1, w2 = mk(redis_server, prefix, "w1"), mk(redis_server, prefix, "w2")
    for i in range(5):
        w1.push("site:a", 0, f"a{i}".encode())
    got = [w1.pop(), w2.pop(), w1.pop(), w2.pop()]
    assert [g is not None for g in got] == [True, True, False, False]  # limit 2, whoever asks
    token = got[0][0]
    w1.release(token)
    nxt = w2.pop()
    assert nxt is not None and nxt[2] == b"a2"  # FIFO inside the slot


def test_out_of_queue_lease_counts_against_the_shared_site_limit(redis_server: Any, prefix: str) -> None:
    """The hacked-page re-fetches do not come from the queue; their lease still counts."""
    w1, w2 = mk(redis_server, prefix, "w1"), mk(redis_server, prefix, "w2")
    for i in range(4):
        w1.push("site:a", 0, f"a{i}".encode())
    a, b = w1.pop(), w1.pop()
    assert a and b
    assert w2.lease("site:a") is None  # the site is at its limit of 2
    assert w2.lease("site:b") is not None  # another site is not
    w1.release(a[0])
    t = w2.lease("site:a")
    assert t is not None
    assert w1.pop() is None  # the lease holds the place a queued request would take
    w2.release(t)
    assert w1.pop() is not None


def test_trap_cap_counts_distinct_urls_of_all_workers(redis_server: Any, prefix: str) -> None:
    w1, w2 = mk(redis_server, prefix, "w1"), mk(redis_server, prefix, "w2")
    pat = "/rl/calendar.html?month"
    got = [w.trap_allow("a", pat, f"http://a/rl/calendar.html?month=2024-{i:02d}", 3)
           for i, w in zip(range(1, 6), (w1, w2, w1, w2, w1))]
    assert got == [True, True, True, False, False]  # 3 in all, not 3 per worker
    assert w2.trap_allow("a", pat, "http://a/rl/calendar.html?month=2024-01", 3)  # one already taken
    assert w2.trap_allow("b", pat, "http://b/rl/calendar.html?month=2024-09", 3)  # per site


def test_round_robin_between_slots_and_priority(redis_server: Any, prefix: str) -> None:
    w = mk(redis_server, prefix, "w1", limits={"site:a": 10, "site:b": 10})
    for i in range(3):
        w.push("site:a", 0, f"a{i}".encode())
    for i in range(3):
        w.push("site:b", 0, f"b{i}".encode())
    w.push("site:a", 10, b"a-home")
    order = [w.pop()[2] for _ in range(7)]
    assert order == [b"a-home", b"b0", b"a0", b"b1", b"a1", b"b2", b"a2"]
    assert w.pop() is None


def test_dead_worker_requests_requeued_and_leases_freed(redis_server: Any, prefix: str) -> None:
    dead = mk(redis_server, prefix, "dead", ttl=0.5)
    alive = mk(redis_server, prefix, "alive")
    for i in range(3):
        dead.push("site:a", 0, f"r{i}".encode())
    taken = [dead.pop(), dead.pop()]
    assert all(taken) and alive.pop() is None  # both leases of site:a held by 'dead'
    gate = alive.gate()
    assert gate[0] == "wait"
    time.sleep(0.7)  # 'dead' never beats again: its heartbeat key runs out
    assert alive.beat() == 2
    got = sorted(alive.pop()[2] for _ in range(2))
    assert got == [b"r0", b"r1"]  # the same requests, fetched again; the third waits for a lease
    assert alive.counts() == (1, 2, 1)


def test_restart_under_same_id_takes_leftovers_back(redis_server: Any, prefix: str) -> None:
    first = mk(redis_server, prefix, "w", ttl=0.5)
    first.push("site:a", 0, b"x")
    assert first.pop() is not None
    first.stop_heartbeat()
    # the new process (new nonce) waits for the old heartbeat to expire, then requeues
    second = mk(redis_server, prefix, "w", ttl=0.5)
    popped = second.pop()
    assert popped is not None and popped[2] == b"x"


def test_gate_finalizes_once(redis_server: Any, prefix: str) -> None:
    w1, w2 = mk(redis_server, prefix, "w1"), mk(redis_server, prefix, "w2")
    w1.push("site:a", 0, b"p")
    assert w1.gate()[0] == "wait" and w2.gate()[0] == "wait"  # queued
    tok, _slot, _data = w2.pop()
    w2.track(tok, object())
    assert w1.gate()[0] == "wait"  # in flight on w2, not acked yet
    assert w2.ack(()) == 1
    verdicts = [w1.gate()[0], w2.gate()[0], w1.gate()[0]]
    assert verdicts == ["go", "skip", "go"]
    redis_server.client.set(prefix + "state", "finished")
    assert w2.gate()[0] == "skip" and w1.gate()[0] == "skip"


def test_two_spiders_share_one_trap_cap(redis_server: Any, prefix: str, tmp_path: Any) -> None:
    """The sweep spider's trap guard in a distributed sweep: a calendar trap yields `cap`
    pages in all, whichever worker's pages link into it."""
    from govcrawl.items import Link, PageItem
    from govcrawl.spiders.sweep import SweepSpider

    site_url = "http://127.0.0.1:8001/"
    reg = tmp_path / "sites.yaml"
    reg.write_text(f"sites:\n- id: '6105000001'\n  name: 测试局\n  url: {site_url}\n", encoding="utf-8")
    spiders, notices = [], []
    for wid in ("w1", "w2"):
        sp = SweepSpider(registry=str(reg), store=str(tmp_path / "s.db"), as_of="2024-06-20")
        sp.pattern_cap, sp.max_pages, sp.link_check, sp.depth_limit = 5, 1000, True, 0
        sp.skip_hosts = set()
        sp.dist = mk(redis_server, prefix, wid)
        sp._notice = lambda *a, **k: notices.append(a)  # type: ignore[method-assign]
        spiders.append(sp)
    taken = []
    for n in range(8):  # the workers take turns; each page links to two new calendar days
        sp = spiders[n % 2]
        site = sp.sites["6105000001"]
        links = [Link(site_url + f"cal.html?date=2024-06-{2 * n + k + 1:02d}") for k in (0, 1)]
        page = type("P", (), {"pagination": [], "endpoints": [], "links": links})()
        item = PageItem(1, "6105000001", site_url + f"p{n}.html", as_of="2024-06-20", page_type="article")
        taken += [r.url for r in sp._follow(site, item.url, item, page) if "cal.html" in r.url]
    assert len(taken) == 5 and len(set(taken)) == 5  # not 5 per worker
    assert {a[1] for a in notices} == {"trap"} and len(notices) == 2  # each worker says so once
