"""From the embedded store to Elasticsearch: site details, and whole inspections.

The store is the source of truth.  The pipeline reads site names and regions
from it (the sites table, else the registry snapshot of the inspection);
`govcrawl es-sync` rebuilds an inspection's documents from it (a manual
backfill, or the way to index verdicts computed after the crawl).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from govcrawl import db as gdb
from govcrawl.es import docs
from govcrawl.es.config import EsConfig

log = logging.getLogger(__name__)

SITE_FIELDS = ("name", "region", "org", "kind", "url", "platform")


def _connect_ro(path: str | Path) -> Any:
    if not gdb.is_url(str(path)) and not Path(path).exists():
        return None
    try:
        conn = gdb.connect(str(path), readonly=True, timeout=10)
        conn.execute("SELECT 1 FROM inspections LIMIT 1")
        return conn
    except gdb.DatabaseError as e:
        log.warning("Elasticsearch: cannot read the store %s (%s); indexing without site details",
                    gdb.display(path), e)
        return None


def _registry_sites(registry_json: str | None) -> dict[str, dict[str, Any]]:
    """Sites of a registry snapshot, whatever its exact shape ({sites: [...]}, or a list)."""
    try:
        data = json.loads(registry_json or "{}")
    except ValueError:
        return {}
    rows = data.get("sites", data) if isinstance(data, dict) else data
    if isinstance(rows, dict):
        rows = [dict(v, id=k) if isinstance(v, dict) else {} for k, v in rows.items()]
    out: dict[str, dict[str, Any]] = {}
    for r in rows if isinstance(rows, list) else []:
        if isinstance(r, dict) and r.get("id"):
            out[str(r["id"])] = r
    accounts = data.get("accounts") if isinstance(data, dict) else None
    for a in accounts if isinstance(accounts, list) else []:
        if isinstance(a, dict) and a.get("id"):
            out.setdefault(str(a["id"]), dict(a, kind="account"))
    return out


class SiteDirectory:
    """site_id → {id, name, region, org, kind, url}, cached per inspection.

    A miss (the sweep may register sites after the first items) is retried at
    most every `retry` seconds, so the crawl never waits on repeated queries.
    """

    def __init__(self, store_path: str | Path | None, retry: float = 30.0):
        self.path = str(store_path) if store_path else ""
        self.retry = retry
        self._conn: Any | None = None
        self._cache: dict[tuple[int, str], dict[str, Any]] = {}
        self._insp: dict[int, dict[str, Any]] = {}
        self._missed: dict[tuple[int, str], float] = {}
        self._lock = threading.Lock()

    def _db(self) -> Any | None:
        if self._conn is None and self.path:
            self._conn = _connect_ro(self.path)
        return self._conn

    def remember(self, inspection_id: int, site_id: str, info: dict[str, Any]) -> None:
        """Details an item carries itself (a 政务新媒体 account's registry entry)."""
        clean = {k: v for k, v in info.items() if k in SITE_FIELDS and v}
        self._cache[(inspection_id, site_id)] = {"id": site_id, **clean}

    def inspection(self, inspection_id: int) -> dict[str, Any]:
        """{as_of, period, registry sites} of an inspection ({} when unknown)."""
        with self._lock:
            if inspection_id in self._insp:
                return self._insp[inspection_id]
            db = self._db()
            if db is None:
                return {}
            row = db.execute("SELECT as_of, period, registry_json FROM inspections WHERE id=?",
                             (inspection_id,)).fetchone()
            if row is None:
                return {}
            info = {"as_of": row["as_of"], "period": row["period"],
                    "registry": _registry_sites(row["registry_json"])}
            self._insp[inspection_id] = info
            return info

    def site(self, inspection_id: int, site_id: str) -> dict[str, Any]:
        key = (inspection_id, site_id)
        hit = self._cache.get(key)
        if hit is not None:
            return dict(hit)
        base = {"id": site_id}
        if not self.path or time.monotonic() < self._missed.get(key, 0.0):
            return base
        info = dict(base)
        try:
            with self._lock:
                db = self._db()
                row = None if db is None else db.execute(
                    "SELECT name, region, org, kind, url FROM sites"
                    " WHERE inspection_id=? AND site_id=?", (inspection_id, site_id)).fetchone()
            if row is not None:
                info.update({k: row[k] for k in row.keys() if row[k]})
            else:
                reg = self.inspection(inspection_id).get("registry", {}).get(site_id)
                if reg:
                    info.update({k: reg[k] for k in SITE_FIELDS if reg.get(k)})
        except gdb.Error as e:
            log.debug("site lookup failed: %s", e)
        if len(info) > 1:
            self._cache[key] = info
        else:
            self._missed[key] = time.monotonic() + self.retry
        return dict(info)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


# -- whole inspections (es-sync) ---------------------------------------------------
def verdict_actions(conn: Any, cfg: EsConfig, inspection_id: int,
                    sites: SiteDirectory) -> Iterator[tuple[dict, dict]]:
    insp = sites.inspection(inspection_id)
    try:
        rows = conn.execute("SELECT * FROM verdicts WHERE inspection_id=? ORDER BY site_id",
                            (inspection_id,)).fetchall()
    except gdb.OperationalError:
        return
    for r in rows:
        v = {"result": r["result"], "score": r["score"], "subject": r["subject"],
             "vetoes": json.loads(r["vetoes_json"] or "[]"),
             "problems": json.loads(r["problems_json"] or "[]")}
        doc = docs.verdict_source(v, inspection_id=inspection_id, as_of=insp.get("as_of") or "",
                                  site=sites.site(inspection_id, r["site_id"]),
                                  period=insp.get("period"))
        yield docs.verdict_action(cfg.verdicts_index, inspection_id, r["site_id"], doc)


def finding_actions(conn: Any, cfg: EsConfig, inspection_id: int,
                    sites: SiteDirectory) -> Iterator[tuple[dict, dict]]:
    insp = sites.inspection(inspection_id)
    fallback = docs.to_utc_iso(conn.execute("SELECT started_at FROM inspections WHERE id=?",
                                            (inspection_id,)).fetchone()[0]) or docs.now_iso()
    q = ("SELECT f.*, p.title AS p_title, p.page_type AS p_type, p.pub_date AS p_pub"
         " FROM findings f LEFT JOIN pages p ON p.inspection_id=f.inspection_id AND p.url=f.url"
         " WHERE f.inspection_id=? ORDER BY f.site_id, f.rule, f.url")
    for r in conn.execute(q, (inspection_id,)):
        f = {"rule": r["rule"], "severity": r["severity"], "site_id": r["site_id"],
             "url": r["url"] or "", "column": r["column_name"], "target": r["target"],
             "text": r["text"], "suggestion": r["suggestion"],
             "evidence": json.loads(r["evidence_json"] or "{}"), "start": r["start"],
             "end": r["end"], "category": r["category"], "where": r["where"],
             "count": r["count"], "id": r["key"]}
        page = {"title": r["p_title"], "type": r["p_type"],
                "pub_date": docs.norm_pub_date(r["p_pub"])} if r["p_title"] or r["p_type"] else None
        seen = docs.to_utc_iso(r["last_seen"]) or fallback
        doc = docs.finding_source(f, inspection_id=inspection_id, as_of=insp.get("as_of") or "",
                                  seen=seen, first_seen=docs.to_utc_iso(r["first_seen"]) or seen,
                                  site=sites.site(inspection_id, r["site_id"]), page=page)
        yield docs.finding_action(cfg.findings_index, doc)


def page_actions(conn: Any, cfg: EsConfig, inspection_id: int,
                 sites: SiteDirectory) -> Iterator[tuple[dict, dict]]:
    insp = sites.inspection(inspection_id)
    counts = dict(conn.execute("SELECT url, COUNT(*) FROM findings WHERE inspection_id=?"
                               " GROUP BY url", (inspection_id,)).fetchall())
    q = ("SELECT url, site_id, final_url, status, error, elapsed, content_type, size, page_type,"
         " title, column_name, column_url, pub_date, depth, unchanged, rendered, fetched_at"
         " FROM pages WHERE inspection_id=? ORDER BY site_id, url")
    for r in conn.execute(q, (inspection_id,)):
        p = dict(r)
        p["column"] = p.pop("column_name")
        fetched = docs.to_utc_iso(p.pop("fetched_at")) or docs.now_iso()
        doc = docs.page_source(p, inspection_id=inspection_id, as_of=insp.get("as_of") or "",
                               fetched=fetched, site=sites.site(inspection_id, r["site_id"]),
                               findings=int(counts.get(r["url"], 0)))
        yield docs.page_action(cfg.pages_stream, inspection_id, doc)


def open_store(path: str | Path) -> Any:
    from govcrawl.store import StoreError

    conn = _connect_ro(path)
    if conn is None:
        raise StoreError(f"{gdb.display(path)}: store not found or not readable")
    return conn
