"""`scrapy crawl sweep`: every page of every registered site, politely.

The spider only decides where to go; `govcrawl.extract.page` understands the
pages, the pipelines judge and store them.  Phases:

1. crawl every site from its homepage (links, TRS `createPageHTML` pages,
   大汉 `dataproxy.jsp` and JSON list endpoints, the browser as last resort);
   outside links, images and attachments are checked once (`linkcheck`);
2. when the crawl is idle, one `SiteDone` item per site lets the site-level
   checks run over the store; then the spider closes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
from functools import partial
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, AsyncIterator, Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, StopDownload
from scrapy.http import Response

from govcrawl import db
from govcrawl import signals as gsignals
from govcrawl.extract.page import (
    ATTACHMENT_EXT, canonical_url, entries_from_dataproxy, entries_from_json, is_html_type,
    parse_page, url_ext,
)
from govcrawl.items import LinkStatus, PageItem, SiteDone
from govcrawl.registry import Registry, ScopeMap, Site, load_registry
from govcrawl.store import DISTRIBUTED, FINISHED, RUNNING, Store, StoreError, this_process

logger = logging.getLogger(__name__)

# statuses the callbacks see (errors are recorded); redirects are left to RedirectMiddleware
HANDLED_STATUSES = [304, *range(400, 600)]
PAGE_PARAMS = {"page", "pageno", "pagenum", "pageindex", "p", "curpage", "currentpage", "pn", "page_no"}
_DATEISH = re.compile(r"^(?:\d{4}[-/]?\d{1,2}(?:[-/]?\d{1,2})?|\d{6,8})$")
_SESSIONISH = re.compile(r"^[0-9a-f]{16,}$", re.I)


def today_shanghai() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


class SweepArgumentError(ValueError):
    """A bad `-a` argument; reported as one line by the crawl command."""


def parse_args(registry: str | None, store: str | None, as_of: str | None,
               sites: str | None) -> tuple[Registry, list[Site], date]:
    """Validate the sweep's arguments before anything is crawled."""
    if not registry:
        raise SweepArgumentError("missing -a registry=PATH")
    if not store:
        raise SweepArgumentError("missing -a store=PATH (an SQLite file or a postgresql:// URL)")
    reg = load_registry(registry)
    selected = reg.select(sites.split(",") if sites else None)
    if not selected:
        raise SweepArgumentError(f"{registry}: no sites to sweep")
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise SweepArgumentError(f"bad as_of {as_of!r} (want YYYY-MM-DD)") from None
    else:
        day = today_shanghai()
    if db.is_url(store):
        return reg, selected, day
    p = Path(store)
    if p.exists() and p.is_dir():
        raise SweepArgumentError(f"store {store} is a directory")
    if not p.parent.exists():
        raise SweepArgumentError(f"store {store}: directory {p.parent} does not exist")
    return reg, selected, day


