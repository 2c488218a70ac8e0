"""HackedPagePipeline (priority 400): what attackers put on government pages.

Per page (`PageItem`):
- static reading of the HTML (govcrawl.checks.hacked.analysis): hidden blocks of text and
  links, script-written content decoded statically, meta-refresh redirects;
- outbound link risk over the page's links (`link.unsafe`), and — once per outside host and
  sweep, capped per site — the linked outside page itself, judged by the wording checker;
- for a sample of each site's pages (the homepage always; GOVCRAWL_HACKED_SAMPLE in all)
  the page is fetched again through Scrapy as `Baiduspider` with a baidu.com referer and as
  a plain browser, and rendered in Chromium (scrapy-playwright, with the baidu.com referer
  a visitor from a search would carry); the versions are compared (title, outside hosts,
  text) and a difference that carries spam is a finding with both versions as evidence.
  Pages whose static reading looks suspicious are rendered too (GOVCRAWL_HACKED_SUSPECT_RENDER).
Per site (`SiteDone`): outbound domains against the previous inspection of the same site and
tamper alerts (a page whose title or outside links turned towards spam), read from the store.

Requests made here carry meta {"site_id", "linkcheck": True} so the scope middleware lets
them through and the spider never treats them as crawl pages; `engine.download_async`
bypasses the scheduler and the spider callbacks.  GOVCRAWL_CHECKS=False or
GOVCRAWL_HACKED=False turns the pipeline off.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote

from scrapy import Request
from scrapy.exceptions import NotConfigured

from govcrawl import db
from govcrawl.checks.hacked.analysis import Analysis, FoundLink, analyze, host_in_site, host_of, netloc_of
from govcrawl.checks.hacked.judge import TextJudge
from govcrawl.checks.hacked.rules import CATEGORY, ILLEGAL, UNSAFE, HackedRules, Version, merge
from govcrawl.checks.hacked.signals import HostJudge, load_signals, registrable
from govcrawl.items import NOTICE, VETO, Finding, Link, PageItem, SiteDone
from govcrawl.registry import ScopeMap, Site

logger = logging.getLogger(__name__)

SPIDER_UA = "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"
BROWSER_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/124.0.0.0 Safari/537.36")
_ARTICLE = re.compile(r"/t\d{8}_\d+|/20\d{2}[01]\d|/\d{4,}\.s?html?|[?&](id|articleid|newsid)=\d", re.I)
_LINK_TAG = {"a": "a", "attachment": "a", "iframe": "iframe", "script": "script"}


async def quiet_page(page: Any, request: Any) -> None:
    """Rendering for the hacked-page checks needs the DOM, not pictures: images, fonts, media
    and stylesheets are not requested, so a render costs the site a page and its scripts
    (the site's download slot bounds the page itself; Chromium fetches subresources alone)."""
    async def handler(route: Any, pw_request: Any) -> None:
        if pw_request.resource_type in ("image", "media", "font", "stylesheet"):
            await route.abort()
        else:
            await route.fallback()

    await page.route("**/*", handler)


def to_found(links: list[Link]) -> list[FoundLink]:
    out = []
    for lk in links:
        tag = _LINK_TAG.get(lk.kind)
        if tag:
            out.append(FoundLink(url=lk.url, text=lk.text, tag=tag, reason=lk.hidden_reason,
                                 external=lk.external))
    return out


class HackedPagePipeline:
    def __init__(self, crawler: Any, *, rules: HackedRules, sample: int = 10, render_sample: int = 3,
                 cloak: bool = True, render: bool = True, suspect_render: int = 10,
                 outbound_max: int = 30, store_path: str | None = None,
                 max_per_target: int = 50, cloak_all: bool = False) -> None:
        self.crawler = crawler
        self.rules = rules
        self.sample = max(0, sample)
        self.render_sample = max(0, render_sample)
        self.cloak_all = cloak_all
        self.cloak = cloak
        self.render = render
        self.suspect_render = max(0, suspect_render)
        self.outbound_max = max(0, outbound_max)
        self.store_path = store_path
        self.max_per_target = max_per_target
        self._rendered_suspects: Counter[str] = Counter()
        self._outside_fetched: Counter[str] = Counter()
        self._outside: dict[str, "asyncio.Future[tuple[str, str, str] | None]"] = {}
        self._per_target: Counter[tuple[str, str, str]] = Counter()
        self._scope: ScopeMap | None = None
        self._homes: dict[str, str] = {}
        self.stats: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Any) -> "HackedPagePipeline":
        s = crawler.settings
        if not s.getbool("GOVCRAWL_CHECKS", True):
            raise NotConfigured("GOVCRAWL_CHECKS is off")
        if not s.getbool("GOVCRAWL_HACKED", True):
            raise NotConfigured("GOVCRAWL_HACKED is off")
        signals = load_signals(s.get("GOVCRAWL_HACKED_SIGNALS") or None)  # SignalsError names file:line
        rules = HackedRules(TextJudge(lexicon_dir=s.get("GOVCRAWL_LEXICONS") or None), HostJudge(signals))
        return cls(crawler, rules=rules,
                   sample=s.getint("GOVCRAWL_HACKED_SAMPLE", 10),
                   render_sample=s.getint("GOVCRAWL_HACKED_RENDER_SAMPLE", 3),
                   cloak=s.getbool("GOVCRAWL_HACKED_CLOAKING", True),
                   render=s.getbool("GOVCRAWL_HACKED_RENDER", True) and s.getbool("GOVCRAWL_BROWSER", True),
                   suspect_render=s.getint("GOVCRAWL_HACKED_SUSPECT_RENDER", 10),
                   outbound_max=s.getint("GOVCRAWL_HACKED_OUTSIDE_PAGES", 30),
                   store_path=s.get("GOVCRAWL_STORE") or None,
                   max_per_target=s.getint("GOVCRAWL_HACKED_MAX_PAGES_PER_TARGET", 50),
                   cloak_all=s.getbool("GOVCRAWL_HACKED_CLOAK_ALL_PAGES", False))

    # -- set-up -------------------------------------------------------------------------------
    def open_spider(self, spider: Any = None) -> None:
        # the sweep spider sets GOVCRAWL_STORE / GOVCRAWL_INSPECTION_ID when it opens
        self.store_path = self.store_path or (self.crawler.settings.get("GOVCRAWL_STORE") or None)
        self._load_registry()

    def close_spider(self, spider: Any = None) -> None:
        if self.stats:
            logger.info("hacked-page checks: %s", dict(self.stats))
            for k, v in self.stats.items():
                self.crawler.stats.set_value(f"govcrawl/hacked/{k}", v)

    def _load_registry(self) -> None:
        """Every registered site's scope (from the inspection's registry snapshot): links to
        another registered government site are never spam, whatever its address."""
        if not self.store_path:
            return
        try:
            conn = db.connect(self.store_path, readonly=True, timeout=10)
            try:
                iid = self.crawler.settings.getint("GOVCRAWL_INSPECTION_ID", 0)
                row = conn.execute("SELECT registry_json FROM inspections WHERE id=?", (iid,)).fetchone() \
                    if iid else conn.execute("SELECT registry_json FROM inspections ORDER BY id DESC LIMIT 1").fetchone()
            finally:
                conn.close()
        except db.Error as e:
            logger.debug("hacked-page checks: no registry snapshot (%s)", e)
            return
        if not row or not row[0]:
            return
        try:
            data = json.loads(row[0])
        except ValueError:
            return
        sites = []
        for d in data.get("sites") or []:
            try:
                sites.append(Site(id=d["id"], name=d.get("name", ""), url=d["url"],
                                  scope=tuple(d.get("scope") or ())))
                self._homes[d["id"]] = d["url"]
            except (KeyError, TypeError):
                continue
        if sites:
            self._scope = ScopeMap(sites)
            self.rules.registered = lambda u: self._scope.owner(u) is not None  # type: ignore[union-attr]

    def _in_site(self, item: PageItem) -> Callable[[str], bool]:
        if self._scope is not None:
            scope, sid = self._scope, item.site_id
            return lambda u: scope.owner(u) == sid
        return host_in_site(item.url)

    # -- items --------------------------------------------------------------------------------
    async def process_item(self, item: Any) -> Any:
        if isinstance(item, PageItem):
            if item.html and not item.error and not item.unchanged:
                try:
                    await self._page(item)
                except Exception:  # a check must never lose the page
                    logger.exception("hacked-page checks failed on %s", item.url)
                    self.stats["errors"] += 1
        elif isinstance(item, SiteDone):
            try:
                item.findings.extend(await self.site_done(item))
            except db.Error as e:
                logger.warning("hacked-page history checks for %s skipped: %s", item.site_id, e)
        return item

    async def _page(self, item: PageItem) -> None:
        t0 = time.perf_counter()
        date = item.as_of or None
        url = item.url
        in_site = self._in_site(item)
        a = analyze(item.html, item.final_url or url, in_site, dom=item.dom)
        item.dom = None  # the tree is not needed past here
        # the page's outside links as this module reads them (with the text around each)
        outbound = [lk for lk in a.links if lk.external] + [lk for lk in a.script_srcs if lk.external]
        found = self.rules.page(item.site_id, url, date, a, outbound)
        self.stats["pages"] += 1
        self.stats["static_ms"] += int((time.perf_counter() - t0) * 1000)

        jobs = []
        if self.outbound_max:
            jobs.append(self._outside_pages(item, outbound, date))
        if item.page_type == "homepage" and self.sample and (self.cloak or self.render):
            for n, (page_url, crawl) in enumerate(self._pick_sample(item, a, in_site)):
                jobs.append(self._versions(page_url, item, crawl, in_site, date, n < self.render_sample,
                                           "homepage" if n == 0 else "sample"))
        else:
            suspect = self._suspect(a, item.site_id)
            spider_only = self.cloak_all and self.cloak
            if suspect or spider_only:
                crawl = self._crawl_version(item, a)
                jobs.append(self._versions(url, item, crawl, in_site, date, suspect,
                                           "suspect" if suspect else "every page",
                                           cloak=False, spider_only=spider_only))
        if jobs:
            for res in await asyncio.gather(*jobs, return_exceptions=True):
                if isinstance(res, BaseException):
                    logger.warning("hacked-page sample of %s failed: %r", url, res)
                    self.stats["sample_errors"] += 1
                else:
                    found.extend(res)
        kept = []
        for f in merge(found):
            k = (f.site_id, f.rule, f.target or f.text or "")
            self._per_target[k] += 1
            if self._per_target[k] <= self.max_per_target:
                kept.append(f)
            else:
                self.stats["capped_findings"] += 1
        for f in kept:
            self.stats[f"finding/{f.rule}/{f.severity}"] += 1
        item.findings.extend(kept)

    # -- sampling --------------------------------------------------------------------------------
    def _pick_sample(self, item: PageItem, a: Analysis,
                     in_site: Callable[[str], bool]) -> list[tuple[str, Version | None]]:
        """The homepage and the first pages it links to, articles first, in page order.

        Picked when the homepage passes (not from arrival order), so the sample is the same on
        every run; the pages an attacker prefers are the homepage and what it features."""
        chosen: list[tuple[str, Version | None]] = [(item.url, self._crawl_version(item, a))]
        seen = {item.url.split("#")[0], (item.final_url or item.url).split("#")[0]}
        articles: list[str] = []
        others: list[str] = []
        for lk in a.links:
            u = lk.url.split("#")[0]
            if lk.tag != "a" or not in_site(u) or u in seen or lk.reason:
                continue
            seen.add(u)
            path = u.split("?")[0].rsplit("/", 1)[-1].lower()
            if path.endswith((".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".rar", ".jpg", ".png")):
                continue
            (articles if _ARTICLE.search(u) else others).append(u)
        for u in (articles + others)[: self.sample - 1]:
            chosen.append((u, None))
        return chosen

    @staticmethod
    def _crawl_version(item: PageItem, a: Analysis) -> Version:
        # the <title> as written (the item's headline may be stored as its title)
        title = (item.extra or {}).get("doc_title") or item.title
        return Version(label="crawl", title=title, text=item.full_text or item.text,
                       links=to_found(item.links) or a.links, final_url=item.final_url or item.url,
                       status=item.status, analysis=a)

    def _suspect(self, a: Analysis, site_id: str) -> bool:
        """Static reading that a browser should confirm: obfuscated or search-engine-conditional
        scripts, outside scripts from unknown hosts."""
        if not self.render or self._rendered_suspects[site_id] >= self.suspect_render:
            return False
        sus = any(o.written.obfuscated or o.written.conditional for o in a.scripts) or any(
            lk.external and (self.rules.hosts.assess(lk.url).risky) for lk in a.script_srcs)
        if sus:
            self._rendered_suspects[site_id] += 1
        return sus

    # -- fetching through Scrapy ------------------------------------------------------------------
    async def _fetch(self, url: str, site_id: str, *, ua: str | None, referer: str | None = None,
                     render: bool = False, external: bool = False) -> Any:
        headers = {}
        if ua:
            headers["User-Agent"] = ua
        if referer:
            headers["Referer"] = referer
        meta: dict[str, Any] = {"site_id": site_id, "linkcheck": True, "external": external,
                                "handle_httpstatus_all": True, "hacked_check": True}
        if render:
            meta["playwright"] = True
            meta["playwright_page_goto_kwargs"] = {"referer": referer} if referer else {}
            meta["playwright_page_init_callback"] = quiet_page
        req = Request(url, headers=headers, meta=meta, dont_filter=True)
        engine = self.crawler.engine
        t0 = time.perf_counter()
        await self._site_lease(req)
        try:
            resp = await engine.download_async(req)
        except Exception as e:  # network errors are the link checker's business
            logger.debug("hacked-page fetch of %s failed: %r", url, e)
            return None
        finally:
            self.stats["render_ms" if render else "fetch_ms"] += int((time.perf_counter() - t0) * 1000)
            self.stats["renders" if render else "fetches"] += 1
        return resp

    async def _site_lease(self, req: Request) -> None:
        """In a distributed sweep, wait for a lease on the request's site so the shared
        per-site limit also holds for these re-fetches (the download's end releases it,
        govcrawl.dist.components.SiteLeaseMiddleware)."""
        from govcrawl.dist import worker_for
        from govcrawl.dist.components import slot_of

        worker = worker_for(self.crawler)
        if worker is None:
            return
        slot = slot_of(req)
        deadline = time.monotonic() + worker.lease_ttl
        wait = 0.02
        while True:
            token = worker.lease(slot)
            if token is not None:
                req.meta["govcrawl_token"] = token
                return
            if time.monotonic() > deadline:  # a stuck lease frees itself after lease_ttl anyway
                logger.warning("hacked-page fetch of %s: no free lease on %s after %.0f s; fetching anyway",
                               req.url, slot, worker.lease_ttl)
                self.stats["lease_timeouts"] += 1
                return
            self.stats["lease_waits"] += 1
            await asyncio.sleep(wait)
            wait = min(wait * 2, 0.5)

    def _version(self, label: str, resp: Any, in_site: Callable[[str], bool]) -> Version | None:
        if resp is None or not hasattr(resp, "text"):
            return None
        try:
            html = resp.text
        except (AttributeError, UnicodeDecodeError):
            return None
        a = analyze(html, resp.url, in_site)
        from govcrawl.extract.page import parse_page  # the lead's extractor: same text as the crawl

        ctype = resp.headers.get(b"Content-Type", b"").decode("latin-1")
        page = parse_page(resp.url, resp.body, content_type=ctype, in_site=in_site)
        return Version(label=label, title=page.doc_title or a.title, text=page.full_text,
                       links=to_found(page.links) or a.links, final_url=resp.url, status=resp.status,
                       analysis=a)

    async def _versions(self, url: str, item: PageItem, crawl: Version | None,
                        in_site: Callable[[str], bool], date: Any, render: bool, why: str,
                        cloak: bool | None = None, spider_only: bool = False) -> list[Finding]:
        """Fetch `url` as Baiduspider (baidu.com referer) and as a browser, render it, compare.
        spider_only: the Baiduspider fetch alone, compared with the crawled version."""
        sid = item.site_id
        cloak = self.cloak if cloak is None else cloak
        title_hint = crawl.title if crawl is not None else ""
        referer = "https://www.baidu.com/s?wd=" + quote((title_hint or host_of(url))[:40])
        jobs: dict[str, Any] = {}
        if cloak or spider_only:
            jobs["spider"] = self._fetch(url, sid, ua=SPIDER_UA, referer=referer)
        if cloak:
            jobs["browser"] = self._fetch(url, sid, ua=BROWSER_UA)
        if render and self.render:
            jobs["rendered"] = self._fetch(url, sid, ua=BROWSER_UA, referer=referer, render=True)
        if not jobs:
            return []
        results = dict(zip(jobs, await asyncio.gather(*jobs.values())))
        versions = {k: self._version(k, r, in_site) for k, r in results.items()}
        if results.get("rendered") is not None and \
                "playwright" not in (getattr(results["rendered"], "flags", None) or []):
            versions["rendered"] = None  # no browser handler installed: not a rendering
            self.stats["render_unavailable"] += 1
        browser, spider, rendered = versions.get("browser"), versions.get("spider"), versions.get("rendered")
        base = browser or crawl
        found: list[Finding] = []
        if spider is not None and base is not None:
            found += self.rules.compare(sid, url, date, base, spider, "cloaking")
        if browser is not None and crawl is not None:
            found += self.rules.compare(sid, url, date, crawl, browser, "cloaking")
        if rendered is not None:
            if base is not None:
                found += self.rules.compare(sid, url, date, base, rendered, "rendering")
            if rendered.analysis is not None:
                static = base.analysis if base is not None and base.analysis is not None else None
                static_keys = {f.key for f in self.rules.page(sid, url, date, static, [])} if static else set()
                for f in self.rules.page(sid, url, date, rendered.analysis, []):
                    if f.key not in static_keys and f.rule != UNSAFE:
                        f.evidence["seen_in"] = "rendered DOM"
                        found.append(f)
        for f in found:
            f.evidence.setdefault("sample", why)
        self.stats[{"suspect": "suspect_pages", "every page": "spider_checked_pages"}.get(why, "sampled_pages")] += 1
        return merge(found)

    async def _outside_pages(self, item: PageItem, links: list[FoundLink], date: Any) -> list[Finding]:
        """Fetch each linked outside host once per sweep (capped per site) and judge its page."""
        jobs = []
        picked: list[FoundLink] = []
        hosts_here: set[str] = set()
        for lk in links:
            if not lk.external or lk.tag not in ("a", "area", "iframe"):
                continue
            host = netloc_of(lk.url)
            if not host or lk.url in hosts_here:
                continue
            risk = self.rules.hosts.assess(lk.url)
            if risk.trusted or self.rules.registered(lk.url):
                continue
            hosts_here.add(lk.url)  # each target once; each host fetched once per sweep
            fut = self._outside.get(host)
            if fut is None:
                if self._outside_fetched[item.site_id] >= self.outbound_max:
                    continue
                self._outside_fetched[item.site_id] += 1
                fut = asyncio.get_running_loop().create_future()
                self._outside[host] = fut
                jobs.append(self._fill_outside(fut, lk.url, item.site_id, item))
            picked.append(lk)
        if jobs:
            await asyncio.gather(*jobs, return_exceptions=True)
        found: list[Finding] = []
        for lk in picked:
            fut = self._outside[netloc_of(lk.url)]
            got = await fut
            if got is None:
                continue
            title, text, final = got
            found += self.rules.outside_page(item.site_id, item.url, date, lk, title, text, final)
        return found

    async def _fill_outside(self, fut: "asyncio.Future[Any]", url: str, site_id: str, item: PageItem) -> None:
        result = None
        try:
            resp = await self._fetch(url, site_id, ua=BROWSER_UA, external=True)
            if resp is not None and hasattr(resp, "text") and (resp.status or 0) < 400:
                from govcrawl.extract.page import parse_page

                ctype = resp.headers.get(b"Content-Type", b"").decode("latin-1")
                page = parse_page(resp.url, resp.body, content_type=ctype)
                result = (page.doc_title or page.title, page.full_text[:20000], resp.url)
                self.stats["outside_pages"] += 1
        except Exception as e:
            logger.debug("outside page %s unreadable: %r", url, e)
        finally:
            if not fut.done():
                fut.set_result(result)

    # -- site level: history ------------------------------------------------------------------------
    async def site_done(self, item: SiteDone) -> list[Finding]:
        path = (item.stats or {}).get("store") or self.store_path
        if not path:
            return []
        # the store is read in a thread (a big site's links take a while); judging stays here
        s = getattr(self.crawler, "settings", None)
        timeout = s.getfloat("GOVCRAWL_STORE_RETRY_TIMEOUT", 600.0) if s is not None else 600.0
        interval = s.getfloat("GOVCRAWL_STORE_RETRY_INTERVAL", 5.0) if s is not None else 5.0
        hist = await asyncio.to_thread(
            db.retry_outage, lambda: load_history(path, item.inspection_id, item.site_id,
                                                  self._homes.get(item.site_id)),
            path, timeout=timeout, interval=interval, what=f"hacked-page history {item.site_id}")
        if hist is None:
            return []
        return site_history(path, item.inspection_id, item.site_id, item.as_of, self.rules, history=hist)


def _domain_key(url: str) -> str:
    """example.com for any www./m. host of it; an IP address keeps its port."""
    host = host_of(url)
    if re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host):
        return netloc_of(url)
    return registrable(host)


@dataclass
class History:
    """What the store holds about one site in this and the previous inspection."""

    previous: int
    home: str
    cur_links: dict[str, list[Any]]
    prev_links: dict[str, list[Any]]
    cur_titles: dict[str, str]
    prev_titles: dict[str, str]


def load_history(store_path: str, inspection_id: int, site_id: str, home: str | None = None) -> History | None:
    """Read-only store access (safe in a worker thread: its own connection)."""
    conn = db.connect(store_path, readonly=True, timeout=30)
    try:
        prev_row = conn.execute(
            "SELECT MAX(s.inspection_id) FROM sites s JOIN inspections i ON i.id = s.inspection_id"
            " WHERE s.site_id=? AND s.inspection_id<? AND i.kind='sites'"
            " AND EXISTS (SELECT 1 FROM pages p WHERE p.inspection_id=s.inspection_id AND p.site_id=s.site_id)",
            (site_id, inspection_id)).fetchone()
        prev = prev_row[0] if prev_row else None
        if not prev:
            return None
        if not home:
            r = conn.execute("SELECT url FROM sites WHERE inspection_id=? AND site_id=?",
                             (inspection_id, site_id)).fetchone()
            home = r[0] if r else ""

        def links(iid: int) -> dict[str, list[Any]]:
            out: dict[str, list[Any]] = {}
            for r in conn.execute(
                    "SELECT page_url, target, anchor, kind FROM links WHERE inspection_id=? AND site_id=?"
                    " AND external=1 AND kind IN ('a','iframe','script')", (iid, site_id)):
                out.setdefault(r["page_url"], []).append(r)
            return out

        def titles(iid: int) -> dict[str, str]:
            out: dict[str, str] = {}
            for r in conn.execute("SELECT url, title, extra_json FROM pages WHERE inspection_id=? AND site_id=?"
                                  " AND error IS NULL", (iid, site_id)):
                doc = None
                if r[2] and "doc_title" in r[2]:
                    try:
                        doc = json.loads(r[2]).get("doc_title")
                    except ValueError:
                        doc = None
                out[r[0]] = doc or r[1] or ""  # the <title> as written, where it differs
            return out

        return History(previous=prev, home=home or "", cur_links=links(inspection_id),
                       prev_links=links(prev), cur_titles=titles(inspection_id), prev_titles=titles(prev))
    finally:
        conn.close()


def site_history(store_path: str, inspection_id: int, site_id: str, as_of: Any, rules: HackedRules,
                 home: str | None = None, history: History | None = None) -> list[Finding]:
    """New outbound domains since the previous inspection of the site, and tamper alerts."""
    h = history or load_history(store_path, inspection_id, site_id, home)
    if h is None:
        return []
    prev, home = h.previous, h.home
    cur_links, prev_links, cur_titles, prev_titles = h.cur_links, h.prev_links, h.cur_titles, h.prev_titles

    findings: list[Finding] = []

    def untrusted(u: str) -> bool:
        return not rules.hosts.assess(u).trusted and not rules.registered(u)

    # new outbound domains
    def domains(lk: dict[str, list[Any]]) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for rows in lk.values():
            for r in rows:
                h = host_of(r["target"])
                if h and untrusted(r["target"]):
                    d.setdefault(_domain_key(r["target"]), r)
        return d

    cur_d, prev_d = domains(cur_links), domains(prev_links)
    new = sorted(set(cur_d) - set(prev_d))
    if new:
        listed = []
        proof_any = False
        for dom in new[:100]:
            r = cur_d[dom]
            lk = FoundLink(url=r["target"], text=r["anchor"] or "", tag=r["kind"], external=True)
            risk, spam, proof = rules.link_verdict(lk, as_of)
            proof_any = proof_any or bool(proof)
            listed.append({"domain": dom, "example": r["target"], "anchor": r["anchor"],
                           "page": r["page_url"], "signals": proof + risk.weak})
        findings.append(Finding(
            rule=UNSAFE, severity=NOTICE, site_id=site_id, url=home or "", where="site",
            text=None, category=CATEGORY[UNSAFE], count=len(new),
            evidence={"kind": "new_outbound_domains", "previous_inspection": prev,
                      "domains": listed, "with_spam_signals": proof_any}))

    # tamper alerts: pages in both inspections whose title or outside links turned to spam
    for url, title in cur_titles.items():
        if url not in prev_titles:
            continue
        before = prev_titles[url]
        if title != before:
            spam = rules.judge.words(title, date=as_of, where="title")
            old = set(rules.judge.words(before, date=as_of, where="title"))
            added = [s for s in spam if s not in old]
            if added:
                findings.append(Finding(
                    rule=ILLEGAL, severity=VETO, site_id=site_id, url=url, text=added[0], where="tamper",
                    category=CATEGORY[ILLEGAL],
                    evidence={"kind": "tamper", "field": "title", "before": before, "after": title,
                              "spam": added, "previous_inspection": prev}))
        now_hosts = {netloc_of(r["target"]): r for r in cur_links.get(url, [])}
        was_hosts = {netloc_of(r["target"]) for r in prev_links.get(url, [])}
        added_links = []
        for h, r in now_hosts.items():
            if h in was_hosts or not untrusted(r["target"]):
                continue
            lk = FoundLink(url=r["target"], text=r["anchor"] or "", tag=r["kind"], external=True)
            risk, spam, proof = rules.link_verdict(lk, as_of)
            if proof:
                added_links.append({"url": r["target"], "anchor": r["anchor"], "signals": proof})
        if added_links:
            findings.append(Finding(
                rule=UNSAFE, severity=VETO, site_id=site_id, url=url, target=added_links[0]["url"],
                text=added_links[0]["anchor"] or None, where="tamper", category=CATEGORY[UNSAFE],
                count=len(added_links),
                evidence={"kind": "tamper", "field": "outside_links", "before": sorted(h for h in was_hosts if h),
                          "after": sorted(h for h in now_hosts if h), "added": added_links[:20],
                          "previous_inspection": prev}))
    return findings
