"""The one interface every platform adapter implements, and helpers they share.

Adapters do no I/O: they say what to fetch (`Fetch`) and read what came back
(`Resp`) into an `Observation`.  The media spider does the fetching (politely, per
platform), the importer feeds exported files through the same model, and tests call
adapters directly on saved responses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

from govcrawl.media.model import (INTERACTION_BROKEN, INTERACTION_NONE, INTERACTION_OK,
                                  Observation, months_back)

CST = timezone(timedelta(hours=8))


@dataclass
class Fetch:
    """One request an adapter wants made for an account."""

    url: str
    kind: str  # profile | posts | comments | interaction | feed
    headers: dict[str, str] = field(default_factory=dict)
    render: bool = False  # needs the browser (scrapy-playwright)
    optional: bool = False  # failure leaves a notice but does not make the account unjudgeable
    data: dict[str, Any] = field(default_factory=dict)
    attempt: int = 0
    method: str = "GET"
    body: bytes | None = None  # a POST's body (Kuaishou's profile feed takes JSON)
    shared: bool = False  # the same answer for every account (a bridge's listing): once per run


@dataclass
class Resp:
    url: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    rendered: bool = False
    captured: list[bytes] = field(default_factory=list)  # what a rendered page asked for itself

    @property
    def text(self) -> str:
        for enc in ("utf-8", "gb18030"):
            try:
                return self.body.decode(enc)
            except UnicodeDecodeError:
                continue
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError as e:
            raise AdapterError("bad_response", f"malformed JSON from {self.url}: {e}") from None


# What a dead 留言 / 互动 page says although it answers 200.
DEAD_ENTRY_MARKERS = ("页面不存在", "功能已关闭", "暂停使用", "已停止服务", "暂未开通", "该功能已下线",
                      "404NotFound", "系统维护中")


class AdapterError(Exception):
    """The platform answered something we cannot read: recorded as a notice, never a crash.

    kind: platform_error | bad_response | rate_limited | source_error.  A rate_limited
    error names the answer in data["answer"] (418, 403, 432, 429, ok:-100, busy,
    result:2): the spider backs off per account and per answer kind.
    """

    def __init__(self, kind: str, message: str, **data: Any):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.data = data


class Adapter:
    """Base class: `start` names the first fetches, `handle` reads one response."""

    platform: ClassVar[str] = ""
    # Body markers platforms print for accounts that do not exist or were closed.
    NOT_FOUND_MARKERS: ClassVar[tuple[str, ...]] = (
        "用户不存在", "账号不存在", "帐号不存在", "找不到该用户", "页面不存在", "该用户不存在")
    CLOSED_MARKERS: ClassVar[tuple[str, ...]] = (
        "已注销", "账号已被封禁", "帐号已被封禁", "该账号已停用", "账号已冻结", "该账号因违反")

    def __init__(self, settings: dict[str, Any] | None = None):
        self.settings = settings or {}

    def start(self, account: dict[str, Any]) -> list[Fetch]:
        raise NotImplementedError

    def handle(self, account: dict[str, Any], fetch: Fetch, resp: Resp,
               obs: Observation) -> list[Fetch]:
        """Read `resp` into `obs`; return follow-up fetches.  Raise AdapterError when
        the response cannot be understood."""
        raise NotImplementedError

    # -- the spider's entry points: platform fetches plus the declared interaction entry --
    def begin(self, account: dict[str, Any]) -> list[Fetch]:
        fetches = self.start(account)
        entry = (account.get("settings") or {}).get("interaction_url")
        if entry:
            fetches.append(Fetch(str(entry), "interaction", headers={"Accept": "text/html,*/*"}))
        return fetches

    def dispatch(self, account: dict[str, Any], fetch: Fetch, resp: Resp,
                 obs: Observation) -> list[Fetch]:
        if fetch.kind == "interaction":
            self.read_interaction(fetch, resp, obs)
            return []
        return self.handle(account, fetch, resp, obs)

    def read_interaction(self, fetch: Fetch, resp: Resp, obs: Observation) -> None:
        """A menu link or 留言 page named in the registry: it must open and offer something."""
        if resp.status in (429, 418):
            raise AdapterError("rate_limited", f"HTTP {resp.status} (rate limited) at {resp.url}",
                               status=resp.status, answer=str(resp.status))
        text = resp.text if resp.status < 400 else ""
        visible = re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", re.sub(
            r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)))
        dead = next((m for m in DEAD_ENTRY_MARKERS if m in visible), None)
        ok = 200 <= resp.status < 400 and bool(visible) and dead is None
        obs.profile.data["interaction_entry"] = {
            "url": fetch.url, "status": resp.status, "ok": ok,
            "reason": None if ok else (dead or (f"HTTP {resp.status}" if resp.status >= 400
                                                 else "empty page"))}

    def failed(self, account: dict[str, Any], fetch: Fetch, error: str, obs: Observation) -> bool:
        """A fetch that failed at the network level; True when that failure is itself the answer."""
        if fetch.kind == "interaction":
            obs.profile.data["interaction_entry"] = {"url": fetch.url, "status": None, "ok": False,
                                                     "reason": error}
            return True
        return False

    def finish(self, account: dict[str, Any], obs: Observation) -> None:
        """Settle the interaction state: a tested entry wins, then what the platform showed,
        then what the registry declares (settings.interaction: ok | none, from a manual check)."""
        entry = obs.profile.data.get("interaction_entry")
        declared = (account.get("settings") or {}).get("interaction")
        if entry:
            obs.profile.interaction = INTERACTION_OK if entry["ok"] else INTERACTION_BROKEN
            obs.profile.interaction_evidence = {"entry": entry}
        elif obs.profile.interaction is None and declared in (INTERACTION_OK, INTERACTION_NONE):
            obs.profile.interaction = declared
            obs.profile.interaction_evidence = {"declared": "registry settings.interaction"}

    # -- shared helpers ---------------------------------------------------------
    def gone_marker(self, text: str) -> str | None:
        for m in self.CLOSED_MARKERS:
            if m in text:
                return "closed"
        for m in self.NOT_FOUND_MARKERS:
            if m in text:
                return "not_found"
        return None

    def max_pages(self) -> int:
        return int(self.settings.get("GOVCRAWL_MEDIA_MAX_PAGES") or 5)

    # -- how far a post list must reach ---------------------------------------------
    def as_of(self) -> date:
        v = self.settings.get("as_of")
        return date.fromisoformat(str(v)[:10]) if v else china_now().date()

    def window_start(self) -> datetime:
        """Start of the no-original window (as_of − N calendar months): a list read back
        past it is enough for media.no_original."""
        months = int(self.settings.get("GOVCRAWL_MEDIA_ORIGINAL_MONTHS") or 3)
        return datetime.combine(months_back(self.as_of(), months), datetime.min.time())

    def stale_start(self) -> datetime:
        """Posts at or after this moment keep the account fresh (media.not_updated)."""
        days = int(self.settings.get("GOVCRAWL_MEDIA_STALE_DAYS") or 14)
        return datetime.combine(self.as_of() - timedelta(days=days - 1), datetime.min.time())

    @staticmethod
    def oldest_read(obs: Observation) -> datetime | None:
        """The oldest dated post read, pinned posts aside (they sit on top whatever their age)."""
        dates = [w for p in obs.posts if not p.data.get("pinned") and (w := p.when()) is not None]
        return min(dates) if dates else None

    def reaches_window(self, obs: Observation) -> bool:
        oldest = self.oldest_read(obs)
        return oldest is not None and oldest <= self.window_start()


# Answers that mean "not now" rather than anything about the account: 418 (Weibo's
# frequency limit, dataabc/weibo-crawler#557), 403 (blocked without login,
# zgq354/weibo-rss src/modules/weibo/api/common.ts handles 418 and 403 alike), 432 (Weibo's
# risk control with an empty body, DIYgod/RSSHub#20512, dataabc/weibo-crawler#565) and 429.
LIMIT_STATUSES = (418, 403, 432, 429)


def check_status(resp: Resp) -> None:
    """Rate limits and server errors become AdapterErrors; 404/410 are left to the adapter."""
    if resp.status in LIMIT_STATUSES:
        raise AdapterError("rate_limited", f"HTTP {resp.status} (rate limited) at {resp.url}",
                           status=resp.status, answer=str(resp.status))
    if resp.status >= 500:
        raise AdapterError("platform_error", f"HTTP {resp.status} at {resp.url}", status=resp.status)
    if resp.status >= 400 and resp.status not in (404, 410):
        raise AdapterError("platform_error", f"HTTP {resp.status} at {resp.url}", status=resp.status)


def count(v: Any) -> int | None:
    """A platform count: 1234, "1234", "1.2万", "3亿"."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return int(v)
    s = str(v).strip().rstrip("+")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([万亿])?", s)
    if not m:
        return None
    n = float(m.group(1)) * {"万": 1e4, "亿": 1e8}.get(m.group(2) or "", 1)
    return int(n)


