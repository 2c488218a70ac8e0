"""Documents and bulk actions: what GovCrawl writes into Elasticsearch.

Names follow ECS where ECS has one (`@timestamp`, `message`, `event.*`,
`rule.id`, `rule.category`, `url.full`, `url.domain`,
`http.response.status_code`); the rest lives under `govcrawl.*`.

Ids are deterministic so a re-run (or a replayed spool) updates instead of
duplicating:
- a finding's id is `Finding.key` (site, page, rule, column, target, text,
  position); one document per problem across inspections, keeping when it was
  first and last seen;
- a page record's id hashes (inspection, url); the data stream takes `create`
  only, and a 409 for an id already there counts as success;
- a verdict's id is `<inspection>:<site>`.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from datetime import date, datetime, timezone
from typing import Any, Iterable
from urllib.parse import urlsplit

SEVERITY_LEVEL = {"veto": 3, "deduct": 2, "notice": 1}

# Why a script and not doc_as_upsert: first_seen must survive re-runs, and a
# replayed (older) observation must not overwrite a newer one.  Timestamps are
# UTC ISO strings of one fixed format, so comparing them as strings is correct.
# The script never modifies `params` (copies instead).  The fake server
# recognises it by value and runs its Python twin.
FINDING_UPSERT_SCRIPT = (
    "def n = params.doc.govcrawl.finding;"
    " def o = ctx._source.govcrawl == null ? null : ctx._source.govcrawl.finding;"
    " if (o != null && o.last_seen != null && n.last_seen.compareTo(o.last_seen) < 0) {"
    " if (o.first_seen == null || n.first_seen.compareTo(o.first_seen) < 0) {"
    " o.first_seen = n.first_seen; o.first_inspection = n.first_inspection; }"
    " else { ctx.op = 'noop'; } }"
    " else { def first = n.first_seen; def firstInsp = n.first_inspection;"
    " if (o != null && o.first_seen != null && o.first_seen.compareTo(first) < 0) {"
    " first = o.first_seen; firstInsp = o.first_inspection; }"
    " def g = new HashMap(params.doc.govcrawl); def f = new HashMap(n);"
    " f.first_seen = first; f.first_inspection = firstInsp; g.finding = f;"
    " ctx._source.clear(); ctx._source.putAll(params.doc); ctx._source.govcrawl = g; }"
)

_DATE_RE = re.compile(
    r"^[\s\[【(（]*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?[\sT]*"
    r"(?:(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?")


def now_iso() -> str:
    """UTC, millisecond precision, `Z`: one format, so strings sort as times."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def to_utc_iso(value: str | None) -> str | None:
    """Normalise a stored timestamp (e.g. the store's `2024-02-19T10:30:00+00:00`)."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def norm_pub_date(raw: str | None) -> str | None:
    """A page's publication date as ISO (date, or date-time in China time), else None."""
    if not raw:
        return None
    m = _DATE_RE.match(str(raw))
    if not m:
        return None
    y, mo, d, hh, mm, ss = m.groups()
    try:
        day = date(int(y), int(mo), int(d))
        if hh is None:
            return day.isoformat()
        dt = datetime(day.year, day.month, day.day, int(hh), int(mm), int(ss or 0))
    except ValueError:
        return None
    return dt.isoformat() + "+08:00"


@lru_cache(maxsize=4096)
def url_fields(url: str) -> dict[str, Any]:
    """ECS url.* (cached: a page's findings share its URL; callers never mutate it)."""
    if not url:
        return {}
    out: dict[str, Any] = {"full": url}
    try:
        p = urlsplit(url)
        if p.hostname:
            out["domain"] = p.hostname
        if p.path:
            out["path"] = p.path
        if p.port:
            out["port"] = p.port
        if p.scheme:
            out["scheme"] = p.scheme
    except ValueError:
        pass
    return out


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def finding_dict(f: Any) -> dict[str, Any]:
    """A Finding as a plain dict with its key (cheaper than dataclasses.asdict)."""
    return {"id": f.key, "rule": f.rule, "severity": f.severity, "site_id": f.site_id,
            "url": f.url, "column": f.column, "target": f.target, "text": f.text,
            "suggestion": f.suggestion, "evidence": f.evidence, "start": f.start, "end": f.end,
            "category": f.category, "where": f.where, "count": f.count}


