"""Inspection history: reviews, finding lifecycle, periods, repeat offenders.

The store keeps every inspection; this module reads across them:

- **Reviews.**  An editor marks a finding `confirmed`, `false_alarm` or `to_check`
  (`govcrawl review`).  A false alarm is not reported again for the same text on the same
  page: a later finding is dropped when its key matches, or — for wording findings, whose
  key includes the character offset that moves when the page is edited — when site, page,
  rule and matched text match.
- **Lifecycle.**  A finding of inspection I is *new* (never seen before), *open* (present
  in the latest earlier inspection that re-checked its page) or *reopened* (seen once,
  absent from a later re-check, back now).  A finding of an earlier inspection is *fixed*
  in I when I re-checked its page (or column, or site) and the finding is gone, and
  *unchecked* when I did not look there (a sample, a failed site).
- **Periods.**  An inspection belongs to its `period` (2024Q2 or a named special check),
  or when it has none to the quarter of its `as_of`.  Nightly sweeps fill a period with
  many inspections; the period is represented by its latest finished one.
- **Repeat offenders.**  Consecutive quarters failed, failures within a year.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

from govcrawl.items import VETO, Finding
from govcrawl.store import FINISHED, Store, StoreError, row_to_finding, utcnow

REVIEW_STATES = ("confirmed", "false_alarm", "to_check")
PASS, FAIL = "合格", "不合格"
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
LIFECYCLE_LOOKBACK_DAYS = 400  # how far back "reopened" looks; a year and a bit
LIFECYCLE_RECENT = 7  # recent inspections always read (a week of nightly sweeps)


# -- periods -----------------------------------------------------------------------


def quarter_of(as_of: str) -> str:
    d = date.fromisoformat(as_of[:10])
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def period_of(insp: sqlite3.Row | dict) -> str:
    """The inspection's period label: its own, else the quarter of its reference date."""
    p = (insp["period"] or "").strip()
    return p or quarter_of(insp["as_of"])


def period_title(period: str) -> str:
    """2024Q2 → 2024年第二季度; a named check is printed as written."""
    m = QUARTER_RE.match(period)
    if not m:
        return period
    return f"{m.group(1)}年第{'一二三四'[int(m.group(2)) - 1]}季度"


def quarter_index(period: str) -> int | None:
    m = QUARTER_RE.match(period)
    return int(m.group(1)) * 4 + int(m.group(2)) - 1 if m else None


def _usable(store: Store, insp: sqlite3.Row) -> bool:
    """Only a finished inspection is judged and published (an interrupted or failed one,
    or one still running, has part of its sites' pages: no verdict from it)."""
    return store.state(insp) == FINISHED


def unfinished_refusal(store: Store, insp: sqlite3.Row, what: str) -> StoreError:
    """The one-line error of a command asked to publish from an unfinished inspection."""
    done = [r for r in store.inspections(insp["kind"]) if r["id"] != insp["id"] and _usable(store, r)]
    last = max(done, key=lambda r: (r["as_of"], r["id"])) if done else None
    alt = f"; the last finished one is --inspection {last['id']} (as_of {last['as_of']})" if last else ""
    return StoreError(f"{store.describe_state(insp)}; no {what} from an unfinished inspection{alt}")


def require_finished(store: Store, insp: sqlite3.Row, what: str) -> sqlite3.Row:
    if store.state(insp) != FINISHED:
        raise unfinished_refusal(store, insp, what)
    return insp


def period_representatives(store: Store, kind: str) -> list[sqlite3.Row]:
    """One inspection per period (the latest finished one), in time order."""
    best: dict[str, sqlite3.Row] = {}
    for insp in store.inspections(kind):
        if not _usable(store, insp):
            continue
        p = period_of(insp)
        cur = best.get(p)
        if cur is None or (insp["as_of"], insp["id"]) >= (cur["as_of"], cur["id"]):
            best[p] = insp
    return sorted(best.values(), key=lambda r: (r["as_of"], r["id"]))


