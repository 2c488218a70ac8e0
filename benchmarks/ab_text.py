"""In-process A/B of the wording checker's speed under two typo.yaml configurations.

    .venv/bin/python benchmarks/ab_text.py "lone_near: true" ["lone_rare_rank: 0"] \
        [--paragraphs 3000] [--chunk 50] [--tries 3] [--shared ../shared/data]

Each argument is lines appended to a copy of the repository's `lexicons/typo.yaml` ("" is
the default as shipped; B defaults to ""). Both checkers are built in one process and
check the same work-report paragraphs, interleaved in chunks, the fastest of `--tries` per
chunk and checker summed: the machine's drift (10-40 % within minutes on a shared host)
then hits both alike, where two separate `check-text` runs can differ by more than the
change being measured. Prints characters per CPU-second for A and B and the ratio A/B.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govcrawl.text.checker import TextChecker  # noqa: E402


def paragraphs(shared: Path, n: int) -> list[str]:
    """The first n work-report paragraphs of 40+ characters (the bench's clean text)."""
    out = []
    with open(shared / "corpus" / "government_work_reports.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            for para in (rec.get("text") or rec.get("content") or "").split("\n"):
                para = para.strip()
                if len(para) >= 40:
                    out.append(para)
                    if len(out) >= n:
                        return out
    return out


def checker(tmp: Path, name: str, extra: str) -> TextChecker:
    lex = tmp / name
    shutil.copytree(ROOT / "lexicons", lex)
    if extra:
        with open(lex / "typo.yaml", "a", encoding="utf-8") as fh:
            fh.write("\n" + extra.replace("; ", "\n") + "\n")
    return TextChecker(lex)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a", help="typo.yaml lines for A ('; ' separates lines)")
    ap.add_argument("b", nargs="?", default="", help="typo.yaml lines for B (default: as shipped)")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--paragraphs", type=int, default=3000)
    ap.add_argument("--chunk", type=int, default=50)
    ap.add_argument("--tries", type=int, default=3)
    args = ap.parse_args()
    paras = paragraphs(Path(args.shared), args.paragraphs)
    if not paras:
        print("no work-report paragraphs found under", args.shared, file=sys.stderr)
        return 2
    n = sum(map(len, paras))
    day = dt.date(2024, 6, 1)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = checker(Path(tmp), "a", args.a), checker(Path(tmp), "b", args.b)
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
