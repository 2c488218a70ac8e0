"""A small character n-gram language model (stupid backoff) learned from text.

Used by the typo detector's optional context check: a same-pinyin replacement
of a real word (发展机智 → 发展机制, 进一步晚上 → 进一步完善) cannot be seen by a
dictionary, only by how likely the characters around it are.  The model is
learned from plain text (earlier sweeps in the store, a text or JSON Lines
file) with `python -m govcrawl.text.learn --char-lm OUT ...` and read back
with `CharLM.load`.

Storage: one dict of n-gram → count for n = 1..order, written as a text file of
`ngram<TAB>count` lines.  N-grams of two or more characters seen fewer than
`min_count` times are dropped when learning (a corpus of a million characters
gives well under a million entries, about 100 MB in memory).

Scoring is Brants et al.'s stupid backoff: S(c | h) = count(hc) / count(h)
when hc was seen, else 0.4 × S(c | h[1:]); unigrams are add-one smoothed.  Only
differences of scores between two versions of the same window are used.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Iterable

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
BACKOFF = math.log(0.4)


class CharLM:
    def __init__(self, counts: dict[str, int], order: int = 4):
        self.order = order
        self.counts = counts
        self.total = sum(v for k, v in counts.items() if len(k) == 1) or 1
        self.vocab = sum(1 for k in counts if len(k) == 1) + 1
        self._unk = math.log(1.0 / (self.total + self.vocab))

    # -- learning ------------------------------------------------------------
    @classmethod
    def learn(cls, texts: Iterable[str], order: int = 4, min_count: int = 2) -> "CharLM":
        c: Counter = Counter()
        for text in texts:
            for run in _HAN_RUN.findall(text or ""):
                s = run
                n = len(s)
                for i in range(n):
                    for k in range(1, order + 1):
                        if i + k > n:
                            break
                        c[s[i:i + k]] += 1
        counts = {k: v for k, v in c.items() if len(k) <= 1 or v >= min_count}
        return cls(counts, order)

    def save(self, path: str | Path) -> int:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "w", encoding="utf-8") as fh:
            fh.write(f"# govcrawl character {self.order}-gram counts: ngram<TAB>count\n")
            for k, v in self.counts.items():
                fh.write(f"{k}\t{v}\n")
        return len(self.counts)

    @classmethod
    def load(cls, path: str | Path) -> "CharLM":
        from govcrawl.text.lexicon import LexiconError

        p = Path(path)
        if not p.is_file():
            raise LexiconError(f"{p}: char_lm file not found")
        counts: dict[str, int] = {}
        order = 1
        with open(p, encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if line.startswith("#"):
                    continue
                k, sep, v = line.rstrip("\n").partition("\t")
                if not sep or not k or not v.isdigit():
                    raise LexiconError(f"{p}:{n}: want 'ngram<TAB>count', got {line.rstrip()!r}")
                counts[k] = int(v)
                if len(k) > order:
                    order = len(k)
        return cls(counts, order)

    # -- scoring -------------------------------------------------------------
    def logp(self, hist: str, c: str) -> float:
        """log S(c | hist) with stupid backoff (hist: up to order-1 characters)."""
        counts = self.counts
        pen = 0.0
        h = hist[-(self.order - 1):] if self.order > 1 else ""
        while h:
            hc = counts.get(h + c)
            if hc:
                return pen + math.log(hc / counts[h])
            pen += BACKOFF
            h = h[1:]
        return pen + math.log((counts.get(c, 0) + 1) / (self.total + self.vocab))

    def score(self, s: str, lo: int, hi: int) -> float:
        """Sum of log S over characters lo..hi-1 of s, each given its history in s."""
        o = self.order - 1
        out = 0.0
        for i in range(lo, hi):
            out += self.logp(s[max(0, i - o):i], s[i])
        return out

    def seen(self, v: str, most: int) -> bool:
        """Written as v more than `most` times in the model's corpus."""
        return self.counts.get(v, 0) > most

    def delta(self, text: str, st: int, en: int, repl: str) -> float:
        """How much more likely the window becomes with text[st:en] replaced by repl
        (same length): the characters of the span and order-1 after it."""
        o = self.order - 1
        lo = max(0, st - o)
        hi = min(len(text), en + o)
        a = text[lo:hi]
        b = text[lo:st] + repl + text[en:hi]
        return self.score(b, st - lo, hi - lo) - self.score(a, st - lo, hi - lo)