def resolve_inspection(store: Store, ref: str | int | None = "latest", period: str | None = None,
                       kind: str = "sites") -> sqlite3.Row:
    """`--inspection latest|ID` or `--period 2024Q2` → the inspection the bulletin is about."""
    if period:
        reps = [r for r in period_representatives(store, kind) if period_of(r) == period]
        if not reps:
            raise StoreError(f"{store.name}: no {kind} inspection for period {period}")
        return reps[-1]
    if ref in (None, "", "latest"):
        every = store.inspections(kind)
        if not every:
            raise StoreError(f"{store.name}: no {kind} inspection in the store")
        # the newest one, whatever its state: an unfinished night is refused by the commands
        # that publish (require_finished), never silently replaced by the one before
        return max(every, key=lambda r: (r["as_of"], r["id"]))
    return store.inspection(ref)


def previous_comparable(store: Store, insp: sqlite3.Row) -> sqlite3.Row | None:
    """The representative of the period before this inspection's, same kind."""
    p = period_of(insp)
    earlier = [r for r in period_representatives(store, insp["kind"])
               if period_of(r) != p and (r["as_of"], r["id"]) < (insp["as_of"], insp["id"])]
    return earlier[-1] if earlier else None


def media_companion(store: Store, insp: sqlite3.Row) -> sqlite3.Row | None:
    """The media inspection of the same period as a sites inspection (latest usable)."""
    p = period_of(insp)
    reps = [r for r in period_representatives(store, "media") if period_of(r) == p]
    return reps[-1] if reps else None


# -- reviews -----------------------------------------------------------------------


@dataclass
class Review:
    key: str
    state: str
    site_id: str | None = None
    url: str | None = None
    rule: str | None = None
    text: str | None = None
    note: str | None = None
    reviewer: str | None = None
    at: str | None = None


def load_reviews(store: Store) -> dict[str, Review]:
    rows = store.conn.execute("SELECT * FROM reviews").fetchall()
    return {r["key"]: Review(key=r["key"], state=r["state"], site_id=r["site_id"], url=r["url"],
                             rule=r["rule"], text=r["text"], note=r["note"],
                             reviewer=r["reviewer"], at=r["at"]) for r in rows}


def find_finding(store: Store, key: str) -> tuple[int, Finding]:
    """The most recent stored finding with this key (or a unique key prefix of ≥ 8 chars)."""
    key = key.strip().lower()
    if len(key) < 8:
        raise StoreError(f"finding key {key!r} is too short (give at least 8 characters)")
    rows = store.conn.execute(
        "SELECT * FROM findings WHERE key >= ? AND key < ? ORDER BY inspection_id DESC",
        (key, key + "\uffff")).fetchall()
    if not rows:
        raise StoreError(f"{store.name}: no finding with key {key}")
    keys = {r["key"] for r in rows}
    if len(keys) > 1:
        raise StoreError(f"finding key prefix {key} is ambiguous ({len(keys)} findings)")
    return int(rows[0]["inspection_id"]), row_to_finding(rows[0])


def set_review(store: Store, key: str, state: str, note: str = "", reviewer: str = "",
               at: str | None = None) -> tuple[int, Finding]:
    """Record an editor's decision on a finding; later reports and verdicts respect it."""
    if state not in REVIEW_STATES:
        raise StoreError(f"unknown review state {state!r} (want {', '.join(REVIEW_STATES)})")
    iid, f = find_finding(store, key)
    with store.tx() as c:
        c.execute(
            "INSERT INTO reviews (key, site_id, url, rule, text, state, note, reviewer, at)"
            " VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET state=excluded.state,"
            " note=excluded.note, reviewer=excluded.reviewer, at=excluded.at",
            (f.key, f.site_id, f.url, f.rule, f.text, state, note or None, reviewer or None,
             at or utcnow()))
    return iid, f


