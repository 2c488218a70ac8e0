"""Screenshots for one site of one inspection: pick the findings, render their pages,
record the paths in the findings' evidence, say what was left out or failed.

Used by the sweep (`govcrawl.pipelines.evidence`, when the site's crawl is done) and by
`govcrawl evidence` (on a store afterwards).  Store reads and writes run in a thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from govcrawl.evidence import plan, resolve_shot, shot_path
from govcrawl.evidence.shots import PageInfo, Shooter
from govcrawl.items import Finding
from govcrawl.store import Store, row_to_finding

logger = logging.getLogger(__name__)


@dataclass
class Notice:
    kind: str
    message: str
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class SiteResult:
    site_id: str
    shots: int = 0
    located: int = 0
    failed_pages: int = 0
    kept: int = 0  # screenshots from before (a resumed sweep, a second run)
    reused: int = 0  # the same finding on the same unchanged page last inspection: its file
    left_out: int = 0
    seconds: float = 0.0
    notices: list[Notice] = field(default_factory=list)


def _load(store_path: str, iid: int, site_id: str, extra: list[Finding], root: Path
          ) -> tuple[list[Finding], set[str], list[str], dict[str, Any]]:
    store = Store(store_path, readonly=True)
    try:
        rows = store.conn.execute("SELECT * FROM findings WHERE inspection_id=? AND site_id=?",
                                  (iid, site_id)).fetchall()
        site = store.conn.execute("SELECT url, scope_json FROM sites WHERE inspection_id=? AND"
                                  " site_id=?", (iid, site_id)).fetchone()
        registry = store.inspection(iid)["registry_json"]
    finally:
        store.close()
    try:  # the site's own politeness settings, as the sweep used them
        settings = next((d.get("settings") or {} for d in json.loads(registry or "{}").get("sites") or []
                         if isinstance(d, dict) and str(d.get("id")) == site_id), {})
    except (ValueError, AttributeError):
        settings = {}
    extra_keys = {f.key for f in extra}
    findings = [f for f in (row_to_finding(r) for r in rows) if f.key not in extra_keys] + extra
    have = {f.key for f in findings if resolve_shot(root, (f.evidence or {}).get("screenshot"))}
    scope: list[str] = []
    home = ""
    if site is not None:
        home = site["url"] or ""
        try:
            scope = [str(p) for p in json.loads(site["scope_json"] or "[]")]
        except ValueError:
            scope = []
    return findings, have, scope or ([home] if home else []), settings if isinstance(settings, dict) else {}


def _previous_shots(store_path: str, iid: int, site_id: str, root: Path) -> dict[str, tuple[Path, bool, int]]:
    """Screenshots the previous sites inspection took of findings on pages that have not
    changed since (same content hash): finding key → (file, located, inspection).  Nightly
    sweeps find mostly the same problems on the same pages; those need no new render."""
    store = Store(store_path, readonly=True)
    try:
        earlier = [r for r in store.inspections("sites") if r["id"] < iid and r["status"] != "failed"]
        if not earlier:
            return {}
        prev = earlier[-1]["id"]
        rows = store.conn.execute(
            "SELECT f.key, f.evidence_json FROM findings f"
            " JOIN pages p ON p.inspection_id=f.inspection_id AND p.url=f.url"
            " JOIN pages q ON q.inspection_id=? AND q.url=f.url AND q.content_hash=p.content_hash"
            " WHERE f.inspection_id=? AND f.site_id=? AND f.evidence_json LIKE ?",
            (iid, prev, site_id, '%"screenshot"%')).fetchall()
    finally:
        store.close()
    out: dict[str, tuple[Path, bool, int]] = {}
    for key, ev in rows:
        try:
            e = json.loads(ev or "{}")
        except ValueError:
            continue
        f = resolve_shot(root, e.get("screenshot"))
        if f is not None:
            out[key] = (f, bool(e.get("screenshot_located", True)), prev)
    return out


def _link(src: Path, dest: Path) -> None:
    """The earlier file under this inspection's name: a hard link, else a copy."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        dest.unlink()
    try:
        os.link(src, dest)
    except OSError:
        shutil.copyfile(src, dest)


def _pages(store_path: str, iid: int, urls: Iterable[str]) -> dict[str, PageInfo]:
    store = Store(store_path, readonly=True)
    out: dict[str, PageInfo] = {}
    try:
        for url in urls:
            r = store.conn.execute("SELECT title, meta_json, text, page_type, rendered, extra_json FROM"
                                   " pages WHERE inspection_id=? AND url=?", (iid, url)).fetchone()
            if r is None:
                out[url] = PageInfo()
                continue
            try:
                meta = json.loads(r["meta_json"] or "{}")
            except ValueError:
                meta = {}
            try:
                extra = json.loads(r["extra_json"] or "{}")
            except ValueError:
                extra = {}
            doc_title = extra.get("doc_title") if isinstance(extra, dict) else None
            out[url] = PageInfo(title=r["title"] or "", doc_title=str(doc_title or ""),
                                meta=meta if isinstance(meta, dict) else {},
                                text=r["text"] or "", page_type=r["page_type"] or "",
                                rendered=bool(r["rendered"]))
    finally:
        store.close()
    return out


