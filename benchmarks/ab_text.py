"""In-process A/B of the wording checker's speed under two typo.yaml configurations.

    .venv/bin/python benchmarks/ab_text.py "lone_near: true" ["lone_rare_rank: 0"] \
        [--paragraphs 3000] [--chunk 50] [--tries 3] [--shared ../shared/data]

Each argument is lines appended to a copy of the repository's `lexicons/typo.yaml` ("; "
between lines; "" is the configuration as shipped, B's default). Both checkers are built in
one process and check the same paragraphs as bench_text's speed run (the clean sets joined
into ~300-character paragraphs), interleaved in chunks, the fastest of `--tries` per chunk
and checker summed: the machine's drift (10-40 % within minutes on a shared host) then hits
both alike, where two separate `check-text` runs can differ by more than the change being
measured. Prints characters per CPU-second for A and B and the ratio A/B.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_text import ROOT, clean_sets, lexicons_with, paragraphs  # noqa: E402
from govcrawl.text.checker import TextChecker  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a", help="typo.yaml lines for A ('; ' separates lines)")
    ap.add_argument("b", nargs="?", default="", help="typo.yaml lines for B (default: as shipped)")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--corpus", help="JSON Lines paragraphs to check instead (e.g. /work/data/corpus/dev_paragraphs.jsonl)")
    ap.add_argument("--paragraphs", type=int, default=3000)
    ap.add_argument("--chunk", type=int, default=50)
    ap.add_argument("--tries", type=int, default=3)
    args = ap.parse_args()
    if args.corpus:
        import json
        import random

        with open(args.corpus, encoding="utf-8") as fh:
            recs = [json.loads(x) for x in fh if x.strip()]
        random.Random(21).shuffle(recs)
        paras = [r["text"] for r in recs[:args.paragraphs]]
    else:
        sets = clean_sets(Path(args.shared))
        paras = paragraphs([s for v in sets.values() for s in v])[:args.paragraphs]
    if not paras:
        print(f"no clean text found under {args.shared} (clean/, corpus/)", file=sys.stderr)
        return 2
    n = sum(map(len, paras))
    day = dt.date(2024, 6, 1)
    with tempfile.TemporaryDirectory() as tmp:
        a = TextChecker(lexicons_with(Path(tmp), "a", args.a))
        b = TextChecker(lexicons_with(Path(tmp), "b", args.b))
    for p in paras[:200]:  # warm both (caches, lazy tables)
        a.check(p, date=day)
        b.check(p, date=day)
    ta = tb = 0.0
    clock = time.process_time
    for i in range(0, len(paras), args.chunk):
        part = paras[i:i + args.chunk]
        best_a = best_b = float("inf")
        for _ in range(args.tries):
            t = clock()
            for p in part:
                a.check(p, date=day)
            best_a = min(best_a, clock() - t)
            t = clock()
            for p in part:
                b.check(p, date=day)
            best_b = min(best_b, clock() - t)
        ta += best_a
        tb += best_b
    print(f"{len(paras)} paragraphs, {n:,} characters")
    print(f"A [{args.a or 'as shipped'}]: {n / ta:,.0f} chars/CPU-s")
    print(f"B [{args.b or 'as shipped'}]: {n / tb:,.0f} chars/CPU-s")
    print(f"A/B speed: {tb / ta:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
