"""One headless Chromium (Playwright's async API, Debian's /usr/bin/chromium) that renders
a page and takes a cropped screenshot of each flagged spot on it, outlined.

A page's own scripts cannot do harm while it is rendered:

- every request the page makes goes through a route handler: only the page's own site
  (its registered scope, or the page's origin for its stylesheets and images) is fetched,
  and each of those must also pass the egress policy (`govcrawl.browser.egress_allowed`,
  the hook issue 27's SSRF policy fills in); everything else is aborted;
- what is fetched is fetched by the handler, through the site's gate (`SiteGate`): the
  renders keep the site's concurrency and delay like the crawl did;
- the page's scripts run only when the sweep itself read the page through the browser
  (a script-built page) or the finding was seen in the rendered DOM; otherwise they are
  switched off and the screenshot shows the HTML the checks read;
- no service workers, no downloads, dialogs dismissed, pop-ups closed, and every page has
  a deadline after which its browser context is closed.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from govcrawl.evidence import shot_path
from govcrawl.items import Finding
from govcrawl.report.phrases import RULE_PHRASES

logger = logging.getLogger(__name__)

VIEWPORT = {"width": 1280, "height": 900}
CROP_MIN_W, CROP_MIN_H = 640, 300  # smallest crop around a spot (px)
PAD_X, PAD_Y = 160, 130  # context kept around the spot
_WS = re.compile(r"\s+")

Egress = Callable[[str], "bool | Awaitable[bool]"]


def _outline_js() -> str:
    return resources.files("govcrawl.evidence").joinpath("outline.js").read_text(encoding="utf-8")


def _compact(s: str | None) -> str:
    return _WS.sub("", s or "")


@dataclass
class Shot:
    key: str
    path: str  # relative to the evidence folder
    located: bool  # the spot itself was found and outlined (else: a banner at the top)


@dataclass
class PageResult:
    url: str
    shots: list[Shot] = field(default_factory=list)
    error: str | None = None  # the page could not be rendered (nothing shot)
    seconds: float = 0.0


@dataclass
class PageInfo:
    """What the sweep stored about the page: read to place the spot and label it."""

    title: str = ""  # the item's headline (what the sweep stores as the page's title)
    doc_title: str = ""  # the <title> as written, when it differs from the headline
    meta: dict[str, str] = field(default_factory=dict)
    text: str = ""  # the visible text the wording checks read (offsets point into it)
    page_type: str = ""
    rendered: bool = False


def in_scope(url: str, scope: Sequence[str], page_url: str) -> bool:
    """A request the render may make: under one of the site's registered prefixes, or on
    the page's own origin (a department site under a portal's path uses the portal's
    stylesheets and images)."""
    if url.startswith(("data:", "blob:", "about:")):
        return True
    if any(url.startswith(p) for p in scope):
        return True
    a, b = urlsplit(url), urlsplit(page_url)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


def _label(f: Finding) -> str:
    name = RULE_PHRASES.get(f.rule, f.rule)
    if f.rule.startswith("link.") or (f.rule == "content.hidden_link" and f.target):
        what = f.text or f.target or ""
    elif f.rule.startswith("tag."):
        what = f.target or ""
    else:
        what = f.text or ""
    if f.suggestion and f.text and len(f.suggestion) <= 20 and not f.rule.startswith("tag."):
        what = f"{f.text} → {f.suggestion}"
    label = f"{name}：{what}" if what else name
    return label if len(label) <= 60 else label[:59] + "…"


def locate_args(f: Finding, page: PageInfo) -> dict[str, Any]:
    """What outline.js looks for on the page, and the banner it shows when the spot is
    not on the visible page (titles, meta tags) or cannot be found."""
    label = _label(f)
    banner = {"head": f"未能在页面上定位：{label}", "value": f.text or f.target or "", "span": f.text or ""}
    where = f.where or ""
    if f.rule == "tag.missing":
        have = "、".join(sorted(page.meta)) or "无"
        return {"mode": "banner", "head": f"缺少页面元数据 <meta name=\"{f.target}\">",
                "value": f"本页已有的元数据：{have}", "span": "", "label": label}
    if "cloaking" in where:  # what only a search engine is shown: the browser never sees it
        ev = f.evidence or {}
        spider = ev.get("spider") if isinstance(ev.get("spider"), dict) else {}
        shown = ev.get("after") or spider.get("title") or f.text or ""
        return {"mode": "banner", "head": "仅向搜索引擎（Baiduspider）返回的页面标题",
                "value": shown, "span": f.text if f.text and f.text in shown else "", "label": label}
    if where == "title":
        value = next((t for t in (page.doc_title, page.title) if t and f.text and f.text in t),
                     page.doc_title or page.title or f.text or "")
        return {"mode": "banner", "head": "页面标题（<title>）", "value": value,
                "span": f.text or "", "label": label}
    if where == "meta" or f.rule == "tag.invalid":
        tag = (f.evidence or {}).get("tag") or f.target or next(
            (k for k, v in page.meta.items() if f.text and f.text in (v or "")), "")
        value = page.meta.get(tag) or f.text or ""
        return {"mode": "banner", "head": f"页面元数据 <meta name=\"{tag}\">",
                "value": f"content=\"{value}\"", "span": f.text or "", "label": label}
    if f.target and (f.rule.startswith("link.") or f.rule == "content.hidden_link"):
        return {"mode": "element", "target": f.target, "text": f.text or "", "label": label, **banner}
    if where == "attr":
        return {"mode": "attr", "text": f.text or "", "label": label, **banner}
    occurrence = 0
    if f.text and f.start is not None and page.text:
        occurrence = _compact(page.text[:f.start]).count(_compact(f.text))
    return {"mode": "text", "text": f.text or "", "occurrence": occurrence, "label": label, **banner}


def crop(box: dict[str, float]) -> dict[str, float]:
    """The screenshot's clip: the spot with context around it, inside the viewport."""
    vw, vh = float(box.get("vw") or VIEWPORT["width"]), float(box.get("vh") or VIEWPORT["height"])
    x, y, w, h = (float(box.get(k) or 0) for k in ("x", "y", "w", "h"))
    cw = min(vw, max(CROP_MIN_W, w + 2 * PAD_X))
    ch = min(vh, max(CROP_MIN_H, h + 2 * PAD_Y))
    cx = min(max(0.0, x + w / 2 - cw / 2), vw - cw)
    cy = min(max(0.0, y + h / 2 - ch / 2), vh - ch)
    return {"x": cx, "y": cy, "width": cw, "height": ch}


