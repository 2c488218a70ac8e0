"""Downloader middlewares: scope, per-site download slots, conditional requests.

- `ScopeMiddleware` never lets a crawl request leave its site: a request (or a
  redirect) whose URL belongs to another site, or to no registered site, is
  dropped and recorded as a notice.  Link checks (`meta["linkcheck"]`) may go
  outside: that is their job.
- `SiteSlotMiddleware` puts every request of a site into its own download slot
  (`site:<id>`), so per-site concurrency holds whatever hosts the sites share,
  and outside hosts into `ext:<host>` slots with their own polite limits.
- `ConditionalRequestMiddleware` adds If-None-Match / If-Modified-Since from the
  previous inspection when incremental re-checks are on.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from govcrawl import signals as gsignals

logger = logging.getLogger(__name__)


class ScopeMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ScopeMiddleware":
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        meta = request.meta
        if meta.get("linkcheck") or meta.get("finalize") or request.url.startswith("data:"):
            return None
        scope = getattr(self.crawler.spider, "scope_map", None)
        site_id = meta.get("site_id")
        if scope is None or site_id is None:
            return None
        owner = scope.owner(request.url)
        if owner == site_id:
            return None
        redirected = meta.get("redirect_urls")
        kind = "redirect_out" if redirected else "out_of_scope"
        self.crawler.stats.inc_value(f"govcrawl/scope/{kind}")
        self.crawler.signals.send_catch_log(
            gsignals.notice, site_id=site_id, kind=kind, url=request.url,
            message=(f"redirect from {redirected[0]} leaves the site's scope: not followed"
                     if redirected else "request outside the site's scope dropped"),
            data={"from": redirected[0] if redirected else None, "owner": owner})
        raise IgnoreRequest(f"{request.url} is outside site {site_id}")


class SiteSlotMiddleware:
    """One download slot per site; outside hosts share polite `ext:` slots."""

    def __init__(self, external_concurrency: int) -> None:
        self.external_concurrency = external_concurrency

    @classmethod
    def from_crawler(cls, crawler: Any) -> "SiteSlotMiddleware":
        return cls(crawler.settings.getint("GOVCRAWL_EXTERNAL_CONCURRENCY", 1))

    def process_request(self, request: Request, spider: Any = None) -> None:
        assign_slot(request)
        return None


def slot_for(request: Request) -> str | None:
    """The download slot of a request: `site:<id>` for a site's requests, `ext:<host>` for
    outside hosts (link checks); None leaves it to Scrapy (per host)."""
    meta = request.meta
    if meta.get("download_slot"):
        return str(meta["download_slot"])
    if meta.get("external"):
        return f"ext:{urlsplit(request.url).netloc.lower()}"
    if meta.get("site_id"):
        return f"site:{meta['site_id']}"
    return None


def assign_slot(request: Request) -> None:
    if "download_slot" in request.meta or request.url.startswith("data:"):
        return
    slot = slot_for(request)
    if slot:
        request.meta["download_slot"] = slot


class SiteSlotSpiderMiddleware:
    """Sets the slot when a request is created, before the scheduler sees it, so the
    downloader-aware priority queue can hand out requests of idle sites first instead of
    piling one slow site's requests into the downloader."""

    async def process_start(self, start: Any) -> Any:
        async for item_or_request in start:
            if isinstance(item_or_request, Request):
                assign_slot(item_or_request)
            yield item_or_request

    def process_spider_output(self, response: Any, result: Any, spider: Any = None) -> Any:
        for r in result:
            if isinstance(r, Request):
                assign_slot(r)
            yield r

    async def process_spider_output_async(self, response: Any, result: Any, spider: Any = None) -> Any:
        async for r in result:
            if isinstance(r, Request):
                assign_slot(r)
            yield r


class ConditionalRequestMiddleware:
    """Incremental re-checks: ask the server whether a page changed since last time."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ConditionalRequestMiddleware":
        if not crawler.settings.getbool("GOVCRAWL_INCREMENTAL", False):
            raise NotConfigured("incremental re-checks are off")
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        prev = getattr(self.crawler.spider, "previous_pages", None)
        if not prev or request.meta.get("linkcheck") or request.method != "GET":
            return None
        # homepages (identity, freshness), list data sources and browser renders are always
        # fetched whole: only the spider's plain-page callback restores a 304 from the store
        if request.meta.get("role") != "page" or request.meta.get("playwright"):
            return None
        old = prev.get(request.url)
        if not old:
            return None
        etag, last_modified = old.get("etag"), old.get("last_modified")
        if etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = etag
        if last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = last_modified
        return None
