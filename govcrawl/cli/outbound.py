"""`govcrawl outbound`: every outside domain a site links to, with its risk.

The inventory behind `link.unsafe`: per site and domain, how many pages link it, an example
target and anchor, whether a link is hidden, the host's risk signals and whether the domain
is new since the previous inspection of the site.  Read from the store; nothing is fetched.

    govcrawl outbound --store PATH [--inspection latest|ID] [--site ID ...] [--risky] [--format jsonl|table]
"""

from __future__ import annotations

import json
import sys
from typing import Any

from govcrawl.store import Store


def register(sub: Any) -> None:
    p = sub.add_parser("outbound", help="outside domains linked from each site, with risk signals")
    p.add_argument("--store", required=True)
    p.add_argument("--inspection", default="latest")
    p.add_argument("--site", action="append", help="only these site ids (repeatable)")
    p.add_argument("--risky", action="store_true", help="only domains with a risk signal or new ones")
    p.add_argument("--format", default="jsonl", choices=["jsonl", "table"])
    p.add_argument("--signals", default=None, help="signals file (default: the bundled one)")
    p.set_defaults(func=run)


def inventory(store: Store, inspection_id: int, sites: list[str] | None = None,
              signals: str | None = None) -> list[dict[str, Any]]:
    from govcrawl.checks.hacked.analysis import host_of
    from govcrawl.checks.hacked.signals import HostJudge, load_signals
    from govcrawl.pipelines.hacked import _domain_key

    hosts = HostJudge(load_signals(signals))
    conn = store.conn
    scope = _registry_scope(conn, inspection_id)
    q = ("SELECT site_id, page_url, target, anchor, kind, hidden FROM links"
         " WHERE inspection_id=? AND external=1 AND kind IN ('a','iframe','script')")
    rows = conn.execute(q, (inspection_id,)).fetchall()
    prev_of: dict[str, int | None] = {}
    prev_domains: dict[str, set[str]] = {}

    def previous(site_id: str) -> set[str]:
        if site_id not in prev_of:
            r = conn.execute(
                "SELECT MAX(inspection_id) FROM links WHERE site_id=? AND inspection_id<?",
                (site_id, inspection_id)).fetchone()
            prev_of[site_id] = r[0] if r else None
            prev_domains[site_id] = set() if not prev_of[site_id] else {
                _domain_key(t[0]) for t in conn.execute(
                    "SELECT target FROM links WHERE inspection_id=? AND site_id=? AND external=1",
                    (prev_of[site_id], site_id))}
        return prev_domains[site_id]

    agg: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        sid = r["site_id"]
        if sites and sid not in sites:
            continue
        dom = _domain_key(r["target"])
        a = agg.get((sid, dom))
        if a is None:
            risk = hosts.assess(r["target"])
            a = agg[(sid, dom)] = {
                "site_id": sid, "domain": dom, "pages": set(), "links": 0, "hidden": 0,
                "example": r["target"], "anchor": r["anchor"], "kinds": set(),
                "trusted": risk.trusted, "registered": bool(scope and scope.owner(r["target"])),
                "signals": [] if scope and scope.owner(r["target"]) else risk.strong + risk.weak,
                "strong": bool(risk.strong), "host": host_of(r["target"])}
        a["pages"].add(r["page_url"])
        a["links"] += 1
        a["hidden"] += int(bool(r["hidden"]))
        a["kinds"].add(r["kind"])
    out = []
    for (sid, dom), a in sorted(agg.items()):
        prev = previous(sid)
        a["new"] = bool(prev_of.get(sid)) and dom not in prev
        a["previous_inspection"] = prev_of.get(sid)
        a["pages"] = len(a["pages"])
        a["kinds"] = sorted(a["kinds"])
        out.append(a)
    return out


def _registry_scope(conn: Any, inspection_id: int) -> Any:
    """Scopes of every registered site (the inspection's registry snapshot): links to another
    registered government site are not outside links in the sense of this inventory."""
    from govcrawl.registry import ScopeMap, Site

    row = conn.execute("SELECT registry_json FROM inspections WHERE id=?", (inspection_id,)).fetchone()
    try:
        data = json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        return None
    sites = []
    for d in data.get("sites") or []:
        try:
            sites.append(Site(id=d["id"], name=d.get("name", ""), url=d["url"], scope=tuple(d.get("scope") or ())))
        except (KeyError, TypeError):
            continue
    return ScopeMap(sites) if sites else None


def run(args: Any) -> int:
    store = Store(args.store, readonly=True)
    insp = store.inspection(args.inspection, kind="sites")
    rows = inventory(store, insp["id"], args.site, args.signals)
    if args.risky:
        rows = [r for r in rows if not r["trusted"] and not r["registered"]
                and (r["signals"] or r["new"] or r["hidden"])]
    out = sys.stdout
    if args.format == "table":
        out.write("site_id     domain                              pages links hidden new  signals\n")
        for r in rows:
            out.write(f"{r['site_id']:<11} {r['domain'][:35]:<35} {r['pages']:>5} {r['links']:>5} "
                      f"{r['hidden']:>6} {'yes' if r['new'] else '-':<4} {'; '.join(r['signals']) or '-'}\n")
    else:
        for r in rows:
            r["inspection"] = insp["id"]
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0
