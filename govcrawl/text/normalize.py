"""Normalization with an offset map back to the original text.

Two views are built per text:

* the *light* view: full-width → half-width, lower case, traditional →
  simplified (character level), zero-width characters and whitespace between
  two CJK characters removed.  Punctuation is kept, so sentence and quotation
  context still works.  Used for wording rules (leaders, formulations, banned
  terms, typos).
* the *squeezed* view: the light view with every symbol, punctuation mark and
  space removed and runs of one repeated character collapsed.  Spam evades plain
  matching exactly this way (澳★门★金★沙, 澳澳门门金金沙沙), so illegal terms are
  matched here.

Both views carry a segment map (sorted view offsets of kept runs with their
original offsets), so any match is reported on the original text.  Building
the views costs a few regex passes; no per-character Python loop on the common
path.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

_ZERO_WIDTH = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
# Characters removed from the light view: zero-width ones anywhere, horizontal whitespace
# only between two CJK characters (typeset names such as "习 近 平").  Line breaks are
# never removed: they separate table cells, list items and blocks (the extractor's
# visible text), a hard boundary for every wording window (PLAN.md convention 1).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LIGHT_DROP = re.compile(
    f"[{_ZERO_WIDTH}]+|(?<=[{_CJK}])(?:[^\\S\\n\\r\\v\\f\\u2028\\u2029]|[{_ZERO_WIDTH}])+(?=[{_CJK}])")
# The typo detector's view keeps the horizontal whitespace too: a space between two
# names of a list (李强 李干杰) or two parts of a headline ends a word.
_ZW_DROP = re.compile(f"[{_ZERO_WIDTH}]+")
# What survives in the squeezed view: CJK ideographs, Latin letters, digits.
_SQUEEZE_KEEP = re.compile(f"[{_CJK}a-z0-9]+")
# Runs of one repeated letter or ideograph (digits are left alone: 2008, 100).
_REPEAT = re.compile(f"([{_CJK}a-z])\\1+")


@lru_cache(maxsize=1)
def t2s_table() -> dict[int, str]:
    """Every CJK character OpenCC writes as one other simplified character (産 → 产,
    including those also in simplified use, 著 → 着), for str.translate."""
    try:
        import opencc

        conv = opencc.OpenCC("t2s")
    except Exception:  # pragma: no cover - opencc is a declared dependency
        return {}
    chars = [chr(cp) for cp in range(0x4E00, 0xA000)]
    out = conv.convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):  # pragma: no cover
        return {}
    return {ord(c): s for c, s in zip(chars, out) if s != c and len(s) == 1}


class CharMap:
    """A one-to-one character mapping applied with numpy: the text's code points index a
    table of every code point.  str.translate with a dict looks each character up in the
    dict (about 70 ns a character on CJK text); this costs a few microseconds a call."""

    def __init__(self, table: dict[int, str]):
        import numpy as np

        self._np = np
        self._cp = np.arange(0x110000, dtype=np.uint32)
        for k, v in table.items():
            if len(v) != 1:
                raise ValueError(f"CharMap: {chr(k)!r} maps to {v!r}, not one character")
            self._cp[k] = ord(v)

    def __call__(self, text: str) -> str:
        np = self._np
        cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        return self._cp[cp].tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=1)
def _t2s_re() -> re.Pattern:
    return re.compile("[" + "".join(chr(cp) for cp in sorted(t2s_table())) + "]")


def to_simplified(text: str) -> str:
    """text with t2s_table() applied; a text without any such character (most) is returned
    as it is, after one regex scan, which is several times faster than str.translate."""
    return text.translate(t2s_table()) if _t2s_re().search(text) else text


@lru_cache(maxsize=1)
def _translate_table() -> dict[int, str]:
    """Full-width ASCII, upper case and traditional characters, one to one.

    Traditional → simplified is applied per character with OpenCC, but never to a
    character that is itself in common simplified use (著, 乾, 夥 …): rewriting
    those would change correct simplified text."""
    table: dict[int, str] = {}
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[cp] = chr(cp - 0xFEE0).lower()
    table[0x3000] = " "
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp).lower()
    from govcrawl.text.confusable import common_chars

    common = common_chars()
    for cp, s in t2s_table().items():
        if chr(cp) not in common:
            table[cp] = s
    # Other compatibility forms NFKC folds to one character (circled digits, ℡ …).
    for cp in list(range(0x2460, 0x24FF)) + list(range(0x3200, 0x33FF)) + list(range(0xF900, 0xFB00)):
        ch = chr(cp)
        n = unicodedata.normalize("NFKC", ch)
        if len(n) == 1 and n != ch:
            table[cp] = n.lower()
    return table


class View:
    """A normalized string plus the map from its offsets to the original's."""

    __slots__ = ("text", "_vstarts", "_ostarts", "_orig_len")

    def __init__(self, text: str, segments: list[tuple[int, int]] | None, orig_len: int):
        self.text = text
        self._orig_len = orig_len
        if segments is None:
            self._vstarts = None
            self._ostarts = None
        else:
            self._vstarts = [v for v, _ in segments]
            self._ostarts = [o for _, o in segments]

    def orig(self, pos: int) -> int:
        """Original offset of the view character at `pos`."""
        if self._vstarts is None:
            return pos
        i = bisect_right(self._vstarts, pos) - 1
        if i < 0:
            return 0
        return self._ostarts[i] + (pos - self._vstarts[i])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the view span [start, end) (end exclusive)."""
        if end <= start:
            o = self.orig(start)
            return o, o
        return self.orig(start), self.orig(end - 1) + 1


@lru_cache(maxsize=1)
def _light_map() -> CharMap:
    return CharMap(_translate_table())


def light(text: str, *, keep_space: bool = False) -> View:
    """The light view (one-to-one with the original unless characters are dropped).
    `keep_space`: drop only zero-width characters (the typo detector's view)."""
    t = _light_map()(text)
    drop = _ZW_DROP if keep_space else _LIGHT_DROP
    if not drop.search(t):
        return View(t, None, len(text))
    parts: list[str] = []
    segs: list[tuple[int, int]] = []
    vpos = 0
    last = 0
    for m in drop.finditer(t):
        if m.start() > last:
            parts.append(t[last:m.start()])
            segs.append((vpos, last))
            vpos += m.start() - last
        last = m.end()
    if last < len(t):
        parts.append(t[last:])
        segs.append((vpos, last))
    return View("".join(parts), segs, len(text))


def squeeze(lv: View) -> View:
    """The squeezed view built from a light view (offsets still map to the original)."""
    t = lv.text
    parts: list[str] = []
    segs: list[tuple[int, int]] = []  # (squeezed pos, light pos)
    vpos = 0
    for m in _SQUEEZE_KEEP.finditer(t):
        s = m.group()
        # collapse repeats inside the run; each kept char of a collapsed run is its own segment
        if _REPEAT.search(s):
            last = 0
            for r in _REPEAT.finditer(s):
                keep_end = r.start() + 1
                if keep_end > last:
                    parts.append(s[last:keep_end])
                    segs.append((vpos, m.start() + last))
                    vpos += keep_end - last
                last = r.end()
            if last < len(s):
                parts.append(s[last:])
                segs.append((vpos, m.start() + last))
                vpos += len(s) - last
        else:
            parts.append(s)
            segs.append((vpos, m.start()))
            vpos += len(s)
    out = "".join(parts)
    # map squeezed → light → original
    if lv._vstarts is not None:
        # a squeezed run may straddle a light-view drop: split such runs
        segs = _split_runs(segs, lv, len(out))
    return View(out, segs, lv._orig_len)


def _split_runs(segs: list[tuple[int, int]], lv: View, total: int) -> list[tuple[int, int]]:
    """Segments mapping squeezed offsets straight to original offsets, splitting
    wherever the light view itself had dropped characters."""
    out: list[tuple[int, int]] = []
    bounds = lv._vstarts or []
    for k, (sv, lp) in enumerate(segs):
        end_sv = segs[k + 1][0] if k + 1 < len(segs) else total
        length = end_sv - sv
        pos = 0
        while pos < length:
            lpos = lp + pos
            i = bisect_right(bounds, lpos) - 1
            seg_end_light = bounds[i + 1] if i + 1 < len(bounds) else lpos + length
            run = min(length - pos, seg_end_light - lpos)
            out.append((sv + pos, lv.orig(lpos)))
            pos += max(run, 1)
    return out


_SQUEEZE_DROP = re.compile(f"[^{_CJK}a-z0-9]+")


def squeeze_text(lv_text: str) -> str:
    """Only the squeezed string (C-speed regex passes, no offset map): most texts
    contain no illegal term, and then the map is never needed."""
    return _REPEAT.sub(r"\1", _SQUEEZE_DROP.sub("", lv_text))


def normalize_term(term: str, *, squeezed: bool = False) -> str:
    """Normalize a lexicon entry the way text is normalized, so they match."""
    v = light(term)
    if squeezed:
        return squeeze(v).text
    return v.text