def review(store: Store, key: str, state: str, note: str = "", reviewer: str = ""
           ) -> tuple[int, Finding, dict[int, SubjectVerdict]]:
    """Record an editor's decision (`govcrawl review`, the review page of `govcrawl serve`)
    and re-judge the finding's site or account in every inspection that holds the finding
    — the same key, or the same text on the same page — so the stored verdicts say what
    the bulletin computes.  Returns the finding's latest inspection, the finding, and the
    new verdicts by inspection."""
    iid, f = set_review(store, key, state, note=note, reviewer=reviewer)
    rf = ReviewFilter.from_store(store)
    q = "SELECT DISTINCT inspection_id FROM findings WHERE site_id=? AND (key=?"
    args: list = [f.site_id, f.key]
    if f.text:
        q += " OR (url=? AND rule=? AND text=?)"
        args += [f.url or "", f.rule, f.text]
    held = sorted({int(r[0]) for r in store.conn.execute(q + ")", args)} | {iid})
    out: dict[int, SubjectVerdict] = {}
    for i in held:
        insp = store.inspection(i)
        if store.state(insp) != "finished":
            continue  # an unfinished inspection has no verdicts yet: they come when it completes
        subject = "account" if insp["kind"] == "media" else "site"
        try:
            settings = json.loads(insp["settings_json"] or "{}") or None
        except ValueError:
            settings = None
        v = recompute_verdict(f.site_id, subject, active_findings(store, i, rf, site_id=f.site_id),
                              settings)
        write_verdicts(store, i, [v])
        out[i] = v
    return iid, f, out


