"""EvidencePipeline (priority 600): evidence screenshots when a site's crawl is done.

On each `SiteDone` (after the site checks, before the store writes the site's findings)
it renders the pages of the site's page findings in Debian's chromium and records a
cropped, outlined screenshot in each finding's evidence (govcrawl.evidence).  The crawl
itself is never slowed: nothing is rendered before the site is done, and the browser is
started only when the first site needs it.  A page that cannot be rendered, and the
findings over GOVCRAWL_EVIDENCE_MAX_PER_SITE, are recorded as notices.

Off with GOVCRAWL_EVIDENCE=False, GOVCRAWL_BROWSER=False (no browser at all) or
GOVCRAWL_CHECKS=False (no findings).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from scrapy.exceptions import NotConfigured

from govcrawl import browser
from govcrawl import signals as gsignals
from govcrawl.evidence import evidence_dir
from govcrawl.evidence.shots import Shooter
from govcrawl.evidence.site import shoot_site
from govcrawl.items import SiteDone

logger = logging.getLogger(__name__)


class EvidencePipeline:
    def __init__(self, crawler: Any) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.limit = s.getint("GOVCRAWL_EVIDENCE_MAX_PER_SITE")
        self.configured_dir = s.get("GOVCRAWL_EVIDENCE_DIR") or None
        self.store_path = s.get("GOVCRAWL_STORE") or None
        self.shooter = Shooter(s.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"),
                               timeout=s.getfloat("GOVCRAWL_EVIDENCE_TIMEOUT"),
                               concurrency=s.getint("GOVCRAWL_EVIDENCE_CONCURRENCY"),
                               user_agent=s.get("USER_AGENT") or "",
                               egress=partial(browser.egress_allowed, settings=s),
                               site_concurrency=s.getint("GOVCRAWL_SITE_CONCURRENCY"),
                               site_delay=s.getfloat("GOVCRAWL_SITE_DELAY"))
        self._no_dir_said = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> "EvidencePipeline":
        s = crawler.settings
        for name in ("GOVCRAWL_EVIDENCE", "GOVCRAWL_BROWSER", "GOVCRAWL_CHECKS"):
            if not s.getbool(name):
                raise NotConfigured(f"{name} is off")
        if s.getint("GOVCRAWL_EVIDENCE_MAX_PER_SITE") <= 0:
            raise NotConfigured("GOVCRAWL_EVIDENCE_MAX_PER_SITE is 0")
        return cls(crawler)

    def _notice(self, site_id: str | None, kind: str, message: str, url: str = "",
                data: dict | None = None) -> None:
        self.crawler.signals.send_catch_log(gsignals.notice, site_id=site_id, kind=kind, url=url,
                                            message=message, data=data or {})

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, SiteDone):
            return item
        store = (item.stats or {}).get("store") or self.store_path
        root = evidence_dir(store, self.configured_dir) if store else None
        if root is None:
            if not self._no_dir_said:
                self._no_dir_said = True
                self._notice(None, "evidence_off", "evidence screenshots not taken: a PostgreSQL"
                             " store needs GOVCRAWL_EVIDENCE_DIR (a folder every worker can write)")
            return item
        try:
            res = await shoot_site(self.shooter, str(store), item.inspection_id, item.site_id,
                                   root=root, limit=self.limit, extra=item.findings)
        except Exception as e:  # evidence is an extra: never lose the site's findings over it
            logger.exception("site %s: evidence screenshots failed", item.site_id)
            self._notice(item.site_id, "evidence_render", f"evidence screenshots failed: {e!r}"[:500])
            return item
        for n in res.notices:
            self._notice(item.site_id, n.kind, n.message, n.url, n.data)
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("govcrawl/evidence/shots", res.shots)
            stats.inc_value("govcrawl/evidence/located", res.located)
            stats.inc_value("govcrawl/evidence/reused", res.reused)
            stats.inc_value("govcrawl/evidence/pages_failed", res.failed_pages)
            stats.inc_value("govcrawl/evidence/left_out", res.left_out)
            stats.inc_value("govcrawl/evidence/ms", int(res.seconds * 1000))
            stats.inc_value("govcrawl/evidence/blocked_requests", self.shooter.blocked
                            - (stats.get_value("govcrawl/evidence/blocked_requests") or 0))
        item.stats.setdefault("evidence", {}).update(
            {"shots": res.shots, "located": res.located, "reused": res.reused, "failed_pages": res.failed_pages,
             "left_out": res.left_out, "seconds": round(res.seconds, 2)})
        return item

    async def close_spider(self) -> None:
        await self.shooter.close()
