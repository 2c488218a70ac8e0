"""Bulk indexing off the crawl's hot path.

`Indexer.submit()` only appends to an in-memory queue (the Scrapy reactor
never waits on the network).  One worker thread drains the queue into `_bulk`
requests bounded by count and bytes, retries 429 / 5xx / connection errors with
exponential back-off, and sorts the per-document results:

- 2xx, and 409 on `create` (the page record is already there): done;
- 429 / 5xx for one document: retried with the next attempt;
- any other refusal (mapping error...): kept in the spool's rejected file.

When a batch still fails after its retries the cluster is taken as down: the
batch and everything after it go to the spool without network calls until a
cool-off passes; the first batch that gets through again triggers a replay of
the spool.  Ids are deterministic and finding updates idempotent, so sending
an action twice (a reply lost with a dropped connection) changes nothing.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from govcrawl.es.client import EsClient, EsRequestError, EsUnavailable
from govcrawl.es.config import EsConfig
from govcrawl.es.docs import encode_action
from govcrawl.es.spool import Spool

log = logging.getLogger(__name__)

BACKOFF_CAP = 30.0


@dataclass
class IndexerStats:
    submitted: int = 0
    indexed: int = 0  # accepted by the cluster (created, updated or no-op)
    duplicates: int = 0  # 409 on create: the page record was already there
    retried: int = 0  # documents sent again after a 429 / 5xx / dropped connection
    spooled: int = 0  # written to the spool for later
    respooled: int = 0  # taken from the spool, failed again, written back
    replayed: int = 0  # taken back from the spool and accepted
    rejected: int = 0  # refused by the cluster; kept in the rejected file
    requests: int = 0
    failures: int = 0  # _bulk requests that failed as a whole
    errors: int = 0  # items the pipeline could not turn into documents (a bug; logged)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **kw: int) -> None:
        with self.lock:
            for k, v in kw.items():
                setattr(self, k, getattr(self, k) + v)

    def as_dict(self) -> dict[str, int]:
        with self.lock:
            return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


_STOP = object()
Builder = Callable[[], "list[tuple[dict[str, Any], dict[str, Any]]]"]


class Indexer:
    """A queue, a worker thread and a spool; one per crawl (never shared by class)."""

    def __init__(self, cfg: EsConfig, client: EsClient | None = None, spool: Spool | None = None,
                 *, sleep: Callable[[float], None] | None = None, queue_size: int = 100_000):
        self.cfg = cfg
        self.client = client or EsClient(cfg)
        self.spool = spool or Spool(cfg.spool_path())
        self.stats = IndexerStats()
        self._q: queue.Queue[Any] = queue.Queue()
        self._queue_size = queue_size
        self._overflow: list[bytes] = []
        self._overflow_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._deadline: float | None = None  # set by close(): after it, spool instead of waiting
        self._down_until = 0.0
        self._inflight: list[bytes] = []
        self._sleep = sleep
        self._closed = False

    # -- producer side (reactor thread) -----------------------------------
    def start(self) -> None:
        # A daemon thread, so a crawl that dies without closing us cannot hang the
        # interpreter; the atexit hook still drains or spools what is queued.
        self._thread = threading.Thread(target=self._run, name="govcrawl-es", daemon=True)
        self._thread.start()
        atexit.register(self._at_exit)

    def _at_exit(self) -> None:
        if not self._closed:
            log.warning("Elasticsearch indexer not closed by the crawl; draining at exit")
            self.close(timeout=min(self.cfg.close_timeout, 10.0))

    def submit(self, meta: dict[str, Any], body: dict[str, Any]) -> None:
        """Queue one action; never blocks on the network."""
        self._put((meta, body), 1)

    def submit_builder(self, build: Builder, count: int = 1) -> None:
        """Queue a function that makes actions: the documents are built in the
        worker thread, so the crawl only pays for the queue."""
        self._put(build, count)

    def _put(self, item: Any, count: int) -> None:
        if self._closed:
            raise RuntimeError("indexer is closed")
        self.stats.add(submitted=count)
        if self._q.qsize() >= self._queue_size:
            # The cluster is slower than the crawl: keep memory flat, spool the excess.
            with self._overflow_lock:
                self._overflow.extend(self._encode(item))
                if len(self._overflow) >= self.cfg.bulk_size:
                    self._flush_overflow()
            return
        self._q.put(item)

    def _encode(self, item: Any) -> list[bytes]:
        """Queue item → encoded actions; a builder that fails loses only its own items."""
        if not callable(item):
            return [encode_action(*item)]
        try:
            return [encode_action(m, b) for m, b in item()]
        except Exception:
            log.exception("Elasticsearch: could not build documents (skipped)")
            self.stats.add(errors=1)
            return []

    def _flush_overflow(self) -> None:
        if self._overflow:
            self.spool.append(self._overflow)
            self.stats.add(spooled=len(self._overflow))
            self._overflow = []

    def close(self, timeout: float | None = None) -> dict[str, int]:
        """Drain the queue (up to `timeout`, default ELASTICSEARCH_CLOSE_TIMEOUT), spool
        whatever is left, stop the worker.  Safe to call from a thread."""
        if self._closed:
            return self.stats.as_dict()
        self._closed = True
        atexit.unregister(self._at_exit)
        timeout = self.cfg.close_timeout if timeout is None else timeout
        self._deadline = time.monotonic() + timeout
        self._q.put(_STOP)
        if self._thread is not None:
            self._thread.join()
        with self._overflow_lock:
            # Normally empty; not so if the worker died: nothing queued may be lost.
            while True:
                try:
                    item = self._q.get_nowait()
                except queue.Empty:
                    break
                if item is not _STOP:
                    self._overflow.extend(self._encode(item))
            self._flush_overflow()
        self.client.close()
        return self.stats.as_dict()

    # -- worker ------------------------------------------------------------
    def _past_deadline(self) -> bool:
        return self._deadline is not None and time.monotonic() >= self._deadline

    def _wait(self, seconds: float) -> None:
        (self._sleep or time.sleep)(seconds)

    def _run(self) -> None:
        try:
            self.spool.release_stale_claims()
            self._replay_all()  # whatever an earlier run left behind
            stopping = False
            while not stopping:
                batch, stopping = self._collect()
                if batch:
                    self._inflight = batch
                    self._send(batch)
                    self._inflight = []
                if not stopping and self._healthy() and self.spool.has_pending():
                    self._replay_one()
            # Everything queued is handled; one last go at the spool.  If the cluster
            # was marked down, wait out one cool-off (within the close deadline):
            # it is often back by now, and a spool left behind waits for the next run.
            if self.spool.has_pending() and not self._healthy():
                wait = self._down_until - time.monotonic()
                if self._deadline is None or time.monotonic() + wait < self._deadline:
                    self._wait(max(0.0, wait))
            if self._healthy() and not self._past_deadline():
                self._replay_all()
        except Exception:  # the worker must never die silently with items queued
            log.exception("Elasticsearch worker failed; spooling what is left")
            rest: list[bytes] = list(self._inflight)  # may be sent twice: ids make that harmless
            while True:
                try:
                    item = self._q.get_nowait()
                except queue.Empty:
                    break
                if item is not _STOP:
                    rest.extend(self._encode(item))
            self.spool.append(rest)
            self.stats.add(spooled=len(rest))

    def _collect(self) -> tuple[list[bytes], bool]:
        """Up to bulk_size actions / bulk_bytes, waiting at most flush_interval."""
        batch: list[bytes] = []
        size = 0
        first_at: float | None = None
        while True:
            if first_at is None:
                wait = self.cfg.flush_interval
            else:
                wait = max(0.0, first_at + self.cfg.flush_interval - time.monotonic())
            try:
                item = self._q.get(timeout=wait) if wait > 0 else self._q.get_nowait()
            except queue.Empty:
                return batch, False
            if item is _STOP:
                # Drain what is behind the stop marker too (nothing should be).
                return batch, True
            for data in self._encode(item):
                batch.append(data)
                size += len(data)
            if first_at is None:
                first_at = time.monotonic()
            if len(batch) >= self.cfg.bulk_size or size >= self.cfg.bulk_bytes:
                return batch, False

    def _healthy(self) -> bool:
        return time.monotonic() >= self._down_until

    def _chunks(self, actions: list[bytes]) -> list[list[bytes]]:
        out: list[list[bytes]] = []
        cur: list[bytes] = []
        size = 0
        for a in actions:
            if cur and (len(cur) >= self.cfg.bulk_size or size + len(a) > self.cfg.bulk_bytes):
                out.append(cur)
                cur, size = [], 0
            cur.append(a)
            size += len(a)
        if cur:
            out.append(cur)
        return out

    def _send(self, actions: list[bytes], *, replay: bool = False) -> bool:
        """Deliver one batch; True when nothing had to be spooled."""
        ok = True
        for chunk in self._chunks(actions):
            ok = self._send_chunk(chunk, replay=replay) and ok
        return ok

    def _send_chunk(self, pending: list[bytes], *, replay: bool) -> bool:
        if not self._healthy() or self._past_deadline():
            self._spool(pending, replay)
            return False
        attempt = 0
        while pending:
            self.stats.add(requests=1)
            try:
                resp = self.client.bulk(b"".join(pending))
            except EsUnavailable as e:
                self.stats.add(failures=1)
                log.debug("bulk of %d failed: %s", len(pending), e)
                retry = pending
            except EsRequestError as e:
                self.stats.add(failures=1)
                if e.status in (401, 403):
                    # Credentials or privileges: the documents are fine, keep them
                    # waiting (es-replay once the key is fixed) and say so loudly.
                    if self._healthy():
                        log.error("Elasticsearch refused the credentials (%s); spooling to %s",
                                  e, self.spool.dir)
                    self._mark_down(quiet=True)
                    self._spool(pending, replay)
                    return False
                if e.status == 413 and len(pending) > 1:  # too large for the cluster: halve
                    half = len(pending) // 2
                    a = self._send_chunk(pending[:half], replay=replay)
                    return self._send_chunk(pending[half:], replay=replay) and a
                # The request as a whole was refused (should not happen with
                # well-formed NDJSON): keep every action with the reason.
                self.stats.add(rejected=len(pending))
                self.spool.reject([(a, {"type": "request_refused", "reason": str(e)})
                                   for a in pending])
                log.error("Elasticsearch refused a bulk request of %d actions: %s "
                          "(kept in %s)", len(pending), e, self.spool.dir)
                return False
            else:
                retry, rejected, done, dup = [], [], 0, 0
                for action, item in zip(pending, resp["items"]):
                    op, res = next(iter(item.items()))
                    status = int(res.get("status", 0))
                    if 200 <= status < 300:
                        done += 1
                    elif status == 409 and op == "create":
                        dup += 1
                    elif status == 429 or status >= 500:
                        retry.append(action)
                    else:
                        rejected.append((action, res.get("error") or {"status": status}))
                if len(resp["items"]) < len(pending):  # a short answer: resend the rest
                    retry.extend(pending[len(resp["items"]):])
                self.stats.add(indexed=done, duplicates=dup, rejected=len(rejected))
                if replay:
                    self.stats.add(replayed=done + dup)
                if rejected:
                    path = self.spool.reject(rejected)
                    first = rejected[0][1]
                    log.warning("Elasticsearch refused %d document(s), e.g. %s; kept in %s",
                                len(rejected), _short(first), path)
                if not retry:
                    self._down_until = 0.0
                    return True
            attempt += 1
            if attempt > self.cfg.max_retries:
                self._mark_down()
                self._spool(retry, replay)
                return False
            delay = min(BACKOFF_CAP, self.cfg.retry_backoff * 2 ** (attempt - 1))
            if self._deadline is not None and time.monotonic() + delay > self._deadline:
                self._spool(retry, replay)
                return False
            self.stats.add(retried=len(retry))
            pending = retry
            self._wait(delay)
        return True

    def _mark_down(self, quiet: bool = False) -> None:
        cool = min(BACKOFF_CAP, max(self.cfg.retry_backoff * 4, 1.0))
        if self._down_until <= time.monotonic() and not quiet:
            log.warning("Elasticsearch unavailable; spooling to %s, retrying in %.0f s",
                        self.spool.dir, cool)
        self._down_until = time.monotonic() + cool

    def _spool(self, actions: list[bytes], replay: bool = False) -> None:
        if actions:
            self.spool.append(actions)
            if replay:
                self.stats.add(respooled=len(actions))
            else:
                self.stats.add(spooled=len(actions))

    # -- replay --------------------------------------------------------------
    def _replay_one(self, rejected: bool = False) -> bool:
        for claimed in self.spool.iter_claimed(rejected=rejected):
            actions = self.spool.read_actions(claimed)
            # Failures inside go back to the spool as new files; the claimed
            # file is removed only after every action has a home.
            self._send(actions, replay=True)
            self.spool.done(claimed)
            return True
        return False

    def _replay_all(self, rejected: bool = False) -> None:
        n = len(self.spool.pending(rejected=rejected))
        # Bounded: files failing again are rewritten under new names, not retried forever.
        for _ in range(n):
            if not self._healthy() or self._past_deadline():
                return
            if not self._replay_one(rejected=rejected):
                return

    def replay(self, rejected: bool = False) -> dict[str, int]:
        """Synchronous replay for `govcrawl es-replay` (no worker thread)."""
        self.spool.release_stale_claims()
        self.client.info()
        self._replay_all(rejected=rejected)
        return self.stats.as_dict()

    def send_now(self, actions: list[tuple[dict, dict]]) -> None:
        """Synchronous delivery for commands (es-sync); same retries and spool."""
        self._send([encode_action(m, b) for m, b in actions])


def _short(err: Any) -> str:
    if isinstance(err, dict):
        return f"{err.get('type')}: {str(err.get('reason'))[:160]}"
    return str(err)[:160]
