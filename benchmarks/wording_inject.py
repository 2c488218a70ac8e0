"""Injected wording errors for the benchmark (`benchmarks/bench_wording.py`).

Interface (shared by H21n and H21l; see /work/coord/NOTES-21.md):

    inject(sentence: str, category: str, rng: random.Random, date: str) -> dict | None

returns ``{"text", "category", "start", "end", "rule", "suggestion"}``: the sentence with
one error put in, the error's span in the returned text, the rule a checker must report
for it and the right form; or None when this sentence cannot carry an error of that
category (the benchmark then tries another sentence).  ``date`` is the sentence's date
(YYYY-MM-DD), for errors that depend on it (a title a leader holds on that date).

This first version (H21n) only makes `typo` errors, as a pinyin input method does: one
character of a common word (jieba's dictionary, frequency ≥ 100, two to four
characters, not a name, place or number) replaced by a common character with the same
toneless pinyin, when the result is no word.  H21l extends it with the other
categories (leader name, leader title, formulation, banned usage, illegal, privacy).
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

CATEGORIES = ("leader_name", "leader_title", "phrase", "prohibited", "illegal", "typo", "privacy")
RULES = {
    "leader_name": "content.leader_name", "leader_title": "content.leader_title",
    "phrase": "content.phrase", "prohibited": "content.prohibited", "illegal": "content.illegal",
    "typo": "content.typo", "privacy": "content.privacy",
}
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]+$")
_NUM = set("〇零一二三四五六七八九十百千万亿两几")


@lru_cache(maxsize=1)
def _tables():
    """jieba's words (frequency, POS) and toneless-homophone groups of common characters."""
    from pypinyin import Style, lazy_pinyin

    from govcrawl.text.confusable import common_chars, jieba_dict_path

    words: dict[str, tuple[int, str]] = {}
    with open(jieba_dict_path(), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                words[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    groups: dict[str, list[str]] = {}
    for c in sorted(common_chars()):
        groups.setdefault(lazy_pinyin(c, style=Style.NORMAL)[0], []).append(c)
    hom = {c: [d for d in g if d != c] for g in groups.values() for c in g}
    return words, hom


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(60)
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk


def _typo(sentence: str, rng: random.Random) -> dict | None:
    words, hom = _tables()
    spans = []
    pos = 0
    for w in _tokenizer().cut(sentence, HMM=False):
        n = len(w)
        info = words.get(w)
        if 2 <= n <= 4 and _CJK_WORD.match(w) and info and info[0] >= 100 \
                and not info[1].startswith(("nr", "ns", "nt", "nz", "m")) and not (set(w) & _NUM):
            spans.append((pos, w))
        pos += n
    rng.shuffle(spans)
    for start, w in spans:
        order = list(range(len(w)))
        rng.shuffle(order)
        for i in order:
            alts = [d for d in hom.get(w[i], ()) if d not in _NUM]
            rng.shuffle(alts)
            for d in alts:
                v = w[:i] + d + w[i + 1:]
                if v in words:
                    continue
                text = sentence[:start] + v + sentence[start + len(w):]
                return {"text": text, "category": "typo", "start": start + i, "end": start + i + 1,
                        "rule": RULES["typo"], "suggestion": w[i]}
    return None


def inject(sentence: str, category: str, rng: random.Random, date: str) -> dict | None:
    """One error of `category` put into `sentence` (see the module docstring)."""
    if category == "typo":
        return _typo(sentence, rng)
    return None  # categories this version cannot make yet (H21l adds them)
