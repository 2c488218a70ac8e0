"""`scrapy crawl media`: every registered 政务新媒体 account, politely per platform.

    scrapy crawl media -a registry=PATH -a store=PATH [-a as_of=YYYY-MM-DD] [-a period=2024Q2]
                       [-a accounts=ID,ID]

The spider only fetches: platform adapters (govcrawl.media.adapters) say what to fetch
and read the answers; when an account's last fetch is in, one `AccountDone` item goes
to the media pipelines (checks, then the store and the account verdict).  Accounts with
`settings.export` are read from the platform's export file instead of the network.

Politeness: every request of a platform shares one download slot `media:<platform>`
(GOVCRAWL_MEDIA_CONCURRENCY / GOVCRAWL_MEDIA_DELAY, per platform in
GOVCRAWL_MEDIA_SLOTS).  A rate limit (429, or Weibo's 418) slows the slot down, is
retried after Retry-After (capped), and when it persists the account is recorded as
unchecked with a notice — the run moves on and the inspection is always closed.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any, AsyncIterator
from zoneinfo import ZoneInfo

import scrapy
from scrapy import Request

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
        self.base_delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "MediaSpider":
        spider: MediaSpider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.rate_retries = s.getint("GOVCRAWL_MEDIA_RATE_RETRIES", 1)
        spider.backoff = s.getfloat("GOVCRAWL_MEDIA_BACKOFF", 60.0)
        spider.backoff_max = s.getfloat("GOVCRAWL_MEDIA_BACKOFF_MAX", 300.0)
        spider.adapter_settings = {
            k: s.get(k) for k in ("GOVCRAWL_MEDIA_WEIBO_API", "GOVCRAWL_MEDIA_WECHAT_BRIDGE",
                                  "GOVCRAWL_MEDIA_MAX_PAGES", "GOVCRAWL_MEDIA_COMMENT_POSTS",
                                  "GOVCRAWL_MEDIA_ORIGINAL_MONTHS") if s.get(k) not in (None, "")}
        spider.adapter_settings["as_of"] = spider.as_of.isoformat()
        spider.browser = s.getbool("GOVCRAWL_BROWSER", True)
        spider.adapter_settings["GOVCRAWL_BROWSER"] = spider.browser
        # one download slot per platform
        slots = dict(s.getdict("DOWNLOAD_SLOTS"))
        per = s.getdict("GOVCRAWL_MEDIA_SLOTS")
        for platform in {a["platform"] for a in spider.accounts.values()}:
            conf = {"concurrency": s.getint("GOVCRAWL_MEDIA_CONCURRENCY", 1),
                    "delay": s.getfloat("GOVCRAWL_MEDIA_DELAY", 2.0)}
            conf.update(per.get(platform) or {})
            slots[f"media:{platform}"] = conf
        slots.setdefault("media:entry", {"concurrency": 2, "delay": 0.0})
        s.set("DOWNLOAD_SLOTS", slots, priority="spider")
        spider.base_delays = {k: float(v.get("delay", 0.0)) for k, v in slots.items()
                              if k.startswith("media:")}
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
        return Request(fetch.url, headers=fetch.headers or None, callback=self.on_response,
                       errback=self.on_error, meta=meta, dont_filter=True,
                       cb_kwargs={"aid": account["id"], "fetch": fetch})

    def on_response(self, response: Any, aid: str, fetch: Fetch) -> list[Any]:
        account, obs = self.accounts[aid], self.obs[aid]
        obs.fetched += 1
        self.stats_counter[f"status_{response.status}"] += 1
        resp = Resp(url=response.url, status=response.status, body=response.body,
                    headers={k.decode("latin-1").lower(): v[0].decode("latin-1") if v else ""
                             for k, v in response.headers.items()},
                    rendered=bool(response.meta.get("playwright")))
        if response.status < 400:
            self._recover(response.meta.get("download_slot"))
        adapter = get_adapter(account["platform"], self.adapter_settings)
        more: list[Fetch] = []
        try:
            more = adapter.dispatch(account, fetch, resp, obs)
        except AdapterError as e:
            if e.kind == "rate_limited":
                retry = self._rate_limited(account, fetch, response, e)
                if retry is not None:
                    more = [retry]
            else:
                self._failed(account, fetch, e.kind, e.message, e.data)
        except Exception as e:  # an adapter bug must not lose the account or the run
            logger.exception("adapter %s failed on %s", account["platform"], response.url)
            self._failed(account, fetch, "adapter_error", f"{type(e).__name__}: {e}", {})
        return self._continue(aid, more)

    def on_error(self, failure: Any) -> list[Any]:
        req = failure.request
        aid, fetch = req.cb_kwargs["aid"], req.cb_kwargs["fetch"]
        account, obs = self.accounts[aid], self.obs[aid]
        err = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        self.stats_counter["network_errors"] += 1
        adapter = get_adapter(account["platform"], self.adapter_settings)
        if not adapter.failed(account, fetch, err, obs):
            self._failed(account, fetch, "platform_error", f"{err} at {req.url}", {})
        return self._continue(aid, [])

    def _continue(self, aid: str, more: list[Fetch]) -> list[Any]:
        self.pending[aid] += len(more) - 1
        out: list[Any] = [self._request(self.accounts[aid], f) for f in more]
        if self.pending[aid] <= 0:
            out.append(self._finish(aid))
        return out

    def _slot(self, key: str | None) -> Any:
        slots = getattr(getattr(self.crawler.engine, "downloader", None), "slots", {})
        return slots.get(key) if key else None

    def _recover(self, key: str | None) -> None:
        """After a back-off, each answered request halves the slot's delay back to its base."""
        slot = self._slot(key)
        base = self.base_delays.get(key or "", 0.0)
        if slot is not None and getattr(slot, "delay", 0.0) > base:
            slot.delay = max(base, slot.delay / 2)

    def _rate_limited(self, account: dict[str, Any], fetch: Fetch, response: Any,
                      e: AdapterError) -> Fetch | None:
        obs = self.obs[account["id"]]
        self.stats_counter["rate_limited"] += 1
        wait = self.backoff
        ra = response.headers.get(b"Retry-After")
        if ra:
            try:
                wait = float(ra.decode("latin-1"))
            except ValueError:
                pass
        wait = max(0.0, min(wait, self.backoff_max))
        slot = self._slot(response.meta.get("download_slot"))
        if slot is not None:  # slow the whole platform down, not only this account
            slot.delay = max(getattr(slot, "delay", 0.0), wait)
        if fetch.attempt < self.rate_retries:
            obs.notice("media.rate_limited", f"{e.message}; backing off {wait:g}s and retrying",
                       response.url, status=response.status, wait=wait, attempt=fetch.attempt + 1)
            return Fetch(fetch.url, fetch.kind, headers=fetch.headers, render=fetch.render,
                         optional=fetch.optional, data=fetch.data, attempt=fetch.attempt + 1)
        self._failed(account, fetch, "rate_limited",
                     f"{e.message}; still limited after {fetch.attempt + 1} attempt(s), moving on",
                     {"status": response.status})
        return None

    def _failed(self, account: dict[str, Any], fetch: Fetch, kind: str, message: str,
                data: dict[str, Any]) -> None:
        obs = self.obs[account["id"]]
        obs.notice(f"media.{kind}", message, fetch.url, fetch=fetch.kind, optional=fetch.optional,
                   **data)
        logger.warning("account %s (%s): %s", account["id"], account["platform"], message)

    def _finish(self, aid: str) -> AccountDone:
        account, obs = self.accounts[aid], self.obs[aid]
        self.done.add(aid)
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
