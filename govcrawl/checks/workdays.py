"""Working days under the State Council holiday notices.

`chinesecalendar` knows every public holiday and make-up working day (调休) of the
years it covers (2004–2026 in 1.11).  Beyond that range a sweep must not crash: the
fallback counts Monday–Friday minus the fixed-date holidays (元旦, 劳动节, 国庆 1–3
October), which is right for most days and errs towards more working days; the
lunar holidays (春节, 清明, 端午, 中秋) and the make-up days are unknown there.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

try:  # chinesecalendar is a declared dependency; stay usable if an install lacks it
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover
    _cc = None

_FIXED_HOLIDAYS = {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}


@lru_cache(maxsize=4096)
def is_workday(d: date) -> bool:
    """True when government offices work on `d` (holidays and 调休 respected)."""
    if _cc is not None:
        try:
            return bool(_cc.is_workday(d))
        except (NotImplementedError, KeyError, ValueError):
            pass
    return d.weekday() < 5 and (d.month, d.day) not in _FIXED_HOLIDAYS


def covered(d: date) -> bool:
    """Whether `d` is inside chinesecalendar's data (else the fallback is used)."""
    if _cc is None:
        return False
    try:
        _cc.is_workday(d)
        return True
    except (NotImplementedError, KeyError, ValueError):
        return False


def workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start).

    A letter sent on Friday and answered the next Friday took 5 working days; sent on
    a holiday eve, the holiday does not count.
    """
    if end <= start:
        return 0
    n = 0
    d = start + timedelta(days=1)
    # long spans (a letter answered after years) stay cheap enough: ≤ a few thousand days
    while d <= end:
        if is_workday(d):
            n += 1
        d += timedelta(days=1)
    return n
