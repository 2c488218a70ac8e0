"""Site verdicts: vetoes, capped deductions, 合格/不合格 and the bulletin's problem phrases.

Follows the scoring rules of 国办秘函〔2019〕19号 (shared rules.md): any veto finding makes
a site 不合格; otherwise 100 points minus deductions, each indicator losing at most its
own points, and a site below 60 fails.  Every number here is a setting whose default is
the national value, so a stricter province overrides it with ``-s`` or the environment.

Column findings are emitted as ``deduct`` by the site checks; the count vetoes
(stale news + notice columns ≥ 5, blank columns ≥ 5, other stale columns ≥ 10) are
decided here from the counts, so a verdict is right whichever way the findings were
labelled.  The score is always the deduction score (reported even when a veto fails
the site, so an inspector sees how far off the rest is); the result follows the veto.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

from govcrawl.items import DEDUCT, NOTICE, VETO, Finding

PASS = "合格"
FAIL = "不合格"

# -- defaults (national values) -----------------------------------------------------
DEFAULTS: dict[str, Any] = {
    "GOVCRAWL_SCORE_PASS": 60.0,
    "GOVCRAWL_SCORE_BASE": 100.0,
    # count vetoes (rules.md)
    "GOVCRAWL_VETO_STALE_COLUMNS": 5,  # column.stale_news + column.stale_notice
    "GOVCRAWL_VETO_BLANK_COLUMNS": 5,  # column.blank
    "GOVCRAWL_VETO_STALE_OTHER": 10,  # column.stale_other
    # Deduction indicators: name -> {cap, points per finding by rule}.  A rule may
    # carry a variant key ``rule@homepage`` used when evidence.homepage is true
    # (2015 table: a broken link costs 1 point on the homepage, 0.1 elsewhere).
    "GOVCRAWL_SCORE_INDICATORS": {
        "栏目更新": {"cap": 30.0, "points": {
            "column.stale_news": 5.0, "column.stale_notice": 5.0, "column.stale_other": 5.0}},
        "空白栏目": {"cap": 20.0, "points": {"column.blank": 5.0}},
        "链接可用性": {"cap": 10.0, "points": {"link.broken": 0.1, "link.broken@homepage": 1.0}},
        "页面标签": {"cap": 5.0, "points": {"tag.missing": 0.1, "tag.invalid": 0.2}},
        "网站标识": {"cap": 5.0, "points": {"identity.missing": 1.0}},
        "互动回应": {"cap": 15.0, "points": {
            "interaction.slow_reply": 1.0, "interaction.stale_stats": 5.0}},
        "内容准确": {"cap": 20.0, "points": {
            "content.typo": 1.0, "content.prohibited": 2.0, "content.privacy": 5.0,
            "content.fake_date": 2.0}},
        "内容安全": {"cap": 20.0, "points": {"content.hidden_link": 5.0}},
    },
}

# Bulletin phrases, in the order a bulletin prints them.  A (rule prefix, phrase) list.
PHRASES: list[tuple[str, str]] = [
    ("site.unreachable", "监测时间点无法访问"),
    ("site.homepage_not_updated", "首页长期未更新"),
    ("content.leader_name", "存在严重表述错误"),
    ("content.leader_title", "存在严重表述错误"),
    ("content.phrase", "存在严重表述错误"),
    ("content.illegal", "发布或链接违法有害信息"),
    ("link.unsafe", "链接不安全内容"),
    ("content.hidden_link", "存在暗链"),
    ("content.fake_date", "伪造发稿日期"),
    ("interaction.no_channel", "互动回应差"),
    ("interaction.unanswered", "互动回应差"),
    ("column.blank", "存在空白栏目"),
    ("column.stale_other", "应更新栏目未更新"),
    ("content.typo", "存在错别字"),
    ("content.prohibited", "使用禁用慎用表述"),
    ("content.privacy", "泄露个人信息"),
    ("interaction.slow_reply", "留言办理不及时"),
    ("interaction.stale_stats", "留言统计未及时更新"),
    ("link.broken", "存在不可用链接"),
    ("identity.missing", "网站标识不规范"),
    ("tag.missing", "页面标签不规范"),
    ("tag.invalid", "页面标签不规范"),
]
STALE_PHRASE_MANY = "多个栏目更新不及时"
STALE_PHRASE_ONE = "栏目更新不及时"


@dataclass
class Verdict:
    """What an inspector signs for one site (contract §4)."""

    subject_id: str
    subject: str  # 'site' (accounts are judged by the media engineer)
    result: str  # 合格 | 不合格
    score: float
    vetoes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    deductions: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The contract's jsonl line: site_id, result, score, vetoes, problems (+ extras)."""
        d = asdict(self)
        d = {"site_id": self.subject_id, **d}
        return d


