"""Site and account registry: YAML (contract format) and CSV/XLSX exports.

Everything is validated before anything is crawled; the first problem raises
`RegistryError` whose message is one line naming the file and the row.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import yaml

SITE_KINDS = ("portal", "department")
PLATFORMS = ("wechat", "weibo", "douyin", "toutiao", "kuaishou", "app", "feed")

# 网站标识码: 6-digit division code + 4-digit serial, or bm + 8 digits (central departments).
SITE_ID_RE = re.compile(r"^(?:\d{10}|bm\d{8})$")

# Column headers of the national reporting system's exports, mapped to our fields.
SITE_COLUMNS = {
    "id": ("网站标识码", "id", "site_id"),
    "name": ("网站名称", "name"),
    "url": ("首页网址", "网站地址", "网址", "url"),
    "org": ("主办单位", "org"),
    "region": ("所属地区", "行政区划", "地区", "region"),
    "kind": ("网站类型", "kind"),
    "scope": ("范围", "scope"),
}
ACCOUNT_COLUMNS = {
    "id": ("账号ID", "账号标识", "id"),
    "name": ("账号名称", "name"),
    "platform": ("平台", "账号类型", "平台类型", "platform"),
    "url": ("账号地址", "链接", "url"),
    "org": ("开设主体", "主办单位", "org"),
    "region": ("地区", "所属地区", "行政区划", "region"),
}
KIND_ALIASES = {
    "portal": "portal", "门户": "portal", "门户网站": "portal", "政府门户网站": "portal",
    "department": "department", "部门": "department", "部门网站": "department",
}
PLATFORM_ALIASES = {
    "wechat": "wechat", "微信": "wechat", "微信公众号": "wechat", "微信服务号": "wechat",
    "微信订阅号": "wechat",
    "weibo": "weibo", "微博": "weibo", "新浪微博": "weibo",
    "douyin": "douyin", "抖音": "douyin", "抖音号": "douyin", "抖音短视频": "douyin",
    "toutiao": "toutiao", "头条": "toutiao", "今日头条": "toutiao", "头条号": "toutiao",
    "kuaishou": "kuaishou", "快手": "kuaishou", "快手号": "kuaishou",
    "app": "app", "移动客户端": "app", "客户端": "app",
    "feed": "feed", "rss": "feed",
}
PLATFORM_LABELS = {
    "wechat": "微信公众号", "weibo": "新浪微博", "douyin": "抖音号", "toutiao": "头条号",
    "kuaishou": "快手号", "app": "移动客户端", "feed": "其他",
}


class RegistryError(ValueError):
    """A registry that cannot be used; the message is one line: file, row, problem."""


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    url: str
    scope: tuple[str, ...]
    region: str = ""
    org: str = ""
    kind: str = "department"
    settings: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["scope"] = list(self.scope)
        return d


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    platform: str
    url: str = ""
    org: str = ""
    region: str = ""
    settings: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def platform_label(self) -> str:
        """The 账号类型 a bulletin prints: the registry's own label when it has one."""
        return str(self.settings.get("label") or PLATFORM_LABELS.get(self.platform, self.platform))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Registry:
    sites: list[Site]
    accounts: list[Account]
    path: str = ""

    def site(self, site_id: str) -> Site:
        for s in self.sites:
            if s.id == site_id:
                return s
        raise KeyError(site_id)

    def select(self, ids: Iterable[str] | None) -> list[Site]:
        if not ids:
            return list(self.sites)
        wanted = [i.strip() for i in ids if i.strip()]
        known = {s.id for s in self.sites}
        missing = [i for i in wanted if i not in known]
        if missing:
            raise RegistryError(f"{self.path}: unknown site id(s) {', '.join(missing)}")
        return [s for s in self.sites if s.id in wanted]

    def to_dict(self) -> dict[str, Any]:
        return {"sites": [s.to_dict() for s in self.sites],
                "accounts": [a.to_dict() for a in self.accounts]}


def _valid_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def default_scope(url: str) -> tuple[str, ...]:
    """Everything on the homepage's host (and port)."""
    p = urlsplit(url)
    return (f"{p.scheme}://{p.netloc}/",)


