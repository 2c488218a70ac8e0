"""The item schema shared by spiders, checks, the store, Elasticsearch and the report.

One `Finding` type is used everywhere (contract §2).  Pages travel through the
pipelines as `PageItem`; each check appends its findings to `PageItem.findings`
and the sinks (store, Elasticsearch) write the page and its findings last.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

VETO = "veto"
DEDUCT = "deduct"
NOTICE = "notice"
SEVERITIES = (VETO, DEDUCT, NOTICE)


@dataclass
class Finding:
    """One problem seen by a check.  Fields follow contract §2; extras are welcome."""

    rule: str
    severity: str
    site_id: str
    url: str = ""
    column: str | None = None
    target: str | None = None
    text: str | None = None
    suggestion: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    start: int | None = None
    end: int | None = None
    category: str | None = None  # Chinese label, e.g. 严重表述错误
    where: str | None = None  # text | title | meta | attr | link | column | site
    count: int = 1

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r} for {self.rule}")

    @property
    def key(self) -> str:
        """Deterministic id: the same problem on the same page gives the same key on
        every run (site, page, rule, matched text and position)."""
        parts = [
            self.site_id,
            self.url or "",
            self.rule,
            self.column or "",
            self.target or "",
            self.text or "",
            "" if self.start is None else str(self.start),
            self.where or "",
        ]
        # surrogatepass: a page's lone surrogate (a JSON "\\ud800") still gives a key
        return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["id"] = self.key
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Finding":
        names = cls.__dataclass_fields__.keys()
        kw = {k: v for k, v in d.items() if k in names}
        if isinstance(kw.get("evidence"), str):
            kw["evidence"] = json.loads(kw["evidence"] or "{}")
        return cls(**kw)


@dataclass
class Link:
    """A link, image, frame, script or attachment reference found on a page."""

    url: str
    text: str = ""
    kind: str = "a"  # a | img | iframe | script | attachment | css
    hidden: bool = False
    hidden_reason: str | None = None
    external: bool = False  # outside the site's scope


@dataclass
class ListEntry:
    """A dated entry of a list page (column item, letter, homepage item)."""

    title: str
    url: str | None
    date: str | None  # ISO date or None when no visible date
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. reply date, status


@dataclass
class PageItem:
    """What the sweep saw on one URL, plus what the checks found on it."""

    inspection_id: int
    site_id: str
    url: str
    as_of: str = ""  # the inspection's reference date (YYYY-MM-DD)
    final_url: str = ""
    status: int | None = None
    error: str | None = None
    elapsed: float | None = None
    content_type: str = ""
    size: int = 0
    encoding: str | None = None
    content_hash: str | None = None
    page_type: str = "other"  # homepage | list | article | interaction | attachment | other
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    breadcrumb: list[str] = field(default_factory=list)
    column: str | None = None
    column_url: str | None = None
    pub_date: str | None = None  # ISO date (YYYY-MM-DD) or datetime string as seen
    source: str | None = None
    text: str = field(default="", repr=False)  # visible text without nav/footer boilerplate
    full_text: str = field(default="", repr=False)  # all visible text (footer included)
    attr_texts: list[str] = field(default_factory=list)  # alt / title attribute values
    html: str = field(default="", repr=False)  # decoded HTML for checks that need the DOM; never stored
    entries: list[ListEntry] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    depth: int = 0
    referer: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    unchanged: bool = False  # incremental re-check: content identical to the previous inspection
    rendered: bool = False  # built by the browser
    findings: list[Finding] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # the crawl's parsed `html` (govcrawl.extract.page.Page.dom) for the hacked-page
    # analysis in this process; not a field: never stored, exported or copied
    dom: ClassVar[Any] = None


@dataclass
class SiteEvent:
    """A site-level fact produced outside page parsing (unreachable homepage, trap notice)."""

    inspection_id: int
    site_id: str
    kind: str  # unreachable | trap | notice | redirect_out
    message: str
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class LinkStatus:
    """Result of checking one link target (once per sweep)."""

    inspection_id: int
    site_id: str
    target: str
    status: int | None
    error: str | None = None
    elapsed: float | None = None
    content_type: str = ""
    size: int | None = None
    final_url: str | None = None


@dataclass
class SiteDone:
    """Emitted once per site when the crawl is idle; site-level checks attach findings."""

    inspection_id: int
    site_id: str
    as_of: str
    findings: list[Finding] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
