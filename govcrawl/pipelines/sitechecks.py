"""SiteChecksPipeline (priority 500): site-level checks when a site's crawl is done.

On each `SiteDone` item it reads that site's rows from the store (which the sweep
flushed before emitting it), runs govcrawl.checks.site, writes the `columns` table
and attaches the findings to the item; the StorePipeline stores them.  The work runs
in a thread so a big site does not stall the crawl of the others.  Other items pass
through; GOVCRAWL_CHECKS=False leaves everything untouched.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import NotConfigured

from govcrawl import db
from govcrawl.checks.rules import ColumnRules, load_column_rules
from govcrawl.checks.site import SITE_RULES, column_table_path, run_site_checks, write_columns
from govcrawl.items import SiteDone
from govcrawl.store import Store, utcnow

logger = logging.getLogger(__name__)


class SiteChecksPipeline:
    def __init__(self, settings: Any = None, store_path: str | None = None,
                 rules: ColumnRules | None = None) -> None:
        self.settings = settings
        self.store_path = store_path
        # a PostgreSQL store unreachable for a while: try again (govcrawl.db.retry_outage)
        get = getattr(settings, "getfloat", None)
        self.retry_interval = get("GOVCRAWL_STORE_RETRY_INTERVAL", 5.0) if get else 5.0
        self.retry_timeout = get("GOVCRAWL_STORE_RETRY_TIMEOUT", 600.0) if get else 600.0
        # load (and validate) the column table at start: a bad edit stops the sweep here
        self.rules = rules or load_column_rules(column_table_path(settings))

    @classmethod
    def from_crawler(cls, crawler: Any) -> "SiteChecksPipeline":
        s = crawler.settings
        if not s.getbool("GOVCRAWL_CHECKS", True):
            raise NotConfigured("GOVCRAWL_CHECKS is off")
        return cls(settings=s, store_path=s.get("GOVCRAWL_STORE") or None)

    def _store_path(self, item: SiteDone) -> str | None:
        st = item.stats or {}
        return st.get("store") or st.get("store_path") or self.store_path

    def check(self, item: SiteDone) -> SiteDone:
        """Run the checks for one site (blocking; called in a thread by process_item)."""
        path = self._store_path(item)
        if not path:
            logger.error("site checks for %s skipped: no store path (GOVCRAWL_STORE or "
                         "SiteDone.stats['store'])", item.site_id)
            return item
        return db.retry_outage(lambda: self._check(item, path), path, timeout=self.retry_timeout,
                               interval=self.retry_interval, what=f"site checks {item.site_id}")

    def _check(self, item: SiteDone, path: str) -> SiteDone:
        store = Store(path)  # its own connection: this runs in a worker thread
        try:
            res = run_site_checks(store.conn, item.inspection_id, item.site_id, item.as_of,
                                  self.settings, self.rules)
            with store.tx() as conn:  # retried while another writer holds the lock
                write_columns(conn, item.inspection_id, item.site_id, res.columns)
                conn.execute("DELETE FROM notices WHERE inspection_id=? AND site_id=? AND kind=?",
                             (item.inspection_id, item.site_id, "unread_column"))
                conn.executemany(
                    "INSERT INTO notices (inspection_id, site_id, kind, url, message, data_json, at)"
                    " VALUES (?,?,?,?,?,?,?)",
                    [(item.inspection_id, item.site_id, "unread_column", c.url or c.key,
                      f"column {c.name}: list page read but no item found and no 暂无信息; "
                      f"not judged", "{}", utcnow()) for c in res.columns if c.unread])
                # a resumed sweep re-judges the site: drop what no longer holds
                conn.execute(
                    f"DELETE FROM findings WHERE inspection_id=? AND site_id=? AND rule IN"
                    f" ({','.join('?' * len(SITE_RULES))})",
                    (item.inspection_id, item.site_id, *SITE_RULES))
        finally:
            store.close()
        item.findings.extend(res.findings)
        item.stats.setdefault("site_checks", {}).update(
            {**res.stats, "findings": len(res.findings)})
        logger.info("site checks %s: %d columns, %d findings", item.site_id,
                    len(res.columns), len(res.findings))
        unread = [c.name for c in res.columns if c.unread]
        if unread:
            logger.warning("site %s: %d column list(s) with no item read (not judged): %s",
                           item.site_id, len(unread), ", ".join(unread[:10]))
        return item

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, SiteDone):
            return item
        from twisted.internet.threads import deferToThread

        from scrapy.utils.defer import maybe_deferred_to_future

        try:
            return await maybe_deferred_to_future(deferToThread(self.check, item))
        except (*db.Error, *db.DATA_ERRORS) as e:  # type: ignore[misc]
            # the store stayed unusable (see govcrawl.db.retry_outage) or a check broke: the
            # site is not judged, the inspection is not finished (no verdict from it)
            if not isinstance(e, db.Error):
                logger.error("site checks %s failed", item.site_id, exc_info=e)
            else:
                logger.error("site checks %s failed: store %s (%s)", item.site_id,
                             db.display(self._store_path(item) or ""), db.first_line(e))
            item.stats["site_checks_error"] = db.first_line(e)
            return item
