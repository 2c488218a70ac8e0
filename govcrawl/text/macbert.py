"""Optional statistical typo detector: a local MacBERT-CSC model through pycorrector.

Off by default.  Enabled by `macbert_dir:` in lexicons/typo.yaml, pointing at a
directory that already holds the model (e.g. a copy of
shibing624/macbert4csc-base-chinese); nothing is downloaded (the Hugging Face
offline switches are set before the import, and a missing directory is a
lexicon error).  Importing pycorrector imports torch and transformers (seconds,
hundreds of MB), once per process, only when this is enabled.

Only replacements between confusable characters (same pinyin or similar shape)
are kept: MacBERT alone rewrites 7.6 sentences per 1,000 of clean government
text, most of them style, not spelling.  On CPU it checks tens of sentences a
second, far below the default detector: use it for re-checking flagged sites,
not for nightly sweeps.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from govcrawl.text.lexicon import LexiconError

_SENT = re.compile(r"[^。！？!?；;\n]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


class MacBertDetector:
    def __init__(self, model_dir: str, threshold: float, conf) -> None:
        p = Path(model_dir)
        if not p.is_dir():
            raise LexiconError(f"typo.yaml: macbert_dir {model_dir!r} is not a directory "
                               f"(a local model is required; nothing is downloaded)")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from pycorrector.macbert.macbert_corrector import MacBertCorrector  # lazy: imports torch

        self.model = MacBertCorrector(str(p))
        self.threshold = threshold
        self.conf = conf

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, wrong, right) in `text` for confusable one-character fixes."""
        spans = [(m.start(), m.group()) for m in _SENT.finditer(text) if _HAN.search(m.group())]
        if not spans:
            return []
        res = self.model.correct_batch([s for _, s in spans], threshold=self.threshold)
        out = []
        for (off, sent), r in zip(spans, res):
            for err in r.get("errors") or []:
                wrong, right, pos = err[0], err[1], int(err[2])
                if len(wrong) != 1 or len(right) != 1 or sent[pos:pos + 1] != wrong:
                    continue
                if right not in self.conf.near(wrong):
                    continue
                out.append((off + pos, off + pos + 1, wrong, right))
        return out
