"""Account verdicts (合格 / 不合格) and the phrases a bulletin prints for them.

Policy, after 国办秘函〔2019〕19号 and rules.md: any veto finding fails the account;
otherwise 100 minus deductions (each rule capped), and a score below the pass mark
fails it.  Some provinces fail an account on deduct rules too (渭南's 2024 annex lists
3个月无原创 and 已改名 as 不合格): name those rules in GOVCRAWL_MEDIA_FAIL_RULES.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from govcrawl.items import VETO, Finding

PASS, FAIL = "合格", "不合格"

DEFAULT_POINTS: dict[str, float] = {
    "media.no_original": 20, "media.renamed": 10, "media.slow_reply": 5, "media.ads": 10,
    "content.typo": 2, "content.prohibited": 5, "content.privacy": 5, "content.fake_date": 5,
}
DEFAULT_POINTS_FALLBACK = 5.0  # any other deduct rule, per finding
DEFAULT_RULE_CAP = 20.0  # no rule costs more than this
DEFAULT_PASS_SCORE = 60.0

CONTENT_PHRASES = {
    "content.leader_name": "存在严重表述错误", "content.leader_title": "存在严重表述错误",
    "content.phrase": "存在严重表述错误", "content.illegal": "发布违法违规内容",
    "content.typo": "存在错别字", "content.prohibited": "存在不规范表述",
    "content.privacy": "泄露个人信息", "content.fake_date": "发布日期异常",
}


def problem_phrase(f: Finding) -> str:
    """The short phrase a bulletin prints for a finding (annex 备注 column)."""
    r, ev = f.rule, f.evidence or {}
    if r == "media.not_updated":
        return f"{ev.get('threshold_days') or 14}天未更新"
    if r == "media.no_original":
        return "3个月无原创"
    if r == "media.no_interaction":
        return "互动交流链接有误" if ev.get("state") == "broken" else "未提供有效互动功能"
    if r == "media.slow_reply":
        return "互动回应差"
    if r == "media.renamed":
        cur = ev.get("current_name") or f.text
        return f"已改名（{cur}）系统中未改名" if cur else "已改名系统中未改名"
    if r == "media.not_found":
        return "账号已注销系统中未下线" if ev.get("status") == "closed" else "搜索不到"
    if r == "media.ads":
        return "发布商业广告"
    return CONTENT_PHRASES.get(r, f.category or r)


@dataclass
class AccountVerdict:
    account_id: str
    result: str
    score: float
    vetoes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    deductions: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "result": self.result, "score": self.score,
                "vetoes": self.vetoes, "problems": self.problems, "deductions": self.deductions}


def _get(settings: dict[str, Any] | None, name: str, default: Any) -> Any:
    if settings is None:
        return default
    v = settings.get(name)
    if v in (None, ""):
        return default
    if isinstance(v, str) and name in ("GOVCRAWL_MEDIA_POINTS",):
        return json.loads(v)
    if isinstance(v, str) and name == "GOVCRAWL_MEDIA_FAIL_RULES":
        return [x.strip() for x in v.split(",") if x.strip()]
    return v


def account_verdict(account_id: str, findings: Iterable[Finding],
                    settings: dict[str, Any] | None = None) -> AccountVerdict:
    points = {**DEFAULT_POINTS, **dict(_get(settings, "GOVCRAWL_MEDIA_POINTS", {}))}
    cap = float(_get(settings, "GOVCRAWL_MEDIA_RULE_CAP", DEFAULT_RULE_CAP))
    pass_score = float(_get(settings, "GOVCRAWL_MEDIA_PASS_SCORE", DEFAULT_PASS_SCORE))
    fail_rules = set(_get(settings, "GOVCRAWL_MEDIA_FAIL_RULES", []))
    vetoes: list[str] = []
    problems: list[str] = []
    lost: dict[str, float] = defaultdict(float)
    strict = False
    for f in sorted(findings, key=lambda f: (f.severity != VETO, f.rule)):
        phrase = problem_phrase(f)
        if phrase not in problems:
            problems.append(phrase)
        if f.severity == VETO:
            if f.rule not in vetoes:
                vetoes.append(f.rule)
        elif f.severity != "notice":
            lost[f.rule] = min(cap, lost[f.rule] + float(points.get(f.rule, DEFAULT_POINTS_FALLBACK))
                               * max(1, f.count or 1))
            strict = strict or f.rule in fail_rules
    score = max(0.0, 100.0 - sum(lost.values()))
    result = FAIL if vetoes or strict or score < pass_score else PASS
    return AccountVerdict(account_id, result, 0.0 if vetoes else score, vetoes, problems, dict(lost))


VETO_RULES = ("media.not_found", "media.not_updated", "media.no_interaction")


def withheld(v: AccountVerdict, unjudged: Iterable[str], settings: dict[str, Any] | None = None) -> bool:
    """A 合格 that rests on rules which could not be judged is not given: only a veto or a
    province's fail rule could have changed it, so those count.  A 不合格 found on positive
    evidence stands whatever else could not be read."""
    if v.result != PASS:
        return False
    decisive = set(VETO_RULES) | set(_get(settings, "GOVCRAWL_MEDIA_FAIL_RULES", []))
    return bool(decisive & set(unjudged))


def compute_account_verdicts(store: Any, inspection_id: int, settings: dict[str, Any] | None = None,
                             exclude_keys: set[str] | None = None,
                             accounts: Iterable[str] | None = None) -> list[AccountVerdict]:
    """(Re)compute and write verdicts for the accounts of a media inspection.

    Accounts whose platform could not be read (status 'unknown') get no verdict: they were
    not checked, and a notice says why.  Nor do accounts that would pass while a veto rule
    could not be judged (`unjudged` in the account's data, media.not_judged notices).
    `exclude_keys`: finding keys a reviewer marked false alarm.
    """
    q = "SELECT * FROM accounts WHERE inspection_id=?"
    args: list[Any] = [inspection_id]
    wanted = list(accounts) if accounts is not None else None
    if wanted is not None:
        if not wanted:
            return []
        q += f" AND account_id IN ({','.join('?' * len(wanted))})"
        args += wanted
    rows = store.conn.execute(q, args).fetchall()
    out = []
    with store.tx() as c:
        for row in rows:
            aid = row["account_id"]
            if row["status"] == "unknown":
                c.execute("DELETE FROM verdicts WHERE inspection_id=? AND site_id=? AND subject='account'",
                          (inspection_id, aid))
                continue
            fs = [f for f in store.findings(inspection_id, aid)
                  if not exclude_keys or f.key not in exclude_keys]
            v = account_verdict(aid, fs, settings)
            data = json.loads(row["data_json"] or "{}")
            if withheld(v, data.get("unjudged") or {}, settings):
                c.execute("DELETE FROM verdicts WHERE inspection_id=? AND site_id=? AND subject='account'",
                          (inspection_id, aid))
                continue
            meta = {"name": row["name"], "platform": row["platform"],
                    "platform_label": data.get("platform_label"), "current_name": row["current_name"],
                    "status": row["status"], "deductions": v.deductions, "org": row["org"],
                    "region": row["region"]}
            c.execute(
                "INSERT INTO verdicts (inspection_id, site_id, subject, result, score, vetoes_json,"
                " problems_json, data_json) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(inspection_id, site_id)"
                " DO UPDATE SET subject=excluded.subject, result=excluded.result, score=excluded.score,"
                " vetoes_json=excluded.vetoes_json, problems_json=excluded.problems_json,"
                " data_json=excluded.data_json",
                (inspection_id, aid, "account", v.result, v.score,
                 json.dumps(v.vetoes, ensure_ascii=False), json.dumps(v.problems, ensure_ascii=False),
                 json.dumps(meta, ensure_ascii=False)))
            out.append(v)
    return out
