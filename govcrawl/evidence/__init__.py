"""Evidence screenshots: the flagged spot of a page finding, outlined, in a cropped PNG.

Commercial 网站监管 platforms attach a screenshot of each flagged spot to the notices they
send; GovCrawl does the same for findings *on a page* (wording, hidden links, fake dates,
tags, privacy, links on their page).  The screenshots are taken after a site's crawl
(`govcrawl.pipelines.evidence` on the site's `SiteDone`, or `govcrawl evidence` on a store
afterwards), at most GOVCRAWL_EVIDENCE_MAX_PER_SITE per site and inspection, in Debian's
chromium (`shots.Shooter`).  Each PNG lies in a folder beside the store:

    var/demo/store.sqlite                  the store
    var/demo/store.sqlite.evidence/        its screenshots (GOVCRAWL_EVIDENCE_DIR elsewhere)
        3/9901000001/5d1f0c2a9e4b7a11.png  inspection / site / finding key

and the finding's evidence names it (`evidence["screenshot"]`, relative to that folder),
so the review application (`govcrawl serve`) and the 整改通知 find it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from govcrawl import db
from govcrawl.items import Finding

# Findings about a spot on one page.  Column-, site- and account-level rules have no spot.
PAGE_RULES = (
    "content.leader_name", "content.leader_title", "content.phrase", "content.illegal",
    "content.prohibited", "content.typo", "content.privacy", "content.fake_date",
    "content.hidden_link", "link.unsafe", "link.broken", "tag.missing", "tag.invalid",
)
_SEVERITY_ORDER = {"veto": 0, "deduct": 1, "notice": 2}
SUFFIX = ".evidence"
_UNSAFE = re.compile(r"[^0-9A-Za-z_.-]+")


def evidence_dir(store: str | Path, configured: str | Path | None = None) -> Path | None:
    """Where a store's screenshots live: `configured` when given, else beside an SQLite
    store (`<store>.evidence/`).  A PostgreSQL store has no "beside": None unless
    configured."""
    if configured:
        return Path(configured)
    if db.is_url(str(store)):
        return None
    p = Path(store)
    return p.with_name(p.name + SUFFIX)


def shot_path(inspection_id: int, site_id: str, key: str) -> str:
    """The screenshot's path relative to the evidence folder (what evidence["screenshot"] says)."""
    site = _UNSAFE.sub("_", site_id).strip("._") or "site"
    return f"{int(inspection_id)}/{site}/{key[:16]}.png"


def eligible(f: Finding) -> bool:
    """A finding about a spot on an http(s) page."""
    return f.rule in PAGE_RULES and (f.url or "").startswith(("http://", "https://"))


def priority(f: Finding) -> tuple:
    """Which findings get the site's screenshots first: vetoes, then deductions, then
    notices; within each, the catalogue's order (PAGE_RULES) and the page."""
    return (_SEVERITY_ORDER.get(f.severity, 3), PAGE_RULES.index(f.rule) if f.rule in PAGE_RULES
            else len(PAGE_RULES), f.url or "", f.start or 0)


@dataclass
class Plan:
    """What to shoot for one site: findings grouped by page (one render per page)."""

    pages: dict[str, list[Finding]]
    chosen: int
    eligible: int

    @property
    def left_out(self) -> int:
        return self.eligible - self.chosen


def plan(findings: Iterable[Finding], limit: int, have: set[str] = frozenset()) -> Plan:
    """Pick up to `limit` findings (those in `have` already have a screenshot and count
    against the limit), by `priority`, grouped by page."""
    todo = sorted((f for f in findings if eligible(f)), key=priority)
    seen: set[str] = set()
    unique = []
    for f in todo:
        if f.key not in seen:
            seen.add(f.key)
            unique.append(f)
    have_n = sum(1 for f in unique if f.key in have)
    new = [f for f in unique if f.key not in have][:max(0, limit - have_n)]
    pages: dict[str, list[Finding]] = {}
    for f in new:
        pages.setdefault(f.url, []).append(f)
    return Plan(pages=pages, chosen=have_n + len(new), eligible=len(unique))


_SHOT = re.compile(r"^\d{1,9}/[0-9A-Za-z_.-]{1,80}/[0-9a-f]{16}\.png$")


def resolve_shot(root: Path | None, rel: str | None) -> Path | None:
    """The file of `evidence["screenshot"]`: only a name shot_path() could have written,
    only inside the evidence folder, only when it exists."""
    if root is None or not rel or not _SHOT.match(rel):
        return None
    base = Path(root).resolve()
    p = (base / rel).resolve()
    if not p.is_relative_to(base) or not p.is_file():
        return None
    return p


def screenshot_files(store: Any, inspection_id: int, root: Path | None,
                     site_id: str | None = None) -> dict[str, Path]:
    """Finding key → screenshot file, for an inspection's findings that have one."""
    if root is None:
        return {}
    q = "SELECT key, evidence_json FROM findings WHERE inspection_id=? AND evidence_json LIKE ?"
    args: list[Any] = [inspection_id, '%"screenshot"%']
    if site_id:
        q += " AND site_id=?"
        args.append(site_id)
    out: dict[str, Path] = {}
    for key, ev in store.conn.execute(q, args):
        try:
            rel = json.loads(ev or "{}").get("screenshot")
        except (ValueError, AttributeError):
            continue
        p = resolve_shot(root, rel)
        if p is not None:
            out[key] = p
    return out
