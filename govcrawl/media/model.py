"""What an adapter observes about one 政务新媒体 account, independent of the platform.

Adapters fill an `Observation`; the checks judge it; the store keeps it.  Times are
naive ISO strings in China time (UTC+8): every platform shows Beijing time and every
threshold is counted back from the inspection's `as_of` date in Asia/Shanghai.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from govcrawl.items import Finding

# Profile.status values
OK = "ok"
NOT_FOUND = "not_found"  # 搜索不到: the id or page does not exist (any more)
CLOSED = "closed"  # 已注销 / 已封禁 / 已停更 announced by the platform
UNKNOWN = "unknown"  # the platform could not be read: no judgement possible

# Profile.interaction values
INTERACTION_OK = "ok"  # a working comment / message / menu channel was seen
INTERACTION_NONE = "none"  # the platform shows comments and messages switched off
INTERACTION_BROKEN = "broken"  # a declared interaction entry (menu link) does not open


@dataclass
class Profile:
    """The account as the platform shows it today."""

    status: str = UNKNOWN
    name: str | None = None  # current display name
    url: str = ""
    interaction: str | None = None  # INTERACTION_* or None when not visible
    interaction_evidence: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)  # platform id, follower count, raw status


@dataclass
class Message:
    """A user's message or question and the account's reply, where visible."""

    id: str
    asked_at: str  # ISO datetime
    text: str = ""
    answered_at: str | None = None
    reply: str = ""
    post_id: str | None = None
    url: str = ""


@dataclass
class Post:
    id: str
    at: str | None  # ISO datetime (or date) of publication; None when the platform hides it
    title: str = ""
    text: str = ""
    original: bool | None = None  # None: the platform does not say and the text gives no clue
    url: str = ""
    comments: int | None = None
    ad: bool | None = None  # the platform marks it as an advertisement / promotion
    data: dict[str, Any] = field(default_factory=dict)

    def when(self) -> datetime | None:
        return parse_iso(self.at)


@dataclass
class Observation:
    """Everything seen of one account during one inspection.

    What was read is kept apart from how far it reaches, because the post rules need
    positive evidence (rules.md, "Evidence before a veto"): `posts_complete` says the
    platform answered the post list (newest first), `list_end` that it was read to its
    end, `posts_total` what the platform itself counts (an empty list that contradicts
    it proves nothing), `seen_until` how current a bridge's copy is, and `unreadable`
    names the rules an adapter knows it could not read the evidence for.
    """

    account_id: str
    profile: Profile = field(default_factory=Profile)
    posts: list[Post] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    posts_complete: bool = False  # the post list was answered and read (even if empty)
    list_end: bool = False  # ... to its end: no older post exists beyond the last one read
    posts_total: int | None = None  # the platform's own count of the account's posts
    seen_until: str | None = None  # ISO: a bridge's copy is current up to here (None: live)
    unreadable: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule -> why not read
    unjudged: dict[str, str] = field(default_factory=dict)  # rule -> reason (set by the checks)
    notices: list[dict[str, Any]] = field(default_factory=list)  # {kind, message, url, data}
    source: str = "platform"  # platform | import
    fetched: int = 0

    def notice(self, kind: str, message: str, url: str = "", **data: Any) -> None:
        self.notices.append({"kind": kind, "message": message, "url": url, "data": data})

    def cannot_read(self, rules: tuple[str, ...], reason: str, message: str, url: str = "",
                    **data: Any) -> None:
        """The evidence for `rules` could not be read (an ambiguous answer, a signed list,
        a stopped bridge): a notice, and those rules are not judged this time."""
        for r in rules:
            self.unreadable.setdefault(r, {"reason": reason, "message": message})
        self.notice("media.could_not_read", message, url, reason=reason, rules=list(rules), **data)

    def add_posts(self, posts: list[Post]) -> None:
        seen = {p.id for p in self.posts}
        for p in posts:
            if p.id not in seen:
                self.posts.append(p)
                seen.add(p.id)

    def find_post(self, pid: str) -> Post | None:
        return next((p for p in self.posts if p.id == pid), None)

    @property
    def checkable(self) -> bool:
        """The platform answered about the account itself: its profile was read, or it
        said the account is gone.  Which rules the posts allow is for the checks."""
        return self.profile.status in (OK, NOT_FOUND, CLOSED)


@dataclass
class AccountDone:
    """Item: one account fully observed; the media pipelines check and store it."""

    store_path: str
    inspection_id: int
    as_of: str
    account: dict[str, Any]  # Account.to_dict()
    observation: Observation
    findings: list[Finding] = field(default_factory=list)
    verdict: dict[str, Any] | None = None


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt.replace(tzinfo=None) if dt.tzinfo else dt


def months_back(d: date, months: int) -> date:
    """The same day `months` calendar months earlier (the last day of a shorter month)."""
    y, m = divmod(d.year * 12 + (d.month - 1) - months, 12)
    m += 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    return date(y, m, 28)