class SiteGate:
    """The site's politeness for the renders too: at most `concurrency` requests to the
    site in flight (the page, its stylesheets and images, of every page rendered at the
    time), each started at least `delay` seconds after the previous one."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._sem = asyncio.Semaphore(max(1, int(concurrency)))
        self.delay = max(0.0, float(delay))
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> None:
        await self._sem.acquire()
        async with self._lock:
            loop = asyncio.get_running_loop()
            wait = self._next - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._next = loop.time() + self.delay

    async def __aexit__(self, *exc: Any) -> None:
        self._sem.release()


class Shooter:
    """Renders pages in one Chromium, started on first use; `close()` ends it."""

    def __init__(self, launch_options: dict[str, Any], *, timeout: float = 15.0,
                 concurrency: int = 2, user_agent: str = "", egress: Egress | None = None,
                 site_concurrency: int = 2, site_delay: float = 0.05) -> None:
        self.launch_options = dict(launch_options or {})
        self.timeout = float(timeout)
        # a browser's look on purpose, not the crawler again (which is what a site's logs, and
        # the demo server's duplicate count, should tell apart); still naming GovCrawl
        self.user_agent = f"Mozilla/5.0 (compatible; evidence screenshot) {user_agent}".strip()
        self.egress = egress
        self._sem = asyncio.Semaphore(max(1, int(concurrency)))
        self.site_concurrency, self.site_delay = site_concurrency, site_delay
        self._gates: dict[str, SiteGate] = {}
        self._pw: Any = None
        self._browser: Any = None
        self._lock = asyncio.Lock()
        self._js = _outline_js()
        self.blocked = 0  # requests refused by the route handler
        self.launch_error: str | None = None

    async def _start(self) -> Any:
        async with self._lock:
            if self._browser is not None or self.launch_error:
                return self._browser
            from playwright.async_api import async_playwright

            try:
                self._pw = await async_playwright().start()
                opts = {"headless": True, **self.launch_options}
                self._browser = await self._pw.chromium.launch(**opts)
            except Exception as e:  # no chromium, a broken install: notices, not a failed sweep
                self.launch_error = f"{type(e).__name__}: {str(e).strip().splitlines()[0][:200]}"
                logger.error("evidence screenshots: Chromium could not be started (%s)", self.launch_error)
                if self._pw is not None:
                    await self._pw.stop()
                    self._pw = None
            return self._browser

    async def close(self) -> None:
        async with self._lock:
            if self._browser is not None:
                try:
                    await self._browser.close()
                except Exception:  # already gone
                    pass
            if self._pw is not None:
                await self._pw.stop()
            self._browser = self._pw = None

    async def _allowed(self, url: str, scope: Sequence[str], page_url: str) -> bool:
        if not in_scope(url, scope, page_url):
            return False
        if url.startswith(("data:", "blob:", "about:")) or self.egress is None:
            return True
        ok = self.egress(url)
        if inspect.isawaitable(ok):
            ok = await ok
        return bool(ok)

    def gate(self, site_id: str, settings: dict[str, Any] | None = None) -> SiteGate:
        """The site's gate (its registry settings' concurrency and delay, else the sweep's)."""
        g = self._gates.get(site_id)
        if g is None:
            st = settings or {}
            g = self._gates[site_id] = SiteGate(int(st.get("concurrency", self.site_concurrency)),
                                                float(st.get("delay", self.site_delay)))
        return g

    async def shoot_page(self, url: str, findings: Sequence[Finding], page: PageInfo, *,
                         out_dir: Path, inspection_id: int, site_id: str, scope: Sequence[str],
                         scripts: bool) -> PageResult:
        """Render `url` once and shoot every finding on it; a page that cannot be rendered
        gives a PageResult with `error` set (never an exception)."""
        t0 = time.monotonic()
        gate = self.gate(site_id)
        res = PageResult(url=url)
        browser = await self._start()
        if browser is None:
            res.error = f"Chromium could not be started ({self.launch_error})"
            return res
        async with self._sem:
            ctx = None
            try:
                ctx = await browser.new_context(
                    viewport=VIEWPORT, java_script_enabled=scripts, service_workers="block",
                    accept_downloads=False, locale="zh-CN", user_agent=self.user_agent or None,
                    ignore_https_errors=True)
                ctx.set_default_timeout(self.timeout * 1000)

                async def route(r: Any) -> None:
                    target = r.request.url
                    if not await self._allowed(target, scope, url):
                        self.blocked += 1
                        await r.abort("blockedbyclient")
                        return
                    if target.startswith(("data:", "blob:", "about:")):
                        await r.continue_()
                        return
                    # fetched here, through the site's gate; a redirect comes back to the
                    # browser, whose next request passes this handler again
                    try:
                        async with gate:
                            resp = await r.fetch(max_redirects=0, timeout=self.timeout * 1000)
                            body = await resp.body()
                    except Exception:  # refused, reset, timed out: the browser sees a failure
                        await r.abort("failed")
                        return
                    await r.fulfill(response=resp, body=body)

                await ctx.route("**/*", route)
                main = await ctx.new_page()
                main.on("popup", lambda p: asyncio.ensure_future(p.close()))
                main.on("dialog", lambda d: asyncio.ensure_future(d.dismiss()))
                await asyncio.wait_for(self._render(main, url, findings, page, res, out_dir,
                                                    inspection_id, site_id),
                                       timeout=self.timeout * (2 + len(findings)))
            except asyncio.TimeoutError:
                res.error = f"timed out after {self.timeout * (2 + len(findings)):.0f} s"
            except Exception as e:  # a crashed tab, a refused connection: a notice
                msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                res.error = f"{type(e).__name__}: {msg[:300]}"
            finally:
                if ctx is not None:
                    try:
                        await ctx.close()
                    except Exception:
                        pass
        res.seconds = time.monotonic() - t0
        return res

    async def _render(self, main: Any, url: str, findings: Sequence[Finding], page: PageInfo,
                      res: PageResult, out_dir: Path, inspection_id: int, site_id: str) -> None:
        resp = await main.goto(url, wait_until="domcontentloaded")
        if resp is not None and resp.status >= 400:
            res.error = f"the page answered HTTP {resp.status} when rendered"
            return
        try:  # stylesheets and images of the site; a slow one does not hold the shot
            await main.wait_for_load_state("load", timeout=min(5.0, self.timeout) * 1000)
        except Exception:
            pass
        for f in findings:
            box = await main.evaluate(self._js, locate_args(f, page))
            rel = shot_path(inspection_id, site_id, f.key)
            dest = out_dir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            await main.screenshot(path=str(dest), clip=crop(box), animations="disabled",
                                  caret="hide", type="png")
            res.shots.append(Shot(key=f.key, path=rel, located=bool(box.get("located"))))
