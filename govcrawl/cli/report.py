"""`govcrawl report` (contract §5), `govcrawl review`, `govcrawl sample`, `govcrawl history`."""

from __future__ import annotations

import json
import sys
from datetime import date as _date

from govcrawl import history as H
from govcrawl.registry import load_registry
from govcrawl.sampling import SampleError, draw_sample, sample_summary
from govcrawl.store import Store


def _user_error(msg: str) -> Exception:
    from govcrawl.cli import UserError

    return UserError(msg)


def register(sub) -> None:
    p = sub.add_parser("report", help="write the bulletin (通报) and its annex tables")
    p.add_argument("--store", required=True)
    p.add_argument("--out", required=True, help="directory for the .html, .xlsx, .docx, .json")
    p.add_argument("--inspection", default="latest", help="latest (default) or an inspection id")
    p.add_argument("--period", help="a period such as 2024Q2: its latest inspection")
    p.add_argument("--date", help="date printed under the signature (default: the inspection's as_of)")
    p.add_argument("--issuer", default="", help="issuing office, e.g. XX市人民政府办公室")
    p.add_argument("--addressee", default="", help="主送单位 line")
    p.add_argument("--deadline-days", type=int, default=10, help="working days to rectify")
    p.add_argument("--no-rectification", action="store_true", help="skip the per-site 整改通知")
    p.set_defaults(func=run_report)

    r = sub.add_parser("review", help="mark a finding confirmed, false_alarm or to_check")
    r.add_argument("--store", required=True)
    r.add_argument("--finding", required=True, help="finding key (or a unique prefix, ≥ 8 chars)")
    r.add_argument("--state", required=True, choices=H.REVIEW_STATES)
    r.add_argument("--note", default="")
    r.add_argument("--reviewer", default="")
    r.add_argument("--no-recompute", action="store_true",
                   help="do not recompute the site's stored verdict")
    r.set_defaults(func=run_review)

    s = sub.add_parser("sample", help="draw a reproducible stratified sample of the registry")
    s.add_argument("--registry", required=True)
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--n", type=int, help="number of sites")
    g.add_argument("--ratio", type=float, help="share of sites, 0 < ratio <= 1")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--format", choices=["tsv", "ids", "jsonl"], default="tsv",
                   help="ids: one comma-separated line for `-a sites=`")
    s.set_defaults(func=run_sample)

    h = sub.add_parser("history", help="per-period pass rates; record finding lifecycle")
    h.add_argument("--store", required=True)
    h.add_argument("--kind", default="sites", choices=["sites", "media"])
    h.add_argument("--update", metavar="INSPECTION",
                   help="write new/open/reopened into findings.lifecycle for this inspection")
    h.set_defaults(func=run_history)


def run_report(args) -> int:
    from govcrawl.report import write_report

    if args.date:
        try:
            _date.fromisoformat(args.date)
        except ValueError:
            raise _user_error(f"bad --date {args.date!r} (want YYYY-MM-DD)") from None
    if args.period and args.inspection not in ("latest", "", None):
        raise _user_error("give --inspection or --period, not both")
    store = Store(args.store, readonly=True)
    files = write_report(store, args.out, args.inspection, args.period, date=args.date,
                         issuer=args.issuer, addressee=args.addressee,
                         deadline_days=args.deadline_days,
                         rectification=not args.no_rectification)
    print(f"bulletin: {files.html}")
    print(f"annexes:  {files.xlsx}")
    print(f"draft:    {files.docx}")
    print(f"data:     {files.json}")
    if files.rectification:
        print(f"整改通知: {len(files.rectification)} files in {files.rectification[0].parent}")
    return 0


def run_review(args) -> int:
    store = Store(args.store)
    if args.no_recompute:
        iid, f = H.set_review(store, args.finding, args.state, note=args.note,
                              reviewer=args.reviewer)
        verdicts: dict = {}
    else:  # the same re-judging as the review page of `govcrawl serve`
        iid, f, verdicts = H.review(store, args.finding, args.state, note=args.note,
                                    reviewer=args.reviewer)
    out = {"key": f.key, "state": args.state, "site_id": f.site_id, "rule": f.rule,
           "url": f.url, "text": f.text, "inspection": iid}
    v = verdicts.get(iid)
    if v is not None:
        out["verdict"] = {"result": v.result, "score": v.score, "problems": v.problems}
    print(json.dumps(out, ensure_ascii=False))
    return 0


def run_sample(args) -> int:
    reg = load_registry(args.registry)
    try:
        chosen = draw_sample(reg.sites, n=args.n, ratio=args.ratio, seed=args.seed)
    except SampleError as e:
        raise _user_error(str(e)) from None
    out = sys.stdout
    if args.format == "ids":
        out.write(",".join(s.id for s in chosen) + "\n")
    elif args.format == "jsonl":
        for s in chosen:
            out.write(json.dumps({"id": s.id, "name": s.name, "region": s.region, "kind": s.kind},
                                 ensure_ascii=False) + "\n")
    else:
        for s in chosen:
            out.write(f"{s.id}\t{s.name}\t{s.region}\t{s.kind}\n")
    for row in sample_summary(reg.sites, chosen):
        print(f"{row['region'] or '-'}\t{row['kind']}\t{row['sampled']}/{row['population']}",
              file=sys.stderr)
    print(f"sampled {len(chosen)} of {len(reg.sites)} sites (seed {args.seed})", file=sys.stderr)
    return 0


def run_history(args) -> int:
    if args.update:
        store = Store(args.store)
        counts = H.persist_lifecycle(store, int(args.update))
        print(json.dumps({"inspection": int(args.update), "lifecycle": counts}, ensure_ascii=False))
        return 0
    store = Store(args.store, readonly=True)
    rf = H.ReviewFilter.from_store(store)
    for r in H.period_representatives(store, args.kind):
        vs = H.verdicts(store, r, rf)
        failed = sum(1 for v in vs.values() if v.failed)
        print(json.dumps({"period": H.period_of(r), "inspection": r["id"], "as_of": r["as_of"],
                          "scope": r["scope"], "state": "finished", "checked": len(vs), "failed": failed,
                          "rate": round(100.0 * (len(vs) - failed) / len(vs), 2) if vs else None},
                         ensure_ascii=False))
    # inspections that are not finished: no pass rate, and why
    for r in store.inspections(args.kind):
        state = store.state(r)
        if state == "finished":
            continue
        pages = store.conn.execute("SELECT COUNT(*) FROM pages WHERE inspection_id=?", (r["id"],)).fetchone()[0]
        print(json.dumps({"period": H.period_of(r), "inspection": r["id"], "as_of": r["as_of"],
                          "scope": r["scope"], "state": state, "pages": pages,
                          "note": store.describe_state(r)}, ensure_ascii=False))
    return 0


__all__ = ["register"]
