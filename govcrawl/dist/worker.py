"""One worker process of a distributed sweep: its identity, leases, acks and heartbeat.

The life of a request, and why nothing is lost when a worker is killed:

1. ``push``: a new request goes into its slot's queue (after the shared dupefilter).
2. ``pop``: atomically taken from the queue, a lease on its site taken, and a copy
   recorded under this worker's ``inflight`` hash with a token.
3. The download ends: the lease is released (after the slot's delay, so the site's
   politeness holds across workers).
4. The response is parsed, its items pass the pipelines, its new requests are pushed.
5. The store pipeline commits a batch; only then are the requests whose processing
   has ended *acked* (their ``inflight`` copy deleted).

A worker killed anywhere in 2–5 leaves its copies in ``inflight``; once its heartbeat
key expires, any live worker (or the restarted one) puts them back in the queue.
Stored rows are upserts keyed by inspection and URL / finding key, so re-processing a
request never duplicates anything.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import socket
import threading
import time
from typing import Any, Iterable

import redis

from govcrawl import db
from govcrawl.dist.redisq import Scripts

logger = logging.getLogger("govcrawl.dist")

# Redis gone for a while (stopped, restarting, loading its AOF, the network cut): what the
# worker keeps doing without it, see Worker.unreachable
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)


def _s(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


class Worker:
    """Per-process handle on an inspection's shared state (see govcrawl.dist.redisq)."""

    def __init__(self, server: Any, prefix: str, worker_id: str, inspection_id: int, as_of: str,
                 *, heartbeat_ttl: float = 30.0, lease_ttl: float = 120.0,
                 key_ttl: int = 2 * 86400, default_limit: int = 2, store_path: str = "") -> None:
        self.server = server
        self.prefix = prefix
        self.id = worker_id
        self.inspection_id = inspection_id
        self.as_of = as_of
        self.heartbeat_ttl = heartbeat_ttl
        self.lease_ttl = lease_ttl
        self.key_ttl = key_ttl
        self.default_limit = default_limit
        self.store_path = store_path
        self.scripts = Scripts(server)
        self._tokens = itertools.count(1)
        self._nonce = f"{os.getpid()}-{time.time():.6f}"
        # token -> popped request (the very object the engine downloads)
        self.popped: dict[str, Any] = {}
        # token -> slot, for leases not released yet
        self.leases: dict[str, str] = {}
        self.delays: dict[str, float] = {}
        self.flush_hook: Any = None  # the store pipeline's flush; set when it opens
        self.seen_local: set[str] = set()  # fingerprints known to be in the shared dupefilter
        self.finalizing = False
        self.inspection_closed = False
        self.min_workers = 1
        self._quorum = False
        self._quorum_checked = 0.0
        self._beating: threading.Thread | None = None
        self._stop = threading.Event()
        # while Redis is unreachable: requests not pushed yet (fingerprint, slot, priority,
        # data), tokens not acked yet, leases not released yet; all sent once it is back
        self.backlog: list[tuple[str | None, str, int, bytes]] = []
        self.unacked: set[str] = set()
        self.unreleased: list[tuple[str, str]] = []
        self.down_since: float | None = None
        self._down_lock = threading.Lock()

    def key(self, name: str) -> str:
        return self.prefix + name

    # -- Redis gone for a while ---------------------------------------------------------
    def unreachable(self, e: BaseException, what: str) -> None:
        """Redis did not answer: one error line for the whole outage.  Meanwhile new requests
        wait in `backlog`, acks in `unacked`, lease releases in `unreleased`; popping yields
        nothing and the worker does not finish; `reconnect` (every tick) sends them."""
        with self._down_lock:
            if self.down_since is not None:
                return
            self.down_since = time.monotonic()
        logger.error("Redis unreachable (%s: %s): requests, acks and leases are kept here and sent when it "
                     "is back; the worker does not finish meanwhile", what, db.first_line(e))

    def reconnect(self) -> bool:
        """Send what waited while Redis was away; True when nothing waits (any more)."""
        if self.down_since is None and not (self.backlog or self.unacked or self.unreleased):
            return True
        try:
            self.server.ping()
            while self.backlog:
                self._offer(*self.backlog[0])
                self.backlog.pop(0)
            if self.unacked:
                self.server.hdel(self.key("inflight:" + self.id), *self.unacked)
                self.unacked.clear()
            while self.unreleased:
                slot, token = self.unreleased[0]
                self.server.zrem(self.key("lease:" + slot), token)
                self.unreleased.pop(0)
            # a request popped in Redis whose reply never arrived: back to the queue
            orphans = [t for t in (_s(x) for x in self.server.hkeys(self.key("inflight:" + self.id)))
                       if t not in self.popped and t not in self.unacked]
            if orphans:
                moved = int(self.scripts.requeue(args=[self.prefix, self.key_ttl, self.id, *orphans]) or 0)
                logger.warning("requeued %d request(s) taken while Redis went away", moved)
        except REDIS_DOWN as e:
            self.unreachable(e, "reconnecting")
            return False
        if self.down_since is not None:
            logger.info("Redis reachable again after %.0f s: what waited is sent", time.monotonic() - self.down_since)
            self.down_since = None
        return True

    def waiting(self) -> bool:
        """Redis away or something not sent yet: the sweep is not done."""
        return self.down_since is not None or bool(self.backlog or self.unacked or self.unreleased)

    # -- membership ----------------------------------------------------------------
    def register(self, limits: dict[str, int], delays: dict[str, float]) -> None:
        """Join the inspection: heartbeat, our entry, the slots' shared limits."""
        self.delays = dict(delays)
        k = self.key("alive:" + self.id)
        deadline = time.monotonic() + self.heartbeat_ttl * 1.5
        while (owner := self.server.get(k)) is not None and _s(owner) != self._nonce:
            # the same worker id restarted: wait for the old process's heartbeat to run out
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker id {self.id} is in use by a running worker "
                                   "(give each worker its own GOVCRAWL_WORKER_ID)")
            logger.info("worker id %s: waiting for the previous process's heartbeat to expire", self.id)
            time.sleep(min(1.0, self.heartbeat_ttl / 4))
        if self.server.sismember(self.key("workers"), self.id):
            moved = int(self.scripts.recover(args=[self.prefix, self.key_ttl, self.id]) or 0)
            if moved:
                logger.warning("requeued %d request(s) this worker id left in flight before a restart", moved)
        pipe = self.server.pipeline()
        pipe.set(self.key("alive:" + self.id), self._nonce, px=int(self.heartbeat_ttl * 1000))
        pipe.sadd(self.key("workers"), self.id)
        pipe.hset(self.key("info"), self.id, json.dumps(
            {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}))
        if limits:
            pipe.hset(self.key("limits"), mapping={k: int(v) for k, v in limits.items()})
        for name in ("workers", "info", "limits", "dupefilter"):
            pipe.expire(self.key(name), self.key_ttl)
        pipe.execute()

    def start_heartbeat(self) -> None:
        """Keep our `alive` key fresh from a thread: alive means "the process runs", even
        while the reactor is busy with a long parse or a slow store commit."""
        if self._beating is not None:
            return
        self._stop.clear()

        def run() -> None:
            while not self._stop.wait(self.heartbeat_ttl / 4):
                try:
                    self._refresh()
                except REDIS_DOWN as e:  # Redis away for a while: try again next round
                    self.unreachable(e, "heartbeat")
                except Exception as e:
                    logger.warning("heartbeat: %s", e)

        self._beating = threading.Thread(target=run, name="govcrawl-heartbeat", daemon=True)
        self._beating.start()

    def stop_heartbeat(self) -> None:
        self._stop.set()
        self._beating = None

    def _refresh(self) -> None:
        k = self.key("alive:" + self.id)
        owner = self.server.get(k)
        if owner is not None and _s(owner) != self._nonce:
            logger.error("worker id %s is used by another running process: give each worker its own "
                         "GOVCRAWL_WORKER_ID", self.id)
        elif owner is None and self.popped:
            logger.warning("worker %s: heartbeat expired (no beat for %.0fs); its requests may be "
                           "fetched twice", self.id, self.heartbeat_ttl)
        pipe = self.server.pipeline()
        pipe.set(k, self._nonce, px=int(self.heartbeat_ttl * 1000))
        pipe.sadd(self.key("workers"), self.id)
        pipe.expire(self.key("dupefilter"), self.key_ttl)
        pipe.execute()

    def beat(self) -> int:
        """Refresh our heartbeat and requeue what dead workers held; returns requests requeued."""
        self._refresh()
        moved = int(self.scripts.recover(args=[self.prefix, self.key_ttl, ""]) or 0)
        if moved:
            logger.warning("requeued %d request(s) left in flight by dead worker(s)", moved)
        return moved

    def ready(self) -> None:
        """Pipelines open (lexicons loaded): this worker can take requests."""
        self.server.sadd(self.key("ready"), self.id)
        self.server.expire(self.key("ready"), self.key_ttl)

    def quorum(self) -> bool:
        """False until GOVCRAWL_DIST_MIN_WORKERS workers are ready (default 1: at once).

        Lets N workers started together begin together, so one whose start-up was quicker
        does not take every site's leases first (benchmarks, tests)."""
        if self._quorum or self.min_workers <= 1:
            return True
        now = time.monotonic()
        if now - self._quorum_checked < 0.5:
            return False
        self._quorum_checked = now
        try:
            self._quorum = int(self.server.scard(self.key("ready"))) >= self.min_workers
        except REDIS_DOWN as e:
            self.unreachable(e, "counting the workers ready")
            return False
        if self._quorum:
            logger.info("%d workers ready: crawling", self.min_workers)
        return self._quorum

    def finished_elsewhere(self) -> bool:
        return _s(self.server.get(self.key("state")) or b"") == "finished"

    # -- queue -----------------------------------------------------------------------
    def push(self, slot: str, priority: int, data: bytes) -> None:
        self.scripts.push(args=[self.prefix, slot, int(priority), data, self.key_ttl])

    def offer(self, fp: str | None, slot: str, priority: int, data: bytes) -> bool:
        """A new request: False when the shared duplicate filter knew it, else queued (kept
        here while Redis is away, sent by `reconnect`)."""
        if self.backlog or self.down_since is not None:
            self.backlog.append((fp, slot, priority, data))
            return True
        try:
            return bool(self._offer(fp, slot, priority, data))
        except REDIS_DOWN as e:
            self.unreachable(e, "queueing a request")
            self.backlog.append((fp, slot, priority, data))
        return True

    def _offer(self, fp: str | None, slot: str, priority: int, data: bytes) -> int:
        """Duplicate filter and queue in one script: 0 when the filter knew the request."""
        return int(self.scripts.offer(args=[self.prefix, slot, int(priority), data, self.key_ttl, fp or ""]))

    def has_queued(self) -> bool:
        if self.down_since is not None:
            return True  # not known: the crawl must not end meanwhile
        try:
            return bool(self.server.zcard(self.key("rr")))
        except REDIS_DOWN as e:
            self.unreachable(e, "reading the queue")
            return True

    def pop(self) -> tuple[str, str, bytes] | None:
        if self.down_since is not None and not self.reconnect():
            return None
        token = f"{self.id}|{next(self._tokens)}"
        try:
            res = self.scripts.pop(args=[self.prefix, self.id, token, self.lease_ttl,
                                         self.default_limit, self.key_ttl])
        except REDIS_DOWN as e:
            self.unreachable(e, "taking a request")
            return None
        if not res:
            return None
        slot, data = res
        self.leases[token] = _s(slot)
        return token, _s(slot), data

    def lease(self, slot: str) -> str | None:
        """A lease on `slot` for a request that bypasses the queue, if the site has room
        under its shared limit; give it back with `release(token)`."""
        token = f"{self.id}|x{next(self._tokens)}"
        try:
            # Redis away: nobody can count the site's shared limit; this one request goes
            # ahead rather than waiting out the lease time (its release is sent later)
            if self.down_since is None and not self.scripts.lease(
                    args=[self.prefix, slot, token, self.lease_ttl, self.default_limit, self.key_ttl]):
                return None
        except REDIS_DOWN as e:
            self.unreachable(e, "taking a site lease")
        self.leases[token] = slot
        return token

    def trap_allow(self, site_id: str, pattern: str, url: str, cap: int) -> bool:
        """A trap-prone URL of `pattern` may be crawled: fewer than `cap` distinct URLs of
        that pattern have been taken by all workers together."""
        try:
            return bool(self.scripts.trap(args=[self.prefix, f"{site_id}|{pattern}", url, int(cap), self.key_ttl]))
        except REDIS_DOWN as e:  # counted by nobody for a moment: better one page over the cap than a loss
            self.unreachable(e, "counting a trap pattern")
            return True

    def track(self, token: str, request: Any) -> None:
        self.popped[token] = request

    def release(self, token: str | None, *, now: bool = False) -> None:
        """The download of `token` ended: free its site lease (after the slot's delay)."""
        if not token:
            return
        slot = self.leases.pop(token, None)
        if slot is None:
            return
        delay = 0.0 if now else float(self.delays.get(slot, 0.0) or 0.0)
        if delay > 0:
            from twisted.internet import reactor

            reactor.callLater(delay, self._zrem, slot, token)  # type: ignore[attr-defined]
        else:
            self._zrem(slot, token)

    def _zrem(self, slot: str, token: str) -> None:
        try:
            self.server.zrem(self.key("lease:" + slot), token)
        except REDIS_DOWN as e:  # released by `reconnect` (or it expires after lease_ttl)
            self.unreachable(e, "releasing a site lease")
            self.unreleased.append((slot, token))
        except Exception as e:  # a lost release only delays the site until the lease expires
            logger.warning("could not release lease %s: %s", token, e)

    def ack(self, in_progress: Iterable[Any] | None) -> int:
        """Ack every popped request no longer in the engine (its items are stored by now).

        `in_progress`: the requests the engine is still working on; None means "unknown"
        and acks nothing (the idle path passes an empty set).
        """
        if in_progress is None or not self.popped:
            return 0
        busy = {id(r) for r in in_progress}
        done = [t for t, r in self.popped.items() if id(r) not in busy]
        if not done:
            return 0
        for t in done:
            del self.popped[t]
            if t in self.leases:
                self.release(t, now=True)
        self.unacked.update(done)
        if self.down_since is None:
            try:
                self.server.hdel(self.key("inflight:" + self.id), *self.unacked)
                self.unacked.clear()
            except REDIS_DOWN as e:  # acked by `reconnect`: until then, not forgotten
                self.unreachable(e, "acking requests")
        return len(done)

    # -- the end ---------------------------------------------------------------------
    def gate(self) -> tuple[str, int, int, str]:
        """'wait' (others still crawl), 'go' (finalize here) or 'skip' (another worker does)."""
        self.beat()
        verdict, queued, inflight, holder = self.scripts.gate(args=[self.prefix, self.id])
        return _s(verdict), int(queued), int(inflight), _s(holder)

    def finalize_gate(self) -> dict[str, int] | None:
        """Called by the sweep spider when this worker is idle.

        Commits and acks everything first (idle: nothing is in progress here), then asks
        Redis: raises DontCloseSpider while other workers still crawl, returns None when
        another live worker finalizes, or this inspection's pages per site when this
        worker is the one to run site checks and verdicts.
        """
        from scrapy.exceptions import DontCloseSpider

        if self.flush_hook is not None:
            self.flush_hook()
            self.ack(())
        if not self.reconnect():
            raise DontCloseSpider  # Redis away: nobody can say whether the sweep is over
        try:
            verdict, queued, inflight, holder = self.gate()
        except REDIS_DOWN as e:
            self.unreachable(e, "asking whether the sweep is over")
            raise DontCloseSpider from None
        if verdict == "wait":
            logger.debug("idle; sweep-wide %d queued, %d in flight: waiting", queued, inflight)
            raise DontCloseSpider
        if verdict == "skip":
            logger.info("all workers done; worker %s finalizes inspection %s", holder, self.inspection_id)
            return None
        self.finalizing = True
        logger.info("all workers done: worker %s runs the site checks and verdicts of inspection %s",
                    self.id, self.inspection_id)
        return self.pages_per_site()

    def busiest(self, n: int = 5) -> list[tuple[str, int]]:
        """The `n` download slots with the most queued requests (for progress lines)."""
        slots = [_s(x) for x in self.server.zrange(self.key("rr"), 0, -1)]
        if not slots:
            return []
        pipe = self.server.pipeline()
        for sl in slots:
            pipe.zcard(self.key("q:" + sl))
        sizes = pipe.execute()
        return sorted(zip(slots, (int(x) for x in sizes)), key=lambda p: -p[1])[:n]

    def counts(self) -> tuple[int, int, int]:
        q, f, w = self.scripts.counts(args=[self.prefix])
        return int(q), int(f), int(w)

    def pages_per_site(self) -> dict[str, int]:
        """Pages of the whole inspection per site, from the shared store."""
        if not self.store_path:
            return {}
        conn = db.connect(self.store_path, readonly=True, timeout=60)
        try:
            return {r[0]: int(r[1]) for r in conn.execute(
                "SELECT site_id, COUNT(*) FROM pages WHERE inspection_id=? AND error IS NULL"
                " GROUP BY site_id", (self.inspection_id,))}
        finally:
            conn.close()

    def close(self, finished: bool) -> None:
        """Leave the inspection; the finalizer also drops its keys (the dupefilter first)."""
        self.stop_heartbeat()
        try:
            pipe = self.server.pipeline()
            pipe.delete(self.key("alive:" + self.id))
            if not self.popped:
                pipe.srem(self.key("workers"), self.id)
                pipe.hdel(self.key("info"), self.id)
                pipe.delete(self.key("inflight:" + self.id))
            pipe.execute()
            if finished:
                self.server.set(self.key("state"), "finished", ex=7 * 86400)
                doomed = [k for k in self.server.scan_iter(match=self.prefix + "*", count=1000)
                          if _s(k) != self.key("state")]
                for i in range(0, len(doomed), 500):
                    self.server.delete(*doomed[i:i + 500])
                logger.info("inspection %s finished: its Redis keys (%d) are deleted",
                            self.inspection_id, len(doomed))
        except Exception as e:
            logger.warning("leaving the distributed sweep: %s", e)