def setting(settings: Any, name: str, default: Any = None) -> Any:
    """Read a setting from Scrapy Settings, a plain mapping or nothing, falling back to
    this module's national default.  JSON strings (``-s NAME='{...}'``) are decoded."""
    if default is None:
        default = DEFAULTS.get(name)
    value = None
    if settings is not None:
        try:
            value = settings.get(name)
        except AttributeError:
            value = None
    if value is None:
        return default
    if isinstance(default, (dict, list)) and isinstance(value, str):
        value = json.loads(value)
    if isinstance(default, float) and not isinstance(value, (dict, list)):
        value = float(value)
    elif isinstance(default, int) and not isinstance(default, bool) and not isinstance(value, (dict, list)):
        value = int(value)
    if hasattr(value, "copy_to_dict"):
        value = value.copy_to_dict()
    return value


def _is_homepage(f: Finding) -> bool:
    ev = f.evidence or {}
    return bool(ev.get("homepage") or ev.get("on_homepage"))


def site_verdict(site_id: str, findings: Iterable[Finding],
                 settings: Mapping[str, Any] | Any = None) -> Verdict:
    """Judge one site from its findings (any order, notices ignored)."""
    findings = [f for f in findings if f.site_id == site_id or not f.site_id]
    counts: dict[str, int] = {}
    for f in findings:
        if f.severity == NOTICE:
            continue
        counts[f.rule] = counts.get(f.rule, 0) + 1

    vetoes: list[str] = []

    def veto(rule: str) -> None:
        if rule not in vetoes:
            vetoes.append(rule)

    for f in findings:
        if f.severity == VETO:
            veto(f.rule)
    stale = counts.get("column.stale_news", 0) + counts.get("column.stale_notice", 0)
    if stale and stale >= setting(settings, "GOVCRAWL_VETO_STALE_COLUMNS"):
        for r in ("column.stale_news", "column.stale_notice"):
            if counts.get(r):
                veto(r)
    blank = counts.get("column.blank", 0)
    if blank and blank >= setting(settings, "GOVCRAWL_VETO_BLANK_COLUMNS"):
        veto("column.blank")
    other = counts.get("column.stale_other", 0)
    if other and other >= setting(settings, "GOVCRAWL_VETO_STALE_OTHER"):
        veto("column.stale_other")

    indicators = setting(settings, "GOVCRAWL_SCORE_INDICATORS")
    rule_to_ind: dict[str, str] = {}
    for name, spec in indicators.items():
        for rule in spec.get("points", {}):
            rule_to_ind[rule.split("@")[0]] = name
    raw: dict[str, float] = {}
    for f in findings:
        if f.severity != DEDUCT and not (f.severity == VETO and f.rule in rule_to_ind):
            continue
        ind = rule_to_ind.get(f.rule)
        if ind is None:
            continue
        pts = indicators[ind]["points"]
        p = pts.get(f"{f.rule}@homepage") if _is_homepage(f) else None
        if p is None:
            p = pts.get(f.rule, 0.0)
        raw[ind] = raw.get(ind, 0.0) + float(p)
    deductions: dict[str, float] = {}
    for ind, v in raw.items():
        cap = float(indicators[ind].get("cap", v))
        d = round(min(v, cap), 2)
        if d > 0:
            deductions[ind] = d
    base = setting(settings, "GOVCRAWL_SCORE_BASE")
    score = round(max(0.0, base - sum(deductions.values())), 2)
    result = FAIL if vetoes or score < setting(settings, "GOVCRAWL_SCORE_PASS") else PASS

    # Bulletin phrases: vetoed problems first, then the rest, each in PHRASES order.
    ordered: list[tuple[str, bool]] = []
    for rule, phrase in PHRASES:
        if rule == "site.homepage_not_updated" and stale:
            ordered.append((STALE_PHRASE_MANY if stale >= 2 else STALE_PHRASE_ONE,
                            "column.stale_news" in vetoes or "column.stale_notice" in vetoes))
        if counts.get(rule):
            ordered.append((phrase, rule in vetoes))
    problems: list[str] = []
    for want_vetoed in (True, False):
        for phrase, vetoed in ordered:
            if vetoed == want_vetoed and phrase not in problems:
                problems.append(phrase)
    return Verdict(subject_id=site_id, subject="site", result=result, score=score,
                   vetoes=vetoes, problems=problems, deductions=deductions, counts=counts)


