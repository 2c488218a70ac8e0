"""Progress: a log line at a steady interval during long sweeps, and an end summary.

Per site: pages done and requests still queued; overall pages/s and an ETA
from the current rate.  The summary lists pages, sites that could not be
reached, findings by rule and the elapsed time.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from govcrawl.items import Finding, PageItem, SiteDone, SiteEvent

logger = logging.getLogger("govcrawl.progress")


class Progress:
    def __init__(self, crawler: Any, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.scheduled: Counter[str] = Counter()
        self.done: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.findings: Counter[str] = Counter()
        self.unreachable: set[str] = set()
        self.started = time.monotonic()
        self._task: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "Progress":
        interval = crawler.settings.getfloat("GOVCRAWL_PROGRESS_INTERVAL", 30.0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(ext.request_left, signal=signals.request_left_downloader)
        crawler.signals.connect(ext.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        self._task = task.LoopingCall(self.log)
        self._task.start(self.interval, now=False)

    def request_scheduled(self, request: Any, spider: Any) -> None:
        sid = request.meta.get("site_id")
        if sid:
            self.scheduled[sid] += 1
            # only requests that went through the scheduler count as done later
            # (the hacked-page checks download some pages directly)
            request.meta["_govcrawl_counted"] = True

    def request_dropped(self, request: Any, spider: Any) -> None:
        """Filtered as a duplicate (or dropped by the scheduler): never queued."""
        sid = request.meta.get("site_id")
        if sid and request.meta.pop("_govcrawl_counted", False):
            self.scheduled[sid] -= 1

    def request_left(self, request: Any, spider: Any) -> None:
        sid = request.meta.get("site_id")
        if sid and request.meta.get("_govcrawl_counted"):
            self.done[sid] += 1

    def item_scraped(self, item: Any, spider: Any, response: Any = None) -> None:
        fs: list[Finding] = getattr(item, "findings", []) or []
        for f in fs:
            self.findings[f.rule] += 1
        if isinstance(item, PageItem) and item.error:
            self.failed[item.site_id] += 1
            if item.page_type == "homepage":
                self.unreachable.add(item.site_id)

    def log(self) -> None:
        elapsed = max(1e-6, time.monotonic() - self.started)
        done = sum(self.done.values())
        queued = sum(self.scheduled.values()) - done
        rate = done / elapsed
        eta = f"{queued / rate:.0f}s" if rate > 0 and queued > 0 else "-"
        per_site = ", ".join(f"{sid} {self.done[sid]}/{self.scheduled[sid] - self.done[sid]}"
                             for sid in sorted(self.scheduled))
        logger.info("progress: %d requests done, %d queued, %.1f/s, ETA %s | per site done/queued: %s",
                    done, queued, rate, eta, per_site)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
        elapsed = time.monotonic() - self.started
        done = sum(self.done.values())
        rules = ", ".join(f"{r} {n}" for r, n in self.findings.most_common()) or "none"
        logger.info("sweep %s: %d requests in %.1fs (%.1f/s); sites not reached: %s; findings by rule: %s",
                    reason, done, elapsed, done / max(elapsed, 1e-6),
                    ", ".join(sorted(self.unreachable)) or "none", rules)
