"""Sink: findings and slim page records into Elasticsearch (priority 900, after the store).

On only when ELASTICSEARCH_URL is set (NotConfigured otherwise).  The embedded
store stays the source of truth; this pipeline never drops or changes items.
`process_item` turns the item into bulk actions and queues them: the network
is the worker thread's business (govcrawl.es.indexer), so a slow or dead
cluster never slows the crawl — what cannot be delivered is spooled to disk
and replayed later (on the next start, or `govcrawl es-replay`).
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from govcrawl.es import docs
from govcrawl.es.config import EsConfig
from govcrawl.es.indexer import Indexer
from govcrawl.es.sync import SiteDirectory, open_store, verdict_actions
from govcrawl.items import Finding, LinkStatus, PageItem, SiteDone, SiteEvent

log = logging.getLogger(__name__)


class ElasticsearchPipeline:
    def __init__(self, cfg: EsConfig, crawler: Any = None):
        self.cfg = cfg
        self.crawler = crawler
        self.sites = SiteDirectory(cfg.store)
        self.indexer: Indexer | None = None
        self._inspections: set[int] = set()
        self._as_of: dict[int, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ElasticsearchPipeline":
        try:
            cfg = EsConfig.load(crawler.settings.get)
        except ValueError as e:  # a wrong setting must stop the sweep, loudly
            raise ValueError(f"Elasticsearch settings: {e}") from None
        if not cfg.enabled:
            raise NotConfigured("ELASTICSEARCH_URL is not set")
        return cls(cfg, crawler)

    # -- lifecycle ------------------------------------------------------------
    def open_spider(self) -> None:
        self.indexer = Indexer(self.cfg)
        self.indexer.start()
        log.info("Elasticsearch indexing to %s; spool %s", self.cfg.describe(),
                 self.cfg.spool_path())

    async def close_spider(self) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.threads import deferToThread

        if self.indexer is None:
            return
        stats = await maybe_deferred_to_future(deferToThread(self._close))
        if self.crawler is not None and getattr(self.crawler, "stats", None) is not None:
            for k, v in stats.items():
                self.crawler.stats.set_value(f"elasticsearch/{k}", v)
        level = logging.WARNING if stats.get("spooled") or stats.get("rejected") else logging.INFO
        log.log(level, "Elasticsearch: %d indexed, %d already there, %d spooled for later, "
                "%d rejected (kept in %s)", stats.get("indexed", 0), stats.get("duplicates", 0),
                stats.get("spooled", 0), stats.get("rejected", 0), self.cfg.spool_path())

    def _close(self) -> dict[str, int]:
        """Runs in a thread: index the verdicts the sweep wrote, then drain and stop."""
        assert self.indexer is not None
        try:
            self._queue_verdicts()
        except Exception as e:  # verdicts are a bonus here; es-sync is the sure way
            log.warning("Elasticsearch: verdicts not indexed at close (%s); "
                        "run `govcrawl es-sync`", e)
        stats = self.indexer.close()
        self.sites.close()
        return stats

    def _queue_verdicts(self) -> None:
        if not self.cfg.store or not self._inspections:
            return
        conn = open_store(self.cfg.store)
        try:
            for iid in sorted(self._inspections):
                for meta, body in verdict_actions(conn, self.cfg, iid, self.sites):
                    assert self.indexer is not None
                    self.indexer.submit(meta, body)
        finally:
            conn.close()

    # -- items ----------------------------------------------------------------
    def process_item(self, item: Any) -> Any:
        if self.indexer is None:
            return item
        if isinstance(item, PageItem):
            self._page(item)
        elif isinstance(item, (SiteDone, SiteEvent)):
            iid = item.inspection_id
            as_of = getattr(item, "as_of", "") or self._as_of_for(iid)
            url = getattr(item, "url", "")
            self._findings(item.findings, iid, as_of, default_url=url)
        elif isinstance(item, LinkStatus):
            pass  # link results reach Elasticsearch as link.broken findings (SiteDone)
        else:
            adapter = ItemAdapter(item) if ItemAdapter.is_item(item) else None
            if adapter is not None and "findings" in adapter and "inspection_id" in adapter:
                self._other(adapter)
        return item

    def _other(self, adapter: ItemAdapter) -> None:
        """Any other item with findings, e.g. a 政务新媒体 account (`AccountDone`: the
        account's registry entry, its findings and verdict)."""
        iid = int(adapter["inspection_id"])
        self._inspections.add(iid)
        as_of = (adapter.get("as_of") if "as_of" in adapter else "") or self._as_of_for(iid)
        account = adapter.get("account") if "account" in adapter else None
        url = ""
        if isinstance(account, dict) and account.get("id"):
            url = account.get("url") or ""
            self.sites.remember(iid, str(account["id"]), {
                "name": account.get("name"), "region": account.get("region"),
                "org": account.get("org"), "kind": "account", "platform": account.get("platform"),
                "url": url or None})
        self._findings(list(adapter["findings"] or []), iid, as_of, default_url=url)
        verdict = adapter.get("verdict") if "verdict" in adapter else None
        if isinstance(verdict, dict) and isinstance(account, dict) and account.get("id"):
            aid = str(account["id"])
            v = dict(verdict, subject="account")

            def build() -> list[tuple[dict, dict]]:
                doc = docs.verdict_source(v, inspection_id=iid, as_of=as_of,
                                          site=self._site(iid, aid))
                return [docs.verdict_action(self.cfg.verdicts_index, iid, aid, doc)]

            assert self.indexer is not None
            self.indexer.submit_builder(build)

    def _as_of_for(self, iid: int) -> str:
        if iid not in self._as_of:
            as_of = self.sites.inspection(iid).get("as_of") or ""
            if not as_of:
                return ""
            self._as_of[iid] = as_of
        return self._as_of[iid]

    def _site(self, iid: int, site_id: str) -> dict[str, Any]:
        return self.sites.site(iid, site_id)

    def _page(self, page: PageItem) -> None:
        """Capture what the documents need (small values and the Finding objects, never
        the page's text or HTML); the worker thread builds the documents."""
        iid = page.inspection_id
        self._inspections.add(iid)
        if page.as_of:
            self._as_of.setdefault(iid, page.as_of)
        as_of = page.as_of or self._as_of_for(iid)
        now = docs.now_iso()
        ctx = {"title": page.title or None, "type": page.page_type, "column": page.column,
               "pub_date": page.pub_date}
        findings = list(page.findings)
        record = None
        if self.cfg.pages:
            record = {"url": page.url, "final_url": page.final_url, "status": page.status,
                      "error": page.error, "elapsed": page.elapsed,
                      "content_type": page.content_type, "size": page.size,
                      "page_type": page.page_type, "title": page.title, "column": page.column,
                      "column_url": page.column_url, "pub_date": page.pub_date,
                      "depth": page.depth, "rendered": page.rendered, "unchanged": page.unchanged}
        site_id, url = page.site_id, page.url

        def build() -> list[tuple[dict, dict]]:
            ctx["pub_date"] = docs.norm_pub_date(ctx["pub_date"])
            out = self._finding_actions(findings, iid, as_of, now, ctx, url)
            if record is not None:
                doc = docs.page_source(record, inspection_id=iid, as_of=as_of, fetched=now,
                                       site=self._site(iid, site_id), findings=len(findings))
                out.append(docs.page_action(self.cfg.pages_stream, iid, doc))
            return out

        assert self.indexer is not None
        self.indexer.submit_builder(build, len(findings) + (record is not None))

    def _findings(self, findings: list[Any], iid: int, as_of: str, *,
                  default_url: str = "") -> None:
        if not findings:
            return
        self._inspections.add(iid)
        seen = docs.now_iso()
        fs = list(findings)
        assert self.indexer is not None
        self.indexer.submit_builder(
            lambda: self._finding_actions(fs, iid, as_of, seen, None, default_url), len(fs))

    def _finding_actions(self, findings: list[Any], iid: int, as_of: str, seen: str,
                         page: dict[str, Any] | None, default_url: str
                         ) -> list[tuple[dict, dict]]:
        """Runs in the worker thread."""
        out = []
        for f in findings:
            if isinstance(f, Finding):
                d = docs.finding_dict(f)
            else:  # a plain dict from another item type
                d = dict(f)
                d.setdefault("id", Finding.from_dict(d).key)
            if not d.get("url") and default_url:
                # The key was computed without it; keep the id, show where it was seen.
                d["url"] = default_url
            doc = docs.finding_source(d, inspection_id=iid, as_of=as_of, seen=seen,
                                      site=self._site(iid, d["site_id"]), page=page)
            out.append(docs.finding_action(self.cfg.findings_index, doc))
        return out
