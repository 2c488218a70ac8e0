"""StorePipeline: the embedded SQLite store, the source of truth.

Rows are buffered and written in batches (one transaction per batch); every
write is an upsert keyed by inspection and URL / finding key, so a resumed
sweep rewrites instead of duplicating.  The buffer is flushed whenever the
crawl goes idle (so site-level checks read complete data) and at the end,
when verdicts are computed and the inspection is closed.

Faults (docs/operations.md §8):

- a value the store cannot hold (a lone surrogate from a JSON list, NUL in PostgreSQL
  text, an integer beyond 64 bits) never fails a batch: `db.write_rows` splits it, repairs
  the row and records a notice; no buffer stays stuck;
- the store unwritable for a while (a full disk, a read-only file, a PostgreSQL server
  restarting): one error line, the rows wait in memory and are retried every
  GOVCRAWL_STORE_RETRY_INTERVAL seconds, the crawl pauses once
  GOVCRAWL_STORE_MAX_UNWRITTEN rows wait; after GOVCRAWL_STORE_RETRY_TIMEOUT seconds the
  sweep stops, the inspection is 'failed' (resumable with JOBDIR) and the exit status 1;
- a resumable sweep (JOBDIR) writes its crawl frontier in the same transactions
  (govcrawl.frontier): a request is forgotten only once the rows it produced are stored;
- the inspection is 'finished' only when every site's checks ran and were stored;
  otherwise it is 'interrupted' (or 'failed') and no verdict is computed.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from govcrawl import db
from govcrawl import signals as gsignals
from govcrawl.frontier import engine_in_progress, frontier_for
from govcrawl.items import Finding, LinkStatus, PageItem, SiteDone, SiteEvent
from govcrawl.store import (FAILED, FINISHED, HEARTBEAT_INTERVAL, INTERRUPTED, Store, StoreError,
                            utcnow)

logger = logging.getLogger(__name__)

_PAGES_SQL = ("INSERT OR REPLACE INTO pages (inspection_id, site_id, url, final_url, status, error, elapsed,"
              " content_type, size, encoding, content_hash, page_type, title, column_name, column_url,"
              " breadcrumb_json, meta_json, pub_date, source, depth, referer, etag, last_modified,"
              " unchanged, rendered, text, extra_json, fetched_at)"
              " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
_ENTRIES_SQL = ("INSERT OR REPLACE INTO entries (inspection_id, site_id, page_url, pos, title, url,"
                " date, extra_json) VALUES (?,?,?,?,?,?,?,?)")
_LINKS_SQL = ("INSERT OR REPLACE INTO links (inspection_id, site_id, page_url, target, anchor,"
              " kind, hidden, hidden_reason, external) VALUES (?,?,?,?,?,?,?,?,?)")
_STATUS_SQL = ("INSERT OR REPLACE INTO link_status (inspection_id, site_id, target, status, error,"
               " elapsed, content_type, size, final_url) VALUES (?,?,?,?,?,?,?,?,?)")
_NOTICES_SQL = ("INSERT INTO notices (inspection_id, site_id, kind, url, message, data_json, at)"
                " VALUES (?,?,?,?,?,?,?)")
# where a row of each table names its site and URL (for the notice of a repaired row)
_WHERE = {"pages": (1, 2), "entries": (1, 2), "links": (1, 2), "link_status": (1, 2),
          "notices": (1, 3), "findings": (4, 5)}


class StoreGaveUp(StoreError):
    """The store stayed unwritable past GOVCRAWL_STORE_RETRY_TIMEOUT, or is unusable."""


class StorePipeline:
    def __init__(self, crawler: Any, path: str, inspection_id: int, batch: int) -> None:
        self.crawler = crawler
        self.path = path
        self.inspection_id = inspection_id
        self.batch = batch
        self.retry_interval = 5.0  # seconds between attempts while the store is unreachable
        self.retry_timeout = 600.0  # how long the sweep waits for it
        self.max_unwritten = 2000  # rows waiting for the store before the crawl pauses
        self._retry_at = 0.0
        self.store: Store | None = None
        self.frontier: Any = None  # govcrawl.frontier.Frontier of a resumable sweep
        self._pages: list[tuple] = []
        self._entries: list[tuple] = []
        self._links: list[tuple] = []
        self._status: list[tuple] = []
        self._findings: list[Finding] = []
        self._notices: list[tuple] = []
        self._pending = 0
        self._outage_since: float | None = None
        self._outage_said = 0.0
        self._outage_error: BaseException | None = None
        self._paused = False
        self.failed: str | None = None  # why the store gave up: the inspection is 'failed'
        self._sites_expected: set[str] = set()
        self._sites_done: set[str] = set()
        self._site_errors: dict[str, str] = {}
        self._beat_at = 0.0
        self._tick: Any = None
        self.counts: Counter[str] = Counter()
        self.findings_by_rule: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        s = crawler.settings
        path = s.get("GOVCRAWL_STORE")
        if not path:
            raise NotConfigured("no store (the sweep spider sets GOVCRAWL_STORE)")
        # defaults repeated for crawlers built without govcrawl.settings (tests, embedding)
        p = cls(crawler, path, s.getint("GOVCRAWL_INSPECTION_ID"), s.getint("GOVCRAWL_STORE_BATCH", 200))
        p.retry_interval = max(0.1, s.getfloat("GOVCRAWL_STORE_RETRY_INTERVAL", 5.0))
        p.retry_timeout = s.getfloat("GOVCRAWL_STORE_RETRY_TIMEOUT", 600.0)
        p.max_unwritten = s.getint("GOVCRAWL_STORE_MAX_UNWRITTEN", 2000)
        p.frontier = frontier_for(crawler)
        crawler.signals.connect(p.flush, signal=signals.spider_idle)
        crawler.signals.connect(p.on_notice, signal=gsignals.notice)
        crawler.signals.connect(p._start_ticking, signal=signals.spider_opened)
        return p

    def open_spider(self, spider: Any = None) -> None:
        self.store = Store(self.path)
        self._sites_expected = {r["site_id"] for r in self.store.sites(self.inspection_id)}

    def _start_ticking(self, spider: Any = None) -> None:
        from twisted.internet import task

        self._tick = task.LoopingCall(self._on_tick)
        self._tick.start(1.0, now=False)

    def _on_tick(self) -> None:
        """Retries while the store is unwritable (the crawl may be paused: nothing else
        would flush), and the inspection's heartbeat (Store.state)."""
        now = time.monotonic()
        if self._retry_at and now >= self._retry_at and not self.failed:
            self.flush()
        if self.store is not None and self._outage_since is None and now - self._beat_at >= HEARTBEAT_INTERVAL:
            self._beat_at = now
            try:
                self.store.heartbeat(self.inspection_id)
            except db.Error as e:  # the next flush says what is wrong with the store
                logger.debug("heartbeat not written: %s", e)

    def close_spider(self, spider: Any = None) -> None:
        if self._tick is not None and self._tick.running:
            self._tick.stop()
        try:
            self._close()
        except (StoreError, *db.Error) as e:  # type: ignore[misc]
            # one line, no traceback: the exit status is 1 (govcrawl.commands.crawl)
            if self.crawler.stats:
                self.crawler.stats.set_value("govcrawl/store/close_failed", 1)
            if not isinstance(e, StoreGaveUp):
                logger.error("store %s: %s; inspection %s is not closed", self._name(), db.first_line(e),
                             self.inspection_id)
                self._mark_failed(db.first_line(e))
            if self.store is not None:
                self.store.close()

    def _name(self) -> str:
        return self.store.name if self.store is not None else db.display(self.path)

    # -- the end ------------------------------------------------------------------------
    def complete(self) -> bool:
        """Every site's crawl and site checks are done and stored: verdicts may be published."""
        return not self.failed and not self._site_errors and self._sites_expected <= self._sites_done

    def end_status(self) -> str:
        if self.complete():
            return FINISHED
        return FAILED if self.failed or self._site_errors else INTERRUPTED

    def end_error(self) -> str | None:
        if self.failed:
            return self.failed
        if self._site_errors:
            return "; ".join(f"site checks of {k} failed: {v}" for k, v in sorted(self._site_errors.items()))
        return None

    def _close(self) -> None:
        assert self.store is not None
        self._flush_final()
        self._update_sites()
        status = self.end_status()
        verdicts: dict[str, int] = {}
        if status == FINISHED:
            verdicts = self._verdicts()
            try:
                from govcrawl.history import persist_lifecycle

                persist_lifecycle(self.store, self.inspection_id)  # new / open / reopened per finding
            except Exception:  # the history is derived data: the report recomputes it
                logger.exception("finding lifecycle not recorded")
        stats = {
            "pages": sum(self.counts.values()),
            "pages_per_site": dict(self.counts),
            "findings_by_rule": dict(self.findings_by_rule),
            "verdicts": verdicts,
        }
        self.store.finish_inspection(self.inspection_id, status=status, stats=stats, error=self.end_error())
        if self.crawler.stats:  # the exit status: 0 only when the sweep ran to its end
            self.crawler.stats.set_value("govcrawl/inspection/status", status)
        self._log_end(status)
        self.store.close()

    def _log_end(self, status: str) -> None:
        if status == FINISHED:
            return
        missing = sorted(self._sites_expected - self._sites_done)
        why = self.end_error() or (f"{len(missing)} site(s) not finished: {', '.join(missing[:5])}"
                                   + (" …" if len(missing) > 5 else ""))
        logger.warning("inspection %s %s (%s): no verdicts; the same command with the same JOBDIR "
                       "resumes it", self.inspection_id, status, why)

    def _verdicts(self) -> dict[str, int]:
        try:
            from govcrawl.scoring import compute_verdicts
        except ImportError:
            logger.error("govcrawl.scoring is missing: no verdicts computed")
            return {}
        results = compute_verdicts(self.store, self.inspection_id, self.crawler.settings)
        out = Counter(v.result for v in results)
        return dict(out)

    def _update_sites(self) -> None:
        assert self.store is not None
        with self.store.tx() as c:
            c.execute(
                "UPDATE sites SET pages=(SELECT COUNT(*) FROM pages p WHERE p.inspection_id=sites.inspection_id"
                " AND p.site_id=sites.site_id AND p.error IS NULL),"
                " errors=(SELECT COUNT(*) FROM pages p WHERE p.inspection_id=sites.inspection_id"
                " AND p.site_id=sites.site_id AND p.error IS NOT NULL),"
                " reachable=CASE WHEN EXISTS (SELECT 1 FROM pages p WHERE p.inspection_id=sites.inspection_id"
                " AND p.site_id=sites.site_id AND p.page_type='homepage' AND p.status BETWEEN 200 AND 399)"
                " THEN 1 ELSE 0 END"
                " WHERE inspection_id=?", (self.inspection_id,))

    def _mark_failed(self, why: str) -> None:
        """Best effort: a store that cannot take the rows may not take this either (then the
        inspection reads 'interrupted' once this process is gone)."""
        if self.store is None:
            return
        try:
            self.store.finish_inspection(self.inspection_id, status=FAILED, error=why,
                                         stats={"pages": sum(self.counts.values())})
        except db.Error as e:
            logger.warning("inspection %s could not be marked failed either (%s)", self.inspection_id,
                           db.first_line(e))

    # -- items --------------------------------------------------------------------------
    def on_notice(self, site_id: str, kind: str, url: str, message: str, data: dict | None = None,
                  **_: Any) -> None:
        self._notices.append((self.inspection_id, site_id, kind, url, message,
                              json.dumps(data or {}, ensure_ascii=False, default=str), utcnow()))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PageItem):
            self._add_page(item)
        elif isinstance(item, LinkStatus):
            self._status.append((item.inspection_id, item.site_id, item.target, item.status, item.error,
                                 item.elapsed, item.content_type, item.size, item.final_url))
        elif isinstance(item, SiteDone):
            self._add_findings(item.findings)
            err = (item.stats or {}).get("site_checks_error")
            if err:
                self._site_errors[item.site_id] = str(err)
            else:
                self._sites_done.add(item.site_id)
                self._site_errors.pop(item.site_id, None)
            self.flush()
        elif isinstance(item, SiteEvent):
            self.on_notice(item.site_id, item.kind, item.url, item.message, item.data)
            self._add_findings(item.findings)
        self._pending += 1
        if self._pending >= self.batch:
            self.flush()
        return item

    def _add_findings(self, findings: list[Finding]) -> None:
        for f in findings:
            self.findings_by_rule[f.rule] += 1
        self._findings.extend(findings)

    def _add_page(self, it: PageItem) -> None:
        if it.error is None:
            self.counts[it.site_id] += 1
        self._pages.append((
            it.inspection_id, it.site_id, it.url, it.final_url, it.status, it.error, it.elapsed,
            it.content_type, it.size, it.encoding, it.content_hash, it.page_type, it.title, it.column,
            it.column_url, json.dumps(it.breadcrumb, ensure_ascii=False),
            json.dumps(it.meta, ensure_ascii=False), it.pub_date, it.source, it.depth, it.referer,
            it.etag, it.last_modified, int(it.unchanged), int(it.rendered), it.text,
            json.dumps(it.extra, ensure_ascii=False, default=str), utcnow()))
        for pos, e in enumerate(it.entries):
            self._entries.append((it.inspection_id, it.site_id, it.url, pos, e.title, e.url, e.date,
                                  json.dumps(e.extra, ensure_ascii=False, default=str)))
        for lk in it.links:
            self._links.append((it.inspection_id, it.site_id, it.url, lk.url, lk.text, lk.kind,
                                int(lk.hidden), lk.hidden_reason, int(lk.external)))
        self._add_findings(it.findings)

    # -- writing ------------------------------------------------------------------------
    def _buffered(self) -> int:
        return (len(self._pages) + len(self._entries) + len(self._links) + len(self._status)
                + len(self._findings) + len(self._notices))

    def _dirty(self) -> bool:
        return bool(self._buffered()) or (self.frontier is not None and self.frontier.dirty())

    def flush(self, *_: Any, **__: Any) -> bool:
        """Write the buffered rows; True when nothing is left unwritten.

        The store unwritable (a PostgreSQL server restarting, a full disk): the rows stay
        buffered, one error line is logged (a reminder a minute), and the next attempt waits
        GOVCRAWL_STORE_RETRY_INTERVAL seconds; nothing is acked or marked done meanwhile."""
        if self.store is None or self.failed:
            return self.store is not None and not self._dirty()
        if not self._dirty():
            return True
        if time.monotonic() < self._retry_at:
            return False
        try:
            self._write()
        except Exception as e:  # noqa: BLE001 - classified: outage, fatal (a bug included)
            return self._write_failed(e)
        if self._outage_since is not None:
            logger.info("store %s %s again: buffered rows written (after %.0f s)", self._name(),
                        "reachable" if self.store.is_pg else "writable",
                        time.monotonic() - self._outage_since)
        self._outage_since = None
        self._retry_at = 0.0
        self._unwritten(0)
        if self._paused:
            self._paused = False
            self.crawler.engine.unpause()
            logger.info("crawl resumed")
        return True

    def _write_failed(self, e: BaseException) -> bool:
        kind = db.classify(e)
        now = time.monotonic()
        if kind == db.FATAL:
            if not isinstance(e, db.Error):  # a bug, not the store: its traceback, once
                logger.error("store %s: writing failed", self._name(), exc_info=e)
            self._give_up(f"unusable ({db.first_line(e)})")
            return False
        self._outage_error = e
        if self.crawler.stats:
            self.crawler.stats.inc_value("govcrawl/store/retries")
        self._unwritten(self._buffered())
        self._retry_at = now + self.retry_interval
        if self._outage_since is None:
            self._outage_since = self._outage_said = now
            logger.error("store %s %s (%s): %d pages and %d findings kept in memory; retrying every %g s "
                         "for up to %g s", self._name(), db.outage_words(e), db.first_line(e),
                         len(self._pages), len(self._findings), self.retry_interval, self.retry_timeout)
        elif now - self._outage_said >= 60:
            self._outage_said = now
            logger.warning("store %s still %s after %.0f s (%s): %d pages and %d findings waiting",
                           self._name(), db.outage_words(e), now - self._outage_since, db.first_line(e),
                           len(self._pages), len(self._findings))
        if not self._paused and self._buffered() >= self.max_unwritten and self.crawler.engine is not None:
            self._paused = True
            self.crawler.engine.pause()
            logger.warning("crawl paused: %d rows wait for the store", self._buffered())
        if now - self._outage_since >= self.retry_timeout:
            self._give_up(f"still {db.outage_words(e)} after {self.retry_timeout:.0f} s ({db.first_line(e)})")
        return False

    def _give_up(self, why: str) -> None:
        """Stop the sweep: the inspection is 'failed' (resumable with JOBDIR), exit status 1."""
        if self.failed:
            return
        self.failed = f"store {self._name()} {why}"
        logger.error("%s: the sweep stops; %d pages and %d findings not written; inspection %s is "
                     "failed (with JOBDIR the same command resumes it)", self.failed, len(self._pages),
                     len(self._findings), self.inspection_id)
        if self.crawler.stats:
            self.crawler.stats.set_value("govcrawl/store/close_failed", 1)
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and getattr(engine, "spider", None) is not None:
            from scrapy.utils.defer import deferred_from_coro

            if self._paused:
                engine.unpause()
            deferred_from_coro(engine.close_spider_async(reason="store_failed"))

    def _unwritten(self, n: int) -> None:
        """Rows an attempt failed to write; the sweep spider does not finalize (site checks
        read the store) while this is not 0."""
        if self.crawler.stats:
            self.crawler.stats.set_value("govcrawl/store/unwritten", n)

    def _flush_final(self) -> None:
        """The last flush: retried while the store is unwritable, up to the timeout counted
        from the start of the outage; raises StoreGaveUp (after marking the inspection
        failed, when the store lets it) when the rows cannot be written."""
        if self.failed:  # one last try, no more waiting
            try:
                if self._dirty():
                    self._write()
                return
            except Exception as e:  # noqa: BLE001 - it stays failed, whatever the reason
                logger.debug("last write failed: %s", e)
            self._mark_failed(self.failed)
            raise StoreGaveUp(self.failed)
        start = self._outage_since if self._outage_since is not None else time.monotonic()
        deadline = start + self.retry_timeout
        while True:
            self._retry_at = 0.0
            if self.flush():
                return
            if self.failed:
                break
            if time.monotonic() >= deadline:
                self._give_up(f"still {db.outage_words(self._outage_error or OSError())} after "
                              f"{self.retry_timeout:.0f} s")
                break
            time.sleep(min(self.retry_interval, max(0.1, deadline - time.monotonic())))
        self._mark_failed(self.failed or "store unwritable")
        raise StoreGaveUp(self.failed or "store unwritable")

    def _write(self) -> None:
        assert self.store is not None
        reports: dict[str, db.RowsWritten] = {}
        forget = None
        with self.store.tx() as c:
            if self._pages:
                urls = [(p[0], p[2]) for p in self._pages]
                # a page seen again (browser render, resumed sweep) replaces its entries and links
                db.write_rows(c, "DELETE FROM entries WHERE inspection_id=? AND page_url=?", urls)
                db.write_rows(c, "DELETE FROM links WHERE inspection_id=? AND page_url=?", urls)
                reports["pages"] = db.write_rows(c, _PAGES_SQL, self._pages)
            for table, sql, rows in (("entries", _ENTRIES_SQL, self._entries), ("links", _LINKS_SQL, self._links),
                                     ("link_status", _STATUS_SQL, self._status),
                                     ("notices", _NOTICES_SQL, self._notices)):
                if rows:
                    reports[table] = db.write_rows(c, sql, rows)
            if self._findings:
                reports["findings"] = db.RowsWritten()
                self.store.add_findings(self.inspection_id, self._findings, conn=c, report=reports["findings"])
            if self.frontier is not None:
                forget = self.frontier.write(c, engine_in_progress(self.crawler))
            self._note_repairs(c, reports)
        self._pages, self._entries, self._links, self._status = [], [], [], []
        self._findings, self._notices = [], []
        self._pending = 0
        if forget is not None:
            forget()

    def _note_repairs(self, c: Any, reports: dict[str, db.RowsWritten]) -> None:
        """Rows repaired or dropped by `db.write_rows`: a notice each, one log line."""
        notices = []
        now = utcnow()
        for table, rep in reports.items():
            for kind, rows in (("repaired_row", rep.repaired), ("dropped_row", rep.dropped)):
                si, ui = _WHERE[table]
                for row, why in rows:
                    site, url = row[si], row[ui]
                    verb = "stored repaired" if kind == "repaired_row" else "not stored"
                    notices.append((self.inspection_id, site, kind, url,
                                    f"a {table} row for {url} {verb}: {why}",
                                    json.dumps({"table": table, "why": why}, ensure_ascii=False), now))
        if not notices:
            return
        db.write_rows(c, _NOTICES_SQL, notices)
        repaired = sum(len(r.repaired) for r in reports.values())
        dropped = sum(len(r.dropped) for r in reports.values())
        if self.crawler.stats:
            self.crawler.stats.inc_value("govcrawl/store/repaired_rows", repaired)
            self.crawler.stats.inc_value("govcrawl/store/dropped_rows", dropped)
        what = "; ".join(sorted({f"{t}: {why}" for t, r in reports.items() for _row, why in r.repaired + r.dropped}))
        logger.warning("store: %d row(s) repaired and %d not stored (%s); recorded as notices",
                       repaired, dropped, what[:300])
