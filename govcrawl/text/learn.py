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
