"""Word boundaries for matches written in ASCII (rules.md, "Evidence before a veto": word
matches in ASCII respect word boundaries inside code and URLs).

A Chinese term has no word boundary to respect; an ASCII one does: 'bet365' inside a
script's function name loadBet365Ad() or 'porn' inside a longer English word is not that
word.  Only the ends of a match that are ASCII letters or digits are checked, so a mixed
term (a片, ag真人) is judged at its ASCII end, and full-width or symbol-padded evasions
(ｂｅｔ３６５, b.e.t.3.6.5) still match.
"""

from __future__ import annotations


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def inside_ascii_word(text: str, start: int, end: int) -> bool:
    """Is text[start:end] glued to more ASCII letters or digits at an ASCII end?"""
    if not (0 <= start < end <= len(text)):
        return False
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return (_alnum(text[start]) and _alnum(before)) or (_alnum(text[end - 1]) and _alnum(after))
