"""A word n-gram language model in KenLM's binary format, for the typo detector's
context check.

Debian's `libime-data-language-model` (the model of fcitx5's pinyin input method,
LGPL, 17 MB) installs a word trigram model of general Chinese at
`/usr/lib/x86_64-linux-gnu/libime/zh_CN.lm`, in KenLM's memory-mapped binary
format.  The `kenlm` module reads it (memory-mapped: opening takes milliseconds
and every process on the machine shares the pages).  Any other KenLM model
(ARPA or binary, words separated by spaces) can be named instead.

`delta(text, st, en, repl)` answers the same question as the character model's:
how much more likely (natural log) the clause around text[st:en] becomes when
that span is written `repl`.  Both versions of the window are segmented into the
model's words (a best-unigram route over the words the model knows, so a word
the model lacks does not distort the route), then scored with the full trigram
model.
"""

from __future__ import annotations

import math
from pathlib import Path

from govcrawl.text.typo import CLAUSE_END, clause_window

DEBIAN_LM = "/usr/lib/*/libime/zh_CN.lm"  # the multiarch directory of any architecture
LN10 = math.log(10.0)


def default_path() -> str:
    """The Debian model when it is installed, else ""."""
    import glob

    found = sorted(glob.glob(DEBIAN_LM))
    return found[0] if found else ""


class WordLM:
    maxlen = 6

    def __init__(self, path: str | Path, pad: int = 6):
        from govcrawl.text.lexicon import LexiconError

        p = Path(path)
        if not p.is_file():
            raise LexiconError(f"{p}: word_lm file not found")
        try:
            import kenlm
        except ImportError as e:  # pragma: no cover - kenlm is a dependency
            raise LexiconError(f"{p}: word_lm needs the kenlm module ({e})") from None
        try:
            self.model = kenlm.Model(str(p))
        except (OSError, RuntimeError) as e:
            raise LexiconError(f"{p}: not a KenLM model ({str(e).splitlines()[0] if str(e) else e})") from None
        self.path = str(p)
        self.order = self.model.order
        self.pad = pad
        self._uni: dict[str, float | None] = {}
        # what the model gives a word it does not know (a private-use character never is one)
        self.unk = self.model.score("\ue000", bos=False, eos=False)

    # -- words ---------------------------------------------------------------
    def _unigram(self, w: str) -> float | None:
        """log10 P(w) when the model knows w, else None (cached)."""
        r = self._uni.get(w, 0)
        if r == 0:
            r = self.model.score(w, bos=False, eos=False) if w in self.model else None
            if len(self._uni) > 2_000_000:
                self._uni.clear()
            self._uni[w] = r
        return r

    def segment(self, s: str) -> list[str]:
        """The most probable split of s into words the model knows (unigram route;
        an unknown single character costs the model's <unk> probability)."""
        n = len(s)
        best = [0.0] * (n + 1)
        nxt = [n] * (n + 1)
        uni = self._unigram
        for i in range(n - 1, -1, -1):
            b = -1e18
            k = i + 1
            for j in range(i + 1, min(n, i + self.maxlen) + 1):
                lp = uni(s[i:j])
                if lp is None:
                    if j > i + 1:
                        continue
                    lp = self.unk
                v = lp + best[j]
                if v > b:
                    b, k = v, j
            best[i] = b
            nxt[i] = k
        out = []
        i = 0
        while i < n:
            out.append(s[i:nxt[i]])
            i = nxt[i]
        return out

    def score(self, s: str, bos: bool, eos: bool) -> float:
        """Natural-log probability of s, segmented into the model's words."""
        return self.model.score(" ".join(self.segment(s)), bos=bos, eos=eos) * LN10

    # -- the detector's question ---------------------------------------------
    def delta(self, text: str, st: int, en: int, repl: str) -> float:
        lo, hi = clause_window(text, st, en, self.pad)
        bos = lo == 0 or text[lo - 1] in CLAUSE_END
        eos = hi == len(text) or text[hi] in CLAUSE_END
        a = text[lo:hi]
        b = text[lo:st] + repl + text[en:hi]
        return self.score(b, bos, eos) - self.score(a, bos, eos)

    def seen(self, v: str, most: int) -> bool:
        return False
