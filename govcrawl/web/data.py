"""What the review pages show, read from the store (no web framework here).

Reviews are the store's `reviews` table (govcrawl.history): a decision holds for every
inspection with the same finding key (or, for a false alarm, the same text on the same
page).  Verdicts are the stored ones, which `history.review` keeps up to date.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from govcrawl import history as H
from govcrawl.evidence import PAGE_RULES
from govcrawl.report import phrases as P
from govcrawl.store import Store

SEVERITY_LABELS = {"veto": "单项否决", "deduct": "扣分", "notice": "提示"}
SEVERITY_ORDER = {"veto": 0, "deduct": 1, "notice": 2}
REVIEW_LABELS = {"": "未复核", "confirmed": "已确认", "false_alarm": "误报", "to_check": "待核查"}
STATUS_LABELS = {"running": "进行中", "interrupted": "已中断", "failed": "失败", "finished": "已完成"}
KIND_LABELS = {"sites": "网站", "media": "政务新媒体", "probe": "可用性监测"}
WHERE_LABELS = {"title": "页面标题", "meta": "页面元数据", "attr": "图片或链接说明文字",
                "link": "链接", "text": "正文", "page": "页面（含导航和页脚）",
                "hidden link": "隐藏链接", "script": "脚本写入的内容", "site": "网站整体",
                "column": "栏目", "cloaking title": "仅向搜索引擎显示的标题"}
TREND_LEN = 6  # inspections shown in a site's trend
PER_PAGE = 50
CONTEXT = 40  # characters of page text on each side of a flagged span


def rule_label(rule: str) -> str:
    return P.RULE_PHRASES.get(rule, rule)


def _json(text: str | None, default: Any) -> Any:
    try:
        v = json.loads(text or "null")
    except ValueError:
        return default
    return default if v is None else v


# -- inspections -----------------------------------------------------------------------


def inspections(store: Store) -> list[dict[str, Any]]:
    """Every inspection, newest first, with its verdict totals."""
    totals: dict[int, tuple[int, int]] = {}
    for r in store.conn.execute(
            "SELECT inspection_id, COUNT(*), SUM(CASE WHEN result=? THEN 1 ELSE 0 END) FROM verdicts"
            " GROUP BY inspection_id", (H.FAIL,)):
        totals[int(r[0])] = (int(r[1]), int(r[2] or 0))
    out = []
    for insp in reversed(store.inspections()):
        checked, failed = totals.get(insp["id"], (0, 0))
        out.append({
            "id": insp["id"], "kind": insp["kind"], "kind_label": KIND_LABELS.get(insp["kind"], insp["kind"]),
            "period": H.period_title(H.period_of(insp)), "as_of": insp["as_of"],
            "scope": "抽查" if insp["scope"] == "sample" else "全面检查",
            "status": insp["status"], "status_label": STATUS_LABELS.get(insp["status"], insp["status"]),
            "started_at": (insp["started_at"] or "")[:16].replace("T", " "),
            "checked": checked, "failed": failed,
            "rate": round(100.0 * (checked - failed) / checked, 1) if checked else None})
    return out


def subject_kind(insp: sqlite3.Row) -> str:
    return "account" if insp["kind"] == "media" else "site"


def _subjects(store: Store, insp: sqlite3.Row) -> dict[str, dict[str, Any]]:
    iid = insp["id"]
    out: dict[str, dict[str, Any]] = {}
    if subject_kind(insp) == "account":
        for r in store.conn.execute("SELECT * FROM accounts WHERE inspection_id=? ORDER BY account_id",
                                    (iid,)):
            out[r["account_id"]] = {"id": r["account_id"], "name": r["name"] or r["account_id"],
                                    "region": r["region"] or "", "org": r["org"] or "",
                                    "url": r["url"] or "", "kind": r["platform"] or ""}
    else:
        for r in store.sites(iid):
            out[r["site_id"]] = {"id": r["site_id"], "name": r["name"] or r["site_id"],
                                 "region": r["region"] or "", "org": r["org"] or "",
                                 "url": r["url"] or "", "kind": r["kind"] or "",
                                 "pages": r["pages"] or 0}
    return out


def _verdict(r: sqlite3.Row | None) -> dict[str, Any]:
    if r is None:
        return {"result": "", "score": None, "vetoes": [], "problems": [], "deductions": {}, "recomputed": False}
    data = _json(r["data_json"], {})
    return {"result": r["result"], "score": r["score"], "vetoes": _json(r["vetoes_json"], []),
            "problems": _json(r["problems_json"], []),
            "deductions": data.get("deductions", {}) if isinstance(data, dict) else {},
            "recomputed": bool(isinstance(data, dict) and data.get("recomputed_after_review"))}


def trends(store: Store, insp: sqlite3.Row, subject_ids: list[str] | None = None
           ) -> dict[str, list[dict[str, Any]]]:
    """Each subject's result in the last TREND_LEN usable inspections of the same kind up
    to this one, oldest first."""
    earlier = [r for r in store.inspections(insp["kind"])
               if r["status"] != "failed" and (r["as_of"], r["id"]) <= (insp["as_of"], insp["id"])]
    earlier = sorted(earlier, key=lambda r: (r["as_of"], r["id"]))[-TREND_LEN:]
    if not earlier:
        return {}
    label = {r["id"]: H.period_of(r) + " " + r["as_of"][:10] for r in earlier}
    ids = [r["id"] for r in earlier]
    q = (f"SELECT inspection_id, site_id, result, score FROM verdicts WHERE subject=? AND"
         f" inspection_id IN ({','.join('?' * len(ids))})")
    args: list[Any] = [subject_kind(insp), *ids]
    if subject_ids is not None and len(subject_ids) == 1:
        q += " AND site_id=?"
        args.append(subject_ids[0])
    by: dict[str, dict[int, sqlite3.Row]] = {}
    for r in store.conn.execute(q, args):
        by.setdefault(r["site_id"], {})[int(r["inspection_id"])] = r
    out: dict[str, list[dict[str, Any]]] = {}
    for sid, rows in by.items():
        out[sid] = [{"inspection": i, "label": label[i], "result": rows[i]["result"],
                     "score": rows[i]["score"], "current": i == insp["id"]}
                    for i in ids if i in rows]
    return out


def sites(store: Store, insp: sqlite3.Row) -> list[dict[str, Any]]:
    """The subjects of an inspection with verdict, counts and trend; failing first."""
    iid = insp["id"]
    subs = _subjects(store, insp)
    verdicts = {r["site_id"]: r for r in store.conn.execute(
        "SELECT * FROM verdicts WHERE inspection_id=? AND subject=?", (iid, subject_kind(insp)))}
    counts: dict[str, dict[str, int]] = {}
    for r in store.conn.execute("SELECT site_id, severity, COUNT(*) FROM findings WHERE inspection_id=?"
                                " GROUP BY site_id, severity", (iid,)):
        counts.setdefault(r[0], {})[r[1]] = int(r[2])
    reviewed: dict[str, dict[str, int]] = {}
    for r in store.conn.execute("SELECT f.site_id, v.state, COUNT(*) FROM findings f JOIN reviews v"
                                " ON v.key=f.key WHERE f.inspection_id=? GROUP BY f.site_id, v.state",
                                (iid,)):
        reviewed.setdefault(r[0], {})[r[1]] = int(r[2])
    trend = trends(store, insp)
    out = []
    for sid in sorted(set(subs) | set(verdicts)):
        s = subs.get(sid) or {"id": sid, "name": sid, "region": "", "org": "", "url": "", "kind": ""}
        c = counts.get(sid, {})
        rv = reviewed.get(sid, {})
        total = sum(c.values())
        out.append({**s, **_verdict(verdicts.get(sid)), "counts": c, "total": total,
                    "reviewed": rv, "unreviewed": max(0, total - sum(rv.values())),
                    "trend": trend.get(sid, [])})
    out.sort(key=lambda s: (s["result"] != H.FAIL, s["score"] if s["score"] is not None else 101,
                            s["region"], s["id"]))
    return out


def site(store: Store, insp: sqlite3.Row, site_id: str) -> dict[str, Any] | None:
    subs = _subjects(store, insp)
    r = store.conn.execute("SELECT * FROM verdicts WHERE inspection_id=? AND subject=? AND site_id=?",
                           (insp["id"], subject_kind(insp), site_id)).fetchone()
    if site_id not in subs and r is None:
        return None
    s = subs.get(site_id) or {"id": site_id, "name": site_id, "region": "", "org": "", "url": "", "kind": ""}
    return {**s, **_verdict(r), "trend": trends(store, insp, [site_id]).get(site_id, [])}


# -- findings of a site -------------------------------------------------------------------


@dataclass
class Filters:
    rule: str = ""
    severity: str = ""
    review: str = ""  # '' = any; 'none' = not reviewed; else a review state
    column: str = ""
    q: str = ""
    page: int = 1

    def query(self, **change: Any) -> str:
        """The query string of these filters (with `change` applied), for links."""
        from urllib.parse import urlencode

        d = {"rule": self.rule, "severity": self.severity, "review": self.review,
             "column": self.column, "q": self.q, "page": self.page, **change}
        if d.get("page") == 1:
            d.pop("page")
        return urlencode({k: v for k, v in d.items() if v not in ("", None)})


@dataclass
class FindingsPage:
    items: list[dict[str, Any]]
    total: int  # after the filters
    all: int  # the site's findings in this inspection
    page: int
    pages: int
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def findings(store: Store, insp: sqlite3.Row, site_id: str, flt: Filters,
             per_page: int = PER_PAGE) -> FindingsPage:
    """One page of a site's findings, filtered and searched; facets count the whole site.

    Filtering, ordering and paging happen in SQL, so a page costs about the same for 50
    findings as for 50,000.  A finding's review state is its own review, else "false
    alarm" when the same text on the same page was dismissed (history.ReviewFilter)."""
    iid = insp["id"]
    conn = store.conn
    texts = [tuple(r) for r in conn.execute(
        "SELECT url, rule, text FROM reviews WHERE state='false_alarm' AND site_id=? AND text IS NOT NULL"
        " AND text != ''", (site_id,))]
    state_sql = "v.state"
    state_args: list[Any] = []
    if texts:
        state_sql = (f"COALESCE(v.state, CASE WHEN (f.url, f.rule, f.text) IN"
                     f" (VALUES {','.join(['(?,?,?)'] * len(texts))}) THEN 'false_alarm' END)")
        state_args = [x for t in texts for x in t]
    base = (f"FROM (SELECT f.*, {state_sql} AS state FROM findings f LEFT JOIN reviews v ON v.key=f.key"
            f" WHERE f.inspection_id=? AND f.site_id=?) AS x")
    base_args = [*state_args, iid, site_id]

    facets: dict[str, dict[str, int]] = {"rule": {}, "severity": {}, "review": {}, "column": {}}
    total_all = 0
    for rule, sev, st, col, n in conn.execute(
            f"SELECT rule, severity, state, column_name, COUNT(*) {base}"
            f" GROUP BY rule, severity, state, column_name", base_args):
        n = int(n)
        total_all += n
        for name, k in (("rule", rule), ("severity", sev), ("review", st or "none"), ("column", col)):
            if k:
                facets[name][k] = facets[name].get(k, 0) + n

    where: list[str] = []
    args: list[Any] = []
    for col, value in (("rule", flt.rule), ("severity", flt.severity), ("column_name", flt.column)):
        if value:
            where.append(f"{col}=?")
            args.append(value)
    if flt.review == "none":
        where.append("state IS NULL")
    elif flt.review:
        where.append("state=?")
        args.append(flt.review)
    q = flt.q.strip().lower()
    if q:
        like = _like(q)
        fields = " OR ".join(f"lower(COALESCE({c}, '')) LIKE ? ESCAPE '\\'" for c in
                             ("text", "url", "suggestion", "target", "column_name", "rule"))
        where.append(f"({fields} OR url IN (SELECT url FROM pages WHERE inspection_id=? AND site_id=?"
                     f" AND lower(COALESCE(title, '')) LIKE ? ESCAPE '\\'))")
        args += [like] * 6 + [iid, site_id, like]
    cond = (" WHERE " + " AND ".join(where)) if where else ""
    total = int(conn.execute(f"SELECT COUNT(*) {base}{cond}", base_args + args).fetchone()[0])
    pages = max(1, -(-total // per_page))
    page = min(max(1, flt.page), pages)
    sev_rank = "CASE severity " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in SEVERITY_ORDER.items()) + " ELSE 9 END"
    rule_rank = "CASE rule " + " ".join(f"WHEN '{r}' THEN {i}" for i, r in enumerate(PAGE_RULES)) + \
        f" ELSE {len(PAGE_RULES)} END"
    rows = conn.execute(
        f"SELECT key, state {base}{cond} ORDER BY {sev_rank}, CASE WHEN state IS NULL THEN 0 ELSE 1 END,"
        f" {rule_rank}, rule, url, start, key LIMIT ? OFFSET ?",
        base_args + args + [per_page, (page - 1) * per_page]).fetchall()
    items = _details(store, iid, [(r[0], r[1] or "") for r in rows])
    labels = {
        "rule": lambda k: f"{rule_label(k)}（{k}）",
        "severity": lambda k: SEVERITY_LABELS.get(k, k),
        "review": lambda k: REVIEW_LABELS.get("" if k == "none" else k, k),
        "column": lambda k: k,
    }
    review_order = ["none", "confirmed", "false_alarm", "to_check"]
    sort_key = {"severity": lambda kv: SEVERITY_ORDER.get(kv[0], 3),
                "review": lambda kv: review_order.index(kv[0]) if kv[0] in review_order else 9}
    facet_lists = {name: [(k, labels[name](k), n) for k, n in sorted(
        d.items(), key=sort_key.get(name, lambda kv: kv[0]))] for name, d in facets.items()}
    return FindingsPage(items=items, total=total, all=total_all, page=page, pages=pages,
                        facets=facet_lists)


def _details(store: Store, iid: int, shown: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Everything a finding's card shows, read for the shown (key, state) pairs only."""
    if not shown:
        return []
    keys = [k for k, _s in shown]
    marks = ",".join("?" * len(keys))
    full = {r["key"]: r for r in store.conn.execute(
        f"SELECT f.*, p.title AS page_title, p.extra_json AS page_extra FROM findings f LEFT JOIN pages p ON"
        f" p.inspection_id=f.inspection_id AND p.url=f.url WHERE f.inspection_id=? AND f.key IN ({marks})",
        (iid, *keys))}
    notes = {r["key"]: r for r in store.conn.execute(
        f"SELECT key, note, reviewer, at FROM reviews WHERE key IN ({marks})", keys)}
    out = []
    for key, state in shown:
        r = full.get(key)
        if r is None:
            continue
        ev = _json(r["evidence_json"], {})
        ev = ev if isinstance(ev, dict) else {}
        before, span, after = _highlight(store, iid, r, ev)
        note = notes.get(key)
        url, target = r["url"] or "", r["target"] or ""
        out.append({
            "key": key, "rule": r["rule"], "severity": r["severity"], "url": url,
            "column": r["column_name"] or "", "text": r["text"] or "", "suggestion": r["suggestion"] or "",
            "target": target, "state": state, "page_title": r["page_title"] or "",
            "severity_label": SEVERITY_LABELS.get(r["severity"], r["severity"]),
            "rule_label": rule_label(r["rule"]), "where": r["where"] or "",
            "where_label": WHERE_LABELS.get(r["where"] or "", r["where"] or ""),
            "count": r["count"] or 1, "lifecycle": r["lifecycle"] or "",
            "before": before, "span": span, "after": after,
            "screenshot": ev.get("screenshot") or "", "located": ev.get("screenshot_located", True),
            "facts": _facts(r["rule"], ev),
            "state_label": REVIEW_LABELS.get(state, state),
            "note": (note["note"] if note is not None else "") or "",
            "reviewed_at": ((note["at"] if note is not None else "") or "")[:16].replace("T", " "),
            "reviewer": (note["reviewer"] if note is not None else "") or "",
            "url_ok": url.startswith(("http://", "https://")),
            "target_ok": target.startswith(("http://", "https://")),
            "anchor": "f-" + key[:12],
        })
    return out


def _highlight(store: Store, iid: int, r: sqlite3.Row, ev: dict[str, Any]) -> tuple[str, str, str]:
    """The flagged text with some context on each side, split around it (the template
    escapes all three parts; nothing from the page is ever marked safe)."""
    text = r["text"] or ""
    if not text:
        return "", "", ""
    if (r["where"] or "") == "title":  # the whole <title>, as written
        extra = _json(r["page_extra"], {})
        for t in ((extra.get("doc_title") if isinstance(extra, dict) else None), r["page_title"]):
            if isinstance(t, str) and text in t:
                i = t.index(text)
                return t[:i], text, t[i + len(text):]
    ctx = ev.get("context")
    if isinstance(ctx, str) and text in ctx:
        i = ctx.index(text)
        return ctx[:i][-CONTEXT:], text, ctx[i + len(text):][:CONTEXT]
    start, end = r["start"], r["end"]
    if start is not None and end is not None and (r["where"] or "") in ("text", "page", ""):
        row = store.conn.execute(
            "SELECT substr(text, ?, ?) FROM pages WHERE inspection_id=? AND url=?",
            (max(1, start + 1 - CONTEXT), end - max(0, start - CONTEXT) + CONTEXT, iid, r["url"])).fetchone()
        window = row[0] if row and row[0] else ""
        i = window.find(text)
        if i >= 0:
            return window[:i], text, window[i + len(text):]
    return "", text, ""


def _facts(rule: str, ev: dict[str, Any]) -> list[tuple[str, str]]:
    """A few evidence facts worth a line on the card."""
    names = [("status", "状态码"), ("error", "错误"), ("reason", "原因"), ("pub_date", "发布日期"),
             ("as_of", "检查日期"), ("days_ahead", "晚于检查日（天）"), ("tag", "标签"),
             ("expected", "应为"), ("source", "依据"), ("page_count", "出现页面数"),
             ("kind", "类型"), ("seen_in", "发现于")]
    out = []
    for k, label in names:
        v = ev.get(k)
        if v in (None, "", [], {}):
            continue
        if isinstance(v, (list, tuple)):
            v = "、".join(str(x) for x in v[:5])
        out.append((label, str(v)[:200]))
    spam = ev.get("spam")
    if isinstance(spam, list) and spam:
        out.append(("违规词", "、".join(str(x) for x in spam[:6])))
    return out[:6]


# -- actions -------------------------------------------------------------------------------


def finding_site(store: Store, iid: int, key: str) -> str | None:
    r = store.conn.execute("SELECT site_id FROM findings WHERE inspection_id=? AND key=?",
                           (iid, key)).fetchone()
    return r[0] if r else None


def apply_review(store: Store, iid: int, key: str, state: str, note: str, reviewer: str
                 ) -> H.SubjectVerdict | None:
    """Save the decision, re-judge; the verdict of inspection `iid` afterwards."""
    _latest, _f, verdicts = H.review(store, key, state, note=note, reviewer=reviewer)
    return verdicts.get(iid)
