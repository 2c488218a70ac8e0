"""Site-level checks over the store: availability, columns, homepage, links, interaction.

They read one site's rows of one inspection (pages, entries, links, link_status,
probes, notices) so the same checks serve a single-process sweep and a distributed
one where no process saw every page.  `run_site_checks` returns the findings and the
column rows; the pipeline (govcrawl.pipelines.sitechecks) attaches the former to the
`SiteDone` item and writes the latter into the `columns` table.

Time rules are measured back from `as_of`:
- "no item in the last N days" (news 14, notices 183, homepage 14, other columns):
  stale when the newest dated item is N days old or older (13 days: fresh; 14: stale);
- "more than N" (unanswered > 90 days, statistics > 61 days, reply > 5 working days):
  fires when strictly more.
Dates after `as_of` never make a column fresh (content.fake_date reports them).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable
from urllib.parse import urlsplit

from govcrawl import db
from govcrawl.checks.rules import ColumnRules, load_column_rules
from govcrawl.checks.workdays import covered, workdays_between
from govcrawl.extract.dates import as_date, iter_dates
from govcrawl.items import DEDUCT, NOTICE, VETO, Finding

# -- settings (names and national defaults) --------------------------------------------
DEFAULTS: dict[str, Any] = {
    "GOVCRAWL_NEWS_STALE_DAYS": 14,
    "GOVCRAWL_NOTICE_STALE_DAYS": 183,
    "GOVCRAWL_NOTICE_MAX_LEVEL": 2,  # 通知公告/政策文件 at this breadcrumb depth or above count as first-level
    "GOVCRAWL_OTHER_STALE_DAYS": 365,
    "GOVCRAWL_HOMEPAGE_STALE_DAYS": 14,
    "GOVCRAWL_INTERACTION_UNANSWERED_DAYS": 90,
    "GOVCRAWL_INTERACTION_WINDOW_DAYS": 365,  # letters of the last year are judged
    "GOVCRAWL_INTERACTION_REPLY_WORKDAYS": 5,
    "GOVCRAWL_INTERACTION_STATS_STALE_DAYS": 61,
    "GOVCRAWL_UNREACHABLE_SHARE": 0.05,
    "GOVCRAWL_PROBE_WINDOW_DAYS": 7,
    "GOVCRAWL_PROBE_MIN_COUNT": 20,  # fewer probes in the window: no probe-based verdict
    "GOVCRAWL_FAKE_DATE_GRACE_DAYS": 1,
    "GOVCRAWL_BROKEN_PAGES_LISTED": 20,
    "GOVCRAWL_COLUMN_TYPES": "",  # path of the column type table (default lexicons/column_types.yaml)
}

# rules whose findings this module owns (re-running a site replaces them)
SITE_RULES = ("site.unreachable", "site.homepage_not_updated", "column.stale_news",
              "column.stale_notice", "column.stale_other", "column.blank", "link.broken",
              "interaction.no_channel", "interaction.unanswered", "interaction.slow_reply",
              "interaction.stale_stats")

PLACEHOLDER = re.compile(r"暂无(?:相关)?(?:信息|数据|内容|记录|文章|公开信息)|没有(?:相关)?(?:信息|记录|数据)|"
                         r"栏目(?:正在)?建设中|正在建设中|内容更新中|敬请期待|无相关信息")
CHANNEL_TEXT = re.compile(r"信箱|我要写信|留言|咨询|网上信访|投诉|12345|政民互动|互动交流|问政|建言")
_CRUMB_SKIP = {"首页", "网站首页", "主页", "正文", "详情", "内容", "正文内容", "详细信息", "当前位置"}
# errors that mean "not fetched on purpose", not "does not open"
_NOT_BROKEN_ERRORS = re.compile(r"scope|offsite|filtered|ignored|trap|cap\b|capped|maxsize|too large|"
                                r"redirect[_ ]out|robots|duplicate|skipped|not checked|cancel", re.I)
_SUBMIT_LABEL = re.compile(r"(?:来信|留言|提交|咨询|投诉|提问|写信|信件)(?:时间|日期)\s*[:：]?")
_REPLY_LABEL = re.compile(r"(?:回复|答复|办理|处理|回信|反馈)(?:时间|日期)\s*[:：]?")
_UNANSWERED = re.compile(r"未回复|待回复|未答复|待答复|办理中|处理中|未办结|待处理|受理中")
_ANSWERED = re.compile(r"已回复|已答复|已办结|已处理|已反馈")


def cfg(settings: Any, name: str) -> Any:
    """A setting from Scrapy Settings or a mapping, else this module's default, coerced
    to the default's type."""
    default = DEFAULTS[name]
    value = None
    if settings is not None:
        try:
            value = settings.get(name)
        except AttributeError:
            value = None
    if value is None or value == "" and default != "":
        return default
    if isinstance(default, bool):
        return str(value).lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


