"""The media.* rules: judge one account's Observation as of the inspection date.

Every rule measures back from `as_of` (a date, Asia/Shanghai).  Nothing fires on what
was not seen: a platform that could not be read gives notices, not findings, so a bad
network day never vetoes an account.  Thresholds are settings (national values of
国办秘函〔2019〕19号 as defaults, provinces override them):

  GOVCRAWL_MEDIA_STALE_DAYS        14  media.not_updated: newest post 14 or more days old
  GOVCRAWL_MEDIA_ORIGINAL_MONTHS    3  media.no_original: window for original posts
  GOVCRAWL_MEDIA_REPLY_HOURS       24  media.slow_reply: a question answered later, or not at all
  GOVCRAWL_MEDIA_REPLY_WINDOW_DAYS 90  media.slow_reply: questions asked within this window
  GOVCRAWL_MEDIA_BRIDGE_LAG_HOURS  24  a bridge's copy synced this long before the end of as_of counts

Evidence before a veto (rules.md): media.not_found fires only on the platform's own
not-found / closed answer; media.not_updated and media.no_original only on dated posts
actually read (or a platform that itself counts zero posts), reaching far enough back
and, for a bridge, synced recently enough.  An empty answer that contradicts the
profile's count, a signed list, a stopped bridge, paging that did not reach the window:
the rule is not judged (obs.unjudged, a media.not_judged notice), never a veto.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from govcrawl import settings as project_settings
from govcrawl.items import DEDUCT, VETO, Finding
from govcrawl.text.lexicon import LexiconError, read_lexicon
from govcrawl.media.model import (CLOSED, INTERACTION_BROKEN, INTERACTION_NONE, NOT_FOUND,
                                  Observation, Post, months_back, parse_iso)

log = logging.getLogger(__name__)

# the rules' settings, with their defaults from govcrawl/settings.py (the one place they
# are declared); callers outside Scrapy (media-import, tests) pass a plain dict or nothing
DEFAULTS: dict[str, Any] = {name: getattr(project_settings, name) for name in (
    "GOVCRAWL_MEDIA_STALE_DAYS", "GOVCRAWL_MEDIA_ORIGINAL_MONTHS", "GOVCRAWL_MEDIA_REPLY_HOURS",
    "GOVCRAWL_MEDIA_REPLY_WINDOW_DAYS", "GOVCRAWL_MEDIA_ADS_LEXICON", "GOVCRAWL_MEDIA_WORDING",
    "GOVCRAWL_MEDIA_BRIDGE_LAG_HOURS")}
POST_RULES = ("media.not_updated", "media.no_original")  # judged on the posts read
MEDIA_RULES = ("media.not_updated", "media.no_interaction", "media.no_original", "media.slow_reply",
               "media.renamed", "media.not_found", "media.ads")


def setting(settings: dict[str, Any] | None, name: str) -> Any:
    if settings is not None:
        v = settings.get(name)
        if v not in (None, ""):
            return v
    return DEFAULTS[name]




@dataclass(frozen=True)
class AdsLexicon:
    markers: tuple[str, ...]
    calls: tuple[str, ...]

    def match(self, text: str) -> dict[str, Any] | None:
        norm = unicodedata.normalize("NFKC", text or "")
        for m in self.markers:
            if unicodedata.normalize("NFKC", m) in norm:
                return {"marker": m}
        calls = sorted({c for c in self.calls if unicodedata.normalize("NFKC", c) in norm})
        if len(calls) >= 2:
            return {"calls": calls}
        return None


@lru_cache(maxsize=8)
def load_ads_lexicon(path: str = "") -> AdsLexicon:
    p = Path(path) if path else Path(__file__).with_name("ads.txt")
    lines = read_lexicon(p, "ads lexicon").splitlines()
    markers: list[str] = []
    calls: list[str] = []
    for n, line in enumerate(lines, start=1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        parts = s.split(None, 1)
        if len(parts) != 2 or not parts[1].strip():
            raise LexiconError(f"{p}:{n}: want 'marker TERM' or 'call TERM', got {s!r}")
        kind, term = parts[0], parts[1].strip()
        if kind == "marker":
            markers.append(term)
        elif kind == "call":
            calls.append(term)
        else:
            raise LexiconError(f"{p}:{n}: unknown kind {kind!r} (want marker or call)")
    return AdsLexicon(tuple(markers), tuple(calls))


def normalize_name(name: str | None) -> str:
    """Names compare without spaces, width or case differences (exports add spaces)."""
    s = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"[\s\u3000·•_\-]+", "", s).casefold()


def _as_date(as_of: str | date) -> date:
    return as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of)[:10])


def check_account(account: dict[str, Any], obs: Observation, as_of: str | date,
                  settings: dict[str, Any] | None = None, text_checker: Any = None) -> list[Finding]:
    """All media.* findings for one account (content.* too when a text checker is given).

    A rule whose evidence could not be read is not judged: `obs.unjudged` names it with
    the reason and a `media.not_judged` notice says so (rules.md, "Evidence before a veto").
    """
    day = _as_date(as_of)
    aid = account["id"]
    url = obs.profile.url or account.get("url") or ""
    out: list[Finding] = []
    status = obs.profile.status
    if status in (NOT_FOUND, CLOSED):
        out.append(Finding(
            rule="media.not_found", severity=VETO, site_id=aid, url=url, where="site",
            text=account.get("name"),
            evidence={"status": status, "registered_name": account.get("name"),
                      "platform": account.get("platform"), **{k: v for k, v in obs.profile.data.items()
                                                               if k != "interaction_entry"}}))
        return out
    if not obs.checkable:
        # nothing about the account was read: the spider's media.unchecked notice says why
        for rule in ("media.not_found",) + POST_RULES:
            obs.unjudged[rule] = (obs.unreadable.get(rule) or {}).get("reason") or "unread"
        return out
    out += _renamed(account, obs, url)
    out += _not_updated(account, obs, day, settings, url)
    out += _no_original(account, obs, day, settings, url)
    out += _no_interaction(account, obs, url)
    out += _slow_reply(account, obs, day, settings)
    out += _ads(account, obs, day, settings)
    if text_checker is not None:
        out += wording_findings(account, obs, day, text_checker, settings)
    if obs.unjudged:
        from govcrawl.media.verdict import account_verdict, withheld

        if withheld(account_verdict(aid, out, settings), obs.unjudged, settings):
            why = ", ".join(f"{r} ({obs.unjudged[r]})" for r in sorted(obs.unjudged))
            obs.notice("media.unchecked", f"account {aid}: no verdict this time: nothing found fails"
                       f" it, but {why} could not be judged", url, unjudged=dict(obs.unjudged))
    return out


def _not_judged(obs: Observation, rule: str, reason: str, message: str, url: str,
                **data: Any) -> list[Finding]:
    obs.unjudged[rule] = reason
    obs.notice("media.not_judged", f"{rule} not judged: {message}", url, rule=rule, reason=reason,
               **data)
    return []


def _unread(obs: Observation, rule: str, url: str) -> list[Finding] | None:
    """Not judged when the adapter could not read the evidence, or no post list was read."""
    if rule in obs.unreadable:
        why = obs.unreadable[rule]
        return _not_judged(obs, rule, str(why.get("reason")), str(why.get("message")), url)
    if not obs.posts_complete:
        return _not_judged(obs, rule, "posts_unread", "the post list was not read", url)
    return None


def _copy_current(obs: Observation, day: date, settings) -> bool:
    """A bridge's copy counts as current when it synced within the lag allowed before the
    end of `as_of` (WeWe-RSS syncs twice a day by default); a live read always does."""
    if obs.seen_until is None:
        return True
    synced = parse_iso(obs.seen_until)
    lag = timedelta(hours=float(setting(settings, "GOVCRAWL_MEDIA_BRIDGE_LAG_HOURS")))
    end = datetime.combine(day, datetime.max.time())
    return synced is not None and synced >= end - lag


def _renamed(account, obs, url) -> list[Finding]:
    cur = obs.profile.name
    if not cur or normalize_name(cur) == normalize_name(account.get("name")):
        return []
    return [Finding(rule="media.renamed", severity=DEDUCT, site_id=account["id"], url=url, where="site",
                    # the registry (报送系统) holds the wrong form; the platform's name is right
                    text=account.get("name"), suggestion=cur,
                    evidence={"registered_name": account.get("name"), "current_name": cur})]


def _posts_until(obs: Observation, day: date) -> list[tuple[datetime, Post]]:
    """Dated posts published up to the end of `as_of` (later ones belong to a later check)."""
    end = datetime.combine(day, datetime.max.time())
    return sorted(((w, p) for p in obs.posts if (w := p.when()) is not None and w <= end),
                  key=lambda t: t[0], reverse=True)


def _not_updated(account, obs, day, settings, url) -> list[Finding]:
    """Fires on dated posts actually read (the list is newest first), or on a platform that
    itself counts no post; never on an empty or stale-looking answer it cannot vouch for."""
    rule = "media.not_updated"
    stale = int(setting(settings, "GOVCRAWL_MEDIA_STALE_DAYS"))
    dated = _posts_until(obs, day)
    newest = dated[0][0] if dated else None
    # 14 days: a post 13 days before as_of keeps the account fresh, 14 days does not.
    if newest is not None and (day - newest.date()).days < stale:
        return []  # a fresh post read is evidence enough, whatever else could not be read
    unread = _unread(obs, rule, url)
    if unread is not None:
        return unread
    if newest is None and any(p.at is None for p in obs.posts):
        return _not_judged(obs, rule, "dates_hidden", "the platform shows posts without dates", url)
    if not obs.posts and obs.posts_total != 0:
        return _not_judged(obs, rule, "empty_list", "the post list was empty and the platform does"
                           " not count zero posts", url, posts_total=obs.posts_total)
    if not _copy_current(obs, day, settings):
        return _not_judged(obs, rule, "bridge_stale", f"the bridge last synced {obs.seen_until}, more"
                           f" than {float(setting(settings, 'GOVCRAWL_MEDIA_BRIDGE_LAG_HOURS')):g} h before"
                           " the end of as_of: its copy proves nothing about the days since", url,
                           seen_until=obs.seen_until)
    ev = {"newest_post": newest.isoformat(timespec="minutes") if newest else None,
          "days_since": (day - newest.date()).days if newest else None,
          "threshold_days": stale, "as_of": day.isoformat(), "posts_seen": len(obs.posts),
          "newest_url": dated[0][1].url if dated else None}
    if newest is None:
        ev["posts_total"] = obs.posts_total  # the platform's own count: zero
    if obs.seen_until:
        ev["bridge_synced"] = obs.seen_until
    return [Finding(rule=rule, severity=VETO, site_id=account["id"], url=url, where="site",
                    evidence=ev)]


def _no_original(account, obs, day, settings, url) -> list[Finding]:
    """Fires when every post read in the window is a repost and the posts read reach back
    to the window's start (or the list's end) and up to as_of."""
    rule = "media.no_original"
    months = int(setting(settings, "GOVCRAWL_MEDIA_ORIGINAL_MONTHS"))
    start = months_back(day, months)
    window = [(w, p) for w, p in _posts_until(obs, day) if w.date() >= start]
    if any(p.original is not False for _, p in window):
        return []  # an original post, or one whose origin is unknown
    unread = _unread(obs, rule, url)
    if unread is not None:
        return unread
    if not window:
        return []  # nothing posted in the window: media.not_updated tells that story
    oldest = min((w for p in obs.posts if not p.data.get("pinned") and (w := p.when()) is not None),
                 default=None)
    if not obs.list_end and (oldest is None or oldest.date() > start):
        return _not_judged(obs, rule, "window_not_covered", f"the posts read reach back to"
                           f" {oldest:%Y-%m-%d} only, not to {start.isoformat()}" if oldest else
                           "no dated post read", url, window_start=start.isoformat())
    if not _copy_current(obs, day, settings):
        return _not_judged(obs, rule, "bridge_stale", f"the bridge last synced {obs.seen_until}:"
                           " posts since then were not seen", url, seen_until=obs.seen_until)
    return [Finding(rule=rule, severity=DEDUCT, site_id=account["id"], url=url, where="site",
                    evidence={"window_start": start.isoformat(), "as_of": day.isoformat(),
                              "posts_in_window": len(window), "reposts": len(window),
                              "read_back_to": oldest.isoformat(timespec="minutes") if oldest else None,
                              "list_end": obs.list_end,
                              "examples": [p.url or p.id for _, p in window[:3]]})]


def _no_interaction(account, obs, url) -> list[Finding]:
    state = obs.profile.interaction
    if state not in (INTERACTION_NONE, INTERACTION_BROKEN):
        return []
    ev = dict(obs.profile.interaction_evidence)
    ev["state"] = state
    entry = ev.get("entry") or {}
    return [Finding(rule="media.no_interaction", severity=VETO, site_id=account["id"],
                    url=entry.get("url") or url, where="site", target=entry.get("url"),
                    evidence=ev)]


def _slow_reply(account, obs, day, settings) -> list[Finding]:
    hours = float(setting(settings, "GOVCRAWL_MEDIA_REPLY_HOURS"))
    window = int(setting(settings, "GOVCRAWL_MEDIA_REPLY_WINDOW_DAYS"))
    limit = timedelta(hours=hours)
    end = datetime.combine(day, datetime.max.time()).replace(microsecond=0)
    start = datetime.combine(day - timedelta(days=window), datetime.min.time())
    out = []
    for m in obs.messages:
        asked = parse_iso(m.asked_at)
        if asked is None or not (start <= asked <= end):
            continue
        answered = parse_iso(m.answered_at)
        if answered is not None and answered > end:
            answered = None  # answered after the inspection date: unanswered as of then
        if answered is not None:
            delay = answered - asked
            if delay <= limit:
                continue
        elif end - asked <= limit:
            continue  # still within the time allowed
        else:
            delay = None
        out.append(Finding(
            rule="media.slow_reply", severity=DEDUCT, site_id=account["id"],
            url=m.url or obs.profile.url or account.get("url") or "", where="text",
            target=m.id, text=(m.text or "")[:200] or None,
            evidence={"message_id": m.id, "asked_at": m.asked_at, "answered_at": m.answered_at
                      if answered is not None else None,
                      "delay_hours": round(delay.total_seconds() / 3600, 1) if delay else None,
                      "limit_hours": hours, "unanswered": answered is None}))
    return out


def _ads(account, obs, day, settings) -> list[Finding]:
    lex = load_ads_lexicon(str(setting(settings, "GOVCRAWL_MEDIA_ADS_LEXICON") or ""))
    months = int(setting(settings, "GOVCRAWL_MEDIA_ORIGINAL_MONTHS"))
    start = months_back(day, months)
    out = []
    for p in obs.posts:
        w = p.when()
        if w is not None and not (start <= w.date() <= day):
            continue
        hit = {"platform_flag": True} if p.ad else lex.match(f"{p.title}\n{p.text}")
        if not hit:
            continue
        out.append(Finding(rule="media.ads", severity=DEDUCT, site_id=account["id"],
                           url=p.url or obs.profile.url or "", where="text", target=p.id,
                           text=hit.get("marker") or ("、".join(hit["calls"]) if "calls" in hit else None),
                           evidence={"post_id": p.id, "post_at": p.at, **hit,
                                     "excerpt": (p.title or p.text)[:120]}))
    return out


def wording_findings(account, obs, day, checker, settings=None) -> list[Finding]:
    """content.* on each post seen (title and text), dated by the post: leader titles change,
    so a 2022 post naming 李克强 国务院总理 is right and a 2024 one is not."""
    out: list[Finding] = []
    for p in obs.posts:
        w = p.when()
        pdate = w.date() if w else day
        url = p.url or f"{obs.profile.url or account.get('url') or ''}#post-{p.id}"
        for where, text in (("title", p.title), ("text", p.text)):
            if not text:
                continue
            try:
                hits = checker.check(text, date=pdate)
            except Exception as e:  # the checker is another team's library: never lose the account
                log.warning("wording check failed on %s post %s: %s", account["id"], p.id, e)
                obs.notice("media.wording_error", f"wording check failed: {e}", url)
                return out
            for h in hits:
                f = h.to_finding(account["id"], url, where=where)
                f.evidence.setdefault("post_id", p.id)
                f.evidence.setdefault("post_at", p.at)
                f.evidence.setdefault("platform", account.get("platform"))
                out.append(f)
    return out


def get_text_checker(settings: dict[str, Any] | None = None) -> Any:
    """The shared wording checker, or None (with a log line) when it is off or not built."""
    if not setting(settings, "GOVCRAWL_MEDIA_WORDING") or str(
            setting(settings, "GOVCRAWL_MEDIA_WORDING")).lower() in ("0", "false", "no"):
        return None
    try:
        from govcrawl.text import get_checker
    except ImportError as e:
        log.warning("content.* on posts is off: govcrawl.text.get_checker unavailable (%s)", e)
        return None
    try:
        return get_checker()
    except Exception as e:  # lexicon problems are reported by the text checker itself
        log.error("content.* on posts is off: the wording checker failed to load: %s", e)
        return None
