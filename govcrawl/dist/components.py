"""The Scrapy side of a distributed sweep: scheduler, lease middleware, store pipeline,
worker extension and the add-on that installs them when GOVCRAWL_REDIS_URL is set.

Each component finds its process's `Worker` with `govcrawl.dist.worker_for(crawler)`
(created by the sweep spider when it joins the inspection).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any
from urllib.parse import urlsplit

import redis
from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.request import request_from_dict
from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter

from govcrawl.dist import worker_for
from govcrawl.dist.worker import REDIS_DOWN, Worker
from govcrawl.frontier import engine_in_progress  # noqa: F401 - also imported from here
from govcrawl.middlewares import slot_for
from govcrawl.pipelines.store import StorePipeline
from govcrawl.store import FINISHED

logger = logging.getLogger("govcrawl.dist")

STORE_PIPELINE = "govcrawl.pipelines.store.StorePipeline"
_SEEN_CAP = 500_000  # fingerprints remembered locally before asking Redis again


def slot_of(request: Request) -> str:
    """The download slot a request will use (SiteSlotMiddleware's rule), `host:<host>`
    for one with no site."""
    return slot_for(request) or f"host:{(urlsplit(request.url).netloc or '').lower()}"


class DistScheduler:
    """scrapy-redis scheduler with GovCrawl's per-slot leased queue (govcrawl.dist.redisq).

    Requests of the finalization phase (``meta["finalize"]``, ``data:`` URLs) stay in
    this process: the worker that finalizes runs them itself.
    """

    def __init__(self, crawler: Any, worker: Worker) -> None:
        self.crawler = crawler
        self.worker = worker
        self.serializer = picklecompat
        self.local: deque[Request] = deque()
        self.stats = crawler.stats
        self.spider: Any = None
        self.df: RFPDupeFilter | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "DistScheduler":
        worker = worker_for(crawler)
        if worker is None:
            raise RuntimeError("DistScheduler needs a distributed sweep (GOVCRAWL_REDIS_URL)")
        return cls(crawler, worker)

    def open(self, spider: Any) -> None:
        self.spider = spider
        w = self.worker
        self.df = RFPDupeFilter(w.server, key=w.key("dupefilter"),
                                debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        limits: dict[str, int] = {}
        delays: dict[str, float] = {}
        for slot, conf in self.crawler.settings.getdict("DOWNLOAD_SLOTS").items():
            limits[slot] = int(conf.get("concurrency", 1))
            delays[slot] = float(conf.get("delay", 0.0) or 0.0)
        w.register(limits, delays)
        w.start_heartbeat()
        queued, inflight, workers = w.counts()
        if queued or inflight:
            logger.info("joining a sweep in progress: %d requests queued, %d in flight, %d worker(s)",
                        queued, inflight, workers)

    def close(self, reason: str) -> None:
        return None  # the queue outlives this worker; the finalizer deletes it

    def __len__(self) -> int:
        try:
            queued = self.worker.counts()[0]
        except REDIS_DOWN as e:
            self.worker.unreachable(e, "counting the queue")
            queued = 0
        return len(self.local) + len(self.worker.backlog) + queued

    def has_pending_requests(self) -> bool:
        return bool(self.local) or self.worker.has_queued() or bool(self.worker.backlog)

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get("finalize") or request.url.startswith("data:"):
            self.local.append(request)
            return True
        assert self.df is not None
        fp = None
        data = self.serializer.dumps(request.to_dict(spider=self.spider))
        if not request.dont_filter:
            fp = self.df.request_fingerprint(request)
            seen = self.worker.seen_local
            if fp in seen or not self.worker.offer(fp, slot_of(request), request.priority, data):
                if len(seen) < _SEEN_CAP:
                    seen.add(fp)
                self.df.log(request, self.spider)
                return False
            if len(seen) >= _SEEN_CAP:
                seen.clear()
            seen.add(fp)
        else:
            self.worker.offer(None, slot_of(request), request.priority, data)
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        if not self.worker.quorum():
            return None
        got = self.worker.pop()
        if got is None:
            return None
        token, _slot, data = got
        try:
            request = request_from_dict(self.serializer.loads(data), spider=self.spider)
        except Exception:
            logger.exception("dropping a request that cannot be decoded (token %s)", token)
            self.worker.release(token, now=True)
            self.worker.server.hdel(self.worker.key("inflight:" + self.worker.id), token)
            return None
        request.meta["govcrawl_token"] = token
        self.worker.track(token, request)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class SiteLeaseMiddleware:
    """Frees a request's site lease as soon as its download ends (success or failure).

    Sits next to the downloader (priority 950) so it sees the raw response before
    redirects and retries turn it into a new request.
    """

    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Any) -> "SiteLeaseMiddleware":
        worker = worker_for(crawler)
        if worker is None:
            raise NotConfigured("not a distributed sweep")
        return cls(worker)

    def process_response(self, request: Request, response: Any, spider: Any = None) -> Any:
        self.worker.release(request.meta.get("govcrawl_token"))
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        self.worker.release(request.meta.get("govcrawl_token"))
        return None


class DistributedStorePipeline(StorePipeline):
    """The store pipeline of a worker: acks requests after each commit; finalizes only once.

    Every worker writes its rows to the shared SQLite store.  After each committed batch
    the requests whose processing has ended are acked in Redis.  Only the worker that
    won the finalization (govcrawl.dist.redisq GATE) computes verdicts from everyone's
    rows and closes the inspection; the others just flush and leave.
    """

    worker: Worker | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "DistributedStorePipeline":
        p = super().from_crawler(crawler)
        p.worker = worker_for(crawler)
        p._ack = True
        return p  # type: ignore[return-value]

    def open_spider(self, spider: Any = None) -> None:
        super().open_spider(spider)
        if self.worker is not None:
            self.worker.flush_hook = self.flush

    def flush(self, *args: Any, **kwargs: Any) -> bool:
        ok = super().flush()
        if ok and self.worker is not None and self._ack:  # only what is written is acked
            self.worker.ack(engine_in_progress(self.crawler))
        return ok

    def _close(self) -> None:
        w = self.worker
        if w is None:
            return super()._close()
        assert self.store is not None
        self._flush_final()
        # the engine has stopped (Ctrl-C and SIGTERM wait for requests in flight): everything
        # this worker popped is done and its rows are committed
        w.ack(())
        if not w.finalizing:
            self.store.close()
            return None
        self._update_sites()
        status = self.end_status()
        # verdicts only from a complete inspection (every site's checks ran and are stored)
        verdicts = self._verdicts() if status == FINISHED else {}
        stats = self._global_stats()
        stats["verdicts"] = verdicts
        self.store.finish_inspection(self.inspection_id, status=status, stats=stats, error=self.end_error())
        if self.crawler.stats:
            self.crawler.stats.set_value("govcrawl/inspection/status", status)
        self.store.close()
        w.inspection_closed = status == FINISHED
        logger.info("inspection %s %s: %d pages over %d sites; sites not reached: %s; findings by rule: "
                    "%s; verdicts: %s; elapsed %s", self.inspection_id, status, stats["pages"],
                    len(stats["pages_per_site"]), ", ".join(stats["unreachable"]) or "none",
                    ", ".join(f"{r} {n}" for r, n in stats["findings_by_rule"].items()) or "none",
                    verdicts, stats.get("elapsed", "?"))
        return None

    def _global_stats(self) -> dict[str, Any]:
        assert self.store is not None
        c = self.store.conn
        iid = self.inspection_id
        per_site = {r[0]: r[1] for r in c.execute(
            "SELECT site_id, COUNT(*) FROM pages WHERE inspection_id=? AND error IS NULL GROUP BY site_id",
            (iid,))}
        by_rule = {r[0]: r[1] for r in c.execute(
            "SELECT rule, COUNT(*) FROM findings WHERE inspection_id=? GROUP BY rule ORDER BY 2 DESC",
            (iid,))}
        unreachable = [r[0] for r in c.execute(
            "SELECT site_id FROM sites WHERE inspection_id=? AND COALESCE(reachable, 0)=0 ORDER BY site_id",
            (iid,))]
        row = c.execute("SELECT started_at FROM inspections WHERE id=?", (iid,)).fetchone()
        out: dict[str, Any] = {"pages": sum(per_site.values()), "pages_per_site": per_site,
                               "findings_by_rule": by_rule, "unreachable": unreachable,
                               "distributed": True}
        if row and row[0]:
            from datetime import datetime, timezone

            started = datetime.fromisoformat(row[0])
            out["elapsed"] = f"{(datetime.now(timezone.utc) - started).total_seconds():.0f}s"
        return out


class DistributedWorkerExtension:
    """Heartbeat, recovery of dead workers' requests, progress lines of the whole sweep."""

    def __init__(self, crawler: Any, worker: Worker, tick: float, progress: float) -> None:
        self.crawler = crawler
        self.worker = worker
        self.tick = tick
        self.progress = progress
        self._loop: Any = None
        self._last_beat = 0.0
        self._last_log = time.monotonic()
        self._closing = False
        self.redis_timeout = 600.0  # Redis away longer than this: the worker stops

    @classmethod
    def from_crawler(cls, crawler: Any) -> "DistributedWorkerExtension":
        worker = worker_for(crawler)
        if worker is None:
            raise NotConfigured("not a distributed sweep")
        s = crawler.settings
        ext = cls(crawler, worker, tick=min(1.0, worker.heartbeat_ttl / 5),
                  progress=s.getfloat("GOVCRAWL_PROGRESS_INTERVAL", 30.0))
        ext.redis_timeout = s.getfloat("GOVCRAWL_DIST_REDIS_TIMEOUT", 600.0)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        from twisted.internet import task

        self.worker.ready()

        self._loop = task.LoopingCall(self.on_tick)
        self._loop.start(self.tick, now=True)

    def on_tick(self) -> None:
        w = self.worker
        now = time.monotonic()
        try:
            if w.waiting() and not w.reconnect():
                raise redis.ConnectionError("still unreachable")
            if now - self._last_beat >= w.heartbeat_ttl / 4:
                self._last_beat = now
                w.beat()
                if not w.finalizing and not self._closing and w.finished_elsewhere():
                    # normally this worker was idle, waiting: it simply finished too
                    reason = "finished_elsewhere" if w.popped else "finished"
                    logger.info("inspection %s was finished by another worker: closing (%s)",
                                w.inspection_id, reason)
                    self._closing = True
                    from scrapy.utils.defer import deferred_from_coro

                    deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))
            if self.progress > 0 and now - self._last_log >= self.progress:
                self._last_log = now
                q, f, n = w.counts()
                top = ", ".join(f"{slot} {size}" for slot, size in w.busiest())
                logger.info("sweep-wide: %d requests queued, %d in flight, %d worker(s); this worker %s;"
                            " most queued: %s", q, f, n, w.id, top or "-")
        except REDIS_DOWN as e:  # said once per outage; the next tick retries
            w.unreachable(e, "heartbeat")
        except Exception as e:
            logger.warning("distributed worker tick: %s", e)
        if w.down_since is not None and now - w.down_since > self.redis_timeout and not self._closing:
            # what this worker took stays in flight in Redis: a worker started again (-a
            # inspection=ID) once Redis is back fetches it; rows written so far stay
            logger.error("Redis still unreachable after %.0f s: this worker stops; start it again with "
                         "-a inspection=%s when Redis is back", self.redis_timeout, w.inspection_id)
            self._closing = True
            if self.crawler.stats:
                self.crawler.stats.set_value("govcrawl/dist/redis_failed", 1)
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(self.crawler.engine.close_spider_async(reason="redis_unreachable"))
        # other workers' requests or freed leases do not wake this engine: poke it
        nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.worker.close(finished=getattr(self.worker, "inspection_closed", False))


