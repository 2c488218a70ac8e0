"""The crawl frontier of a resumable sweep (JOBDIR), kept in the store beside its results.

Why not Scrapy's own JOBDIR state: its duplicate filter (`requests.seen`) remembers a
request as soon as it is *scheduled*, its disk queue records where it stands only when the
crawl stops cleanly, and the store pipeline's unwritten rows die with the process.  After a
`kill -9` the resumed run skipped every request the filter remembered — also those whose
pages never reached the store — found nothing left to do, and closed the inspection as
finished with pages and findings missing (and "no page fetched at all" for whole sites).

Here the store is the source of truth for what is done:

- every request that passes the duplicate filter is recorded (table `frontier`: its
  fingerprint and the pickled request), in the same transaction as the rows of the batch
  being written when it was scheduled;
- a request the engine has finished with (downloaded, its callback run, its items through
  every pipeline) is marked done in the transaction that writes those items: it is
  forgotten only once what it produced is durable;
- resuming puts every request not done back in the queue and every recorded fingerprint
  in the duplicate filter; a request in flight at the kill is fetched again and its rows
  rewritten (every write is an upsert), so nothing is lost and nothing duplicated.

Only the requests of the crawl itself are recorded; the finalization requests (`data:`)
are made again when the resumed crawl goes idle.  A finished inspection's frontier is
deleted (Store.finish_inspection).  Distributed sweeps keep theirs in Redis
(govcrawl.dist.worker).
"""

from __future__ import annotations

import logging
import pickle
import weakref
from typing import Any, Callable, Iterable

from scrapy import Request
from scrapy.core.scheduler import Scheduler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.misc import load_object
from scrapy.utils.request import request_from_dict

from govcrawl import db

logger = logging.getLogger(__name__)

SEQ = "govcrawl_seq"  # request.meta: the request's row in the frontier
_FRONTIERS: "weakref.WeakKeyDictionary[Any, Frontier]" = weakref.WeakKeyDictionary()
_INSERT = ("INSERT OR REPLACE INTO frontier (inspection_id, seq, fp, site_id, url, kind, done, request)"
           " VALUES (?,?,?,?,?,?,0,?)")
_DONE = "UPDATE frontier SET done=1, request=NULL WHERE inspection_id=? AND seq=?"


def engine_in_progress(crawler: Any) -> Any:
    """Requests the engine is still working on (download, callback, item pipelines).

    Scrapy has no public "request fully processed" signal; the engine's slot keeps
    exactly that set.  None when a future Scrapy renames it: then requests are acked
    (marked done) only when the crawl is idle, which is safe, just later.
    """
    slot = getattr(getattr(crawler, "engine", None), "_slot", None)
    return getattr(slot, "inprogress", None)


def frontier_for(crawler: Any) -> "Frontier | None":
    """The frontier of this crawler's resumable sweep, None for any other crawl."""
    return _FRONTIERS.get(crawler)


def durable(request: Request) -> bool:
    """Requests of the crawl itself; the finalization (`data:` URLs) is made again."""
    return not (request.meta.get("finalize") or request.url.startswith("data:"))


