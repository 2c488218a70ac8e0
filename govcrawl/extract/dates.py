"""Dates as government pages print them.

Handles 2024-02-19, 2024/2/19, 2024.2.19, 2024年2月19日, 二〇二四年二月十九日,
24-02-19, [2024-02-19], 发布时间：2024-02-19 10:30, and 02-19 / 2月19日 with
the year taken from a reference date (the year that puts the date on or
before the reference).  Impossible dates (2024-02-30) give None, never an
exception.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Iterator

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_CHARS = "〇零○Ｏ一二三四五六七八九十"

_FULL = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.．]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.．]|月)\s*"
    r"(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2}))?)?")
_SHORT_YEAR = re.compile(r"(?<![\d.])(?P<y>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d-])")
_CN = re.compile(rf"(?P<y>[{_CN_CHARS}]{{4}})年(?P<m>[{_CN_CHARS}]{{1,3}})月(?P<d>[{_CN_CHARS}]{{1,3}})日")
_MONTH_DAY = re.compile(r"(?<![\d\-/.年])(?P<m>\d{1,2})(?:-|月)(?P<d>\d{1,2})(?:日)?(?![\d\-/.])")


def _cn_number(s: str) -> int | None:
    """二〇二四 → 2024 (digit by digit); 十九 → 19; 二十 → 20; 十 → 10."""
    if "十" not in s:
        try:
            return int("".join(str(_CN_DIGITS[c]) for c in s))
        except KeyError:
            return None
    tens, _, ones = s.partition("十")
    t = _CN_DIGITS.get(tens, None) if tens else 1
    o = _CN_DIGITS.get(ones, None) if ones else 0
    if t is None or o is None:
        return None
    return t * 10 + o


def _mk(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _infer_year(m: int, d: int, ref: date | None) -> date | None:
    ref = ref or date.today()
    for y in (ref.year, ref.year - 1):
        dt = _mk(y, m, d)
        if dt is not None and dt <= ref:
            return dt
    return _mk(ref.year, m, d)


def iter_dates(text: str, ref: date | None = None, *, short: bool = True) -> Iterator[tuple[date, int, int, str | None]]:
    """Yield (date, start, end, time-or-None) for every date-like span in text, in order.

    `short=True` also accepts month-day forms (list pages), dated by `ref`.
    """
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    found: list[tuple[date, int, int, str | None]] = []
    for m in _FULL.finditer(text):
        dt = _mk(int(m["y"]), int(m["m"]), int(m["d"]))
        taken.append((m.start(), m.end()))
        if dt is not None:
            t = None
            if m["H"] is not None and int(m["H"]) < 24:
                t = f"{int(m['H']):02d}:{m['M']}" + (f":{m['S']}" if m["S"] else "")
            found.append((dt, m.start(), m.end(), t))
    for m in _CN.finditer(text):
        if not free(m.start(), m.end()):
            continue
        y, mo, d = _cn_number(m["y"]), _cn_number(m["m"]), _cn_number(m["d"])
        taken.append((m.start(), m.end()))
        if None not in (y, mo, d):
            dt = _mk(y, mo, d)  # type: ignore[arg-type]
            if dt is not None:
                found.append((dt, m.start(), m.end(), None))
    for m in _SHORT_YEAR.finditer(text):
        if not free(m.start(), m.end()):
            continue
        taken.append((m.start(), m.end()))
        dt = _mk(2000 + int(m["y"]), int(m["m"]), int(m["d"]))
        if dt is not None:
            found.append((dt, m.start(), m.end(), None))
    if short:
        for m in _MONTH_DAY.finditer(text):
            if not free(m.start(), m.end()):
                continue
            mo, d = int(m["m"]), int(m["d"])
            if not (1 <= mo <= 12 and 1 <= d <= 31):
                continue
            dt = _infer_year(mo, d, ref)
            if dt is not None:
                found.append((dt, m.start(), m.end(), None))
    found.sort(key=lambda t: t[1])
    yield from found


def parse_date(s: str | None, ref: date | None = None) -> date | None:
    """The first date in `s`, or None."""
    if not s:
        return None
    for dt, *_ in iter_dates(s, ref):
        return dt
    return None


def find_dates(text: str, ref: date | None = None, short: bool = False) -> list[date]:
    return [d for d, *_ in iter_dates(text, ref, short=short)]


_PUB_LABEL = re.compile(
    r"(?:发布(?:时间|日期)|发文日期|成文日期|公开日期|日期|时间|发表时间|更新时间)\s*[:：]\s*")


def find_pub_date(text: str, ref: date | None = None) -> tuple[date, str | None] | None:
    """The publication date an article shows: after a 发布时间/日期 label when there is one,
    else the first full date in the text's first part."""
    for m in _PUB_LABEL.finditer(text):
        tail = text[m.end(): m.end() + 40]
        for dt, s, _e, t in iter_dates(tail, ref, short=False):
            if s <= 2:
                return dt, t
            break
    for dt, _s, _e, t in iter_dates(text[:600], ref, short=False):
        return dt, t
    return None


def as_date(value: str | date | datetime | None) -> date | None:
    """ISO date/datetime string (or date) → date; anything else → None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return parse_date(str(value))