def _site_from_row(row: dict[str, Any], where: str) -> Site:
    def get(name: str) -> str:
        v = row.get(name)
        return "" if v is None else str(v).strip()

    sid = get("id")
    if not sid:
        raise RegistryError(f"{where}: missing 网站标识码 (id)")
    if not SITE_ID_RE.match(sid):
        raise RegistryError(
            f"{where}: malformed 网站标识码 {sid!r} (want 10 digits, or bm + 8 digits)")
    name = get("name")
    if not name:
        raise RegistryError(f"{where}: site {sid} has no name (网站名称)")
    url = get("url")
    if not url:
        raise RegistryError(f"{where}: site {sid} has no homepage URL (首页网址)")
    if not _valid_url(url):
        raise RegistryError(f"{where}: site {sid} has an invalid homepage URL {url!r}")
    kind_raw = get("kind") or "department"
    kind = KIND_ALIASES.get(kind_raw.lower(), KIND_ALIASES.get(kind_raw))
    if kind is None:
        raise RegistryError(
            f"{where}: site {sid} has unknown kind {kind_raw!r} (want portal or department)")
    scope_raw = row.get("scope")
    if scope_raw in (None, "", []):
        scope = default_scope(url)
    else:
        items = scope_raw if isinstance(scope_raw, list) else re.split(r"[\s;,]+", str(scope_raw))
        scope = tuple(str(s).strip() for s in items if str(s).strip())
        for s in scope:
            if not _valid_url(s):
                raise RegistryError(f"{where}: site {sid} has an invalid scope prefix {s!r}")
        if not any(url.startswith(s) for s in scope):
            raise RegistryError(f"{where}: site {sid}: homepage {url} lies outside its scope")
    settings = row.get("settings") or {}
    if not isinstance(settings, dict):
        raise RegistryError(f"{where}: site {sid}: settings must be a mapping")
    return Site(id=sid, name=name, url=url, scope=scope, region=get("region"),
                org=get("org") or name, kind=kind, settings=dict(settings))


def _account_from_row(row: dict[str, Any], where: str) -> Account:
    def get(name: str) -> str:
        v = row.get(name)
        return "" if v is None else str(v).strip()

    aid = get("id")
    if not aid:
        raise RegistryError(f"{where}: account has no id")
    name = get("name")
    if not name:
        raise RegistryError(f"{where}: account {aid} has no name (账号名称)")
    plat_raw = get("platform")
    platform = PLATFORM_ALIASES.get(plat_raw.lower(), PLATFORM_ALIASES.get(plat_raw))
    if platform is None:
        raise RegistryError(
            f"{where}: account {aid} has unknown platform {plat_raw!r} "
            f"(want one of {', '.join(PLATFORMS)})")
    url = get("url")
    if url and not _valid_url(url):
        raise RegistryError(f"{where}: account {aid} has an invalid url {url!r}")
    settings = row.get("settings") or {}
    if not isinstance(settings, dict):
        raise RegistryError(f"{where}: account {aid}: settings must be a mapping")
    settings = dict(settings)
    if plat_raw and plat_raw != platform and "label" not in settings:
        settings["label"] = plat_raw  # keep 微信服务号 etc. as the export spells it
    return Account(id=aid, name=name, platform=platform, url=url, org=get("org"),
                   region=get("region"), settings=dict(settings))


def _check_dup(seen: dict[str, str], key: str, where: str, what: str) -> None:
    if key in seen:
        raise RegistryError(f"{where}: duplicate {what} {key} (first at {seen[key]})")
    seen[key] = where