class DistributedAddon:
    """Installs the components above for a sweep whose spider joined a distributed inspection,
    and the 304-aware AutoThrottle (govcrawl.dist.throttle) for incremental sweeps.

    Listed in ADDONS by default; does nothing unless GOVCRAWL_REDIS_URL or
    GOVCRAWL_INCREMENTAL is set (the sweep spider creates the worker before add-ons load).
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "DistributedAddon":
        return cls(crawler)

    def update_settings(self, settings: Any) -> None:
        if settings.getbool("GOVCRAWL_INCREMENTAL") and settings.getbool("AUTOTHROTTLE_ENABLED"):
            # incremental nights: 304 answers must not freeze AutoThrottle's delays
            settings["EXTENSIONS"]["scrapy.extensions.throttle.AutoThrottle"] = None
            settings["EXTENSIONS"]["govcrawl.dist.throttle.IncrementalAutoThrottle"] = 0
        if worker_for(self.crawler) is None:
            return
        settings.set("SCHEDULER", "govcrawl.dist.components.DistScheduler", priority="spider")
        pipes = settings["ITEM_PIPELINES"]
        prio = pipes.get(STORE_PIPELINE, 800)
        pipes[STORE_PIPELINE] = None
        pipes["govcrawl.dist.components.DistributedStorePipeline"] = prio if prio is not None else 800
        settings["DOWNLOADER_MIDDLEWARES"]["govcrawl.dist.components.SiteLeaseMiddleware"] = 950
        settings["EXTENSIONS"]["govcrawl.dist.components.DistributedWorkerExtension"] = 100
        if settings.get("JOBDIR"):
            logger.warning("JOBDIR is not used by distributed sweeps: the queue lives in Redis")