# -- time ---------------------------------------------------------------------------
_REL_MIN = re.compile(r"^(\d+)\s*分钟前$")
_REL_HOUR = re.compile(r"^(\d+)\s*小时前$")
_MD = re.compile(r"^(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$")
_CN = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2}):(\d{2}))?")


def china_now() -> datetime:
    """Relative platform times (3小时前, 昨天 10:00) count from the moment of fetching."""
    return datetime.now(CST).replace(tzinfo=None, microsecond=0)


def to_cst_naive(dt: datetime) -> datetime:
    if dt.tzinfo is not None:
        dt = dt.astimezone(CST).replace(tzinfo=None)
    return dt


def parse_time(value: Any, now: datetime | None = None) -> str | None:
    """Platform time → naive China-time ISO string, or None.

    Handles epoch seconds/milliseconds, ISO 8601, RFC 822 (RSS), Weibo's
    `Sat Jun 15 10:00:00 +0800 2024`, `2024年6月15日 10:00`, and the relative forms
    (`刚刚`, `5分钟前`, `3小时前`, `昨天 10:00`, `06-15`) measured from `now`.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        ts = float(value)
        if ts > 1e11:  # milliseconds
            ts /= 1000.0
        try:
            return datetime.fromtimestamp(ts, CST).replace(tzinfo=None).isoformat(timespec="seconds")
        except (OverflowError, OSError, ValueError):
            return None
    s = str(value).strip()
    if re.fullmatch(r"\d{10}|\d{13}", s):
        return parse_time(int(s), now)
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        return to_cst_naive(dt).isoformat(timespec="seconds")
    except ValueError:
        pass
    for fmt in ("%a %b %d %H:%M:%S %z %Y", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                "%Y/%m/%d", "%Y.%m.%d"):
        try:
            return to_cst_naive(datetime.strptime(s, fmt)).isoformat(timespec="seconds")
        except ValueError:
            continue
    try:
        return to_cst_naive(parsedate_to_datetime(s)).isoformat(timespec="seconds")
    except (TypeError, ValueError, IndexError):
        pass
    m = _CN.search(s)
    if m:
        y, mo, d, h, mi = m.groups()
        try:
            return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0)).isoformat(
                timespec="seconds")
        except ValueError:
            return None
    if now is None:
        return None
    if s in ("刚刚", "刚才"):
        return now.isoformat(timespec="seconds")
    if m := _REL_MIN.match(s):
        return (now - timedelta(minutes=int(m.group(1)))).isoformat(timespec="seconds")
    if m := _REL_HOUR.match(s):
        return (now - timedelta(hours=int(m.group(1)))).isoformat(timespec="seconds")
    if s.startswith(("昨天", "前天")):
        back = 1 if s.startswith("昨天") else 2
        hm = re.search(r"(\d{1,2}):(\d{2})", s)
        d = (now - timedelta(days=back)).replace(hour=0, minute=0, second=0, microsecond=0)
        if hm:
            d = d.replace(hour=int(hm.group(1)), minute=int(hm.group(2)))
        return d.isoformat(timespec="seconds")
    if m := _MD.match(s):
        mo, d, h, mi = m.groups()
        try:
            dt = datetime(now.year, int(mo), int(d), int(h or 0), int(mi or 0))
        except ValueError:
            return None
        if dt > now:  # "12-30" seen in January belongs to last year
            dt = dt.replace(year=now.year - 1)
        return dt.isoformat(timespec="seconds")
    return None


# -- originality --------------------------------------------------------------------
# A post that says where it came from, and it is somebody else, is a repost.  Government
# accounts mark reposts as 来源：新华社 / 转自 / 转载自 / 文章来源; an original says 原创 or
# names the account itself as source.
_SOURCE_RE = re.compile(r"(?:来源|文章来源|信息来源|稿件来源|转自|转载自|来自)\s*[:：]?\s*[「“\"《]?([^\s，。,;；|」”\"》]{2,30})")
_REPOST_RE = re.compile(r"^(?:转发|转载|//@|转发微博)|【转载】|（转载）|\(转载\)")


def guess_original(text: str, own_names: tuple[str, ...]) -> bool | None:
    """True/False when the text says so; None when it gives no clue."""
    text = (text or "").strip()
    head = text[:400]
    tail = text[-300:]
    if "原创" in head[:60] or "原创" in tail:
        return True
    if _REPOST_RE.search(head):
        return False
    for part in (head, tail):
        m = _SOURCE_RE.search(part)
        if m:
            src = m.group(1)
            if any(n and (n in src or src in n) for n in own_names):
                return True
            return False
    return None


def strip_html(html: str) -> str:
    """Visible text of a small HTML fragment (post bodies, feed content)."""
    if not html or "<" not in html:
        return html or ""
    import lxml.html

    try:
        frag = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml raises several types on junk
        return re.sub(r"<[^>]+>", "", html)
    for bad in frag.xpath(".//script|.//style"):
        bad.drop_tree()
    for br in frag.xpath(".//br"):
        br.tail = "\n" + (br.tail or "")
    return re.sub(r"[ \t\r\f\v]+", " ", frag.text_content()).strip()
