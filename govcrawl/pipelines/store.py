"""StorePipeline: the embedded SQLite store, the source of truth.

Rows are buffered and written in batches (one transaction per batch); every
write is an upsert keyed by inspection and URL / finding key, so a resumed
sweep rewrites instead of duplicating.  The buffer is flushed whenever the
crawl goes idle (so site-level checks read complete data) and at the end,
when verdicts are computed and the inspection is closed.
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
from govcrawl.items import Finding, LinkStatus, PageItem, SiteDone, SiteEvent
from govcrawl.store import Store, StoreError, utcnow

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler: Any, path: str, inspection_id: int, batch: int) -> None:
        self.crawler = crawler
        self.path = path
        self.inspection_id = inspection_id
        self.batch = batch
        self.retry_interval = 5.0  # seconds between attempts while the store is unreachable
        self.retry_timeout = 600.0  # how long the end of the sweep waits for it
        self._retry_at = 0.0
        self.store: Store | None = None
        self._pages: list[tuple] = []
        self._entries: list[tuple] = []
        self._links: list[tuple] = []
        self._status: list[tuple] = []
        self._findings: list[Finding] = []
        self._notices: list[tuple] = []
        self._pending = 0
        self.counts: Counter[str] = Counter()
        self.findings_by_rule: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        path = crawler.settings.get("GOVCRAWL_STORE")
        if not path:
            raise NotConfigured("no store (the sweep spider sets GOVCRAWL_STORE)")
        p = cls(crawler, path, crawler.settings.getint("GOVCRAWL_INSPECTION_ID"),
                crawler.settings.getint("GOVCRAWL_STORE_BATCH", 200))
        p.retry_interval = crawler.settings.getfloat("GOVCRAWL_STORE_RETRY_INTERVAL", 5.0)
        p.retry_timeout = crawler.settings.getfloat("GOVCRAWL_STORE_RETRY_TIMEOUT", 600.0)
        crawler.signals.connect(p.flush, signal=signals.spider_idle)
        crawler.signals.connect(p.on_notice, signal=gsignals.notice)
        return p

    def open_spider(self, spider: Any = None) -> None:
        self.store = Store(self.path)

    def close_spider(self, spider: Any = None) -> None:
        try:
            self._close()
        except Exception:
            # the inspection is left open: `scrapy crawl` then exits 1 (govcrawl.commands.crawl)
            if self.crawler.stats:
                self.crawler.stats.set_value("govcrawl/store/close_failed", 1)
            raise

    def _close(self) -> None:
        assert self.store is not None
        self._flush_final()
        self._update_sites()
        reason = self.crawler.stats.get_value("finish_reason") if self.crawler.stats else None
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
        # a sweep stopped by Ctrl-C / kill stays 'running' so it can be resumed with JOBDIR
        status = "finished" if reason in (None, "finished") else "interrupted"
        self.store.finish_inspection(self.inspection_id, status=status, stats=stats)
        self.store.close()

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

    def flush(self, *_: Any, **__: Any) -> bool:
        """Write the buffered rows; True when nothing is left unwritten.

        The store unreachable (a PostgreSQL server restarting, a network cut): the rows
        stay buffered, one warning is logged, and the next attempt waits
        GOVCRAWL_STORE_RETRY_INTERVAL seconds; nothing is acked in the meantime.  At the
        end of the sweep `_flush_final` keeps trying for GOVCRAWL_STORE_RETRY_TIMEOUT."""
        if self.store is None:
            return True
        if not (self._pages or self._entries or self._links or self._status or self._findings or self._notices):
            return True
        if time.monotonic() < self._retry_at:
            return False
        try:
            self._write()
        except db.OperationalError as e:
            if not self.store.is_pg:
                raise  # SQLite: a locked or broken file is not a passing outage
            self._retry_at = time.monotonic() + self.retry_interval
            self._unwritten(len(self._pages) + len(self._findings) + len(self._status) + len(self._notices))
            if self.crawler.stats:
                self.crawler.stats.inc_value("govcrawl/store/retries")
            logger.warning("store %s unreachable (%s): %d pages and %d findings kept in memory; "
                           "next attempt in %.0f s", self.store.name, str(e).strip().splitlines()[0][:200],
                           len(self._pages), len(self._findings), self.retry_interval)
            return False
        if self._retry_at:
            logger.info("store %s reachable again: buffered rows written", self.store.name)
            self._retry_at = 0.0
        self._unwritten(0)
        return True

    def _unwritten(self, n: int) -> None:
        """Rows an attempt failed to write; the sweep spider does not finalize (site checks
        read the store) while this is not 0."""
        if self.crawler.stats:
            self.crawler.stats.set_value("govcrawl/store/unwritten", n)

    def _flush_final(self) -> None:
        """The last flush: retried while the store is unreachable, up to the timeout."""
        deadline = time.monotonic() + self.retry_timeout
        while True:
            self._retry_at = 0.0
            if self.flush():
                return
            if time.monotonic() >= deadline:
                raise StoreError(f"{self.store.name if self.store else 'store'}: still unreachable after "
                                 f"{self.retry_timeout:.0f} s; {len(self._pages)} pages and "
                                 f"{len(self._findings)} findings not written")
            time.sleep(min(self.retry_interval, max(0.1, deadline - time.monotonic())))

    def _write(self) -> None:
        assert self.store is not None
        with self.store.tx() as c:
            if self._pages:
                urls = [(p[0], p[2]) for p in self._pages]
                # a page seen again (browser render, resumed sweep) replaces its entries and links
                c.executemany("DELETE FROM entries WHERE inspection_id=? AND page_url=?", urls)
                c.executemany("DELETE FROM links WHERE inspection_id=? AND page_url=?", urls)
                c.executemany(
                    "INSERT OR REPLACE INTO pages (inspection_id, site_id, url, final_url, status, error, elapsed,"
                    " content_type, size, encoding, content_hash, page_type, title, column_name, column_url,"
                    " breadcrumb_json, meta_json, pub_date, source, depth, referer, etag, last_modified,"
                    " unchanged, rendered, text, extra_json, fetched_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self._pages)
            if self._entries:
                c.executemany("INSERT OR REPLACE INTO entries (inspection_id, site_id, page_url, pos, title, url,"
                              " date, extra_json) VALUES (?,?,?,?,?,?,?,?)", self._entries)
            if self._links:
                c.executemany("INSERT OR REPLACE INTO links (inspection_id, site_id, page_url, target, anchor,"
                              " kind, hidden, hidden_reason, external) VALUES (?,?,?,?,?,?,?,?,?)", self._links)
            if self._status:
                c.executemany("INSERT OR REPLACE INTO link_status (inspection_id, site_id, target, status, error,"
                              " elapsed, content_type, size, final_url) VALUES (?,?,?,?,?,?,?,?,?)", self._status)
            if self._notices:
                c.executemany("INSERT INTO notices (inspection_id, site_id, kind, url, message, data_json, at)"
                              " VALUES (?,?,?,?,?,?,?)", self._notices)
            if self._findings:
                assert self.store is not None
                self.store.add_findings(self.inspection_id, self._findings, conn=c)
        self._pages, self._entries, self._links, self._status = [], [], [], []
        self._findings, self._notices = [], []
        self._pending = 0