def _save(store_path: str, iid: int, updates: list[tuple[str, dict[str, Any]]]) -> None:
    if not updates:
        return
    store = Store(store_path)
    try:
        with store.tx() as c:
            c.executemany("UPDATE findings SET evidence_json=? WHERE inspection_id=? AND key=?",
                          [(json.dumps(ev, ensure_ascii=False, default=str), iid, key)
                           for key, ev in updates])
    finally:
        store.close()


def _scripts(page: PageInfo, findings: list[Finding]) -> bool:
    """Run the page's scripts only where the sweep needed them to read what it judged."""
    return page.rendered or any(
        f.where == "script" or "render" in str((f.evidence or {}).get("seen_in", "")) for f in findings)


async def shoot_site(shooter: Shooter, store_path: str, inspection_id: int, site_id: str, *,
                     root: Path, limit: int, extra: list[Finding] | None = None,
                     retake: bool = False) -> SiteResult:
    """Screenshots for up to `limit` page findings of the site.  Findings already stored
    get their evidence updated in the store; `extra` findings (the site checks' own, not
    stored yet) are updated in place."""
    t0 = time.monotonic()
    extra = list(extra or [])
    res = SiteResult(site_id=site_id)
    findings, have, scope, site_settings = await asyncio.to_thread(
        _load, store_path, inspection_id, site_id, extra, root)
    shooter.gate(site_id, site_settings)
    if retake:
        have = set()
    p = plan(findings, limit, have)
    res.kept = len(have)
    res.left_out = p.left_out
    if p.left_out:
        res.notices.append(Notice(
            "evidence_cap", f"evidence screenshots: {p.chosen} of {p.eligible} page findings have one;"
            f" {p.left_out} left out (GOVCRAWL_EVIDENCE_MAX_PER_SITE={limit})",
            data={"cap": limit, "eligible": p.eligible, "left_out": p.left_out}))
    if not p.pages:
        res.seconds = time.monotonic() - t0
        return res
    by_key = {f.key: f for f in extra}
    updates: list[tuple[str, dict[str, Any]]] = []

    def record(f: Finding, path: str, located: bool, **more: Any) -> None:
        ev = dict(f.evidence or {})
        ev.update(screenshot=path, screenshot_located=located, **more)
        res.shots += 1
        res.located += int(located)
        if f.key in by_key:
            by_key[f.key].evidence = ev
        else:
            updates.append((f.key, ev))

    earlier = {} if retake else await asyncio.to_thread(_previous_shots, store_path, inspection_id,
                                                         site_id, root)
    todo: dict[str, list[Finding]] = {}
    for url, fs in p.pages.items():
        for f in fs:
            if f.key in earlier:
                src, located, prev = earlier[f.key]
                rel = shot_path(inspection_id, site_id, f.key)
                await asyncio.to_thread(_link, src, root / rel)
                record(f, rel, located, screenshot_from=prev)
                res.reused += 1
            else:
                todo.setdefault(url, []).append(f)
    pages = await asyncio.to_thread(_pages, store_path, inspection_id, list(todo))
    for url, fs in todo.items():
        info = pages.get(url) or PageInfo()
        r = await shooter.shoot_page(url, fs, info, out_dir=root, inspection_id=inspection_id,
                                     site_id=site_id, scope=scope, scripts=_scripts(info, fs))
        if r.error:
            res.failed_pages += 1
            logger.warning("site %s: no evidence screenshot of %s: %s", site_id, url, r.error)
            res.notices.append(Notice(
                "evidence_render", f"page could not be rendered for its evidence screenshot: {r.error}"
                f" ({len(fs)} finding(s) without one)", url=url,
                data={"error": r.error, "findings": [f.key for f in fs]}))
        found = {f.key: f for f in fs}
        for shot in r.shots:
            record(found[shot.key], shot.path, shot.located)
    await asyncio.to_thread(_save, store_path, inspection_id, updates)
    res.seconds = time.monotonic() - t0
    logger.info("site %s: %d evidence screenshots (%d spots located, %d unchanged since the last"
                " inspection), %d pages not rendered, %.1f s", site_id, res.shots, res.located, res.reused,
                res.failed_pages, res.seconds)
    return res
