"""Forms attested in real official text: corpus statistics for the typo detector (issue 21, item 2).

    python -m govcrawl.text.attest --out lexicons/attested.txt --text DEV.jsonl [--text …]
        [--min-docs 3] [--lexicons DIR]

Official writing is full of strings that look like near-misses of common words but are
its own standard vocabulary: 提质升级 holds 质升级 (直升机), 正风肃纪 holds 风肃纪 (风速计),
融媒体 reads like 溶酶体, 乌军 like 乌龟.  This program reads a corpus of real government
and news text (JSON Lines with `text` and a document id in `doc`; one record a paragraph)
and counts, for every string the typo detector would look at (every match of its
near-miss and pinyin automata, and every candidate it would report), in how many
different documents it occurs.  A form seen in at least `--min-docs` documents (different
broadcast days, different provinces' reports) is usage, not a slip: it is written to the
output file (`form<TAB>documents<TAB>occurrences`) and the detector never reports it
(`attested:` in typo.yaml).  The statistics are ours; the corpus's sentences are not kept.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path


def learn_attested(records, detector, min_docs: int = 3) -> dict[str, tuple[int, int]]:
    """form → (documents, occurrences) for forms seen in at least min_docs documents."""
    docs: dict[str, set[str]] = defaultdict(set)
    occ: dict[str, int] = defaultdict(int)
    saved = detector.attested
    detector.attested = set()
    try:
        for doc, text in records:
            spans: set[tuple[int, int]] = set()
            if detector._ac is not None:
                spans.update((s, e) for _, s, e in detector._ac.find_matches_as_indexes(text, overlapping=True))
            if detector._py_ac is not None:
                spans.update((s, e) for _, s, e in detector._py_ac.find_matches_as_indexes(detector._py_map(text)))
            spans.update((c.start, c.end) for c in detector.find(text))
            for s, e in spans:
                f = text[s:e]
                docs[f].add(doc)
                occ[f] += 1
    finally:
        detector.attested = saved
    words = detector.words  # a dictionary word is never a candidate anyway
    return {f: (len(d), occ[f]) for f, d in docs.items() if len(d) >= min_docs and f not in words}


def read_records(paths):
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                r = json.loads(line)
                text = r.get("text") or r.get("content") or ""
                if text:
                    yield str(r.get("doc") or r.get("id") or p), text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m govcrawl.text.attest", description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--text", action="append", required=True, help="JSON Lines: text + doc")
    ap.add_argument("--min-docs", type=int, default=3)
    ap.add_argument("--lexicons", help="lexicon directory (default: the repo's lexicons/)")
    ap.add_argument("--source", default="", help="what the corpus is (written into the header)")
    a = ap.parse_args(argv)
    from govcrawl.text.checker import TextChecker

    checker = TextChecker(a.lexicons)
    if checker.typo is None:
        print("the typo detector is off in typo.yaml: nothing to learn", file=sys.stderr)
        return 1
    from govcrawl.text.normalize import light

    recs = ((d, light(t, keep_space=True).text) for d, t in read_records(a.text))
    got = learn_attested(recs, checker.typo, a.min_docs)
    with open(a.out, "w", encoding="utf-8") as fh:
        fh.write("# Forms attested in real official text: never reported as typos (typo.yaml `attested`).\n")
        fh.write(f"# Computed by `python -m govcrawl.text.attest --min-docs {a.min_docs}` (our statistics) from\n")
        fh.write(f"# {a.source or ', '.join(a.text)}.\n")
        fh.write("# form<TAB>documents it occurs in<TAB>occurrences; no sentence of the corpus is kept.\n")
        for f, (d, n) in sorted(got.items(), key=lambda kv: (-kv[1][0], kv[0])):
            fh.write(f"{f}\t{d}\t{n}\n")
    print(f"{len(got)} attested forms → {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
