"""`govcrawl evidence`: evidence screenshots for an inspection already in the store.

The sweep takes them itself once each site is done (GOVCRAWL_EVIDENCE); this command
takes them afterwards — for a sweep run without the browser, after raising the per-site
limit, or again for findings whose page could not be rendered the first time.  Findings
that already have a screenshot keep it (and count against the limit).
"""

from __future__ import annotations

import asyncio
import json
from functools import partial
from typing import Any

from govcrawl.store import Store


def register(sub: Any) -> None:
    p = sub.add_parser("evidence", help="take the evidence screenshots of an inspection's page findings",
                       description=__doc__.splitlines()[0])
    p.add_argument("--store", required=True)
    p.add_argument("--inspection", default="latest", help="latest (default) or an inspection id")
    p.add_argument("--sites", default="", help="comma-separated site ids (default: every site)")
    p.add_argument("--max-per-site", type=int, default=None,
                   help="screenshots per site (default GOVCRAWL_EVIDENCE_MAX_PER_SITE)")
    p.add_argument("--dir", default=None, help="evidence folder (default GOVCRAWL_EVIDENCE_DIR, else"
                   " beside the store)")
    p.add_argument("--retake", action="store_true", help="take them again, also where one exists")
    p.set_defaults(func=run)


def _settings() -> Any:
    from scrapy.settings import Settings

    s = Settings()
    s.setmodule("govcrawl.settings", priority="project")
    return s


def run(args: Any) -> int:
    from govcrawl.cli import UserError
    from govcrawl.evidence import evidence_dir

    s = _settings()
    limit = args.max_per_site if args.max_per_site is not None else s.getint("GOVCRAWL_EVIDENCE_MAX_PER_SITE")
    store = Store(args.store, readonly=True)
    try:
        insp = store.inspection(args.inspection, kind="sites" if args.inspection == "latest" else None)
        sites = [r["site_id"] for r in store.sites(insp["id"])]
    finally:
        store.close()
    if args.sites:
        want = [x.strip() for x in args.sites.split(",") if x.strip()]
        unknown = [x for x in want if x not in sites]
        if unknown:
            raise UserError(f"inspection {insp['id']} has no site {', '.join(unknown)}")
        sites = want
    root = evidence_dir(args.store, args.dir or s.get("GOVCRAWL_EVIDENCE_DIR") or None)
    if root is None:
        raise UserError("a PostgreSQL store needs --dir (or GOVCRAWL_EVIDENCE_DIR) for its screenshots")
    results = asyncio.run(_shoot(s, args.store, int(insp["id"]), sites, root, limit, args.retake))
    for r in results:
        print(json.dumps({"site_id": r.site_id, "shots": r.shots, "located": r.located,
                          "kept": r.kept, "reused": r.reused, "failed_pages": r.failed_pages, "left_out": r.left_out,
                          "seconds": round(r.seconds, 2)}, ensure_ascii=False))
    print(f"evidence: {root}")
    return 0


async def _shoot(s: Any, store_path: str, iid: int, sites: list[str], root: Any, limit: int,
                 retake: bool) -> list:
    from govcrawl import browser
    from govcrawl.evidence.shots import Shooter
    from govcrawl.evidence.site import shoot_site

    shooter = Shooter(s.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"), timeout=s.getfloat("GOVCRAWL_EVIDENCE_TIMEOUT"),
                      concurrency=s.getint("GOVCRAWL_EVIDENCE_CONCURRENCY"), user_agent=s.get("USER_AGENT"),
                      egress=partial(browser.egress_allowed, settings=s),
                      site_concurrency=s.getint("GOVCRAWL_SITE_CONCURRENCY"),
                      site_delay=s.getfloat("GOVCRAWL_SITE_DELAY"))
    try:
        results = await asyncio.gather(*(shoot_site(shooter, store_path, iid, sid, root=root, limit=limit,
                                                    retake=retake)
                                         for sid in sites))
    finally:
        await shooter.close()
    store = Store(store_path)
    try:
        for r in results:
            for n in r.notices:
                store.add_notice(iid, r.site_id, n.kind, n.message, n.url, n.data)
    finally:
        store.close()
    return list(results)