class ReviewFilter:
    """Answers "was this finding dismissed as a false alarm?" for any inspection."""

    def __init__(self, reviews: dict[str, Review]):
        self.reviews = reviews
        self._false_keys = {k for k, r in reviews.items() if r.state == "false_alarm"}
        self._false_texts = {(r.site_id or "", r.url or "", r.rule or "", r.text)
                             for r in reviews.values() if r.state == "false_alarm" and r.text}

    @classmethod
    def from_store(cls, store: Store) -> "ReviewFilter":
        return cls(load_reviews(store))

    def is_false_alarm(self, f: Finding) -> bool:
        if f.key in self._false_keys:
            return True
        return bool(f.text) and (f.site_id, f.url or "", f.rule, f.text) in self._false_texts

    def same_text_dismissed(self, site_id: str, url: str, rule: str, text: str | None) -> bool:
        """The same text on the same page was dismissed as a false alarm (under any key)."""
        return bool(text) and (site_id, url or "", rule, text) in self._false_texts

    def state(self, f: Finding) -> str | None:
        r = self.reviews.get(f.key)
        if r is not None:
            return r.state
        return "false_alarm" if self.is_false_alarm(f) else None

    def split(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
        """(kept, dropped as false alarms)."""
        kept: list[Finding] = []
        dropped: list[Finding] = []
        for f in findings:
            (dropped if self.is_false_alarm(f) else kept).append(f)
        return kept, dropped


def active_findings(store: Store, inspection_id: int, reviews: ReviewFilter | None = None,
                    site_id: str | None = None) -> list[Finding]:
    """An inspection's findings minus those reviewed as false alarms (what sweeps, verdicts
    and reports should count)."""
    rf = reviews or ReviewFilter.from_store(store)
    return rf.split(store.findings(inspection_id, site_id))[0]


# -- lifecycle -----------------------------------------------------------------------


def signature(f: Finding) -> tuple[str, str, str, str, str, str]:
    """What identifies "the same problem" across inspections (no character offset)."""
    return (f.site_id, f.url or "", f.rule, f.column or "", f.target or "", f.text or "")


@dataclass
class Coverage:
    """What one inspection looked at: sites, and per site the pages and columns."""

    sites: set[str]
    pages: dict[str, set[str]]
    columns: dict[str, set[str]]

    def checked(self, f: Finding) -> bool:
        if f.site_id not in self.sites:
            return False
        pages = self.pages.get(f.site_id)
        if not pages or not f.url:  # no page records kept (imports, tests): the site was checked
            return True
        if f.url in pages:
            return True
        return bool(f.column) and f.column in self.columns.get(f.site_id, set())


def coverage(store: Store, inspection_id: int) -> Coverage:
    c = store.conn
    sites = {r[0] for r in c.execute("SELECT site_id FROM sites WHERE inspection_id=?",
                                     (inspection_id,))}
    sites |= {r[0] for r in c.execute("SELECT site_id FROM verdicts WHERE inspection_id=?",
                                      (inspection_id,))}
    sites |= {r[0] for r in c.execute("SELECT account_id FROM accounts WHERE inspection_id=?",
                                      (inspection_id,))}
    pages: dict[str, set[str]] = {}
    for sid, url, final in c.execute(
            "SELECT site_id, url, final_url FROM pages WHERE inspection_id=?", (inspection_id,)):
        s = pages.setdefault(sid, set())
        s.add(url)
        if final:
            s.add(final)
    columns: dict[str, set[str]] = {}
    for sid, name, url in c.execute(
            "SELECT site_id, name, url FROM columns WHERE inspection_id=?", (inspection_id,)):
        columns.setdefault(sid, set()).add(name or "")
        pages.setdefault(sid, set()).add(url)
    return Coverage(sites, pages, columns)


class History:
    """Cached per-inspection findings and coverage for lifecycle questions."""

    def __init__(self, store: Store, reviews: ReviewFilter | None = None):
        self.store = store
        self.reviews = reviews or ReviewFilter.from_store(store)
        self._sigs: dict[int, set[tuple]] = {}
        self._cov: dict[int, Coverage] = {}

    def sigs(self, iid: int) -> set[tuple]:
        if iid not in self._sigs:
            self._sigs[iid] = {signature(f) for f in active_findings(self.store, iid, self.reviews)}
        return self._sigs[iid]

    def cov(self, iid: int) -> Coverage:
        if iid not in self._cov:
            self._cov[iid] = coverage(self.store, iid)
        return self._cov[iid]

    def earlier(self, insp: sqlite3.Row) -> list[sqlite3.Row]:
        """The inspections a finding's lifecycle is read from, newest first: the last
        LIFECYCLE_RECENT inspections of the same kind, plus one per earlier period within
        the lookback window.  Nightly sweeps would otherwise make every report read a
        year of findings; "reopened" across periods only needs each period's last look."""
        start = (date.fromisoformat(insp["as_of"][:10])
                 - timedelta(days=LIFECYCLE_LOOKBACK_DAYS)).isoformat()
        rows = sorted((r for r in self.store.inspections(insp["kind"])
                       if _usable(self.store, r) and (r["as_of"], r["id"]) < (insp["as_of"], insp["id"])
                       and r["as_of"] >= start),
                      key=lambda r: (r["as_of"], r["id"]), reverse=True)
        keep = {r["id"] for r in rows[:LIFECYCLE_RECENT]}
        keep |= {r["id"] for r in period_representatives(self.store, insp["kind"])}
        return [r for r in rows if r["id"] in keep]

    def lifecycle(self, insp: sqlite3.Row, findings: Iterable[Finding]) -> dict[str, str]:
        """Finding key → new | open | reopened, for findings of `insp`."""
        earlier = self.earlier(insp)
        out: dict[str, str] = {}
        for f in findings:
            sig = signature(f)
            state = "new"
            gap = False  # an earlier re-check found it fixed
            for j in earlier:
                if sig in self.sigs(j["id"]):
                    state = "reopened" if gap else "open"
                    break
                if self.cov(j["id"]).checked(f):
                    gap = True
            out[f.key] = state
        return out

    def recheck(self, prev_id: int, cur_id: int) -> list[tuple[Finding, str]]:
        """Each active finding of the earlier inspection → fixed | open | unchecked in the later."""
        cur_sigs = self.sigs(cur_id)
        cov = self.cov(cur_id)
        out = []
        for f in active_findings(self.store, prev_id, self.reviews):
            if signature(f) in cur_sigs:
                out.append((f, "open"))
            elif cov.checked(f):
                out.append((f, "fixed"))
            else:
                out.append((f, "unchecked"))
        return out


def persist_lifecycle(store: Store, inspection_id: int) -> dict[str, int]:
    """Write new/open/reopened into findings.lifecycle (the sweep calls this when it closes
    an inspection).  Returns counts per state."""
    insp = store.inspection(inspection_id)
    hist = History(store)
    states = hist.lifecycle(insp, store.findings(inspection_id))
    with store.tx() as c:
        c.executemany("UPDATE findings SET lifecycle=? WHERE inspection_id=? AND key=?",
                      [(s, inspection_id, k) for k, s in states.items()])
    counts: dict[str, int] = {}
    for s in states.values():
        counts[s] = counts.get(s, 0) + 1
    return counts


# -- verdicts ----------------------------------------------------------------------------


@dataclass
class SubjectVerdict:
    """A site's or account's result in one inspection, after reviews were applied."""

    subject_id: str
    subject: str  # site | account
    result: str  # 合格 | 不合格
    score: float | None = None
    vetoes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    recomputed: bool = False  # changed because a finding was dismissed as a false alarm
    details: dict = field(default_factory=dict)  # deductions and counts, when scored here

    @property
    def failed(self) -> bool:
        return self.result == FAIL


def _json_list(text: str | None) -> list:
    try:
        v = json.loads(text or "[]")
    except ValueError:
        return []
    return v if isinstance(v, list) else []


def recompute_verdict(subject_id: str, subject: str, findings: list[Finding],
                      settings: dict | None) -> SubjectVerdict:
    """Verdict from the remaining findings: the scoring module when present (sites), else
    the national rule reduced to vetoes (any veto → 不合格)."""
    if subject == "site":
        try:
            from govcrawl import scoring  # written by the inspection issue
            v = scoring.site_verdict(subject_id, findings, settings=settings)
            return SubjectVerdict(subject_id, subject, v.result, v.score, list(v.vetoes),
                                  list(v.problems), recomputed=True,
                                  details={"deductions": v.deductions, "counts": v.counts})
        except (ImportError, AttributeError, TypeError):
            pass
    else:
        try:
            from govcrawl.media.verdict import account_verdict  # the media issue's policy
            a = account_verdict(subject_id, findings, settings)
            return SubjectVerdict(subject_id, subject, a.result, a.score, list(a.vetoes),
                                  list(a.problems), recomputed=True)
        except (ImportError, AttributeError, TypeError):
            pass
    vetoes = sorted({f.rule for f in findings if f.severity == VETO})
    return SubjectVerdict(subject_id, subject, FAIL if vetoes else PASS, None, vetoes, [],
                          recomputed=True)


def verdicts(store: Store, insp: sqlite3.Row, reviews: ReviewFilter | None = None,
             subject: str | None = None,
             cache: dict[int, dict[str, SubjectVerdict]] | None = None) -> dict[str, SubjectVerdict]:
    """Stored verdicts of an inspection; a subject with a finding dismissed as a false alarm
    is recomputed from its remaining findings.  When no verdict was stored at all, every
    checked subject is judged the same way."""
    if cache is not None and insp["id"] in cache:
        return cache[insp["id"]]
    out = _verdicts(store, insp, reviews or ReviewFilter.from_store(store), subject)
    if cache is not None:
        cache[insp["id"]] = out
    return out


def _verdicts(store: Store, insp: sqlite3.Row, rf: ReviewFilter,
              subject: str | None) -> dict[str, SubjectVerdict]:
    iid = insp["id"]
    subj = subject or ("account" if insp["kind"] == "media" else "site")
    settings = None
    try:
        settings = json.loads(insp["settings_json"] or "{}") or None
    except ValueError:
        settings = None
    all_findings = store.findings(iid)
    by_subject: dict[str, list[Finding]] = {}
    dismissed: set[str] = set()
    for f in all_findings:
        if rf.is_false_alarm(f):
            dismissed.add(f.site_id)
        else:
            by_subject.setdefault(f.site_id, []).append(f)
    out: dict[str, SubjectVerdict] = {}
    for r in store.conn.execute("SELECT * FROM verdicts WHERE inspection_id=? AND subject=?",
                                (iid, subj)):
        sid = r["site_id"]
        if sid in dismissed:
            out[sid] = recompute_verdict(sid, subj, by_subject.get(sid, []), settings)
        else:
            out[sid] = SubjectVerdict(sid, subj, r["result"], r["score"],
                                      _json_list(r["vetoes_json"]), _json_list(r["problems_json"]))
    if out:
        return out
    # No verdicts stored yet (the inspection was never closed): judge what was checked.
    # Accounts whose platform could not be read (status 'unknown') were not checked.
    if subj == "account":
        checked = {r[0] for r in store.conn.execute(
            "SELECT account_id FROM accounts WHERE inspection_id=? AND COALESCE(status,'')"
            " != 'unknown'", (iid,))}
    else:
        checked = {r[0] for r in store.conn.execute(
            "SELECT site_id FROM sites WHERE inspection_id=?", (iid,))}
    for sid in sorted(checked):
        out[sid] = recompute_verdict(sid, subj, by_subject.get(sid, []), settings)
    return out


def write_verdicts(store: Store, inspection_id: int, vs: Iterable[SubjectVerdict]) -> int:
    """Store recomputed verdicts (after a review) in the verdicts table."""
    rows = [(inspection_id, v.subject_id, v.subject, v.result, v.score,
             json.dumps(v.vetoes, ensure_ascii=False), json.dumps(v.problems, ensure_ascii=False),
             json.dumps({**v.details, "recomputed_after_review": True}, ensure_ascii=False))
            for v in vs]
    with store.tx() as c:
        c.executemany(
            "INSERT INTO verdicts (inspection_id, site_id, subject, result, score, vetoes_json,"
            " problems_json, data_json) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(inspection_id,"
            " site_id) DO UPDATE SET subject=excluded.subject, result=excluded.result,"
            " score=excluded.score, vetoes_json=excluded.vetoes_json,"
            " problems_json=excluded.problems_json, data_json=excluded.data_json", rows)
    return len(rows)


# -- repeat offenders ----------------------------------------------------------------


@dataclass
class Offence:
    subject_id: str
    consecutive: int  # quarters (or comparable inspections) failed in a row, this one included
    in_year: int  # failures within the 12 months ending at this inspection, this one included
    history: list[tuple[str, str]]  # (period, result) oldest first
    quarters: bool = True  # the periods are quarters (else named checks: 连续N次)

    @property
    def label(self) -> str:
        parts = []
        if self.consecutive >= 2:
            unit = "个季度" if self.quarters else "次检查"
            parts.append(f"连续{_cn_num(self.consecutive)}{unit}不合格")
        # "年内第N次" adds information only when the failures were not all consecutive
        if self.in_year >= 2 and self.in_year > self.consecutive:
            parts.append(f"年内第{_cn_num(self.in_year, ordinal=True)}次检查不合格")
        return "，".join(parts)


def _cn_num(n: int, ordinal: bool = False) -> str:
    """2 → 两 as a count (连续两个季度), 二 as an ordinal (第二次)."""
    digits = "零一二三四五六七八九十"
    if 0 <= n <= 10:
        return "两" if n == 2 and not ordinal else digits[n]
    return str(n)


def repeat_offenders(store: Store, insp: sqlite3.Row, current: dict[str, SubjectVerdict],
                     reviews: ReviewFilter | None = None,
                     cache: dict[int, dict[str, SubjectVerdict]] | None = None
                     ) -> dict[str, Offence]:
    """Subjects failing now that also failed before: consecutive periods and within a year.

    Periods are compared by their representatives; quarters must be adjacent to count as
    consecutive (2024Q1 → 2024Q2), named checks count as consecutive when nothing lies
    between them.
    """
    rf = reviews or ReviewFilter.from_store(store)
    horizon = (date.fromisoformat(insp["as_of"][:10]) - timedelta(days=3 * 366)).isoformat()
    reps = [r for r in period_representatives(store, insp["kind"])
            if (r["as_of"], r["id"]) < (insp["as_of"], insp["id"]) and period_of(r) != period_of(insp)
            and r["as_of"] >= horizon]
    past = [(r, verdicts(store, r, rf, cache=cache)) for r in reps]
    year_start = (date.fromisoformat(insp["as_of"][:10]) - timedelta(days=365)).isoformat()
    out: dict[str, Offence] = {}
    for sid, v in current.items():
        if not v.failed:
            continue
        consecutive = 1
        prev_q = quarter_index(period_of(insp))
        all_quarters = prev_q is not None
        broken = False
        for r, vs in reversed(past):
            q = quarter_index(period_of(r))
            if broken:
                break
            if prev_q is not None and q is not None and q != prev_q - 1:
                broken = True
                break
            pv = vs.get(sid)
            if pv is None or not pv.failed:
                broken = True
                break
            consecutive += 1
            all_quarters = all_quarters and q is not None
            prev_q = q
        in_year = 1 + sum(1 for r, vs in past
                          if r["as_of"] > year_start and sid in vs and vs[sid].failed)
        hist = [(period_of(r), vs[sid].result) for r, vs in past if sid in vs]
        hist.append((period_of(insp), v.result))
        if consecutive >= 2 or in_year >= 2:
            out[sid] = Offence(sid, consecutive, in_year, hist, quarters=all_quarters)
    return out