class SweepSpider(scrapy.Spider):
    name = "sweep"

    def __init__(self, registry: str | None = None, store: str | None = None,
                 as_of: str | None = None, sites: str | None = None, period: str | None = None,
                 scope: str | None = None, sample: str | None = None, seed: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.registry, selected, self.as_of = parse_args(registry, store, as_of, sites)
        self.store_path = str(store)
        self.period = period
        self.sample_seed = int(seed) if seed not in (None, "") else None
        if sample:
            from govcrawl.sampling import draw_sample, parse_sample_arg  # stratified, reproducible

            n, ratio = parse_sample_arg(sample)
            self.sample_seed = self.sample_seed or 0
            selected = draw_sample(selected, n=n, ratio=ratio, seed=self.sample_seed)
            scope = scope or "sample"
        self.scope_kind = scope or "full"
        self.sites: dict[str, Site] = {s.id: s for s in selected}
        # ownership is decided among *all* registered sites: a department under the
        # portal's path stays the department's even when only the portal is swept
        self.scope_map = ScopeMap(self.registry.sites)
        self.inspection_id: int = 0
        self.previous_pages: dict[str, dict[str, Any]] = {}
        self.dist: Any = None  # govcrawl.dist.Worker in a distributed sweep
        self._pattern_counts: Counter[tuple[str, str]] = Counter()
        self._capped: set[tuple[str, str]] = set()
        self._pages_per_site: Counter[str] = Counter()
        self._checked_targets: set[str] = set()
        # pages this process already asked for: most links of a page (navigation, footer)
        # were requested long ago, and dropping them here spares each one the spider
        # middlewares and the scheduler's duplicate filter (hashes, not strings: memory)
        self._requested: set[int] = set()
        self._finalized = False
        self._browser_requested: set[str] = set()
        self.frontier: Any = None  # govcrawl.frontier.Frontier of a resumable (JOBDIR) sweep
        self._replaying = False

    # -- set-up ----------------------------------------------------------------
    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "SweepSpider":
        spider: SweepSpider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.pattern_cap = s.getint("GOVCRAWL_PATTERN_CAP", 400)
        spider.max_pages = s.getint("GOVCRAWL_MAX_PAGES_PER_SITE", 200_000)
        spider.link_check = s.getbool("GOVCRAWL_LINK_CHECK", True)
        spider.browser = s.getbool("GOVCRAWL_BROWSER", True)
        spider.attachment_max = s.getint("GOVCRAWL_ATTACHMENT_MAXSIZE", 512 * 1024)
        spider.skip_hosts = set(s.getlist("GOVCRAWL_LINKCHECK_SKIP_HOSTS", []))
        spider.depth_limit = s.getint("DEPTH_LIMIT", 0)
        from govcrawl.dist import DistError

        try:
            spider._open_inspection(crawler)
        except (DistError, SweepArgumentError, StoreError, *db.Error) as e:  # type: ignore[misc]
            # bad input for a resumed or distributed sweep, a store that cannot start the
            # inspection (full disk, read-only): one line, nothing crawled
            msg = str(e) if isinstance(e, (DistError, SweepArgumentError, StoreError)) else \
                f"store {db.display(spider.store_path)}: cannot start the inspection ({db.first_line(e)})"
            print(f"scrapy crawl sweep: {msg}", file=sys.stderr, flush=True)
            raise SystemExit(2) from None
        # per-site download slots (SiteSlotMiddleware puts requests in them)
        slots = dict(s.getdict("DOWNLOAD_SLOTS"))
        default_c = s.getint("GOVCRAWL_SITE_CONCURRENCY", 2)
        default_d = s.getfloat("GOVCRAWL_SITE_DELAY", 0.0)
        for site in spider.sites.values():
            slots[f"site:{site.id}"] = {
                "concurrency": int(site.settings.get("concurrency", default_c)),
                "delay": float(site.settings.get("delay", default_d)),
            }
        s.set("DOWNLOAD_SLOTS", slots, priority="spider")
        s.set("GOVCRAWL_STORE", spider.store_path, priority="spider")
        s.set("GOVCRAWL_INSPECTION_ID", spider.inspection_id, priority="spider")
        s.set("GOVCRAWL_AS_OF", spider.as_of.isoformat(), priority="spider")
        if spider.browser:
            handlers = dict(s.getdict("DOWNLOAD_HANDLERS"))
            handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
            handlers.setdefault("http", handler)
            handlers.setdefault("https", handler)
            s.set("DOWNLOAD_HANDLERS", handlers, priority="spider")
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_headers, signal=signals.headers_received)
        return spider

    def _open_inspection(self, crawler: Any) -> None:
        """A new inspection, or the interrupted one when resuming from the same JOBDIR."""
        store = Store(self.store_path)
        try:
            self._open_in(store, crawler)
        finally:
            store.close()

    def _open_in(self, store: Store, crawler: Any) -> None:
        for iid in store.reap():
            logger.warning("inspection %s was left running by a process that is gone: marked interrupted", iid)
        jobdir = crawler.settings.get("JOBDIR")
        marker = Path(jobdir) / "govcrawl-inspection.json" if jobdir else None
        # distributed sweep (GOVCRAWL_REDIS_URL): join or create the shared inspection
        from govcrawl.dist import open_worker

        self.dist = open_worker(crawler, self, store, create=lambda: store.create_inspection(
            as_of=self.as_of.isoformat(), registry_path=self.registry.path,
            registry=self.registry.to_dict(), kind="sites", period=self.period,
            scope=self.scope_kind, sample_seed=self.sample_seed, settings={"sites": sorted(self.sites)},
            owner=DISTRIBUTED))
        resumed = False
        if self.dist is not None:
            self.inspection_id, self.as_of = self.dist.inspection_id, date.fromisoformat(self.dist.as_of)
            store.claim(self.inspection_id, distributed=True, resumed=True)
        elif marker and marker.exists():
            resumed = self._resume(store, marker)
        if self.dist is None and not resumed:
            self.inspection_id = store.create_inspection(
                as_of=self.as_of.isoformat(), registry_path=self.registry.path,
                registry=self.registry.to_dict(), kind="sites", period=self.period,
                scope=self.scope_kind, sample_seed=self.sample_seed,
                settings={"sites": sorted(self.sites), **_thresholds(crawler.settings)}, owner=this_process())
            if marker:
                marker.parent.mkdir(parents=True, exist_ok=True)
                tmp = marker.with_name(marker.name + ".tmp")  # written whole or not at all
                tmp.write_text(json.dumps({"inspection_id": self.inspection_id, "as_of": self.as_of.isoformat(),
                                           "store": db.normalize(self.store_path)}))
                tmp.replace(marker)
        store.upsert_sites(self.inspection_id, self.sites.values())
        if jobdir and self.dist is None:
            # resumable: the crawl frontier lives in the store beside its results (govcrawl.frontier)
            from govcrawl.frontier import Frontier

            self.frontier = Frontier(self.inspection_id, self.store_path, resumed=resumed)
            self.frontier.attach(crawler)
            crawler.settings.set("SCHEDULER", "govcrawl.frontier.DurableScheduler", priority="spider")
            if resumed:
                self._restore(store)
        if crawler.settings.getbool("GOVCRAWL_INCREMENTAL", False):
            self.previous_pages = self._load_previous(store)

    def _resume(self, store: Store, marker: Path) -> bool:
        """The inspection recorded in JOBDIR, taken up again unless it is finished (then
        the sweep starts a new one); another process still running it is refused."""
        try:
            data = json.loads(marker.read_text())
            iid, as_of = int(data["inspection_id"]), date.fromisoformat(data["as_of"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise SweepArgumentError(f"{marker}: unreadable ({e}); give the sweep a new JOBDIR") from None
        mine = db.normalize(self.store_path)
        if data.get("store") and data["store"] != mine:
            raise SweepArgumentError(f"JOBDIR {marker.parent} belongs to inspection {iid} of store "
                                     f"{db.display(data['store'])}, not {db.display(mine)}: give each store its own JOBDIR")
        try:
            row = store.inspection(iid)
        except StoreError:
            raise SweepArgumentError(f"JOBDIR {marker.parent} names inspection {iid}, which {store.name} does not "
                                     "hold: give the sweep a new JOBDIR") from None
        state = store.state(row)
        if state == FINISHED:
            logger.info("inspection %s of %s is finished: starting a new inspection", iid, marker.parent)
            return False
        try:
            started = sorted(json.loads(row["settings_json"] or "{}").get("sites") or [])
        except (ValueError, AttributeError):
            started = []
        if started and started != sorted(self.sites):
            raise SweepArgumentError(
                f"JOBDIR {marker.parent} holds inspection {iid} of {len(started)} site(s) "
                f"({', '.join(started[:5])}{' …' if len(started) > 5 else ''}); this command sweeps "
                f"{len(self.sites)}: resume it with the same registry and -a sites, or give a new JOBDIR")
        if state == RUNNING:
            raise SweepArgumentError(f"{store.describe_state(row)}: one JOBDIR serves one process at a time")
        self.inspection_id, self.as_of = iid, as_of
        store.claim(iid, resumed=True)
        logger.info("resuming inspection %s (as_of %s, %s) from %s", iid, as_of, state, marker.parent)
        return True

    def _restore(self, store: Store) -> None:
        """A resumed sweep's counters as they stood: pages per site (the page cap, the end
        summary) and the trap caps, replayed over the requests already made."""
        self._pages_per_site = Counter({r[0]: int(r[1]) for r in store.conn.execute(
            "SELECT site_id, COUNT(*) FROM pages WHERE inspection_id=? AND status IS NOT NULL GROUP BY site_id",
            (self.inspection_id,))})
        self._replaying = True
        try:
            for _seq, _fp, site_id, url, kind, _done in self.frontier.rows(store.conn):
                site = self.sites.get(site_id)
                if site is None or not url:
                    continue
                if kind == "linkcheck":
                    self._checked_targets.add(url)
                elif kind != "home":
                    self._requested.add(hash(url))
                    self._allow(site, url)
        finally:
            self._replaying = False

    def _load_previous(self, store: Store) -> dict[str, dict[str, Any]]:
        row = store.conn.execute(
            "SELECT id FROM inspections WHERE kind='sites' AND id<? AND status='finished'"
            " ORDER BY id DESC LIMIT 1", (self.inspection_id,)).fetchone()
        if row is None:
            return {}
        out = {}
        for r in store.conn.execute(
                "SELECT url, etag, last_modified, content_hash FROM pages WHERE inspection_id=?",
                (row["id"],)):
            out[r["url"]] = {"etag": r["etag"], "last_modified": r["last_modified"],
                             "content_hash": r["content_hash"], "inspection_id": row["id"]}
        return out

    # -- requests ----------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        for site in self.sites.values():
            logger.info("site %s %s: %s (scope %s)", site.id, site.name, site.url, ", ".join(site.scope))
            home = canonical_url(site.url)
            self._requested.add(hash(home))
            yield self._page_request(site, home, role="home", priority=10)

    def _page_request(self, site: Site, url: str, role: str = "page", priority: int = 0,
                      column: dict[str, Any] | None = None, **meta: Any) -> Request:
        return Request(url, callback=self.parse, errback=self.on_error, priority=priority,
                       meta={"site_id": site.id, "role": role, "handle_httpstatus_list": HANDLED_STATUSES,
                             "column": column or {}, **meta})

    def _allow(self, site: Site, url: str) -> bool:
        """Trap and cap guard: per-pattern caps on trap-prone URLs, a page cap per site."""
        if self._pages_per_site[site.id] >= self.max_pages:
            key = (site.id, "*max_pages*")
            if key not in self._capped:
                self._capped.add(key)
                self._notice(site.id, "cap", url, f"page cap {self.max_pages} reached: crawl of this site stopped")
            return False
        p = urlsplit(url)
        query = parse_qsl(p.query, keep_blank_values=True)
        segs = [s for s in p.path.split("/") if s]
        trap_prone = any(_DATEISH.match(v) or _SESSIONISH.match(v) for _k, v in query) or \
            len(segs) != len(set(segs)) and len(segs) >= 6
        if not trap_prone:
            return True
        pattern = re.sub(r"\d+", "#", p.path) + "?" + "&".join(sorted(k for k, _v in query))
        key = (site.id, pattern)
        if key in self._capped:
            return False
        if self.dist is not None:  # the cap counts the URLs of all workers together
            over = not self.dist.trap_allow(site.id, pattern, url, self.pattern_cap)
        else:
            self._pattern_counts[key] += 1
            over = self._pattern_counts[key] > self.pattern_cap
        if over:
            if key not in self._capped:
                self._capped.add(key)
                self._notice(site.id, "trap", url,
                             f"URL pattern {pattern} capped at {self.pattern_cap} pages (likely a crawler trap)",
                             {"pattern": pattern, "cap": self.pattern_cap})
            return False
        return True

    def _notice(self, site_id: str, kind: str, url: str, message: str, data: dict | None = None) -> None:
        if self._replaying:  # recorded by the run that hit the cap
            return
        logger.warning("site %s: %s", site_id, message)
        self.crawler.signals.send_catch_log(gsignals.notice, site_id=site_id, kind=kind, url=url,
                                            message=message, data=data or {})

    def _linkcheck(self, site: Site, url: str, page_url: str, method: str = "HEAD") -> Request | None:
        if not self.link_check or url in self._checked_targets and method == "HEAD":
            return None
        host = urlsplit(url).hostname or ""
        if host in self.skip_hosts:
            return None
        self._checked_targets.add(url)
        owner = self.scope_map.owner(url)
        return Request(url, method=method, callback=self.on_linkcheck, errback=self.on_linkcheck_error,
                       priority=-5, dont_filter=method == "GET",
                       meta={"site_id": site.id, "linkcheck": True, "external": owner != site.id,
                             "handle_httpstatus_list": HANDLED_STATUSES, "headers_only": True,
                             "page_url": page_url,
                             # a dead link is a finding (link.broken), not a crawler error
                             "give_up_log_level": "INFO"})

    # -- callbacks -----------------------------------------------------------------
    def on_headers(self, headers: Any, body_length: int, request: Request, spider: Any) -> None:
        """Link checks and attachments need only the status line and headers.  A HEAD
        answer has no body to skip, and stopping it would cost the kept-alive connection."""
        if request.meta.get("headers_only") and request.method != "HEAD":
            raise StopDownload(fail=False)

    def parse(self, response: Response, **_: Any) -> Iterable[Any]:
        meta = response.meta
        site = self.sites[meta["site_id"]]
        url = canonical_url(response.request.url)
        self._pages_per_site[site.id] += 1
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        item = PageItem(
            inspection_id=self.inspection_id, site_id=site.id, url=url, as_of=self.as_of.isoformat(),
            final_url=canonical_url(response.url), status=response.status,
            elapsed=meta.get("download_latency"), content_type=ctype, size=len(response.body),
            depth=meta.get("depth", 0), referer=(response.request.headers.get(b"Referer") or b"").decode("latin-1") or None,
            etag=(response.headers.get(b"ETag") or b"").decode("latin-1") or None,
            last_modified=(response.headers.get(b"Last-Modified") or b"").decode("latin-1") or None,
            rendered=bool(meta.get("playwright")),
        )
        if meta["role"] == "home":
            item.page_type = "homepage"
        col = meta.get("column") or {}
        if response.status == 304 and url in self.previous_pages:
            item.unchanged = True
            item.extra["previous_inspection"] = self.previous_pages[url]["inspection_id"]
            item.content_hash = self.previous_pages[url]["content_hash"]
            # the page as stored last time, and where it led (govcrawl.dist.incremental)
            from govcrawl.dist.incremental import restore_page

            page = restore_page(self.store_path, self.inspection_id, item, response.url)
            yield item
            if page is not None:
                yield from self._follow(site, url, item, page)
            return
        if response.status >= 400 or not response.body and response.status != 200:
            item.error = f"HTTP {response.status}"
            yield item
            return
        item.content_hash = hashlib.sha1(response.body).hexdigest()
        page = parse_page(url, response.body, content_type=ctype, site_home=site.url,
                          in_site=partial(_owned_by, self.scope_map, site.id), as_of=self.as_of)
        if not page.is_html:
            item.page_type = "attachment"
            yield item
            return
        item.encoding = page.encoding
        item.title, item.meta, item.breadcrumb = page.title, page.meta, page.breadcrumb
        item.page_type = "homepage" if meta["role"] == "home" else page.page_type
        item.column = page.column or col.get("name")
        item.column_url = self._column_url(url, page, col)
        item.pub_date, item.source = page.pub_date, page.source
        if page.pub_time:
            item.extra["pub_time"] = page.pub_time
        # how the page was understood (govcrawl.extract.article): the <title> as written when
        # the item's headline is stored as its title, where the date came from, other dates
        if page.doc_title != page.title:
            item.extra["doc_title"] = page.doc_title
            item.extra["title_source"] = page.title_source
        if page.pub_date_source:
            item.extra["pub_date_source"] = page.pub_date_source
            item.extra["pub_date_label"] = page.pub_date_label
        if page.other_dates:
            item.extra["other_dates"] = page.other_dates
        if page.letter:
            item.extra["letter"] = page.letter
        item.text, item.full_text, item.attr_texts = page.text, page.full_text, page.attr_texts
        item.entries, item.links, item.html = page.entries, page.links, page.html
        item.dom = page.dom
        if page.needs_browser and self.browser and not meta.get("playwright") \
                and url not in self._browser_requested:
            # script-built list with no data source we can read: ask the browser
            self._browser_requested.add(url)
            item.extra["needs_browser"] = True
            yield Request(url, callback=self.parse, errback=self.on_error, dont_filter=True, priority=5,
                          meta={**{k: meta[k] for k in ("site_id", "role", "column") if k in meta},
                                "handle_httpstatus_list": HANDLED_STATUSES, "playwright": True,
                                "download_slot": f"site:{site.id}"})
        yield item
        yield from self._follow(site, url, item, page)

    def _column_url(self, url: str, page: Any, col: dict[str, Any]) -> str | None:
        listing = page.page_type in ("list", "homepage") or (
            page.page_type == "interaction" and (len(page.entries) >= 2 or page.pagination or page.endpoints))
        if listing:
            if page.pagination:
                return page.pagination[0]
            p = urlsplit(url)
            q = [(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True) if k.lower() not in PAGE_PARAMS]
            path = re.sub(r"/index_\d+\.(s?html?)$", r"/index.\1", p.path)
            return urlunsplit((p.scheme, p.netloc, path, urlencode(q), ""))
        return col.get("url")

    def _follow(self, site: Site, url: str, item: PageItem, page: Any) -> Iterable[Request]:
        if self.depth_limit and item.depth >= self.depth_limit:
            key = (site.id, "*depth*")
            if key not in self._capped:
                self._capped.add(key)
                self._notice(site.id, "trap", url, f"depth limit {self.depth_limit} reached at {url}:"
                             " links deeper than that are not followed (likely a crawler trap)",
                             {"depth": item.depth})
        is_list = item.page_type == "list" or (item.page_type == "interaction" and len(item.entries) >= 2)
        column = {"name": item.column, "url": item.column_url} if is_list else {}
        requested = self._requested
        for nxt in page.pagination:
            if hash(nxt) in requested:
                continue
            if self.scope_map.owner(nxt) == site.id and self._allow(site, nxt):
                requested.add(hash(nxt))
                yield self._page_request(site, nxt, column=column, priority=2)
        for ep in page.endpoints:
            if self.scope_map.owner(ep) != site.id:
                continue
            if "dataproxy.jsp" in ep:
                ep = _with_params(ep, {"startrecord": "1", "endrecord": "120", "perpage": "120"})
            yield Request(ep, callback=self.parse_endpoint, errback=self.on_error, priority=2,
                          meta={"site_id": site.id, "role": "endpoint", "handle_httpstatus_list": HANDLED_STATUSES,
                                "column": {"name": item.column, "url": item.column_url or url,
                                           "breadcrumb": item.breadcrumb}})
        entry_urls = {e.url for e in item.entries if e.url}
        for link in page.links:
            if link.kind in ("script", "css") or hash(link.url) in requested:
                continue
            owner = self.scope_map.owner(link.url)
            if owner == site.id:
                if link.kind in ("img", "attachment"):
                    req = self._linkcheck(site, link.url, url)
                    if req is not None:
                        yield req
                    continue
                if not self._allow(site, link.url):
                    continue
                requested.add(hash(link.url))
                yield self._page_request(site, link.url,
                                         column=column if link.url in entry_urls else {})
            elif owner is not None and owner in self.sites:
                continue  # another site of this sweep crawls it
            else:
                req = self._linkcheck(site, link.url, url)
                if req is not None:
                    yield req

    def parse_endpoint(self, response: Response, **_: Any) -> Iterable[Any]:
        """A list's data source: 大汉 dataproxy XML or a JSON endpoint."""
        meta = response.meta
        site = self.sites[meta["site_id"]]
        url = canonical_url(response.request.url)
        col = meta.get("column") or {}
        item = PageItem(inspection_id=self.inspection_id, site_id=site.id, url=url,
                        as_of=self.as_of.isoformat(), final_url=canonical_url(response.url),
                        status=response.status, content_type=response.headers.get(b"Content-Type", b"").decode("latin-1"),
                        size=len(response.body), page_type="list", column=col.get("name"),
                        column_url=col.get("url"), breadcrumb=col.get("breadcrumb") or [],
                        depth=meta.get("depth", 0), elapsed=meta.get("download_latency"))
        if response.status >= 400:
            item.error = f"HTTP {response.status}"
            yield item
            return
        item.content_hash = hashlib.sha1(response.body).hexdigest()
        text = response.body.decode(response.encoding if hasattr(response, "encoding") else "utf-8", "replace") \
            if response.body else ""
        more: list[str] = []
        if "dataproxy.jsp" in url or text.lstrip().startswith("<"):
            entries, total = entries_from_dataproxy(text, url, self.as_of)
            item.extra["source"] = "dataproxy"
            if total and "startrecord=1&" in url + "&":
                per = 120
                for start in range(per + 1, min(total, 5000) + 1, per):
                    more.append(_with_params(url, {"startrecord": str(start), "endrecord": str(start + per - 1)}))
        else:
            entries, paging = entries_from_json(text, url, self.as_of)
            item.extra["source"] = "json"
            more = _json_pages(url, paging, len(entries))
        item.entries = entries
        item.text = "\n".join(e.title for e in entries)
        yield item
        for m in more:
            if self._allow(site, m):
                yield Request(m, callback=self.parse_endpoint, errback=self.on_error, priority=2,
                              meta={"site_id": site.id, "role": "endpoint", "handle_httpstatus_list": HANDLED_STATUSES,
                                    "column": col})
        for e in entries:
            if e.url and self.scope_map.owner(e.url) == site.id and self._allow(site, e.url):
                yield self._page_request(site, e.url, column={"name": col.get("name"), "url": col.get("url")})

    def on_error(self, failure: Any) -> Iterable[Any]:
        request = failure.request
        meta = request.meta
        site_id = meta.get("site_id")
        if site_id not in self.sites:
            return
        url = canonical_url(request.url)
        err = failure.getErrorMessage() or failure.type.__name__
        if failure.check(IgnoreRequest):
            redirected = meta.get("redirect_urls")
            if not redirected:
                return  # dropped on purpose (scope, caps): recorded as a notice already
            # the page that redirected out of the site: recorded, the target never fetched
            url = canonical_url(redirected[0])
            err = f"redirects out of the site's scope to {request.url} (not followed)"
        elif failure.type.__name__ == "DownloadCancelledError" or "max size" in err.lower():
            err = f"response larger than the size cap ({err})"
        logger.info("site %s: %s failed: %s", site_id, url, err)
        item = PageItem(inspection_id=self.inspection_id, site_id=site_id, url=url,
                        as_of=self.as_of.isoformat(), status=None, error=f"{failure.type.__name__}: {err}"[:500],
                        page_type="homepage" if meta.get("role") == "home" else "other",
                        depth=meta.get("depth", 0))
        yield item

    def on_linkcheck(self, response: Response, **_: Any) -> Iterable[Any]:
        meta = response.meta
        req = response.request
        if req.method == "HEAD" and response.status in (400, 403, 404, 405, 406, 501) \
                and not meta.get("head_retried"):
            # many servers answer HEAD wrongly: confirm with a GET that stops after the headers
            nxt = self._linkcheck(self.sites[meta["site_id"]], req.url, meta.get("page_url", ""), method="GET")
            if nxt is not None:
                nxt.meta["head_retried"] = True
                yield nxt
                return
        size = response.headers.get(b"Content-Length")
        yield LinkStatus(inspection_id=self.inspection_id, site_id=meta["site_id"],
                         target=canonical_url(req.url), status=response.status,
                         elapsed=meta.get("download_latency"),
                         content_type=response.headers.get(b"Content-Type", b"").decode("latin-1"),
                         size=int(size) if size and size.isdigit() else None,
                         final_url=canonical_url(response.url))

    def on_linkcheck_error(self, failure: Any) -> Iterable[Any]:
        req = failure.request
        yield LinkStatus(inspection_id=self.inspection_id, site_id=req.meta["site_id"],
                         target=canonical_url(req.url), status=None,
                         error=f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300])

    # -- end of crawl ---------------------------------------------------------------
    def on_idle(self, spider: Any) -> None:
        if spider is not self or self._finalized:
            return
        if self.crawler.stats and self.crawler.stats.get_value("govcrawl/store/unwritten"):
            # the store is unreachable and this worker's rows are not written yet: the
            # site checks must not read an incomplete store (StorePipeline retries)
            raise DontCloseSpider
        if self.dist is not None:
            # distributed: raises DontCloseSpider while other workers crawl; None when
            # another worker finalizes; else the whole inspection's pages per site
            counts = self.dist.finalize_gate()
            if counts is None:
                return
            self._pages_per_site = Counter(counts)
        self._finalized = True
        for site in self.sites.values():
            if self._pages_per_site[site.id] == 0:
                logger.error("site %s %s: no page fetched at all", site.id, site.name)
            self.crawler.engine.crawl(Request("data:,", callback=self.finalize, dont_filter=True,
                                              meta={"finalize": True, "site_id": site.id},
                                              cb_kwargs={"site_id": site.id}))
        raise DontCloseSpider

    def finalize(self, response: Response, site_id: str) -> Iterable[Any]:
        yield SiteDone(inspection_id=self.inspection_id, site_id=site_id, as_of=self.as_of.isoformat(),
                       stats={"store": self.store_path, "pages": self._pages_per_site[site_id]})


def _thresholds(settings: Any) -> dict[str, Any]:
    """The judging settings in force, recorded so later recomputations use them."""
    return {k: settings.get(k) for k in settings.attributes
            if k.startswith("GOVCRAWL_") and any(w in k for w in ("DAYS", "WORKDAYS", "SHARE", "POINTS",
                                                                   "CAP", "VETO", "THRESHOLD", "FAIL"))
            and isinstance(settings.get(k), (int, float, str, bool))}


def _owned_by(scope: ScopeMap, site_id: str, url: str) -> bool:
    return scope.owner(url) == site_id


def _with_params(url: str, params: dict[str, str]) -> str:
    p = urlsplit(url)
    q = dict(parse_qsl(p.query, keep_blank_values=True))
    q.update(params)
    return urlunsplit((p.scheme, p.netloc, p.path, urlencode(q), ""))


def _json_pages(url: str, paging: dict[str, Any], got: int) -> list[str]:
    """Further pages of a JSON list when the answer says how many there are."""
    p = urlsplit(url)
    q = dict(parse_qsl(p.query, keep_blank_values=True))
    key = next((k for k in q if k.lower() in PAGE_PARAMS), None)
    if key is None or not got:
        return []
    try:
        current = int(q[key])
    except ValueError:
        return []
    if current != 1 and current != 0:
        return []
    pages = paging.get("pages")
    if pages is None and paging.get("total"):
        size = paging.get("size") or got
        pages = -(-int(paging["total"]) // max(1, size))
    if not pages:
        return []
    out = []
    for n in range(current + 1, min(int(pages), 500) + (1 if current == 1 else 0)):
        qq = dict(q)
        qq[key] = str(n)
        out.append(urlunsplit((p.scheme, p.netloc, p.path, urlencode(qq), "")))
    return out