def column_table_path(settings: Any = None) -> str | None:
    """GOVCRAWL_COLUMN_TYPES, else column_types.yaml in GOVCRAWL_LEXICONS, else the default."""
    path = cfg(settings, "GOVCRAWL_COLUMN_TYPES")
    if path:
        return str(path)
    lex = settings.get("GOVCRAWL_LEXICONS") if settings is not None and hasattr(settings, "get") else None
    return str(lex) if lex else None  # a directory: the loader appends column_types.yaml


# -- data --------------------------------------------------------------------------------

@dataclass
class PageRow:
    url: str
    status: int | None
    error: str | None
    page_type: str
    title: str
    column: str | None
    column_url: str | None
    breadcrumb: list[str]
    meta: dict[str, str]
    pub_date: date | None
    depth: int | None
    referer: str | None

    @property
    def ok(self) -> bool:
        return not self.error and (self.status is None or self.status < 400)


@dataclass
class Entry:
    page_url: str
    title: str
    url: str | None
    date: date | None
    extra: dict[str, Any]


@dataclass
class Column:
    key: str  # the column's canonical list URL (grouping key)
    name: str
    url: str = ""  # its first list page as the site links it (reported in findings)
    ctype: str = "unknown"
    stale_days: int | None = None
    level: int | None = None
    tag: str = ""
    pages: list[str] = field(default_factory=list)
    items: list[Entry] = field(default_factory=list)
    article_dates: list[tuple[date, str]] = field(default_factory=list)
    newest: date | None = None
    newest_item: dict[str, Any] | None = None
    undated: int = 0
    future: int = 0
    blank: bool = False
    navigation: bool = False  # lists only sub-columns
    unread: bool = False  # no item read and no 暂无信息: not judged
    placeholder: str | None = None

    def item_count(self) -> int:
        """Distinct items: list rows plus detail pages no list row pointed at."""
        listed = {e.url for e in self.items if e.url}
        return len(self.items) + sum(1 for _d, u in self.article_dates if u not in listed)

    def row(self) -> dict[str, Any]:
        return {"url": self.url or self.key, "name": self.name, "ctype": self.ctype, "level": self.level,
                "newest_date": self.newest.isoformat() if self.newest else None,
                "item_count": self.item_count(),
                "undated_count": self.undated, "blank": int(self.blank),
                "data": {"pages": len(self.pages), "tag": self.tag, "navigation": self.navigation,
                         "unread": self.unread,
                         "newest_item": self.newest_item, "future_dated": self.future,
                         "placeholder": self.placeholder, "stale_days": self.stale_days}}


@dataclass
class SiteResult:
    findings: list[Finding] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


def _j(s: str | None, default: Any) -> Any:
    if not s:
        return default
    try:
        return json.loads(s)
    except ValueError:
        return default


def _canon(url: str | None) -> str:
    if not url:
        return ""
    u = url.split("#", 1)[0]
    p = urlsplit(u)
    path = re.sub(r"/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$", "/", p.path or "/")
    return f"{p.scheme}://{p.netloc.lower()}{path}" + (f"?{p.query}" if p.query else "")


