"""What an adapter observes about one 政务新媒体 account, independent of the platform.

Adapters fill an `Observation`; the checks judge it; the store keeps it.  Times are
naive ISO strings in China time (UTC+8): every platform shows Beijing time and every
threshold is counted back from the inspection's `as_of` date in Asia/Shanghai.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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
    """Everything seen of one account during one inspection."""

    account_id: str
    profile: Profile = field(default_factory=Profile)
    posts: list[Post] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    posts_complete: bool = False  # the post list was read (even if empty)
    notices: list[dict[str, Any]] = field(default_factory=list)  # {kind, message, url, data}
    source: str = "platform"  # platform | import
    fetched: int = 0

    def notice(self, kind: str, message: str, url: str = "", **data: Any) -> None:
        self.notices.append({"kind": kind, "message": message, "url": url, "data": data})

    def add_posts(self, posts: list[Post]) -> None:
        seen = {p.id for p in self.posts}
        for p in posts:
            if p.id not in seen:
                self.posts.append(p)
                seen.add(p.id)

    @property
    def checkable(self) -> bool:
        """Enough was seen to judge the account (or the platform said it is gone)."""
        if self.profile.status in (NOT_FOUND, CLOSED):
            return True
        return self.profile.status == OK and self.posts_complete


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
