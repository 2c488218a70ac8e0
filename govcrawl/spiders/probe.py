"""`scrapy crawl probe -a registry=PATH -a store=PATH [-a sites=ID,ID]`: availability probes.

One visit to each registered homepage, a 15 s limit (GOVCRAWL_PROBE_TIMEOUT), no
retries — the national rule counts visits that still fail after 15 s, so a retry
would hide exactly what is measured.  Each result becomes a row of the store's
`probes` table; `site.unreachable` fires in the sweep when the failure share over
the last 7 days reaches 5 %.  Meant to run from cron at least 20 times a day
(docs/inspection.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterable

import scrapy
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from govcrawl.registry import load_registry
from govcrawl.store import Store, utcnow

logger = logging.getLogger(__name__)


@dataclass
class ProbeResult:
    """One homepage visit."""

    site_id: str
    url: str
    ok: bool
    status: int | None
    elapsed: float | None
    error: str | None
    at: str


class ProbeStorePipeline:
    """Writes `ProbeResult`s into the store's probes table (the probe's only sink)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.store: Store | None = None
        self.count = {"ok": 0, "failed": 0}

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ProbeStorePipeline":
        path = crawler.settings.get("GOVCRAWL_STORE")
        if not path:
            raise NotConfigured("no store (the probe spider sets GOVCRAWL_STORE)")
        return cls(path)

    def open_spider(self) -> None:
        self.store = Store(self.path)

    def close_spider(self) -> None:
        if self.store is not None:
            logger.info("probes: %(ok)d ok, %(failed)d failed", self.count)
            self.store.close()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ProbeResult) and self.store is not None:
            self.store.add_probe(item.site_id, item.url, item.ok, item.status, item.elapsed,
                                 item.error, at=item.at)
            self.count["ok" if item.ok else "failed"] += 1
        return item


class ProbeSpider(scrapy.Spider):
    name = "probe"
    # a bare fetch: none of the sweep's pipelines, middlewares or extensions
    custom_settings = {
        "ITEM_PIPELINES": {"govcrawl.spiders.probe.ProbeStorePipeline": 800},
        "DOWNLOADER_MIDDLEWARES": {},
        "SPIDER_MIDDLEWARES": {},
        "EXTENSIONS": {},
        "RETRY_ENABLED": False,
        "AUTOTHROTTLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "LOG_LEVEL": "WARNING",
    }

    def __init__(self, registry: str | None = None, store: str | None = None,
                 sites: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not registry:
            raise ValueError("missing -a registry=PATH")
        if not store:
            raise ValueError("missing -a store=PATH")
        reg = load_registry(registry)
        self.sites = reg.select(sites.split(",") if sites else None)
        self.store_path = str(store)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "ProbeSpider":
        spider: ProbeSpider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        timeout = s.getfloat("GOVCRAWL_PROBE_TIMEOUT", 15)
        s.set("DOWNLOAD_TIMEOUT", timeout, priority="spider")
        s.set("GOVCRAWL_STORE", spider.store_path, priority="spider")
        spider.timeout = timeout
        return spider

    async def start(self) -> Any:
        for r in self._requests():
            yield r

    def _requests(self) -> Iterable[Request]:
        for site in self.sites:
            yield Request(site.url, callback=self.on_response, errback=self.on_error, dont_filter=True,
                          meta={"site_id": site.id, "handle_httpstatus_all": True,
                                "download_timeout": self.timeout, "at": utcnow()})

    def on_response(self, response: Response) -> Iterable[ProbeResult]:
        m = response.meta
        latency = m.get("download_latency")
        ok = 200 <= response.status < 400 and (latency is None or latency <= self.timeout)
        yield ProbeResult(site_id=m["site_id"], url=response.request.url, ok=ok, status=response.status,
                          elapsed=round(latency, 3) if latency is not None else None,
                          error=None if ok else f"HTTP {response.status}", at=m["at"])

    def on_error(self, failure: Any) -> Iterable[ProbeResult]:
        req = failure.request
        err = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        yield ProbeResult(site_id=req.meta["site_id"], url=req.url, ok=False, status=None,
                          elapsed=None, error=err, at=req.meta.get("at") or utcnow())
