"""`govcrawl media-import` and `govcrawl media-verdicts`: 政务新媒体 without the crawler.

media-import reads a platform's own export of an account's posts (CSV / XLSX / JSON,
see govcrawl.media.importer) and runs the same checks as `scrapy crawl media`, in a
media inspection of the store (a new one, or an existing one with --inspection).
media-verdicts recomputes account verdicts, leaving out findings a reviewer marked
false alarm.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from govcrawl.media.checks import check_account, get_text_checker
from govcrawl.media.importer import ExportError, read_export
from govcrawl.media.sink import save_account
from govcrawl.media.verdict import compute_account_verdicts
from govcrawl.registry import load_registry
from govcrawl.store import Store


def register(sub) -> None:
    p = sub.add_parser("media-import", help="check 政务新媒体 accounts from platform exports")
    p.add_argument("--store", required=True)
    p.add_argument("--registry", required=True, help="registry with the accounts")
    p.add_argument("--account", help="the account the FILEs belong to (registry id)")
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="export files; without --account: every account with settings.export")
    p.add_argument("--as-of", help="reference date YYYY-MM-DD (default: today, Asia/Shanghai)")
    p.add_argument("--period", help="e.g. 2024Q2")
    p.add_argument("--inspection", help="add to this media inspection instead of a new one")
    p.add_argument("--no-wording", action="store_true", help="skip content.* wording checks")
    p.set_defaults(func=run_import)

    v = sub.add_parser("media-verdicts", help="recompute account verdicts (reviews respected)")
    v.add_argument("--store", required=True)
    v.add_argument("--inspection", default="latest")
    v.set_defaults(func=run_verdicts)


def _user_error(msg: str) -> Exception:
    from govcrawl.cli import UserError

    return UserError(msg)


def run_import(args) -> int:
    reg = load_registry(args.registry)
    accounts = {a.id: a for a in reg.accounts}
    jobs: list[tuple[dict, list[str]]] = []
    if args.account:
        if args.account not in accounts:
            raise _user_error(f"{args.registry}: unknown account id {args.account}")
        if not args.files:
            raise _user_error("give the export FILE(s) of --account")
        jobs.append((accounts[args.account].to_dict(), list(args.files)))
    else:
        if args.files:
            raise _user_error("FILEs need --account ID")
        for a in reg.accounts:
            exp = a.settings.get("export")
            if exp:
                jobs.append((a.to_dict(), exp if isinstance(exp, list) else [str(exp)]))
        if not jobs:
            raise _user_error(f"{args.registry}: no account has settings.export; use --account ID FILE")
    try:
        day = date.fromisoformat(args.as_of) if args.as_of else datetime.now(
            ZoneInfo("Asia/Shanghai")).date()
    except ValueError:
        raise _user_error(f"bad --as-of {args.as_of!r} (want YYYY-MM-DD)") from None
    base = Path(args.registry).parent
    # read everything first: a bad file stops the import before the store is touched
    read = []
    for account, files in jobs:
        try:
            read.append((account, read_export(files, account, base=base)))
        except ExportError as e:
            raise _user_error(str(e)) from None
    store = Store(args.store)
    if args.inspection:
        insp = store.inspection(args.inspection)
        if insp["kind"] != "media":
            raise _user_error(f"inspection {insp['id']} is a {insp['kind']} inspection, not media")
        iid = int(insp["id"])
        day = date.fromisoformat(insp["as_of"])
    else:
        iid = store.create_inspection(as_of=day.isoformat(), registry_path=str(args.registry),
                                      registry={"accounts": [a.to_dict() for a in reg.accounts]},
                                      kind="media", period=args.period,
                                      settings={"accounts": [a["id"] for a, _ in read],
                                                "source": "import"})
    checker = None if args.no_wording else get_text_checker()
    counts = {"accounts": 0, "findings": 0}
    for account, obs in read:
        findings = check_account(account, obs, day, text_checker=checker)
        save_account(store, iid, account, obs, findings)
        counts["accounts"] += 1
        counts["findings"] += len(findings)
    verdicts = compute_account_verdicts(store, iid, accounts=[a["id"] for a, _ in read])
    if not args.inspection:
        store.finish_inspection(iid, stats={**counts, "source": "import"})
    for v in verdicts:
        sys.stdout.write(json.dumps({"inspection": iid, **v.to_dict()}, ensure_ascii=False) + "\n")
    print(f"media-import: inspection {iid}: {counts['accounts']} account(s), "
          f"{counts['findings']} finding(s)", file=sys.stderr)
    return 0


def run_verdicts(args) -> int:
    store = Store(args.store)
    insp = store.inspection(args.inspection, kind="media" if args.inspection == "latest" else None)
    if insp["kind"] != "media":
        raise _user_error(f"inspection {insp['id']} is a {insp['kind']} inspection, not media")
    false_alarms = {r["key"] for r in store.conn.execute(
        "SELECT key FROM reviews WHERE state='false_alarm'")}
    for v in compute_account_verdicts(store, int(insp["id"]), exclude_keys=false_alarms):
        sys.stdout.write(json.dumps({"inspection": insp["id"], **v.to_dict()}, ensure_ascii=False) + "\n")
    return 0
