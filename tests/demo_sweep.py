"""One real `scrapy crawl sweep` over the generated demo world, served on loopback.

The end-to-end test modules of several areas (checks, wording, hacked pages) each sweep
the demo world with their own pipelines and settings; this is that sweep, written once.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from govcrawl.demo import OUTSIDE_IDENTITY_HOSTS, DemoServer, build_world

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2024, 6, 20)


def sweep_demo(out: Path, *settings: str, scale: str = "e2e", seed: int = 1,
               store: Path | str | None = None) -> tuple[dict, Path | str]:
    """Sweep the demo world of `scale` with `-s` `settings` ("KEY=VALUE"); outside identity
    hosts are never link-checked.  Returns the world's manifest (plain JSON) and the store
    (`store`: an SQLite file, by default out/store.sqlite, or a PostgreSQL URL)."""
    world = build_world(as_of=AS_OF, scale=scale, seed=seed)
    store = store or out / "store.sqlite"
    with DemoServer(world):
        reg = world.write_registry(out / "registry.yaml")
        cmd = [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={reg}", "-a", f"store={store}",
               "-a", f"as_of={AS_OF.isoformat()}", "-s", "LOG_LEVEL=WARNING", "-s", "GOVCRAWL_BROWSER=False",
               "-s", "GOVCRAWL_LINKCHECK_SKIP_HOSTS=" + ",".join(OUTSIDE_IDENTITY_HOSTS)]
        for kv in settings:
            cmd += ["-s", kv]
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900,
                           env={**os.environ, "SCRAPY_SETTINGS_MODULE": "govcrawl.settings"})
    assert r.returncode == 0, r.stderr[-3000:]
    manifest = json.loads(json.dumps(world.manifest, default=lambda v: sorted(v)
                                     if isinstance(v, (set, frozenset)) else str(v)))
    return manifest, store


def findings_of_last_inspection(store: Path) -> tuple[sqlite3.Connection, int, list[dict[str, Any]]]:
    c = sqlite3.connect(store)
    c.row_factory = sqlite3.Row
    iid = c.execute("SELECT max(id) FROM inspections").fetchone()[0]
    return c, iid, [dict(x) for x in c.execute("SELECT * FROM findings WHERE inspection_id=?", (iid,))]


def comparable(store: Path | str) -> dict[str, list[tuple]]:
    """What the last inspection of a store holds, comparable across stores and runs: every
    `127.0.0.1:PORT` becomes the id of the site served there (ports change per run).
    Works on an SQLite file and on a PostgreSQL URL alike."""
    import re

    from govcrawl import db

    c = db.connect(store, readonly=True)
    try:
        iid = c.execute("SELECT MAX(id) FROM inspections").fetchone()[0]
        ports: dict[str, str] = {}
        for sid, url in c.execute("SELECT site_id, url FROM sites WHERE inspection_id=? ORDER BY site_id",
                                  (iid,)).fetchall():
            m = re.search(r"127\.0\.0\.1:(\d+)", url or "")
            if m:
                ports.setdefault(m.group(1), sid)

        def norm(v: Any) -> Any:
            if isinstance(v, str):  # also inside a percent-encoded query (share links: ?url=…)
                return re.sub(r"127\.0\.0\.1(?::|%3A)(\d+)", lambda m: "site-" + ports.get(m.group(1), "other"), v)
            return v

        def q(sql: str) -> list[tuple]:
            return sorted((tuple(norm(x) for x in r) for r in c.execute(sql, (iid,)).fetchall()), key=repr)

        return {
            "status": q("SELECT status FROM inspections WHERE id=?"),
            "pages": q("SELECT url, status, page_type, title, pub_date, column_name FROM pages WHERE inspection_id=?"),
            "findings": q("SELECT rule, severity, site_id, url, column_name, target, text, suggestion, count,"
                          " lifecycle FROM findings WHERE inspection_id=?"),
            "verdicts": q("SELECT site_id, subject, result, score, vetoes_json FROM verdicts WHERE inspection_id=?"),
            "columns": q("SELECT site_id, url, name, newest_date, item_count, blank FROM columns WHERE inspection_id=?"),
            "sites": q("SELECT site_id, pages, errors, reachable FROM sites WHERE inspection_id=?"),
            "links": q("SELECT page_url, target, kind, hidden, external FROM links WHERE inspection_id=?"),
            "link_status": q("SELECT target, status FROM link_status WHERE inspection_id=?"),
            "entries": q("SELECT page_url, pos, title, url, date FROM entries WHERE inspection_id=?"),
        }
    finally:
        c.close()