class SiteData:
    """One site's rows of one inspection, read once."""

    def __init__(self, conn: Any, inspection_id: int, site_id: str):
        self.conn = conn
        self.iid = inspection_id
        self.site_id = site_id
        if db.dialect(conn) == "sqlite":
            conn.row_factory = sqlite3.Row
        self.site = conn.execute("SELECT * FROM sites WHERE inspection_id=? AND site_id=?",
                                 (inspection_id, site_id)).fetchone()
        self.pages: dict[str, PageRow] = {}
        # incremental re-checks store an unchanged page (HTTP 304) without its content: its
        # facts are those of the inspection that last fetched it (page, entries, text)
        self.source: dict[str, int] = {}
        # articles are the bulk of a big site and need neither tags nor breadcrumb here
        cols = ("url, final_url, status, error, page_type, title, column_name, column_url,"
                " CASE WHEN page_type='article' THEN NULL ELSE breadcrumb_json END AS breadcrumb_json,"
                " CASE WHEN page_type='article' THEN NULL ELSE meta_json END AS meta_json,"
                " pub_date, depth, referer")
        has_unchanged = True
        try:
            rows = conn.execute(f"SELECT {cols}, unchanged, extra_json FROM pages"
                                " WHERE inspection_id=? AND site_id=?", (inspection_id, site_id)).fetchall()
        except db.OperationalError:  # an older store without extra_json
            has_unchanged = False
            rows = conn.execute(f"SELECT {cols} FROM pages WHERE inspection_id=? AND site_id=?",
                                (inspection_id, site_id)).fetchall()
        for r in rows:
            src = r
            if has_unchanged and r["unchanged"]:
                prev = self._previous(r["url"], _j(r["extra_json"], {}).get("previous_inspection"))
                if prev is not None:
                    src = prev
                    self.source[r["url"]] = prev["inspection_id"]
            self.pages[r["url"]] = PageRow(
                url=r["url"], status=r["status"], error=r["error"],
                page_type=src["page_type"] or "other", title=src["title"] or "",
                column=src["column_name"], column_url=src["column_url"],
                breadcrumb=[c for c in _j(src["breadcrumb_json"], []) if isinstance(c, str)],
                meta=_j(src["meta_json"], {}) or {}, pub_date=as_date(src["pub_date"]),
                depth=r["depth"], referer=r["referer"])
        self.by_canon = {_canon(u): p for u, p in self.pages.items()}
        self.entries: dict[str, list[Entry]] = {}
        for r in conn.execute(
                "SELECT page_url, pos, title, url, date, extra_json FROM entries"
                " WHERE inspection_id=? AND site_id=? ORDER BY page_url, pos",
                (inspection_id, site_id)):
            self.entries.setdefault(r["page_url"], []).append(self._entry(r))
        for url, iid in self.source.items():
            if url in self.entries:
                continue
            for r in conn.execute("SELECT page_url, pos, title, url, date, extra_json FROM entries"
                                  " WHERE inspection_id=? AND page_url=? ORDER BY pos", (iid, url)):
                self.entries.setdefault(url, []).append(self._entry(r))

    @staticmethod
    def _entry(r: Any) -> Entry:
        return Entry(page_url=r["page_url"], title=r["title"] or "", url=r["url"],
                     date=as_date(r["date"]), extra=_j(r["extra_json"], {}) or {})

    def _previous(self, url: str, iid: Any) -> Any:
        """The last stored full fetch of an unchanged page (following a chain of 304s)."""
        for _ in range(10):
            if iid is None:
                row = self.conn.execute(
                    "SELECT * FROM pages WHERE url=? AND inspection_id<? AND unchanged=0"
                    " ORDER BY inspection_id DESC LIMIT 1", (url, self.iid)).fetchone()
                return row
            row = self.conn.execute("SELECT * FROM pages WHERE inspection_id=? AND url=?",
                                    (int(iid), url)).fetchone()
            if row is None or not row["unchanged"]:
                return row
            iid = _j(row["extra_json"], {}).get("previous_inspection")
        return None

    def page(self, url: str | None) -> PageRow | None:
        if not url:
            return None
        return self.pages.get(url) or self.by_canon.get(_canon(url))

    def extra(self, url: str) -> dict[str, Any]:
        """The page's extra facts (e.g. a letter's submitted/replied dates from the extractor)."""
        try:
            r = self.conn.execute("SELECT extra_json FROM pages WHERE inspection_id=? AND url=?",
                                  (self.source.get(url, self.iid), url)).fetchone()
        except db.OperationalError:  # a store from before the column existed
            return {}
        return (_j(r["extra_json"], {}) or {}) if r else {}

    def text(self, url: str) -> str:
        r = self.conn.execute("SELECT text FROM pages WHERE inspection_id=? AND url=?",
                              (self.source.get(url, self.iid), url)).fetchone()
        return (r["text"] if r else "") or ""

    def homepage(self) -> PageRow | None:
        home = [p for p in self.pages.values() if p.page_type == "homepage"]
        if self.site is not None and self.site["url"]:
            p = self.page(self.site["url"])
            if p is not None:
                return p
        return min(home, key=lambda p: (p.depth or 0, len(p.url))) if home else None


# -- availability ------------------------------------------------------------------------

def check_reachable(data: SiteData, as_of: date, settings: Any = None) -> list[Finding]:
    """site.unreachable from the sweep itself: the homepage could not be fetched at all."""
    site_url = data.site["url"] if data.site is not None else ""
    home = data.homepage()
    if home is not None and home.ok:
        return []
    notices = [dict(r) for r in data.conn.execute(
        "SELECT kind, url, message, data_json FROM notices WHERE inspection_id=? AND site_id=?"
        " AND kind IN ('unreachable', 'error')", (data.iid, data.site_id))]
    ev: dict[str, Any] = {"source": "sweep", "as_of": as_of.isoformat(), "pages_fetched": len(data.pages)}
    if home is not None:
        ev.update(status=home.status, error=home.error)
    elif data.site is not None and data.site["reachable"] == 1 and data.pages:
        return []  # reached through a redirect we keyed differently: not unreachable
    if notices:
        ev["notices"] = [{"kind": n["kind"], "message": n["message"], "url": n["url"]} for n in notices[:5]]
    if home is None and not notices and not data.pages and data.site is None:
        return []  # the site is not part of this inspection
    return [Finding(rule="site.unreachable", severity=VETO, site_id=data.site_id,
                    url=site_url or (home.url if home else ""), where="site", evidence=ev)]


