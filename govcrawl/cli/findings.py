"""`govcrawl findings` (contract §2): one JSON object per finding."""

from __future__ import annotations

import json
import sys
from typing import Any

from govcrawl.store import FINISHED, Store, StoreError

KINDS = ["auto", "sites", "media", "any"]


def add_kind_argument(p: Any) -> None:
    p.add_argument("--kind", default="auto", choices=KINDS,
                   help="which inspection 'latest' means: auto (default) — the newest site sweep,"
                        " or the newest inspection of any kind when the store holds no sweep;"
                        " sites, media, or any (the newest of either)")


def pick_inspection(store: Store, ref: str, kind: str, command: str) -> Any:
    """The inspection a command reports on.  An explicit id is taken as it is; `latest`
    follows --kind.  auto: a store holding only media inspections (scrapy crawl media
    alone) answers with the newest of them instead of failing, and a store whose newest
    inspection is not the sweep shown says in one line how to see it."""
    if kind != "auto" or ref not in (None, "", "latest"):
        return store.inspection(ref, kind=None if kind in ("any", "auto") else kind)
    newest = store.inspection("latest")  # any kind; "no inspection in the store" when empty
    try:
        chosen = store.inspection("latest", kind="sites")
    except StoreError:
        return newest  # no site sweep at all: the newest inspection, whatever its kind
    if newest["id"] != chosen["id"]:
        print(f"govcrawl {command}: showing site sweep {chosen['id']} (as_of {chosen['as_of']});"
              f" the newer {newest['kind']} inspection {newest['id']} is shown with"
              f" --kind {newest['kind']} (or --inspection {newest['id']})", file=sys.stderr)
    return chosen


def register(sub) -> None:
    p = sub.add_parser("findings", help="export an inspection's findings")
    p.add_argument("--store", required=True)
    p.add_argument("--inspection", default="latest")
    add_kind_argument(p)
    p.add_argument("--format", default="jsonl", choices=["jsonl"])
    p.add_argument("--rule", action="append", help="only these rules (repeatable, prefix match)")
    p.add_argument("--site", action="append", help="only these site ids")
    p.add_argument("--all", action="store_true", help="include findings reviewed as false alarms")
    p.set_defaults(func=run)


def run(args) -> int:
    store = Store(args.store, readonly=True)
    insp = pick_inspection(store, args.inspection, args.kind, "findings")
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
