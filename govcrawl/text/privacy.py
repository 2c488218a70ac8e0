"""Personal data in published lists: resident ID numbers and mobile numbers.

An 18-digit ID is reported only when its check digit is valid (GB 11643), so
long serial and account numbers do not fire.  A mobile number is reported only
in 公示-like text (lists of names published for comment, recipients, hires):
offices legitimately publish their own contact numbers elsewhere.
"""

from __future__ import annotations

import re
from typing import Iterator

_ID = re.compile(r"(?<![0-9a-z])([1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9x])(?![0-9a-z])")
_MOBILE = re.compile(r"(?<![0-9a-z])(1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?![0-9a-z])")
_CONTEXT = re.compile(r"公示|名单|花名册|拟录用|拟聘用|拟任|获奖|补贴发放|补助发放|救助对象|低保|中标|评选结果|公告")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10x98765432"


def id_checksum_ok(num: str) -> bool:
    if len(num) != 18 or not num[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(num[:17], _WEIGHTS))
    return _CHECK[total % 11] == num[17].lower()


def find(light_text: str, original: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) in the light view (lower case, half-width digits)."""
    t = light_text
    if not any(c.isdigit() for c in t[:1]) and not re.search(r"\d{11}|\d{3}[- ]\d{4}", t):
        return
    for m in _ID.finditer(t):
        if id_checksum_ok(m.group(1)):
            yield m.start(1), m.end(1), "resident_id"
    if _CONTEXT.search(t):
        for m in _MOBILE.finditer(t):
            yield m.start(1), m.end(1), "mobile"
