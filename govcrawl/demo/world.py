"""The demo world: hosts, sites, what was planted, and the registry that points at them.

`build_world(as_of, scale, seed)` returns a `World`; a `DemoServer` binds one loopback
port per host and calls `World.bind`, after which URLs, the registry and the manifest
carry real ports.  Every date is computed back from `as_of`, so a test that freezes
`as_of` sees the same findings on any day.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

import yaml

from govcrawl.demo.model import CSS, PNG, Item, Ref, Req, Resp, Site

try:  # chinesecalendar knows 2004-2026; outside that, weekends only.
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover
    _cc = None

SCALES = ("demo", "e2e", "bench")

# Hosts that real footers link to (identity items), and the real services a real template
# links to (中国政府网 and news sites in its menus, share widgets, the CMS credit: see
# template.py).  The demo never serves them; a sweep over the demo should not count them as
# broken links.
OUTSIDE_IDENTITY_HOSTS = ("bszs.conac.cn", "beian.miit.gov.cn", "www.beian.gov.cn",
                          "zfwzgl.www.gov.cn", "www.gov.cn", "www.xinhuanet.com", "www.people.com.cn",
                          "service.weibo.com", "sns.qzone.qq.com", "www.trs.com.cn")


def is_workday(d: date) -> bool:
    if _cc is not None:
        try:
            return bool(_cc.is_workday(d))
        except (NotImplementedError, ValueError, KeyError):
            pass
    return d.weekday() < 5


def is_holiday_weekday(d: date) -> bool:
    return d.weekday() < 5 and not is_workday(d)


def is_makeup_day(d: date) -> bool:
    return d.weekday() >= 5 and is_workday(d)


class World:
    """Everything the demo serves, plus the truth a sweep is compared with."""

    def __init__(self, as_of: date, scale: str, seed: int) -> None:
        if scale not in SCALES:
            raise ValueError(f"unknown scale {scale!r} (want one of {', '.join(SCALES)})")
        self.as_of = as_of
        self.scale = scale
        self.seed = seed
        self.sites: list[Site] = []
        self.hosts: list[str] = []  # served hosts, each its own port
        self.closed_hosts: list[str] = []  # ports nobody listens on
        self.specials: dict[str, Any] = {}  # host -> handler object for non-site hosts
        self.ports: dict[str, int] | None = None
        self.planted: list[dict[str, Any]] = []
        self.controls: list[dict[str, Any]] = []
        self.tolerated: list[dict[str, Any]] = []
        self.out_of_scope: list[Ref] = []
        self.traps: list[dict[str, Any]] = []
        self._id = 100000 + random.Random(seed).randint(0, 50000)
        self._cid = 1000

    # -- ids and dates -------------------------------------------------------------
    def next_id(self) -> int:
        self._id += random.Random(self._id).randint(1, 37)
        return self._id

    def next_cid(self) -> int:
        self._cid += 7
        return self._cid

    def day(self, offset: int) -> date:
        return self.as_of + timedelta(days=offset)

    def workday_after(self, d: date, n: int) -> date:
        """The n-th working day after d (public holidays and make-up days respected)."""
        while n > 0:
            d += timedelta(days=1)
            if is_workday(d):
                n -= 1
        return d

    # -- hosts and URLs ------------------------------------------------------------
    def add_host(self, key: str) -> str:
        if key not in self.hosts:
            self.hosts.append(key)
        return key

    def add_site(self, site: Site) -> Site:
        self.add_host(site.host)
        self.sites.append(site)
        return site

    def bind(self, ports: dict[str, int]) -> None:
        missing = [h for h in self.hosts + self.closed_hosts if h not in ports]
        if missing:
            raise ValueError(f"no port for host(s) {', '.join(missing)}")
        self.ports = dict(ports)

    @property
    def bound(self) -> bool:
        return self.ports is not None

    def netloc(self, host: str) -> str:
        if self.ports is None:
            return f"{host}.demo.invalid"  # before binding: only for rendering without a server
        return f"127.0.0.1:{self.ports[host]}"

    def resolve(self, ref: Ref) -> str:
        return f"http://{self.netloc(ref.host)}{ref.path}"

    def site(self, sid: str) -> Site:
        for s in self.sites:
            if s.id == sid:
                return s
        raise KeyError(sid)

    def site_for(self, host: str, path: str) -> Site | None:
        best = None
        for s in self.sites:
            if s.host == host and path.startswith(s.prefix):
                if best is None or len(s.prefix) > len(best.prefix):
                    best = s
        return best

    def stats_key(self, host: str, path: str) -> str:
        s = self.site_for(host, path)
        return s.id if s is not None else f"host:{host}"

    # -- serving -------------------------------------------------------------------
    def handle(self, host: str, req: Req) -> Resp:
        special = self.specials.get(host)
        if special is not None:
            return special.handle(req) or not_found()
        path = req.path
        if path == "/css/style.css":
            return Resp(200, CSS, "text/css")
        if path.startswith("/images/") and path.endswith(".png") and path != "/images/missing.png":
            return Resp(200, PNG, "image/png")
        if path == "/favicon.ico":
            return Resp(200, PNG, "image/x-icon")
        site = self.site_for(host, path)
        if site is None or site.unreachable:
            return not_found()
        resp = site.handle(req)
        if resp is None:
            return not_found(site)
        return resp

    # -- the truth -----------------------------------------------------------------
    def plant(self, rule: str, site: Site, *, item: Item | None = None, path: str | None = None,
              **kw: Any) -> None:
        self.planted.append(self._entry(rule, site, item, path, kw))

    def control(self, kind: str, site: Site, *, item: Item | None = None, path: str | None = None,
                **kw: Any) -> None:
        e = self._entry(None, site, item, path, kw)
        e["kind"] = kind
        self.controls.append(e)

    def tolerate(self, rule: str, site: Site, *, item: Item | None = None, path: str | None = None,
                 **kw: Any) -> None:
        self.tolerated.append(self._entry(rule, site, item, path, kw))

    @staticmethod
    def _entry(rule: str | None, site: Site, item: Item | None, path: str | None,
               kw: dict[str, Any]) -> dict[str, Any]:
        e: dict[str, Any] = {"site_id": site.id}
        if rule:
            e["rule"] = rule
        if item is not None:
            e["url"] = item
        elif path is not None:
            e["url"] = site.ref(path)
        e.update({k: v for k, v in kw.items() if v is not None})
        return e

    def _res(self, v: Any) -> Any:
        if isinstance(v, Ref):
            return self.resolve(v)
        if isinstance(v, Item):
            site = next(s for s in self.sites if v.column in s.columns)
            return site.url(v.path)
        if isinstance(v, dict):
            return {k: self._res(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [self._res(x) for x in v]
        return v

    @property
    def manifest(self) -> dict[str, Any]:
        """What a complete, correct sweep of this world fetches and finds (needs bind())."""
        if self.ports is None:
            raise RuntimeError("the world is not bound to ports yet: start a DemoServer first")
        sites: dict[str, Any] = {}
        for s in self.sites:
            u = lambda paths, s=s: {s.url(p) for p in paths}  # noqa: E731
            sites[s.id] = {
                "name": s.name, "url": s.url(), "scope": [s.url(s.prefix)], "style": s.style,
                "kind": s.kind, "encoding": s.encoding, "unreachable": s.unreachable,
                "pages": u(s.required), "optional": u(s.optional), "browser_only": u(s.browser_only),
                "attachments": u(s.attachments), "assets": u(s.assets),
                "endpoints": sorted(u(s.endpoints)),
                "columns": {c.name: {"url": s.url(c.path), "type": c.ctype, "items": len(c.items),
                                     "blank": c.blank, "browser_only": c.browser_only,
                                     "newest": (max(i.day for i in c.items).isoformat()
                                                if c.items and not c.blank else None)}
                            for c in s.columns},
            }
        return {
            "as_of": self.as_of.isoformat(), "scale": self.scale, "seed": self.seed,
            "sites": sites,
            "planted": self._res(self.planted),
            "controls": self._res(self.controls),
            "tolerated": self._res(self.tolerated),
            "out_of_scope": {self.resolve(r) for r in self.out_of_scope},
            "traps": self._res(self.traps),
            "outside_hosts": list(OUTSIDE_IDENTITY_HOSTS),
            "hosts": {h: self.netloc(h) for h in self.hosts + self.closed_hosts},
        }

    def page_count(self) -> int:
        return sum(len(s.required) for s in self.sites)

    def write_manifest(self, path: str | Path) -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(self.manifest, ensure_ascii=False, indent=1, default=_jsonable),
                     encoding="utf-8")
        return p

    def registry(self, accounts: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
        if self.ports is None:
            raise RuntimeError("the world is not bound to ports yet: start a DemoServer first")
        sites = []
        for s in self.sites:
            row: dict[str, Any] = {"id": s.id, "name": s.name, "url": s.url(), "region": s.region,
                                   "org": s.org, "kind": s.kind}
            if s.prefix != "/":
                row["scope"] = [s.url(s.prefix)]
            sites.append(row)
        data: dict[str, Any] = {"sites": sites}
        accts = list(accounts)
        if accts:
            data["accounts"] = accts
        return data

    def write_registry(self, path: str | Path, accounts: Iterable[dict[str, Any]] = ()) -> Path:
        """The contract's YAML registry with the real ports (accounts optional)."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        header = (f"# GovCrawl demo registry (generated; as_of {self.as_of}, scale {self.scale}, "
                  f"seed {self.seed}).\n")
        p.write_text(header + yaml.safe_dump(self.registry(accounts), allow_unicode=True,
                                             sort_keys=False), encoding="utf-8")
        return p


def _jsonable(v: Any) -> Any:
    if isinstance(v, (set, frozenset)):
        return sorted(v)
    return str(v)


def not_found(site: Site | None = None) -> Resp:
    body = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404 页面不存在</title></head>"
            "<body><h1>404</h1><p>您访问的页面不存在或已被删除。</p></body></html>")
    return Resp(404, body.encode("utf-8"), "text/html; charset=utf-8")