def _map_columns(header: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    idx: dict[str, int] = {}
    norm = [str(h or "").strip().lstrip("\ufeff") for h in header]
    for field_name, names in columns.items():
        for i, h in enumerate(norm):
            if h in names or h.lower() in names:
                idx[field_name] = i
                break
    return idx


def _rows_from_table(path: Path) -> list[list[Any]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many types on bad files
            raise RegistryError(f"{path}: cannot read spreadsheet: {e}") from None
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RegistryError(f"{path}: not UTF-8 or GB18030 text")
    return [r for r in csv.reader(text.splitlines())]


def _load_table(path: Path) -> Registry:
    rows = _rows_from_table(path)
    rows = [r for r in rows if any(str(c or "").strip() for c in r)]
    if not rows:
        raise RegistryError(f"{path}: empty registry")
    header = [str(c or "") for c in rows[0]]
    site_idx = _map_columns(header, SITE_COLUMNS)
    acct_idx = _map_columns(header, ACCOUNT_COLUMNS)
    sites: list[Site] = []
    accounts: list[Account] = []
    seen: dict[str, str] = {}
    if "url" in site_idx and ("网站标识码" in header or "id" in site_idx) and "platform" not in acct_idx:
        for n, r in enumerate(rows[1:], start=2):
            row = {f: (r[i] if i < len(r) else None) for f, i in site_idx.items()}
            site = _site_from_row(row, f"{path}:{n}")
            _check_dup(seen, site.id, f"{path}:{n}", "网站标识码")
            sites.append(site)
    elif "platform" in acct_idx:
        for n, r in enumerate(rows[1:], start=2):
            row = {f: (r[i] if i < len(r) else None) for f, i in acct_idx.items()}
            if not row.get("id"):
                row["id"] = f"{row.get('platform') or 'acct'}-{n - 1}"
            acct = _account_from_row(row, f"{path}:{n}")
            _check_dup(seen, acct.id, f"{path}:{n}", "account id")
            accounts.append(acct)
    else:
        raise RegistryError(
            f"{path}:1: header has neither site columns (网站名称, 网站标识码, 首页网址) "
            f"nor account columns (账号名称, 平台)")
    return Registry(sites=sites, accounts=accounts, path=str(path))


def _load_yaml(path: Path) -> Registry:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RegistryError(f"{path}: not UTF-8 text") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise RegistryError(f"{path}{line}: YAML syntax error: {problem}") from None
    if not isinstance(data, dict):
        raise RegistryError(f"{path}: expected a mapping with 'sites:' and/or 'accounts:'")
    unknown = set(data) - {"sites", "accounts", "defaults"}
    if unknown:
        raise RegistryError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}")
    sites_raw = data.get("sites") or []
    accts_raw = data.get("accounts") or []
    if not isinstance(sites_raw, list) or not isinstance(accts_raw, list):
        raise RegistryError(f"{path}: 'sites' and 'accounts' must be lists")
    sites = []
    seen: dict[str, str] = {}
    seen_a: dict[str, str] = {}
    for n, row in enumerate(sites_raw, start=1):
        if not isinstance(row, dict):
            raise RegistryError(f"{path}: sites[{n}]: expected a mapping")
        site = _site_from_row(row, f"{path}: sites[{n}]")
        _check_dup(seen, site.id, f"{path}: sites[{n}]", "网站标识码")
        sites.append(site)
    accounts = []
    for n, row in enumerate(accts_raw, start=1):
        if not isinstance(row, dict):
            raise RegistryError(f"{path}: accounts[{n}]: expected a mapping")
        acct = _account_from_row(row, f"{path}: accounts[{n}]")
        _check_dup(seen_a, acct.id, f"{path}: accounts[{n}]", "account id")
        accounts.append(acct)
    return Registry(sites=sites, accounts=accounts, path=str(path))


def load_registry(path: str | Path) -> Registry:
    """Load and validate a registry.  Raises RegistryError (one line) on any problem."""
    p = Path(path)
    if not p.exists():
        raise RegistryError(f"{p}: registry file not found")
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml"):
        reg = _load_yaml(p)
    elif suffix in (".csv", ".xlsx", ".xlsm", ".txt"):
        reg = _load_table(p)
    else:
        raise RegistryError(f"{p}: unknown registry format (want .yaml, .csv or .xlsx)")
    if not reg.sites and not reg.accounts:
        raise RegistryError(f"{p}: no sites and no accounts")
    return reg


class ScopeMap:
    """Assigns a URL to the registered site whose scope prefix matches it longest.

    A department site under a portal's path (www.x.gov.cn/bmwz/mzj/) owns its
    prefix: the portal's crawl does not swallow it and it does not swallow the
    portal.
    """

    def __init__(self, sites: Iterable[Site]):
        pairs = []
        for s in sites:
            for prefix in s.scope:
                pairs.append((self._norm(prefix), s.id))
        # longest prefix first
        self._pairs = sorted(pairs, key=lambda p: len(p[0]), reverse=True)

    @staticmethod
    def _norm(url: str) -> str:
        p = urlsplit(url)
        host = (p.hostname or "").lower()
        port = p.port
        if port and not ((p.scheme == "http" and port == 80) or (p.scheme == "https" and port == 443)):
            host = f"{host}:{port}"
        path = p.path or "/"
        rest = path + (("?" + p.query) if p.query else "")
        return f"{host}{rest}"

    def owner(self, url: str) -> str | None:
        try:
            key = self._norm(url)
        except ValueError:
            return None
        for prefix, sid in self._pairs:
            if key.startswith(prefix):
                return sid
        return None