def _parse_at(s: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def check_probes(conn: Any, site_id: str, site_url: str, as_of: date,
                 settings: Any = None) -> list[Finding]:
    """site.unreachable from the probes table: the failure share over the 7 days that end
    with `as_of` (Asia/Shanghai days) is at least GOVCRAWL_UNREACHABLE_SHARE."""
    days = cfg(settings, "GOVCRAWL_PROBE_WINDOW_DAYS")
    cst = timezone(timedelta(hours=8))
    end = datetime.combine(as_of + timedelta(days=1), time(0), cst)
    start = end - timedelta(days=days)
    total = failed = 0
    fails: list[dict[str, Any]] = []
    for r in conn.execute("SELECT at, url, ok, status, error, elapsed FROM probes WHERE site_id=?",
                          (site_id,)):
        at = _parse_at(r[0])
        if at is None or not (start <= at < end):
            continue
        total += 1
        if not r[2]:
            failed += 1
            if len(fails) < 10:
                fails.append({"at": r[0], "status": r[3], "error": r[4], "elapsed": r[5]})
    if total < cfg(settings, "GOVCRAWL_PROBE_MIN_COUNT") or not failed:
        return []
    share = failed / total
    if share < cfg(settings, "GOVCRAWL_UNREACHABLE_SHARE"):
        return []
    return [Finding(rule="site.unreachable", severity=VETO, site_id=site_id, url=site_url,
                    where="site", target="probes",
                    evidence={"source": "probes", "failed": failed, "probes": total,
                              "share": round(share, 4), "window_start": start.isoformat(),
                              "window_end": end.isoformat(), "failures": fails})]


# -- columns -----------------------------------------------------------------------------

def _level(crumbs: list[str]) -> int | None:
    c = [x for x in crumbs if x and x.strip() not in _CRUMB_SKIP]
    return len(c) or None


def _is_list_page(data: SiteData, p: PageRow) -> bool:
    """A column's list page (or one page of it), as opposed to an item's detail page."""
    has_entries = bool(data.entries.get(p.url))
    if p.page_type == "list":
        return True
    if p.page_type == "interaction" and has_entries:
        return True
    if p.page_type in ("other", "interaction") and not has_entries and p.pub_date is None \
            and (p.column or p.breadcrumb):
        # an empty list: only a page that says so (暂无信息) is taken for a blank column page
        return bool(PLACEHOLDER.search(data.text(p.url)[:2000]))
    return False


def discover_columns(data: SiteData, as_of: date, rules: ColumnRules,
                     settings: Any = None) -> list[Column]:
    """Columns = the list pages of the site grouped by their canonical list URL (pagination
    pages and script data sources share it), named as the site names them."""
    grace = cfg(settings, "GOVCRAWL_FAKE_DATE_GRACE_DAYS")
    limit = as_of + timedelta(days=grace)
    home = data.homepage()
    home_url = home.url if home else None
    groups: dict[str, list[PageRow]] = {}
    for p in data.pages.values():
        if p.url == home_url or not p.ok:
            continue
        if _is_list_page(data, p):
            key = _canon(p.column_url or p.url)
            groups.setdefault(key, []).append(p)
    list_keys = set(groups)
    list_urls = {p.url for ps in groups.values() for p in ps}
    # which column lists each item (detail pages of interaction columns carry their own URL
    # as column_url, so the lists that link to them are the better witness)
    listed_in: dict[str, str] = {}
    for key, ps in groups.items():
        for p in ps:
            for e in data.entries.get(p.url, []):
                if e.url:
                    listed_in.setdefault(_canon(e.url), key)
    # articles per column (their dates count too)
    art_dates: dict[str, list[tuple[date, str]]] = {}
    for p in data.pages.values():
        if p.url in list_urls or p.page_type not in ("article", "interaction") or not p.pub_date:
            continue
        key = _canon(p.column_url) if p.column_url else ""
        if not key or key == _canon(p.url) or key not in list_keys:
            key = listed_in.get(_canon(p.url), "")
        if key:
            art_dates.setdefault(key, []).append((p.pub_date, p.url))

    cols: list[Column] = []
    for key, pages in groups.items():
        pages.sort(key=lambda p: (_canon(p.url) != key, p.depth or 0, len(p.url)))
        first = pages[0]
        names = [p.column for p in pages if p.column] + [p.meta.get("ColumnName", "") for p in pages]
        names = [n.strip() for n in names if n and n.strip()]
        crumbs = [c for c in first.breadcrumb if c.strip() not in _CRUMB_SKIP]
        name = (max(set(names), key=names.count) if names else
                (crumbs[-1] if crumbs else first.title.strip() or key))
        tag = next((p.meta.get("ColumnType", "") for p in pages if p.meta.get("ColumnType")), "")
        raw = [p.column_url for p in pages if p.column_url and _canon(p.column_url) == key]
        shown = max(set(raw), key=raw.count) if raw else first.url
        col = Column(key=key, name=name, tag=tag, pages=[p.url for p in pages],
                     level=_level(first.breadcrumb), url=shown)
        col.ctype, col.stale_days = rules.classify(name, tag)
        seen: set[tuple[str, str]] = set()
        sub = 0
        for p in pages:
            for e in data.entries.get(p.url, []):
                k = (e.url or "", e.title)
                if k in seen:
                    continue
                seen.add(k)
                target = data.page(e.url)
                if e.url and (_canon(e.url) in list_keys and _canon(e.url) != key) or \
                        (target is not None and target.page_type == "list" and not e.date):
                    sub += 1  # a link to a sub-column, not an item
                    continue
                col.items.append(e)
        col.navigation = sub > 0 and not col.items
        col.article_dates = art_dates.get(key, [])
        dated: list[tuple[date, dict[str, Any]]] = []
        for e in col.items:
            if e.date is None:
                col.undated += 1
            elif e.date > limit:
                col.future += 1
            else:
                dated.append((e.date, {"title": e.title, "url": e.url, "date": e.date.isoformat()}))
        item_urls = {e.url for e in col.items}
        for d, u in col.article_dates:
            if d <= limit and u not in item_urls:
                dated.append((d, {"title": data.pages[u].title if u in data.pages else "", "url": u,
                                  "date": d.isoformat()}))
        if dated:
            col.newest, col.newest_item = max(dated, key=lambda t: t[0])
        if not col.items and not col.article_dates and not col.navigation:
            texts = " ".join(data.text(p.url)[:3000] for p in pages[:3])
            m = PLACEHOLDER.search(texts)
            if m:
                col.placeholder = m.group(0)
                col.blank = True
            else:
                # An empty list that does not say it is empty: most likely a list the
                # sweep could not read (script-built, endpoint not found).  Judging it
                # would accuse the site of the crawler's blind spot, so it is left out.
                col.unread = True
        cols.append(col)
    cols.sort(key=lambda c: c.key)
    return cols


def column_findings(site_id: str, cols: list[Column], as_of: date, settings: Any = None) -> list[Finding]:
    """column.stale_news / stale_notice / stale_other / blank and interaction.stale_stats;
    each column counted once (blank wins over stale; same name and newest date once)."""
    out: list[Finding] = []
    counted: set[tuple[str, str, str | None]] = set()
    news = cfg(settings, "GOVCRAWL_NEWS_STALE_DAYS")
    notice = cfg(settings, "GOVCRAWL_NOTICE_STALE_DAYS")
    other = cfg(settings, "GOVCRAWL_OTHER_STALE_DAYS")
    stats = cfg(settings, "GOVCRAWL_INTERACTION_STATS_STALE_DAYS")
    max_level = cfg(settings, "GOVCRAWL_NOTICE_MAX_LEVEL")
    for c in cols:
        if c.navigation or c.unread:
            continue
        ident = (c.name, c.ctype, c.newest.isoformat() if c.newest else None)
        if ident in counted:
            continue
        base_ev = {"ctype": c.ctype, "newest_date": c.newest.isoformat() if c.newest else None,
                   "newest_item": c.newest_item, "items": c.item_count(),
                   "undated": c.undated, "as_of": as_of.isoformat(), "level": c.level,
                   "pages": len(c.pages)}
        if c.blank:
            counted.add(ident)
            out.append(Finding(rule="column.blank", severity=DEDUCT, site_id=site_id, url=c.url or c.key,
                               column=c.name, where="column", text=c.placeholder,
                               evidence={**base_ev, "placeholder": c.placeholder}))
            continue
        age = (as_of - c.newest).days if c.newest else None
        rule = None
        threshold = None
        strict = False
        if c.ctype == "news":
            rule, threshold = "column.stale_news", news
        elif c.ctype == "notice":
            if c.level is None or c.level <= max_level:
                rule, threshold = "column.stale_notice", notice
            else:
                rule, threshold = "column.stale_other", c.stale_days or other
        elif c.ctype == "other":
            rule, threshold = "column.stale_other", c.stale_days or other
        elif c.ctype == "stats":
            rule, threshold, strict = "interaction.stale_stats", stats, True
        if rule is None:
            continue
        stale = age is None or (age > threshold if strict else age >= threshold)
        if not stale:
            continue
        counted.add(ident)
        ev = {**base_ev, "age_days": age, "threshold_days": threshold}
        if age is None:
            ev["reason"] = "no dated item (items without a visible date count as not updated)"
        out.append(Finding(rule=rule, severity=DEDUCT, site_id=site_id, url=c.url or c.key, column=c.name,
                           where="column", evidence=ev))
    n = sum(1 for f in out if f.rule in ("column.stale_news", "column.stale_notice"))
    for f in out:
        if f.rule in ("column.stale_news", "column.stale_notice"):
            f.evidence["site_stale_columns"] = n
    return out


# -- homepage ----------------------------------------------------------------------------

def check_homepage(data: SiteData, as_of: date, settings: Any = None) -> list[Finding]:
    """site.homepage_not_updated: the newest dated homepage item is 14 days old or older
    (navigation-only homepage: the newest item of the second-level pages)."""
    home = data.homepage()
    if home is None or not home.ok:
        return []
    days = cfg(settings, "GOVCRAWL_HOMEPAGE_STALE_DAYS")
    limit = as_of + timedelta(days=cfg(settings, "GOVCRAWL_FAKE_DATE_GRACE_DAYS"))
    dated = [(e.date, e) for e in data.entries.get(home.url, []) if e.date and e.date <= limit]
    basis = "homepage"
    newest_from = home.url
    if not dated:
        basis = "second-level pages"
        second = [p for p in data.pages.values() if p.ok and p.url != home.url and
                  (p.depth == 1 or (p.referer and _canon(p.referer) == _canon(home.url)))]
        for p in second:
            dated += [(e.date, e) for e in data.entries.get(p.url, []) if e.date and e.date <= limit]
            if p.pub_date and p.pub_date <= limit:
                dated.append((p.pub_date, Entry(p.url, p.title, p.url, p.pub_date, {})))
    newest = max(dated, key=lambda t: t[0]) if dated else None
    age = (as_of - newest[0]).days if newest else None
    if age is not None and age < days:
        return []
    ev: dict[str, Any] = {"basis": basis, "as_of": as_of.isoformat(), "threshold_days": days,
                          "newest_date": newest[0].isoformat() if newest else None, "age_days": age,
                          "dated_items": len(dated)}
    if newest:
        ev["newest_item"] = {"title": newest[1].title, "url": newest[1].url}
        newest_from = newest[1].page_url
    else:
        ev["reason"] = "no dated item on the homepage" + (" or second-level pages" if basis != "homepage" else "")
    ev["seen_on"] = newest_from
    return [Finding(rule="site.homepage_not_updated", severity=VETO, site_id=data.site_id,
                    url=home.url, where="site", evidence=ev)]


# -- links -------------------------------------------------------------------------------

def _broken(status: int | None, error: str | None) -> bool:
    if status is not None and status >= 400:
        return True
    if error and not _NOT_BROKEN_ERRORS.search(error) and (status is None or status == 0):
        return True
    return False


def check_links(data: SiteData, settings: Any = None) -> list[Finding]:
    """link.broken, one finding per broken target with the pages it appears on."""
    home = data.homepage()
    home_url = home.url if home else None
    occurrences: dict[str, dict[str, Any]] = {}
    # Only failing targets come back from SQLite: a link's status is its link check
    # (outside links, images, attachments) or else the sweep's own fetch of the page.
    # (a subquery, so the WHERE can name st/err in PostgreSQL too)
    rows = data.conn.execute(
        "SELECT * FROM (SELECT l.page_url, l.target, l.anchor, l.kind, l.external,"
        " CASE WHEN s.target IS NOT NULL THEN s.status ELSE p.status END AS st,"
        " CASE WHEN s.target IS NOT NULL THEN s.error ELSE p.error END AS err,"
        " CASE WHEN s.target IS NOT NULL THEN 'link check' ELSE 'sweep' END AS via"
        " FROM links l"
        " LEFT JOIN link_status s ON s.inspection_id=l.inspection_id AND s.target=l.target"
        " LEFT JOIN pages p ON s.target IS NULL AND p.inspection_id=l.inspection_id AND p.url=l.target"
        " WHERE l.inspection_id=? AND l.site_id=? AND (l.hidden IS NULL OR l.hidden=0)"
        " AND (s.target IS NOT NULL OR p.url IS NOT NULL)) AS lk"
        " WHERE st >= 400 OR (err IS NOT NULL AND (st IS NULL OR st=0))",
        (data.iid, data.site_id))
    for r in rows:
        target = r["target"]
        if not target or not target.startswith(("http://", "https://")):
            continue
        st = (r["st"], r["err"], r["via"])
        if not _broken(st[0], st[1]):
            continue
        o = occurrences.setdefault(target, {"pages": [], "anchors": [], "kinds": set(),
                                            "external": bool(r["external"]), "status": st})
        if r["page_url"] not in o["pages"]:
            o["pages"].append(r["page_url"])
        if r["anchor"] and r["anchor"] not in o["anchors"] and len(o["anchors"]) < 5:
            o["anchors"].append(r["anchor"])
        o["kinds"].add(r["kind"] or "a")
    listed = cfg(settings, "GOVCRAWL_BROKEN_PAGES_LISTED")
    out = []
    for target, o in sorted(occurrences.items()):
        pages = sorted(o["pages"], key=lambda u: (u != home_url, u))
        on_home = home_url in pages
        st, err, via = o["status"]
        out.append(Finding(
            rule="link.broken", severity=DEDUCT, site_id=data.site_id, url=pages[0], target=target,
            where="link", text=o["anchors"][0] if o["anchors"] else None, count=len(pages),
            evidence={"status": st, "error": err, "checked_by": via, "homepage": on_home,
                      "pages": pages[:listed], "page_count": len(pages),
                      "kind": sorted(o["kinds"]), "external": o["external"],
                      "anchors": o["anchors"]}))
    return out


# -- interaction -------------------------------------------------------------------------

@dataclass
class Letter:
    title: str
    url: str | None
    list_url: str
    submitted: date | None
    replied: date | None
    status: str | None


def _labelled_date(text: str, label: re.Pattern[str], ref: date) -> date | None:
    m = label.search(text)
    if not m:
        return None
    for d, s, _e, _t in iter_dates(text[m.end(): m.end() + 40], ref, short=True):
        if s <= 3:
            return d
        break
    return None


def read_letters(data: SiteData, cols: list[Column], as_of: date) -> tuple[list[Letter], list[Column]]:
    """Letters of the consultation columns, from list rows and their detail pages."""
    icols = [c for c in cols if c.ctype == "interaction"]
    letters: dict[str, Letter] = {}
    for c in icols:
        for e in c.items:
            sub = as_date(e.extra.get("submitted")) or e.date
            rep = as_date(e.extra.get("replied"))
            st = e.extra.get("status")
            detail = data.page(e.url)
            if detail is not None and detail.ok and (rep is None or sub is None):
                letter = data.extra(detail.url).get("letter") or {}
                sub = sub or as_date(letter.get("submitted"))
                rep = rep or as_date(letter.get("replied"))
                txt = data.text(detail.url)
                sub = sub or _labelled_date(txt, _SUBMIT_LABEL, as_of)
                rep = rep or _labelled_date(txt, _REPLY_LABEL, as_of)
                if not st:
                    m = _UNANSWERED.search(txt) or _ANSWERED.search(txt)
                    st = m.group(0) if m else None
            key = e.url or f"{c.key}#{e.title}"
            letters[key] = Letter(e.title, e.url, c.key, sub, rep, st)
    # detail pages reached by crawling but absent from any list we read
    keys = {c.key for c in icols}
    for p in data.pages.values():
        if p.url in letters or not p.ok or p.page_type not in ("interaction", "article"):
            continue
        if not p.column_url or _canon(p.column_url) not in keys or _canon(p.url) in keys:
            continue
        txt = data.text(p.url)
        letter = data.extra(p.url).get("letter") or {}
        sub = as_date(letter.get("submitted")) or _labelled_date(txt, _SUBMIT_LABEL, as_of)
        if sub is None:
            continue
        rep = as_date(letter.get("replied")) or _labelled_date(txt, _REPLY_LABEL, as_of)
        m = _UNANSWERED.search(txt) or _ANSWERED.search(txt)
        letters[p.url] = Letter(p.title, p.url, _canon(p.column_url), sub, rep,
                                m.group(0) if m else None)
    return list(letters.values()), icols


def check_interaction(data: SiteData, cols: list[Column], as_of: date,
                      settings: Any = None) -> list[Finding]:
    """interaction.no_channel / unanswered / slow_reply (stale_stats is a column rule)."""
    letters, icols = read_letters(data, cols, as_of)
    out: list[Finding] = []
    # -- channel
    channel_pages = [c.key for c in icols]
    if not channel_pages:
        channel_pages = [p.url for p in data.pages.values()
                         if p.ok and p.page_type == "interaction"]
    link_channels: list[str] = []
    broken_channels: list[dict[str, Any]] = []
    if not channel_pages:
        for r in data.conn.execute("SELECT DISTINCT l.target, l.anchor, s.status, s.error FROM links l"
                                   " LEFT JOIN link_status s ON s.inspection_id=l.inspection_id"
                                   " AND s.target=l.target WHERE l.inspection_id=? AND l.site_id=?"
                                   " AND l.kind='a' AND (l.hidden IS NULL OR l.hidden=0)",
                                   (data.iid, data.site_id)):
            if not r["anchor"] or not CHANNEL_TEXT.search(r["anchor"]) or len(r["anchor"]) > 20:
                continue
            st, err = r["status"], r["error"]
            if st is None and err is None:
                p = data.page(r["target"])
                if p is not None:
                    st, err = p.status, p.error
            if _broken(st, err):
                broken_channels.append({"target": r["target"], "anchor": r["anchor"],
                                        "status": st, "error": err})
            else:
                link_channels.append(r["target"])
    home = data.homepage()
    if not channel_pages and not link_channels:
        out.append(Finding(
            rule="interaction.no_channel", severity=VETO, site_id=data.site_id,
            url=home.url if home else (data.site["url"] if data.site is not None else ""),
            where="site",
            evidence={"reason": "broken consultation links" if broken_channels else
                      "no consultation column (领导信箱/咨询投诉/留言) or link found",
                      "broken": broken_channels[:10]}))
    # -- letters
    window = cfg(settings, "GOVCRAWL_INTERACTION_WINDOW_DAYS")
    unanswered_days = cfg(settings, "GOVCRAWL_INTERACTION_UNANSWERED_DAYS")
    max_wd = cfg(settings, "GOVCRAWL_INTERACTION_REPLY_WORKDAYS")
    by_col: dict[str, list[Letter]] = {}
    for lt in letters:
        by_col.setdefault(lt.list_url, []).append(lt)
    names = {c.key: c.name for c in icols}
    shown = {c.key: c.url or c.key for c in icols}
    for col_key, lts in by_col.items():
        # a column publishing no reply information at all cannot show a letter unanswered
        informative = any(lt.replied or lt.status for lt in lts)
        for lt in lts:
            if lt.submitted is None or lt.submitted > as_of:
                continue
            age = (as_of - lt.submitted).days
            if age > window:
                continue
            ev: dict[str, Any] = {"submitted": lt.submitted.isoformat(),
                                  "replied": lt.replied.isoformat() if lt.replied else None,
                                  "status": lt.status, "list": col_key, "as_of": as_of.isoformat()}
            url = lt.url or shown.get(col_key, col_key)
            if lt.replied is not None:
                if lt.replied < lt.submitted:
                    continue  # reply before the letter: bad data, not a late reply
                wd = workdays_between(lt.submitted, min(lt.replied, as_of))
                if wd > max_wd:
                    ev.update(workdays=wd, threshold_workdays=max_wd,
                              calendar=("chinesecalendar" if covered(lt.submitted) and covered(lt.replied)
                                        else "weekday fallback beyond chinesecalendar's years"))
                    out.append(Finding(rule="interaction.slow_reply", severity=DEDUCT,
                                       site_id=data.site_id, url=url, column=names.get(col_key),
                                       where="column", text=lt.title or None, evidence=ev))
                continue
            if lt.status and _ANSWERED.search(lt.status):
                continue
            explicit = bool(lt.status and _UNANSWERED.search(lt.status))
            if not (explicit or informative):
                continue
            if age > unanswered_days:
                ev.update(days_unanswered=age, threshold_days=unanswered_days)
                out.append(Finding(rule="interaction.unanswered", severity=VETO,
                                   site_id=data.site_id, url=url, column=names.get(col_key),
                                   where="column", text=lt.title or None, evidence=ev))
            elif workdays_between(lt.submitted, as_of) > max_wd:
                # still open and already past the reply deadline
                ev.update(workdays=workdays_between(lt.submitted, as_of), threshold_workdays=max_wd,
                          open=True)
                out.append(Finding(rule="interaction.slow_reply", severity=DEDUCT,
                                   site_id=data.site_id, url=url, column=names.get(col_key),
                                   where="column", text=lt.title or None, evidence=ev))
    return out


# -- everything --------------------------------------------------------------------------

def run_site_checks(conn: Any, inspection_id: int, site_id: str, as_of: date | str,
                    settings: Any = None, rules: ColumnRules | None = None,
                    probes: bool = True) -> SiteResult:
    """All site-level checks of one site; nothing is written."""
    as_of_d = as_date(as_of) if not isinstance(as_of, date) else as_of
    if as_of_d is None:
        raise ValueError(f"bad as_of {as_of!r}")
    if rules is None:
        rules = load_column_rules(column_table_path(settings))
    data = SiteData(conn, inspection_id, site_id)
    res = SiteResult()
    site_url = data.site["url"] if data.site is not None else ""
    if probes:
        res.findings += check_probes(conn, site_id, site_url, as_of_d, settings)
    unreachable = check_reachable(data, as_of_d, settings)
    res.stats = {"pages": len(data.pages), "entries": sum(len(v) for v in data.entries.values())}
    if unreachable:
        # keep one site.unreachable: the sweep's evidence joins the probes' when both fire
        if res.findings:
            res.findings[0].evidence["sweep"] = unreachable[0].evidence
        else:
            res.findings += unreachable
        return res
    res.columns = discover_columns(data, as_of_d, rules, settings)
    res.findings += column_findings(site_id, res.columns, as_of_d, settings)
    res.findings += check_homepage(data, as_of_d, settings)
    res.findings += check_links(data, settings)
    res.findings += check_interaction(data, res.columns, as_of_d, settings)
    res.stats["columns"] = len(res.columns)
    unread = [c.url or c.key for c in res.columns if c.unread]
    if unread:
        res.stats["unread_columns"] = unread[:50]
    return res


def write_columns(conn: Any, inspection_id: int, site_id: str,
                  columns: Iterable[Column]) -> None:
    rows = []
    for c in columns:
        r = c.row()
        rows.append((inspection_id, site_id, r["url"], r["name"], r["ctype"], r["level"],
                     r["newest_date"], r["item_count"], r["undated_count"], r["blank"],
                     json.dumps(r["data"], ensure_ascii=False, default=str)))
    conn.execute("DELETE FROM columns WHERE inspection_id=? AND site_id=?", (inspection_id, site_id))
    conn.executemany("INSERT OR REPLACE INTO columns (inspection_id, site_id, url, name, ctype, level,"
                     " newest_date, item_count, undated_count, blank, data_json)"
                     " VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
