"""`govcrawl findings` (contract §2): one JSON object per finding."""

from __future__ import annotations

import json
import sys

from govcrawl.store import FINISHED, Store


def register(sub) -> None:
    p = sub.add_parser("findings", help="export an inspection's findings")
    p.add_argument("--store", required=True)
    p.add_argument("--inspection", default="latest")
    p.add_argument("--kind", default="sites", choices=["sites", "media", "any"],
                   help="which inspection 'latest' means: the newest site sweep (default), media run, or any")
    p.add_argument("--format", default="jsonl", choices=["jsonl"])
    p.add_argument("--rule", action="append", help="only these rules (repeatable, prefix match)")
    p.add_argument("--site", action="append", help="only these site ids")
    p.add_argument("--all", action="store_true", help="include findings reviewed as false alarms")
    p.set_defaults(func=run)


def run(args) -> int:
    store = Store(args.store, readonly=True)
    insp = store.inspection(args.inspection, kind=None if args.kind == "any" else args.kind)
    state = store.state(insp)
    if state != FINISHED:
        # the findings so far are real, but not the inspection's result: each line says so
        print(f"govcrawl findings: {store.describe_state(insp)}; these are its findings so far, "
              "not a complete inspection (no verdicts from it)", file=sys.stderr)
    out = sys.stdout
    from govcrawl.history import ReviewFilter

    reviews = ReviewFilter.from_store(store)  # a finding marked false alarm is not reported again
    for f in store.findings(insp["id"]):
        if not args.all and reviews.is_false_alarm(f):
            continue
        if args.rule and not any(f.rule.startswith(r) for r in args.rule):
            continue
        if args.site and f.site_id not in args.site:
            continue
        d = f.to_dict()
        d["inspection"] = insp["id"]
        if state != FINISHED:
            d["inspection_state"] = state
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
    return 0
