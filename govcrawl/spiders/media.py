"""`scrapy crawl media`: every registered 政务新媒体 account, politely per platform.

    scrapy crawl media -a registry=PATH -a store=PATH [-a as_of=YYYY-MM-DD] [-a period=2024Q2]
                       [-a accounts=ID,ID]

The spider only fetches: platform adapters (govcrawl.media.adapters) say what to fetch
and read the answers; when an account's last fetch is in, one `AccountDone` item goes
to the media pipelines (checks, then the store and the account verdict).  Accounts with
`settings.export` are read from the platform's export file instead of the network.

Politeness: every request of a platform shares one download slot `media:<platform>`
(GOVCRAWL_MEDIA_CONCURRENCY / GOVCRAWL_MEDIA_DELAY, per platform in
GOVCRAWL_MEDIA_SLOTS).  A limit answer (418, 403, 432, 429, Weibo's ok:-100 with a
captcha/login url, 请求过于频繁, Kuaishou's result 2) makes only that account wait: its
callback sleeps for the answer kind's back-off (GOVCRAWL_MEDIA_BACKOFF_KINDS, doubling
for each repeat of that kind on that account, capped by GOVCRAWL_MEDIA_BACKOFF_MAX and
the account's GOVCRAWL_MEDIA_BACKOFF_BUDGET) while the platform's slot goes on serving
the other accounts; every wait is a media.rate_limited notice, and a limit that persists
leaves the account's affected rules unjudged.  The inspection is always closed.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, AsyncIterator
from zoneinfo import ZoneInfo

import scrapy
from scrapy import Request
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from govcrawl import db
from govcrawl.media.adapters import AdapterError, Fetch, Resp, get_adapter
from govcrawl.media.importer import ExportError, read_export
from govcrawl.media.model import UNKNOWN, AccountDone, Observation
from govcrawl.media.pipelines import media_settings
from govcrawl.registry import Account, Registry, RegistryError, load_registry
from govcrawl.store import Store, this_process

logger = logging.getLogger(__name__)

BROWSER_PLATFORMS = ("douyin", "kuaishou", "toutiao")


class MediaArgumentError(ValueError):
    """A bad `-a` argument of the media spider (one line)."""


def parse_args(registry: str | None, store: str | None, as_of: str | None,
               accounts: str | None) -> tuple[Registry, list[Account], date]:
    """Validate the media spider's arguments before anything is fetched."""
    if not registry:
        raise MediaArgumentError("missing -a registry=PATH")
    if not store:
        raise MediaArgumentError("missing -a store=PATH")
    reg = load_registry(registry)
    selected = list(reg.accounts)
    if accounts:
        wanted = [a.strip() for a in accounts.split(",") if a.strip()]
        known = {a.id for a in reg.accounts}
        missing = [a for a in wanted if a not in known]
        if missing:
            raise RegistryError(f"{registry}: unknown account id(s) {', '.join(missing)}")
        selected = [a for a in reg.accounts if a.id in wanted]
    if not selected:
        raise MediaArgumentError(f"{registry}: no accounts (an 'accounts:' section or an account export)")
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise MediaArgumentError(f"bad as_of {as_of!r} (want YYYY-MM-DD)") from None
    else:
        day = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    if db.is_url(store):
        return reg, selected, day
    p = Path(store)
    if p.exists() and p.is_dir():
        raise MediaArgumentError(f"store {store} is a directory")
    if not p.parent.exists():
        raise MediaArgumentError(f"store {store}: directory {p.parent} does not exist")
    return reg, selected, day


