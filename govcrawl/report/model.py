"""Everything a bulletin states, computed once from the store.

`build_bulletin()` gathers the numbers and names; the writers (xlsx, docx, html) only lay
them out, so every format says the same thing and tests can check the numbers here.
Reviews are applied first: a finding dismissed as a false alarm is neither counted nor
named, and the subject's verdict is recomputed without it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import Any

from govcrawl import history as H
from govcrawl.items import Finding
from govcrawl.registry import PLATFORM_LABELS
from govcrawl.report import phrases as P
from govcrawl.store import Store, StoreError

KIND_LABELS = {"portal": "政府门户网站", "department": "部门网站"}


@dataclass
class Subject:
    """A site or an account as the bulletin names it."""

    id: str
    name: str
    region: str = ""
    kind: str = ""  # site: portal | department; account: platform code
    type_label: str = ""  # 账号类型 for accounts, 网站类型 for sites
    org: str = ""
    url: str = ""
    result: str = ""
    score: float | None = None
    problems: list[str] = field(default_factory=list)
    vetoes: list[str] = field(default_factory=list)
    recomputed: bool = False
    repeat: str = ""  # 连续两个季度不合格 / 年内第二次检查不合格
    findings: int = 0  # active veto+deduct findings

    @property
    def failed(self) -> bool:
        return self.result == H.FAIL

    @property
    def problem_text(self) -> str:
        return "，".join(self.problems)


@dataclass
class Rate:
    name: str
    checked: int
    failed: int

    @property
    def passed(self) -> int:
        return self.checked - self.failed

    @property
    def rate(self) -> float:
        return pct(self.passed, self.checked)


@dataclass
class Totals:
    running: int
    checked: int
    failed: int
    rate: float
    prev_period: str | None = None
    prev_rate: float | None = None
    change_pp: float | None = None  # percentage points against the previous comparable period
    groups: list[Rate] = field(default_factory=list)  # regions (sites) or platforms (accounts)
    full_groups: list[str] = field(default_factory=list)  # groups at 100%

    @property
    def passed(self) -> int:
        return self.checked - self.failed


@dataclass
class Example:
    subject: str  # name
    subject_id: str
    evidence: list[str]


@dataclass
class ProblemGroup:
    category: str
    subjects: int
    findings: int
    examples: list[Example]


@dataclass
class Recheck:
    prev_period: str
    prev_failed: list[str]  # names of subjects failing last period
    rectified: list[str]  # …now 合格
    not_rectified: list[str]  # …still 不合格
    unchecked: list[str]  # …not checked this time
    fixed: int  # last period's findings fixed
    still_open: int
    not_rechecked: int


@dataclass
class OpenItem:
    """One line of a rectification sheet."""

    subject_id: str
    subject: str
    rule: str
    severity: str
    problem: str
    where: str
    evidence: str
    action: str
    lifecycle: str  # new | open | reopened
    review: str  # confirmed | to_check | ''
    key: str


@dataclass
class TrendPoint:
    period: str
    inspection_id: int
    checked: int
    failed: int
    rate: float


@dataclass
class Section:
    """Sites or accounts of one inspection."""

    inspection_id: int
    kind: str  # sites | media
    as_of: str
    scope: str
    sample_seed: int | None
    totals: Totals
    subjects: list[Subject]  # every checked subject, failing first
    problems: list[ProblemGroup]
    recheck: Recheck | None
    repeat: list[Subject]  # failing subjects with a repeat label
    trend: list[TrendPoint]
    open_items: list[OpenItem]
    false_alarms: int  # findings dropped because an editor dismissed them


@dataclass
class Bulletin:
    period: str
    period_title: str
    title: str
    date: str  # date printed under the signature
    issuer: str
    sites: Section | None
    media: Section | None
    lifecycle: dict[str, int]  # counts of new/open/reopened among this period's site findings

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pct(num: int, den: int) -> float:
    return round(100.0 * num / den, 2) if den else 0.0


# -- loading ---------------------------------------------------------------------------------


def _registry(insp: sqlite3.Row) -> dict[str, Any]:
    try:
        d = json.loads(insp["registry_json"] or "{}")
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def _site_subjects(store: Store, insp: sqlite3.Row) -> tuple[dict[str, Subject], int]:
    reg = _registry(insp)
    known: dict[str, Subject] = {}
    for s in reg.get("sites") or []:
        if isinstance(s, dict) and s.get("id"):
            known[str(s["id"])] = Subject(
                id=str(s["id"]), name=s.get("name") or str(s["id"]), region=s.get("region") or "",
                kind=s.get("kind") or "", org=s.get("org") or "", url=s.get("url") or "")
    running = len(known)
    for r in store.sites(insp["id"]):
        known[r["site_id"]] = Subject(
            id=r["site_id"], name=r["name"] or r["site_id"], region=r["region"] or "",
            kind=r["kind"] or "", org=r["org"] or "", url=r["url"] or "")
    for s in known.values():
        s.type_label = KIND_LABELS.get(s.kind, s.kind)
    return known, running or len(known)


def _account_subjects(store: Store, insp: sqlite3.Row) -> tuple[dict[str, Subject], int]:
    reg = _registry(insp)
    known: dict[str, Subject] = {}
    for a in reg.get("accounts") or []:
        if isinstance(a, dict) and a.get("id"):
            known[str(a["id"])] = Subject(
                id=str(a["id"]), name=a.get("name") or str(a["id"]), region=a.get("region") or "",
                kind=a.get("platform") or "", org=a.get("org") or "", url=a.get("url") or "")
    running = len(known)
    labels: dict[str, str] = {}
    for r in store.conn.execute("SELECT * FROM accounts WHERE inspection_id=?", (insp["id"],)):
        known[r["account_id"]] = Subject(
            id=r["account_id"], name=r["name"] or r["account_id"], region=r["region"] or "",
            kind=r["platform"] or "", org=r["org"] or "", url=r["url"] or "")
        try:
            data = json.loads(r["data_json"] or "{}")
        except ValueError:
            data = {}
        if isinstance(data, dict) and data.get("platform_label"):
            labels[r["account_id"]] = str(data["platform_label"])  # e.g. 微信服务号
    for a in known.values():
        a.type_label = labels.get(a.id) or PLATFORM_LABELS.get(a.kind, a.kind or "其他")
    return known, running or len(known)


def _page_titles(store: Store, iid: int, urls: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    urls = {u for u in urls if u}
    if not urls:
        return out
    for r in store.conn.execute("SELECT url, title FROM pages WHERE inspection_id=?", (iid,)):
        if r["url"] in urls and r["title"]:
            out[r["url"]] = r["title"]
    return out


def _rates(subjects: list[Subject], key) -> list[Rate]:
    groups: dict[str, Rate] = {}
    for s in subjects:
        g = key(s) or "未标明"
        r = groups.setdefault(g, Rate(g, 0, 0))
        r.checked += 1
        r.failed += int(s.failed)
    # Ranked: rate high to low, then more sites checked first, then name (stable output).
    return sorted(groups.values(), key=lambda r: (-r.rate, -r.checked, r.name))


def _trend(store: Store, insp: sqlite3.Row, rf: H.ReviewFilter,
           cache: dict[int, dict[str, H.SubjectVerdict]]) -> list[TrendPoint]:
    out = []
    for r in H.period_representatives(store, insp["kind"]):
        if (r["as_of"], r["id"]) > (insp["as_of"], insp["id"]):
            continue
        if H.period_of(r) == H.period_of(insp) and r["id"] != insp["id"]:
            continue
        vs = H.verdicts(store, r, rf, cache=cache)
        failed = sum(1 for v in vs.values() if v.failed)
        out.append(TrendPoint(H.period_of(r), r["id"], len(vs), failed, pct(len(vs) - failed, len(vs))))
    if not any(t.inspection_id == insp["id"] for t in out):
        vs = H.verdicts(store, insp, rf, cache=cache)
        failed = sum(1 for v in vs.values() if v.failed)
        out.append(TrendPoint(H.period_of(insp), insp["id"], len(vs), failed,
                              pct(len(vs) - failed, len(vs))))
    return out


def build_section(store: Store, insp: sqlite3.Row, rf: H.ReviewFilter, hist: H.History,
                  max_examples: int = 5) -> Section:
    media = insp["kind"] == "media"
    iid = insp["id"]
    cache: dict[int, dict[str, H.SubjectVerdict]] = {}
    known, running = (_account_subjects if media else _site_subjects)(store, insp)
    vs = H.verdicts(store, insp, rf, cache=cache)
    all_findings = store.findings(iid)
    active, dropped = rf.split(all_findings)
    scored = [f for f in active if f.severity != "notice"]
    by_subject: dict[str, list[Finding]] = {}
    for f in scored:
        by_subject.setdefault(f.site_id, []).append(f)

    subjects: list[Subject] = []
    for sid, v in vs.items():
        s = known.get(sid) or Subject(id=sid, name=sid)
        s.result, s.score, s.vetoes, s.recomputed = v.result, v.score, list(v.vetoes), v.recomputed
        fs = by_subject.get(sid, [])
        s.problems = list(v.problems) if v.problems else P.problem_phrases(fs)
        renamed = [f for f in fs if f.rule == "media.renamed"]
        if renamed and P.RULE_PHRASES["media.renamed"] in s.problems:
            # name the new account name, as bulletins do: 已改名（X）系统中未改名
            detailed = P.problem_phrases(renamed)[0]
            s.problems = [detailed if p == P.RULE_PHRASES["media.renamed"] else p
                          for p in s.problems]
        s.findings = len(fs)
        subjects.append(s)
    subjects.sort(key=lambda s: (not s.failed, not s.problems, s.region, s.id))

    offences = H.repeat_offenders(store, insp, vs, rf, cache=cache)
    for s in subjects:
        if s.id in offences:
            s.repeat = offences[s.id].label
    repeat = [s for s in subjects if s.repeat]

    # totals and change against the previous comparable period
    failed = sum(1 for s in subjects if s.failed)
    totals = Totals(running=max(running, len(subjects)), checked=len(subjects), failed=failed,
                    rate=pct(len(subjects) - failed, len(subjects)))
    prev = H.previous_comparable(store, insp)
    prev_vs: dict[str, H.SubjectVerdict] = {}
    if prev is not None:
        prev_vs = H.verdicts(store, prev, rf, cache=cache)
        pf = sum(1 for v in prev_vs.values() if v.failed)
        totals.prev_period = H.period_of(prev)
        totals.prev_rate = pct(len(prev_vs) - pf, len(prev_vs))
        # from the unrounded rates: 5/6 − 4/6 is 16.67 points, not 83.33 − 66.67
        totals.change_pp = round(100.0 * ((totals.checked - failed) / totals.checked
                                          - (len(prev_vs) - pf) / len(prev_vs)), 2) \
            if totals.checked and prev_vs else None
    totals.groups = _rates(subjects, (lambda s: s.type_label) if media else (lambda s: s.region))
    totals.full_groups = [g.name for g in totals.groups if g.checked and g.failed == 0]

    # main problems by category, naming subjects with concrete evidence
    titles = _page_titles(store, iid, {f.url for f in scored})
    cats: dict[str, dict[str, list[Finding]]] = {}
    for f in scored:
        cats.setdefault(P.category_of(f.rule, media), {}).setdefault(f.site_id, []).append(f)
    order = [c for c, _ in (P.MEDIA_CATEGORIES if media else P.SITE_CATEGORIES)] + ["其他问题"]
    groups: list[ProblemGroup] = []
    for cat in order:
        subs = cats.get(cat)
        if not subs:
            continue
        # Failing subjects and those with the most findings are named first.
        ranked = sorted(subs.items(), key=lambda kv: (
            not (vs.get(kv[0]) and vs[kv[0]].failed), -len(kv[1]), kv[0]))
        examples = []
        for sid, fs in ranked[:max_examples]:
            fs = sorted(fs, key=lambda f: (f.severity != "veto", f.rule, f.url or "", f.start or 0))
            seen: list[str] = []
            cols: set[tuple[str, str]] = set()
            for f in fs:
                if f.column and f.rule.startswith(("column.", "interaction.")):
                    if (f.rule, f.column) in cols:  # one clause per column is enough
                        continue
                    cols.add((f.rule, f.column))
                e = P.evidence(f, titles.get(f.url or ""))
                if e not in seen:
                    seen.append(e)
                if len(seen) == 2:
                    break
            name = known[sid].name if sid in known else sid
            examples.append(Example(name, sid, seen))
        groups.append(ProblemGroup(cat, len(subs), sum(len(v) for v in subs.values()), examples))

    # re-check of last period's findings
    recheck = None
    if prev is not None:
        cur_checked = set(vs)
        prev_failed = [sid for sid, v in sorted(prev_vs.items()) if v.failed]
        prev_known, _ = (_account_subjects if media else _site_subjects)(store, prev)

        def nm(sid: str) -> str:
            return (known.get(sid) or prev_known.get(sid) or Subject(sid, sid)).name

        rows = hist.recheck(prev["id"], iid)
        rows = [(f, st) for f, st in rows if f.severity != "notice"]
        recheck = Recheck(
            prev_period=H.period_of(prev),
            prev_failed=[nm(s) for s in prev_failed],
            rectified=[nm(s) for s in prev_failed if s in cur_checked and not vs[s].failed],
            not_rectified=[nm(s) for s in prev_failed if s in cur_checked and vs[s].failed],
            unchecked=[nm(s) for s in prev_failed if s not in cur_checked],
            fixed=sum(1 for _, st in rows if st == "fixed"),
            still_open=sum(1 for _, st in rows if st == "open"),
            not_rechecked=sum(1 for _, st in rows if st == "unchecked"))

    # rectification items: every open (active, scored) finding, with lifecycle
    life = hist.lifecycle(insp, scored)
    items: list[OpenItem] = []
    for f in scored:
        s = known.get(f.site_id)
        items.append(OpenItem(
            subject_id=f.site_id, subject=s.name if s else f.site_id, rule=f.rule,
            severity=f.severity, problem=P.RULE_PHRASES.get(f.rule, f.category or f.rule),
            where=P.where(f, titles.get(f.url or "")), evidence=P.evidence(f, titles.get(f.url or "")),
            action=P.action(f), lifecycle=life.get(f.key, "new"), review=rf.state(f) or "",
            key=f.key))
    items.sort(key=lambda i: (i.subject_id, i.severity != "veto", i.rule, i.where))

    return Section(inspection_id=iid, kind=insp["kind"], as_of=insp["as_of"], scope=insp["scope"],
                   sample_seed=insp["sample_seed"], totals=totals, subjects=subjects,
                   problems=groups, recheck=recheck, repeat=repeat,
                   trend=_trend(store, insp, rf, cache), open_items=items, false_alarms=len(dropped))


def build_bulletin(store: Store, inspection: str | int | None = "latest", period: str | None = None,
                   *, date: str | None = None, issuer: str = "", title: str | None = None) -> Bulletin:
    """The bulletin of one inspection (or period): its sites and the same period's accounts.

    `inspection`/`period` pick the sites inspection; when the store holds only media
    inspections, the bulletin covers accounts alone.
    """
    rf = H.ReviewFilter.from_store(store)
    hist = H.History(store, rf)
    sites_insp: sqlite3.Row | None
    media_insp: sqlite3.Row | None
    try:
        if inspection not in (None, "", "latest") and not period:
            chosen = store.inspection(inspection)
        else:
            chosen = H.resolve_inspection(store, inspection, period, kind="sites")
    except StoreError as first:
        try:
            chosen = H.resolve_inspection(store, inspection, period, kind="media")
        except StoreError:
            if not period:
                raise first from None
            known = sorted({H.period_of(r) for k in ("sites", "media")
                            for r in H.period_representatives(store, k)})
            raise StoreError(f"{store.path}: no inspection for period {period}"
                             f" (periods in the store: {', '.join(known) or 'none'})") from None
    H.require_finished(store, chosen, "bulletin")  # no verdicts published from an unfinished one
    if chosen["kind"] == "media":
        media_insp = chosen
        sites_reps = [r for r in H.period_representatives(store, "sites")
                      if H.period_of(r) == H.period_of(chosen)]
        sites_insp = sites_reps[-1] if sites_reps else None
    else:
        sites_insp = chosen
        media_insp = H.media_companion(store, chosen)
    per = H.period_of(chosen)
    sites = build_section(store, sites_insp, rf, hist) if sites_insp is not None else None
    media = build_section(store, media_insp, rf, hist) if media_insp is not None else None
    lifecycle: dict[str, int] = {}
    if sites is not None:
        for it in sites.open_items:
            lifecycle[it.lifecycle] = lifecycle.get(it.lifecycle, 0) + 1
    ptitle = H.period_title(per)
    scope = chosen["scope"]
    what = "政府网站与政务新媒体" if (sites and media) else ("政务新媒体" if media else "政府网站")
    check = "抽查" if scope == "sample" else "检查"
    return Bulletin(
        period=per, period_title=ptitle,
        title=title or f"关于{ptitle}{what}{check}情况的通报",
        date=date or chosen["as_of"][:10], issuer=issuer, sites=sites, media=media,
        lifecycle=lifecycle)