def _false_alarms(store: Any) -> set[str]:
    """Finding keys an editor has dismissed (reviews.state = false_alarm): not scored."""
    try:
        rows = store.conn.execute("SELECT key FROM reviews WHERE state='false_alarm'").fetchall()
    except Exception:  # an old store without the table
        return set()
    return {r[0] for r in rows}


def compute_verdicts(store: Any, inspection_id: int, settings: Any = None) -> list[Verdict]:
    """Judge every site of an inspection, write the verdicts table (subject='site').
    Findings an editor dismissed are not scored: the same key, or the same text on the
    same page (govcrawl.history.ReviewFilter, as the bulletin reads them)."""
    from govcrawl.history import ReviewFilter

    try:
        dismissed = ReviewFilter.from_store(store).is_false_alarm
    except Exception:  # an old store without the table
        dismissed = lambda f: False  # noqa: E731
    by_site: dict[str, list[Finding]] = {}
    for f in store.findings(inspection_id):
        if dismissed(f):
            continue
        by_site.setdefault(f.site_id, []).append(f)
    verdicts = [site_verdict(s["site_id"], by_site.get(s["site_id"], []), settings)
                for s in store.sites(inspection_id)]
    with store.tx() as c:
        c.execute("DELETE FROM verdicts WHERE inspection_id=? AND subject='site'", (inspection_id,))
        c.executemany(
            "INSERT OR REPLACE INTO verdicts (inspection_id, site_id, subject, result, score,"
            " vetoes_json, problems_json, data_json) VALUES (?,?,?,?,?,?,?,?)",
            [(inspection_id, v.subject_id, "site", v.result, v.score,
              json.dumps(v.vetoes, ensure_ascii=False), json.dumps(v.problems, ensure_ascii=False),
              json.dumps({"deductions": v.deductions, "counts": v.counts}, ensure_ascii=False))
             for v in verdicts])
    return verdicts


def read_verdicts(store: Any, inspection_id: int, subject: str | None = None) -> list[dict[str, Any]]:
    """Stored verdict rows as contract §4 dicts (for the CLI and the report)."""
    q = "SELECT * FROM verdicts WHERE inspection_id=?"
    args: list[Any] = [inspection_id]
    if subject:
        q += " AND subject=?"
        args.append(subject)
    out = []
    for r in store.conn.execute(q + " ORDER BY subject DESC, site_id", args):
        data = json.loads(r["data_json"] or "{}")
        out.append({"site_id": r["site_id"], "subject": r["subject"], "result": r["result"],
                    "score": r["score"], "vetoes": json.loads(r["vetoes_json"] or "[]"),
                    "problems": json.loads(r["problems_json"] or "[]"),
                    "deductions": data.get("deductions", {}), "counts": data.get("counts", {})})
    return out
