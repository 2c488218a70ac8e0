"""Is a piece of text spam?  The wording checker (govcrawl.text) decides.

The hacked-page checks never keep a word list of their own: anchor texts of hidden links,
decoded script output, the Baiduspider version of a page and the text of linked outside
pages all go through the same checker the WordingPipeline uses, with its evasion handling
(inserted symbols, full-width and traditional forms).  Only its `content.illegal` hits
count here; typos or banned terms in spam are beside the point.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from govcrawl.text.boundary import inside_ascii_word

logger = logging.getLogger(__name__)

ILLEGAL = "content.illegal"
MAX_TEXT = 20_000  # characters of one text judged (spam shows early; cost stays bounded)


class Checker(Protocol):
    def check(self, text: str, *, date: Any = None, where: str | None = None) -> list[Any]: ...


@dataclass
class Spam:
    """One illegal hit, reduced to what evidence needs."""

    text: str
    start: int
    end: int
    severity: str
    category: str | None = None


class TextJudge:
    """Wraps the wording checker; `spam(text)` lists the illegal hits in `text`."""

    def __init__(self, checker: Checker | None = None, lexicon_dir: str | None = None) -> None:
        self._checker = checker
        self._loaded = checker is not None
        self._lexicon_dir = lexicon_dir or None
        self._cache: dict[tuple[str, str | None], list[Spam]] = {}

    @property
    def checker(self) -> Checker | None:
        if not self._loaded:
            self._loaded = True
            try:
                from govcrawl.text import get_checker  # type: ignore[attr-defined]

                # typo=False: only content.illegal matters here, and the typo machinery
                # (pycorrector) is the expensive part of the checker
                self._checker = get_checker(self._lexicon_dir, typo=False)
            except ImportError as e:
                logger.error("hacked-page checks: the wording checker is unavailable (%s); "
                             "spam wording in hidden links and cloaked pages is not judged", e)
                self._checker = None
        return self._checker

    def spam(self, text: str, *, date: Any = None, where: str | None = None) -> list[Spam]:
        text = (text or "").strip()
        if not text or self.checker is None:
            return []
        text = text[:MAX_TEXT]
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date[:10])
            except ValueError:
                date = None
        key = (text, str(date) if date else None)
        if key in self._cache:
            return self._cache[key]
        out: list[Spam] = []
        try:
            hits = self.checker.check(text, date=date, where=where)
        except TypeError:  # a checker without the where= keyword
            hits = self.checker.check(text, date=date)
        for h in hits or []:
            if getattr(h, "rule", None) != ILLEGAL:
                continue
            if inside_ascii_word(text, int(getattr(h, "start", 0) or 0), int(getattr(h, "end", 0) or 0)):
                continue  # 'Bet365' in loadBet365Ad(): part of an identifier, not a word
            out.append(Spam(text=getattr(h, "text", "") or "", start=int(getattr(h, "start", 0) or 0),
                            end=int(getattr(h, "end", 0) or 0),
                            severity=getattr(h, "severity", "veto") or "veto",
                            category=getattr(h, "category", None)))
        if len(text) <= 700:  # short texts (anchors, titles, link contexts) repeat; long ones do not
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = out
        return out

    def words(self, text: str, *, date: Any = None, where: str | None = None) -> list[str]:
        """The distinct illegal strings in `text`, in order."""
        seen: list[str] = []
        for s in self.spam(text, date=date, where=where):
            if s.text and s.text not in seen:
                seen.append(s.text)
        return seen