def finding_source(f: dict[str, Any], *, inspection_id: int, as_of: str, seen: str,
                   site: dict[str, Any], page: dict[str, Any] | None = None,
                   first_seen: str | None = None) -> dict[str, Any]:
    """The document of one finding (a `Finding.to_dict()`), as of one observation."""
    sev = f.get("severity") or "notice"
    text = f.get("text")
    summary = f"{f['rule']} {sev}"
    if text:
        summary += f" 「{text}」"
        if f.get("suggestion"):
            summary += f" → {f['suggestion']}"
    if f.get("column"):
        summary += f" [{f['column']}]"
    if f.get("target"):
        summary += f" {f['target']}"
    finding = _clean({
        "key": f.get("id") or f.get("key"),
        "severity": sev,
        "column": f.get("column"),
        "target": f.get("target"),
        "text": text,
        "suggestion": f.get("suggestion"),
        "where": f.get("where"),
        "start": f.get("start"),
        "end": f.get("end"),
        "count": f.get("count"),
        "evidence": f.get("evidence") or None,  # non-JSON values become strings when encoded
        "first_seen": first_seen or seen,
        "last_seen": seen,
        "first_inspection": inspection_id,
    })
    gc: dict[str, Any] = {
        "inspection": _clean({"id": inspection_id, "as_of": as_of or None}),
        "site": site,
        "finding": finding,
    }
    if page:
        gc["page"] = _clean(page)
    return _clean({
        "@timestamp": seen,
        "message": summary,
        "event": {"kind": "alert", "dataset": "govcrawl.finding",
                  "severity": SEVERITY_LEVEL.get(sev, 1)},
        "rule": _clean({"id": f["rule"], "category": f.get("category"),
                        "ruleset": f["rule"].split(".", 1)[0]}),
        "url": url_fields(f.get("url") or ""),
        "govcrawl": gc,
    })


def finding_action(index: str, doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Scripted upsert: the script runs for new documents too (on an empty source),
    so the document travels once, not twice (upsert + params)."""
    key = doc["govcrawl"]["finding"]["key"]
    meta = {"update": {"_index": index, "_id": key, "retry_on_conflict": 3}}
    body = {"scripted_upsert": True,
            "script": {"source": FINDING_UPSERT_SCRIPT, "lang": "painless",
                       "params": {"doc": doc}},
            "upsert": {}}
    return meta, body


def page_id(inspection_id: int, url: str) -> str:
    return hashlib.sha1(f"{inspection_id}\x1f{url}".encode("utf-8")).hexdigest()


def page_source(p: dict[str, Any], *, inspection_id: int, as_of: str, fetched: str,
                site: dict[str, Any], findings: int = 0) -> dict[str, Any]:
    """The slim record of one crawled page (no text, no HTML)."""
    http = {"response": _clean({"status_code": p.get("status"),
                                "mime_type": (p.get("content_type") or "").split(";")[0].strip(),
                                "bytes": p.get("size") or None})}
    page = _clean({
        "type": p.get("page_type"),
        "title": p.get("title"),
        "column": p.get("column"),
        "column_url": p.get("column_url"),
        "pub_date": norm_pub_date(p.get("pub_date")),
        "pub_date_raw": p.get("pub_date"),
        "final_url": p.get("final_url") if p.get("final_url") != p.get("url") else None,
        "error": p.get("error"),
        "elapsed": p.get("elapsed"),
        "depth": p.get("depth"),
        "rendered": bool(p.get("rendered")) or None,
        "unchanged": bool(p.get("unchanged")) or None,
        "findings": findings,
    })
    return _clean({
        "@timestamp": fetched,
        "event": {"kind": "event", "dataset": "govcrawl.page"},
        "url": url_fields(p.get("url") or ""),
        "http": http if http["response"] else None,
        "govcrawl": {
            "inspection": _clean({"id": inspection_id, "as_of": as_of or None}),
            "site": site,
            "page": page,
        },
    })


def page_action(stream: str, inspection_id: int, doc: dict[str, Any]) -> tuple[dict, dict]:
    return {"create": {"_index": stream, "_id": page_id(inspection_id, doc["url"]["full"])}}, doc


def verdict_source(v: dict[str, Any], *, inspection_id: int, as_of: str, site: dict[str, Any],
                   period: str | None = None) -> dict[str, Any]:
    """One site's verdict; `pass` (1/0) averages to the pass rate in Kibana."""
    result = v.get("result") or ""
    passed = 1 if result == "合格" else 0
    return _clean({
        "@timestamp": as_of,
        "event": {"kind": "metric", "dataset": "govcrawl.verdict"},
        "govcrawl": {
            "inspection": _clean({"id": inspection_id, "as_of": as_of, "period": period}),
            "site": site,
            "verdict": _clean({
                "subject": v.get("subject") or "site",
                "result": result,
                "pass": passed,
                "score": v.get("score"),
                "vetoes": list(v.get("vetoes") or []),
                "problems": list(v.get("problems") or []),
            }),
        },
    })


def verdict_action(index: str, inspection_id: int, site_id: str, doc: dict) -> tuple[dict, dict]:
    return {"index": {"_index": index, "_id": f"{inspection_id}:{site_id}"}}, doc


def encode_action(meta: dict[str, Any], body: dict[str, Any]) -> bytes:
    """Two NDJSON lines, as `_bulk` and the spool both take them.  Text no UTF-8 can carry
    (a lone surrogate from a page's JSON) is written as U+FFFD, never a lost document."""
    text = (json.dumps(meta, ensure_ascii=False, separators=(",", ":")) + "\n"
            + json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str) + "\n")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        from govcrawl.db import repair_value

        return repair_value(text).encode("utf-8")


def decode_actions(data: bytes) -> Iterable[bytes]:
    """Split an NDJSON payload back into two-line actions (delete has no body)."""
    lines = data.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        meta = json.loads(line)
        if "delete" in meta:
            yield line
            i += 1
        else:
            yield line + (lines[i + 1] if i + 1 < len(lines) else b"")
            i += 2
