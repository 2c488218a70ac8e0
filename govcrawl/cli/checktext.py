"""`govcrawl check-text` (contract §3): wording findings for JSON Lines on stdin.

Streams: one input line is read, checked and answered before the next is read,
so memory stays flat whatever the input's length.  A line that is not JSON, or
has no "text", is reported on stderr with its line number and skipped (the run
goes on; exit status 1 at the end if any line was bad).

`--learn` instead learns word counts from the pages of a store (earlier sweeps)
for the typo detector's optional language model (see docs/text-checks.md).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys


def register(sub) -> None:
    p = sub.add_parser("check-text", help="wording checks on JSON Lines {id, text[, date]} from stdin")
    p.add_argument("--date", help="page date YYYY-MM-DD for leader titles (per-line 'date' wins)")
    p.add_argument("--lexicons", help="lexicon directory (default: $GOVCRAWL_LEXICONS or the repo's lexicons/)")
    p.add_argument("--no-typo", action="store_true", help="skip the dictionary typo detector (faster start)")
    p.add_argument("--learn", metavar="OUT",
                   help="learn word counts from --store page text into OUT instead of checking")
    p.add_argument("--store", help="with --learn: the store to read page text from")
    p.add_argument("--min-count", type=int, default=3, help="with --learn: keep words seen this often")
    p.set_defaults(func=run)


def _date(value: str | None, where: str) -> dt.date | None:
    from govcrawl.cli import UserError

    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise UserError(f"{where}: bad date {value!r} (want YYYY-MM-DD)") from None


def run(args) -> int:
    from govcrawl.cli import UserError
    from govcrawl.text import LexiconError, get_checker

    if args.learn:
        return _learn(args)
    default_date = _date(args.date, "--date")
    try:
        checker = get_checker(args.lexicons, typo=not args.no_typo)
    except LexiconError as e:
        raise UserError(str(e)) from None
    out = sys.stdout
    bad = 0
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="\n")
    for n, line in enumerate(stdin, start=1):
        line = line.strip()
        if not line:
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            bad += 1
            print(f"govcrawl check-text: stdin:{n}: not a JSON object, skipped", file=sys.stderr)
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            bad += 1
            print(f"govcrawl check-text: stdin:{n}: no \"text\" string, skipped", file=sys.stderr)
            continue
        try:
            date = _date(rec.get("date"), f"stdin:{n}") if rec.get("date") else default_date
        except UserError as e:
            bad += 1
            print(f"govcrawl check-text: {e}, line skipped", file=sys.stderr)
            continue
        rid = rec.get("id")
        for h in checker.check(rec["text"], date=date, where="text"):
            d = {"id": rid, "rule": h.rule, "severity": h.severity, "category": h.category,
                 "text": h.text, "suggestion": h.suggestion, "start": h.start, "end": h.end,
                 "count": h.count, "evidence": dict(h.evidence, context=h.context)}
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
        if n % 256 == 0:
            out.flush()
    out.flush()
    return 1 if bad else 0


def _learn(args) -> int:
    from govcrawl.cli import UserError
    from govcrawl.store import Store
    from govcrawl.text.learn import learn_words, write_learned

    if not args.store:
        raise UserError("--learn needs --store PATH")
    store = Store(args.store, readonly=True)

    def texts():
        for (t,) in store.conn.execute("SELECT text FROM pages WHERE text IS NOT NULL AND text != ''"):
            yield t

    counts = learn_words(texts(), min_count=args.min_count)
    n = write_learned(counts, args.learn)
    print(f"govcrawl check-text: learned {n} words into {args.learn}; set "
          f"language_model: {args.learn} in lexicons/typo.yaml to use them", file=sys.stderr)
    return 0