class MediaSpider(scrapy.Spider):
    name = "media"
    custom_settings = {
        # the site sweep's components do not apply to accounts
        "ITEM_PIPELINES": {
            "govcrawl.media.pipelines.MediaChecksPipeline": 300,
            "govcrawl.media.pipelines.MediaStorePipeline": 800,
            # findings and verdicts of accounts to Kibana when ELASTICSEARCH_URL is set
            "govcrawl.pipelines.elasticsearch.ElasticsearchPipeline": 900,
        },
        "DOWNLOADER_MIDDLEWARES": {},
        "SPIDER_MIDDLEWARES": {},
        "EXTENSIONS": {},
        # fixed per-platform pacing instead of AutoThrottle; 429/418 are handled by the spider
        "AUTOTHROTTLE_ENABLED": False,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408],
        "COOKIES_ENABLED": False,
    }

    def __init__(self, registry: str | None = None, store: str | None = None,
                 as_of: str | None = None, period: str | None = None, accounts: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.registry, selected, self.as_of = parse_args(registry, store, as_of, accounts)
        self.store_path = str(store)
        self.period = period
        self.accounts: dict[str, dict[str, Any]] = {a.id: a.to_dict() for a in selected}
        self.obs: dict[str, Observation] = {}
        self.pending: Counter[str] = Counter()
        self.done: set[str] = set()
        self.inspection_id = 0
        self.stats_counter: Counter[str] = Counter()
        # back-off state per account: how often each answer kind came, seconds waited
        self.limits: dict[str, Counter[str]] = defaultdict(Counter)
        self.waited: Counter[str] = Counter()
        self.shared: dict[str, Resp] = {}  # answers every account shares (Fetch.shared), by url
        self.inflight: dict[str, list[tuple[str, Fetch]]] = {}  # shared fetches asked: who waits
        self.captured: dict[str, list[bytes]] = {}  # answers a rendered page asked for itself

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "MediaSpider":
        spider: MediaSpider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.rate_retries = s.getint("GOVCRAWL_MEDIA_RATE_RETRIES")
        spider.backoff = s.getfloat("GOVCRAWL_MEDIA_BACKOFF")
        spider.backoff_kinds = {str(k): float(v) for k, v in
                                s.getdict("GOVCRAWL_MEDIA_BACKOFF_KINDS").items()}
        spider.backoff_max = s.getfloat("GOVCRAWL_MEDIA_BACKOFF_MAX")
        spider.backoff_budget = s.getfloat("GOVCRAWL_MEDIA_BACKOFF_BUDGET")
        spider.adapter_settings = {
            k: s.get(k) for k in ("GOVCRAWL_MEDIA_WEIBO_API", "GOVCRAWL_MEDIA_WECHAT_BRIDGE",
                                  "GOVCRAWL_MEDIA_MAX_PAGES", "GOVCRAWL_MEDIA_COMMENT_POSTS",
                                  "GOVCRAWL_MEDIA_LONGTEXT_POSTS", "GOVCRAWL_MEDIA_STALE_DAYS",
                                  "GOVCRAWL_MEDIA_ORIGINAL_MONTHS") if s.get(k) not in (None, "")}
        spider.adapter_settings["as_of"] = spider.as_of.isoformat()
        spider.browser = s.getbool("GOVCRAWL_BROWSER", True)
        spider.adapter_settings["GOVCRAWL_BROWSER"] = spider.browser
        # one download slot per platform
        slots = dict(s.getdict("DOWNLOAD_SLOTS"))
        per = s.getdict("GOVCRAWL_MEDIA_SLOTS")
        for platform in {a["platform"] for a in spider.accounts.values()}:
            conf = {"concurrency": s.getint("GOVCRAWL_MEDIA_CONCURRENCY"),
                    "delay": s.getfloat("GOVCRAWL_MEDIA_DELAY")}
            conf.update(per.get(platform) or {})
            slots[f"media:{platform}"] = conf
        slots.setdefault("media:entry", {"concurrency": 2, "delay": 0.0})
        s.set("DOWNLOAD_SLOTS", slots, priority="spider")
        if spider.browser and any(a["platform"] in BROWSER_PLATFORMS and not (a.get("settings") or {})
                                  .get("export") for a in spider.accounts.values()):
            handlers = dict(s.getdict("DOWNLOAD_HANDLERS"))
            handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
            handlers.setdefault("http", handler)
            handlers.setdefault("https", handler)
            s.set("DOWNLOAD_HANDLERS", handlers, priority="spider")
        s.set("GOVCRAWL_STORE", spider.store_path, priority="spider")
        s.set("GOVCRAWL_AS_OF", spider.as_of.isoformat(), priority="spider")
        store = Store(spider.store_path)
        spider.inspection_id = store.create_inspection(
            as_of=spider.as_of.isoformat(), registry_path=spider.registry.path,
            registry={"accounts": [a.to_dict() for a in spider.registry.accounts]}, kind="media",
            period=spider.period,
            settings={"accounts": sorted(spider.accounts), **media_settings(s),
                      "slots": {k: v for k, v in slots.items() if k.startswith("media:")}},
            owner=this_process())  # killed: 'interrupted' (Store.state), not 'running' for ever
        store.close()
        s.set("GOVCRAWL_INSPECTION_ID", spider.inspection_id, priority="spider")
        logger.info("media inspection %s: %d account(s), as_of %s", spider.inspection_id,
                    len(spider.accounts), spider.as_of)
        return spider

    # -- requests ----------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for aid, account in self.accounts.items():
            for out in self._begin(account):
                yield out

    def _begin(self, account: dict[str, Any]) -> list[Any]:
        aid = account["id"]
        obs = self.obs[aid] = Observation(account_id=aid)
        export = (account.get("settings") or {}).get("export")
        if export:
            base = Path(self.registry.path).parent if self.registry.path else None
            try:
                self.obs[aid] = read_export(export if isinstance(export, list) else str(export),
                                            account, base=base)
            except (ExportError, OSError) as e:
                obs.notice("media.bad_export", str(e))
            return [self._finish(aid)]
        try:
            adapter = get_adapter(account["platform"], self.adapter_settings)
            fetches = adapter.begin(account)
        except AdapterError as e:
            obs.notice(f"media.{e.kind}", e.message, account.get("url") or "")
            return [self._finish(aid)]
        self.pending[aid] = len(fetches)
        return [self._request(account, f) for f in fetches]

    def _request(self, account: dict[str, Any], fetch: Fetch) -> Request:
        slot = "media:entry" if fetch.kind == "interaction" else f"media:{account['platform']}"
        meta: dict[str, Any] = {"download_slot": slot, "handle_httpstatus_all": True,
                                "account_id": account["id"]}
        if fetch.render:
            meta["playwright"] = True
            if fetch.data.get("capture"):
                meta.update(self._capture_meta(f"{account['id']} {fetch.url}", fetch.data["capture"]))
        return Request(fetch.url, method=fetch.method, body=fetch.body,
                       headers=fetch.headers or None, callback=self.on_response,
                       errback=self.on_error, meta=meta, dont_filter=True,
                       cb_kwargs={"aid": account["id"], "fetch": fetch})

    def _capture_meta(self, key: str, pattern: str) -> dict[str, Any]:
        """Browser meta that keeps the answers the page itself asks for from URLs containing
        `pattern` (a signed post list no plain request can get): seen while the page loads,
        their bodies read once the network is idle, before the page closes."""
        from scrapy_playwright.page import PageMethod

        seen: list[Any] = []

        def on_page_response(r: Any) -> None:
            if pattern in r.url:
                seen.append(r)

        async def collect(page: Any) -> None:
            try:
                await page.wait_for_load_state("networkidle", timeout=10_000)
            except Exception as e:  # a page that never settles: keep what came
                logger.debug("browser: %s did not settle: %s", page.url, e)
            bodies = []
            for r in seen:
                try:
                    bodies.append(await r.body())
                except Exception as e:  # the answer went away with a redirect or a reload
                    logger.debug("browser: no body for %s: %s", r.url, e)
            self.captured[key] = bodies

        return {"playwright_page_event_handlers": {"response": on_page_response},
                "playwright_page_methods": [PageMethod(collect)]}

    async def on_response(self, response: Any, aid: str, fetch: Fetch) -> list[Any]:
        account, obs = self.accounts[aid], self.obs[aid]
        obs.fetched += 1
        self.stats_counter[f"status_{response.status}"] += 1
        resp = Resp(url=response.url, status=response.status, body=response.body,
                    headers={k.decode("latin-1").lower(): v[0].decode("latin-1") if v else ""
                             for k, v in response.headers.items()},
                    rendered=bool(response.meta.get("playwright")),
                    captured=self.captured.pop(f"{aid} {fetch.url}", []))
        parked = self._shared_answer(fetch, resp)
        try:
            more = self._dispatch(account, fetch, resp)
        except AdapterError as e:  # rate limited: retry after a back-off of this account alone
            more = []
            retry, wait = self._rate_limited(account, fetch, response, e)
            if retry is not None:
                if wait > 0:  # only this account waits; the platform's slot goes on
                    await maybe_deferred_to_future(deferLater(_reactor(), wait, lambda: None))
                more = [retry]
        return self._continue(aid, more) + parked

    def _shared_answer(self, fetch: Fetch, resp: Resp | None) -> list[Any]:
        """A shared fetch came back: keep a good answer for the run, and go on with the
        accounts that waited for it (from the copy, or with their own request)."""
        if not fetch.shared:
            return []
        if resp is not None and resp.status == 200:
            self.shared[fetch.url] = resp
        out: list[Any] = []
        for aid, f in self.inflight.pop(fetch.url, []):
            out += self._continue(aid, [f])
        return out

    def _dispatch(self, account: dict[str, Any], fetch: Fetch, resp: Resp) -> list[Fetch]:
        """The adapter reads one answer; its troubles become notices.  A rate limit is raised
        for the caller to back off."""
        obs = self.obs[account["id"]]
        adapter = get_adapter(account["platform"], self.adapter_settings)
        try:
            return adapter.dispatch(account, fetch, resp, obs)
        except AdapterError as e:
            if e.kind == "rate_limited":
                raise
            self._failed(account, fetch, e.kind, e.message, e.data)
        except Exception as e:  # an adapter bug must not lose the account or the run
            logger.exception("adapter %s failed on %s", account["platform"], resp.url)
            self._failed(account, fetch, "adapter_error", f"{type(e).__name__}: {e}", {})
        return []

    def on_error(self, failure: Any) -> list[Any]:
        req = failure.request
        aid, fetch = req.cb_kwargs["aid"], req.cb_kwargs["fetch"]
        account, obs = self.accounts[aid], self.obs[aid]
        err = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        self.stats_counter["network_errors"] += 1
        self.captured.pop(f"{aid} {fetch.url}", None)
        adapter = get_adapter(account["platform"], self.adapter_settings)
        if not adapter.failed(account, fetch, err, obs):
            self._failed(account, fetch, "platform_error", f"{err} at {req.url}", {})
        return self._continue(aid, []) + self._shared_answer(fetch, None)

    def _continue(self, aid: str, more: list[Fetch]) -> list[Any]:
        """Requests for the account's next fetches (an answer every account shares, such as
        a bridge's listing, is read from this run's copy); its item once nothing is pending."""
        account = self.accounts[aid]
        self.pending[aid] -= 1
        out: list[Any] = []
        queue = list(more)
        while queue:
            f = queue.pop(0)
            copy = self.shared.get(f.url) if f.shared else None
            if copy is None:
                self.pending[aid] += 1
                if f.shared and f.url in self.inflight:  # asked already: wait for that answer
                    self.inflight[f.url].append((aid, f))
                    continue
                if f.shared:
                    self.inflight[f.url] = []
                out.append(self._request(account, f))
                continue
            try:
                queue += self._dispatch(account, f, copy)
            except AdapterError as e:  # a copy is a 200 answer: no limit to wait for
                self._failed(account, f, e.kind, e.message, e.data)
        if self.pending[aid] <= 0:
            out.append(self._finish(aid))
        return out

    def _backoff_wait(self, aid: str, answer: str, response: Any) -> float:
        """Seconds this account waits after this answer: Retry-After when the platform gives
        one, else the answer kind's first wait, doubled for each earlier answer of that kind
        to this account; capped per wait and by what is left of the account's budget."""
        base = self.backoff_kinds.get(answer, self.backoff)
        ra = response.headers.get(b"Retry-After")
        if ra:
            try:
                base = float(ra.decode("latin-1"))
            except ValueError:
                pass
        wait = base * 2 ** max(0, self.limits[aid][answer] - 1)
        left = max(0.0, self.backoff_budget - self.waited[aid])
        return max(0.0, min(wait, self.backoff_max, left))

    def _rate_limited(self, account: dict[str, Any], fetch: Fetch, response: Any,
                      e: AdapterError) -> tuple[Fetch | None, float]:
        """Retry after a back-off of this account alone, or give up with a notice."""
        aid = account["id"]
        obs = self.obs[aid]
        answer = str(e.data.get("answer") or response.status)
        self.stats_counter["rate_limited"] += 1
        self.limits[aid][answer] += 1
        data = {"status": response.status, "answer": answer,
                **{k: v for k, v in e.data.items() if k not in ("status", "answer")}}
        wait = self._backoff_wait(aid, answer, response)
        spent = self.waited[aid] >= self.backoff_budget
        if fetch.attempt < self.rate_retries and not spent:
            self.waited[aid] += wait
            self.stats_counter["backoff_ms"] += int(round(wait * 1000))
            obs.notice("media.rate_limited", f"{e.message}; this account waits {wait:g}s and retries"
                       " (the platform's other accounts go on)", response.url, wait=wait,
                       attempt=fetch.attempt + 1, **data)
            logger.info("account %s (%s): %s answered %s; waiting %gs before retry %d",
                        aid, account["platform"], fetch.kind, answer, wait, fetch.attempt + 1)
            return replace(fetch, attempt=fetch.attempt + 1), wait
        why = ("its back-off budget is spent" if spent and fetch.attempt < self.rate_retries
               else f"still limited after {fetch.attempt + 1} attempt(s)")
        self._failed(account, fetch, "rate_limited", f"{e.message}; {why}, moving on", data)
        return None, 0.0

    def _failed(self, account: dict[str, Any], fetch: Fetch, kind: str, message: str,
                data: dict[str, Any]) -> None:
        obs = self.obs[account["id"]]
        obs.notice(f"media.{kind}", message, fetch.url, fetch=fetch.kind, optional=fetch.optional,
                   **data)
        logger.warning("account %s (%s): %s", account["id"], account["platform"], message)

    def _finish(self, aid: str) -> AccountDone:
        account, obs = self.accounts[aid], self.obs[aid]
        self.done.add(aid)
        logger.debug("account %s done: %d response(s), %d post(s), waited %gs", aid, obs.fetched,
                     len(obs.posts), self.waited[aid])
        if obs.source != "import":
            try:
                get_adapter(account["platform"], self.adapter_settings).finish(account, obs)
            except AdapterError:
                pass
        if not obs.checkable:
            reasons = sorted({n["kind"] for n in obs.notices}) or ["incomplete"]
            obs.notice("media.unchecked", f"account {aid} could not be checked ({', '.join(reasons)});"
                       " no verdict this time", account.get("url") or "")
            self.stats_counter["unchecked"] += 1
        else:
            self.stats_counter["checked"] += 1
        return AccountDone(store_path=self.store_path, inspection_id=self.inspection_id,
                           as_of=self.as_of.isoformat(), account=account, observation=obs)

    # -- end -----------------------------------------------------------------------
    def closed(self, reason: str) -> None:
        from govcrawl.media.sink import save_account

        store = Store(self.store_path)
        try:
            stored = {r[0] for r in store.conn.execute(
                "SELECT account_id FROM accounts WHERE inspection_id=?", (self.inspection_id,))}
            for aid in self.accounts:
                if aid in stored:
                    continue
                # never reached, or its item failed in a pipeline: still accounted for
                obs = self.obs.get(aid) or Observation(account_id=aid)
                obs.profile.status = UNKNOWN
                obs.posts_complete = False
                why = ("its checks or storage failed (see the log)" if aid in self.done
                       else f"the run ended ({reason}) before it was read")
                obs.notice("media.unchecked", f"account {aid}: {why}")
                save_account(store, self.inspection_id, self.accounts[aid], obs, [])
                self.stats_counter["unchecked"] += 1
            rows = store.conn.execute(
                "SELECT result, COUNT(*) n FROM verdicts WHERE inspection_id=? AND subject='account'"
                " GROUP BY result", (self.inspection_id,)).fetchall()
            stats = {"reason": reason, "accounts": len(self.accounts), **self.stats_counter,
                     "verdicts": {r["result"]: r["n"] for r in rows}}
            store.finish_inspection(self.inspection_id,
                                    status="finished" if reason == "finished" else
                                    "interrupted" if reason in ("shutdown", "cancelled") else "failed",
                                    stats=stats)
            logger.info("media inspection %s %s: %s", self.inspection_id, reason, stats)
        finally:
            store.close()


def _reactor() -> Any:
    from twisted.internet import reactor

    return reactor
