"""`govcrawl verdicts` (contract §4): one JSON object per site (and account) verdict."""

from __future__ import annotations

import json
import sys

from govcrawl.cli.findings import add_kind_argument, pick_inspection
from govcrawl.scoring import compute_verdicts, read_verdicts
from govcrawl.store import Store


def register(sub) -> None:
    p = sub.add_parser("verdicts", help="export an inspection's verdicts (合格/不合格, score)")
    p.add_argument("--store", required=True)
    p.add_argument("--inspection", default="latest")
    add_kind_argument(p)
    p.add_argument("--format", default="jsonl", choices=["jsonl"])
    p.add_argument("--subject", choices=["site", "account"],
                   help="only site or only account verdicts (default: both)")
    p.add_argument("--recompute", action="store_true",
                   help="re-judge the sites from the stored findings first (after reviews)")
    p.set_defaults(func=run)


def run(args) -> int:
    store = Store(args.store, readonly=not args.recompute)
    insp = pick_inspection(store, args.inspection, args.kind, "verdicts")
    from govcrawl.history import require_finished

    require_finished(store, insp, "verdicts")  # interrupted, failed or still running: refused
    iid = insp["id"]
    rows = read_verdicts(store, iid, args.subject)
    has_sites = any(r["subject"] == "site" for r in rows)
    if args.recompute or (not has_sites and args.subject != "account" and insp["kind"] == "sites"):
        # A sweep that stopped before judging (or a store written by an older version):
        # judge from the findings without writing when the store is opened read-only.
        if args.recompute:
            compute_verdicts(store, iid)
            rows = read_verdicts(store, iid, args.subject)
        else:
            rows = _judge_readonly(store, iid) + [r for r in rows if r["subject"] != "site"]
    out = sys.stdout
    for r in rows:
        r["inspection"] = iid
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0


def _judge_readonly(store: Store, iid: int) -> list[dict]:
    from govcrawl.scoring import _false_alarms, site_verdict

    dismissed = _false_alarms(store)
    by_site: dict[str, list] = {}
    for f in store.findings(iid):
        if f.key not in dismissed:
            by_site.setdefault(f.site_id, []).append(f)
    out = []
    for s in store.sites(iid):
        v = site_verdict(s["site_id"], by_site.get(s["site_id"], []))
        d = v.to_dict()
        out.append({"site_id": d["site_id"], "subject": "site", "result": d["result"],
                    "score": d["score"], "vetoes": d["vetoes"], "problems": d["problems"],
                    "deductions": d["deductions"], "counts": d["counts"]})
    return out
