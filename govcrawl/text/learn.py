"""Word frequencies learned from government text (earlier sweeps in the store).

Government sites are their own best corpus: words that jieba's 2012-era
dictionary lacks (抗疫, 施策, 赋能, 放管服) are everywhere in them, and every one
of those missing words is a potential false alarm for the dictionary typo
detector (抗疫 reads as a near-miss of 抗议).  `govcrawl check-text --learn`
segments stored page text with jieba and writes `word<space>count` lines; point
`language_model:` in lexicons/typo.yaml at the file to use it.

Only words seen at least `min_count` times are kept, so a typo that appears
once or twice in the corpus does not become a "word".
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Iterable

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def learn_words(texts: Iterable[str], min_count: int = 3) -> Counter:
    import jieba  # lazy: loads its dictionary on first use (about 1 s)

    jieba.setLogLevel(60)
    c: Counter = Counter()
    for text in texts:
        for run in _HAN_RUN.findall(text or ""):
            for w in jieba.cut(run, HMM=True):
                if len(w) >= 2:
                    c[w] += 1
    return Counter({w: n for w, n in c.items() if n >= min_count})


def write_learned(counts: Counter, path: str | Path) -> int:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "w", encoding="utf-8") as fh:
        fh.write("# learned by govcrawl check-text --learn: word count\n")
        for w, n in counts.most_common():
            fh.write(f"{w} {n}\n")
    return len(counts)


def read_learned(path: str | Path, scale: float = 1.0) -> dict[str, int]:
    from govcrawl.text.lexicon import LexiconError

    p = Path(path)
    if not p.is_file():
        raise LexiconError(f"{p}: language_model file not found")
    out: dict[str, int] = {}
    with open(p, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 2 or not parts[1].isdigit():
                raise LexiconError(f"{p}:{n}: want 'word count', got {line!r}")
            out[parts[0]] = max(1, int(int(parts[1]) * scale))
    return out


# -- character n-gram model (typo.yaml char_lm) ----------------------------------

def corpus_texts(paths=(), targets=(), words=(), store: str | None = None,
                 max_year: int | None = None) -> Iterable[str]:
    """Texts to learn from: `paths` are JSON Lines (each object's "text" or "content";
    with `max_year`, objects whose "year" is later are left out) or plain text (one
    text a line); `targets` are labelled files whose last tab-separated column is a
    correct sentence; `words` are user dictionaries (first column); `store` is a
    govcrawl store whose page text is read."""
    import json

    for p in paths:
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                if str(p).endswith(".jsonl"):
                    rec = json.loads(line)
                    y = rec.get("year")
                    if max_year is not None and y not in (None, "") and int(y) > max_year:
                        continue
                    yield rec.get("text") or rec.get("content") or ""
                else:
                    yield line
    for p in targets:
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                yield line.rstrip("\n").split("\t")[-1]
    for p in words:
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                yield line.split("\t")[0].strip()
    if store:
        from govcrawl.store import Store

        st = Store(store, readonly=True)
        for (t,) in st.conn.execute("SELECT text FROM pages WHERE text IS NOT NULL AND text != ''"):
            yield t


def main(argv: list[str] | None = None) -> int:
    """python -m govcrawl.text.learn --char-lm OUT [--text FILE ...] [--targets FILE ...]
    [--words FILE ...] [--store DB] [--max-year Y] [--order 4] [--min-count 2]"""
    import argparse

    from govcrawl.text.charlm import CharLM

    ap = argparse.ArgumentParser(prog="python -m govcrawl.text.learn",
                                 description="learn a character n-gram model for typo.yaml char_lm")
    ap.add_argument("--char-lm", required=True, metavar="OUT")
    ap.add_argument("--text", action="append", default=[], help="JSON Lines (text/content) or plain text")
    ap.add_argument("--targets", action="append", default=[], help="labelled file: last column is correct")
    ap.add_argument("--words", action="append", default=[], help="user dictionary (word[<TAB>...])")
    ap.add_argument("--store", help="a govcrawl store: page text of earlier sweeps")
    ap.add_argument("--max-year", type=int, help="JSON Lines: leave out records with a later year")
    ap.add_argument("--order", type=int, default=4)
    ap.add_argument("--min-count", type=int, default=2)
    a = ap.parse_args(argv)
    if not (a.text or a.targets or a.words or a.store):
        ap.error("nothing to learn from: give --text, --targets, --words or --store")
    lm = CharLM.learn(corpus_texts(a.text, a.targets, a.words, a.store, a.max_year),
                      order=a.order, min_count=a.min_count)
    n = lm.save(a.char_lm)
    print(f"learned {n} n-grams into {a.char_lm}; set char_lm: {a.char_lm} in typo.yaml")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