class Frontier:
    """One inspection's requests in the store: recorded, handed out, done."""

    def __init__(self, inspection_id: int, store_path: str, *, resumed: bool) -> None:
        self.inspection_id = inspection_id
        self.store_path = store_path
        self.resumed = resumed
        self._new: list[tuple] = []  # rows for the next store write
        self._popped: dict[int, Request] = {}  # seq -> request handed to the engine
        self._seq = 0
        self.unserializable = 0

    def attach(self, crawler: Any) -> None:
        _FRONTIERS[crawler] = self

    # -- resuming ---------------------------------------------------------------------
    def rows(self, conn: Any) -> Iterable[Any]:
        """(seq, fp, site_id, url, kind, done) of every recorded request, in order."""
        return conn.execute("SELECT seq, fp, site_id, url, kind, done FROM frontier WHERE inspection_id=?"
                            " ORDER BY seq", (self.inspection_id,))

    def load(self, spider: Any) -> tuple[list[Request], set[str]]:
        """The requests not done (to queue again) and every fingerprint recorded."""
        from govcrawl.store import Store

        store = Store(self.store_path)
        try:
            c = store.conn
            self._seq = int(c.execute("SELECT COALESCE(MAX(seq), 0) FROM frontier WHERE inspection_id=?",
                                      (self.inspection_id,)).fetchone()[0])
            fps = {r[0] for r in c.execute("SELECT fp FROM frontier WHERE inspection_id=? AND fp IS NOT NULL",
                                           (self.inspection_id,))}
            out: list[Request] = []
            bad = 0
            for seq, blob in c.execute("SELECT seq, request FROM frontier WHERE inspection_id=? AND done=0"
                                       " AND request IS NOT NULL ORDER BY seq", (self.inspection_id,)):
                try:
                    req = request_from_dict(pickle.loads(bytes(blob)), spider=spider)
                except Exception as e:  # noqa: BLE001 - a request this code cannot rebuild
                    bad += 1
                    logger.debug("frontier row %s cannot be read back: %r", seq, e)
                    continue
                req.meta[SEQ] = int(seq)
                req.meta.pop("_govcrawl_counted", None)  # the progress lines count this process's requests
                out.append(req)
        finally:
            store.close()
        if bad:
            logger.warning("resuming: %d recorded request(s) could not be read back and are skipped", bad)
        return out, fps

    # -- recording --------------------------------------------------------------------
    def record(self, request: Request, fp: str | None, spider: Any) -> None:
        """A new request passed the duplicate filter: written with the next batch."""
        self._seq += 1
        request.meta[SEQ] = self._seq
        try:
            blob = pickle.dumps(request.to_dict(spider=spider), protocol=4)
        except Exception as e:  # noqa: BLE001 - kept in memory only: not resumable
            del request.meta[SEQ]
            self.unserializable += 1
            if self.unserializable == 1:
                logger.warning("a request cannot be recorded for resuming (%r): %s; it is crawled but a "
                               "resumed sweep would not know it", e, request.url)
            return
        meta = request.meta
        kind = "linkcheck" if meta.get("linkcheck") else str(meta.get("role") or "page")
        self._new.append((self.inspection_id, self._seq, fp, meta.get("site_id"), request.url, kind, blob))

    def handed_out(self, request: Request) -> None:
        seq = request.meta.get(SEQ)
        if seq is not None:
            self._popped[int(seq)] = request

    def dirty(self) -> bool:
        return bool(self._new) or bool(self._popped)

    def write(self, conn: Any, in_progress: Iterable[Any] | None) -> Callable[[], None]:
        """Inside the store's transaction: new requests, and the requests the engine is done
        with marked done.  Returns what to call once the transaction is committed."""
        new = len(self._new)
        if new:
            db.write_rows(conn, _INSERT, self._new[:new])
        done: list[int] = []
        if in_progress is not None and self._popped:
            busy = {id(r) for r in in_progress}
            done = [s for s, r in self._popped.items() if id(r) not in busy]
            if done:
                conn.executemany(_DONE, [(self.inspection_id, s) for s in done])

        def forget() -> None:
            del self._new[:new]
            for s in done:
                self._popped.pop(s, None)

        return forget


class DurableScheduler(Scheduler):
    """Scrapy's scheduler over memory queues, its requests recorded in the frontier.

    Installed by the sweep spider for a plain sweep with JOBDIR (no Redis); Scrapy's disk
    queue and `requests.seen` are not used.
    """

    frontier: Frontier
    fingerprinter: Any
    seen: set[bytes]

    @classmethod
    def from_crawler(cls, crawler: Any) -> "DurableScheduler":
        frontier = frontier_for(crawler)
        if frontier is None:
            raise RuntimeError("DurableScheduler needs a resumable sweep (the sweep spider with JOBDIR)")
        s = crawler.settings
        # the filter only logs here: what was seen is this scheduler's `seen`, refilled on resume
        df = RFPDupeFilter(debug=s.getbool("DUPEFILTER_DEBUG"), fingerprinter=crawler.request_fingerprinter)
        sched = cls(dupefilter=df, jobdir=None, mqclass=load_object(s["SCHEDULER_MEMORY_QUEUE"]),
                    logunser=s.getbool("SCHEDULER_DEBUG"), stats=crawler.stats,
                    pqclass=load_object(s["SCHEDULER_PRIORITY_QUEUE"]), crawler=crawler)
        sched.frontier = frontier
        sched.fingerprinter = crawler.request_fingerprinter
        sched.seen = set()
        return sched

    def open(self, spider: Any) -> Any:
        d = super().open(spider)
        if self.frontier.resumed:
            requests, fps = self.frontier.load(spider)
            self.seen.update(bytes.fromhex(fp) for fp in fps)
            for r in requests:
                self._mqpush(r)
            logger.info("resuming: %d request(s) not done put back in the queue, %d known", len(requests),
                        len(fps))
        return d

    def enqueue_request(self, request: Request) -> bool:
        if not durable(request):
            return super().enqueue_request(request)
        fp: str | None = None
        if not request.dont_filter:
            raw = self.fingerprinter.fingerprint(request)
            if raw in self.seen:
                self.df.log(request, self.spider)
                return False
            self.seen.add(raw)
            fp = raw.hex()
        self.frontier.record(request, fp, self.spider)
        self._mqpush(request)
        assert self.stats is not None
        self.stats.inc_value("scheduler/enqueued/memory")
        self.stats.inc_value("scheduler/enqueued")
        return True

    def next_request(self) -> Request | None:
        request = super().next_request()
        if request is not None:
            self.frontier.handed_out(request)
        return request
