"""PageChecksPipeline (priority 300): tag.*, content.fake_date and homepage identity.

Judges each `PageItem` on its own (govcrawl.checks.page) and appends the findings;
other items pass through.  GOVCRAWL_CHECKS=False leaves every item untouched (the
benchmark compares the sweep with and without checks).
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from scrapy.exceptions import NotConfigured

from govcrawl import db
from govcrawl.checks.page import check_fake_date, check_identity, check_tags, registry_ids
from govcrawl.extract.dates import as_date
from govcrawl.items import PageItem

logger = logging.getLogger(__name__)


class PageChecksPipeline:
    def __init__(self, *, grace_days: int = 1, store_path: str | None = None,
                 ids: dict[str, str] | None = None) -> None:
        self.grace_days = grace_days
        self.store_path = store_path
        self._ids: dict[str, str] | None = ids
        self._as_of_cache: dict[str, date | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> "PageChecksPipeline":
        s = crawler.settings
        if not s.getbool("GOVCRAWL_CHECKS", True):
            raise NotConfigured("GOVCRAWL_CHECKS is off")
        return cls(grace_days=s.getint("GOVCRAWL_FAKE_DATE_GRACE_DAYS", 1),
                   store_path=s.get("GOVCRAWL_STORE") or None)

    def _registry_id(self, item: PageItem) -> str:
        """The registry's 网站标识码 for the item's site.  Our registry keys sites by that
        code, so the site id is the answer unless the store's snapshot says otherwise."""
        if self._ids is None:
            self._ids = {}
            if self.store_path:
                try:
                    conn = db.connect(self.store_path, readonly=True, timeout=5)
                    row = conn.execute("SELECT registry_json FROM inspections WHERE id=?",
                                       (item.inspection_id,)).fetchone()
                    conn.close()
                    if row and row[0]:
                        self._ids = registry_ids(json.loads(row[0]))
                except (*db.Error, ValueError) as e:
                    logger.debug("registry snapshot unavailable: %s", e)
        return self._ids.get(item.site_id, item.site_id)

    def _as_of(self, s: str) -> date | None:
        if s not in self._as_of_cache:
            self._as_of_cache[s] = as_date(s) if s else None
        return self._as_of_cache[s]

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        rid = self._registry_id(item)
        item.findings.extend(check_tags(item, rid))
        item.findings.extend(check_fake_date(item, self._as_of(item.as_of), self.grace_days))
        if item.page_type == "homepage":
            item.findings.extend(check_identity(item, rid))
        return item
