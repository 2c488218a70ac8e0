"""Decoding government pages: HTTP header, BOM, meta tag, then detection.

Many pages are GBK/GB2312 and say so only in a meta tag; some say nothing.
GB2312 and GBK are decoded as GB18030 (their superset), so a page that
declares gb2312 but uses GBK-only characters still decodes.
"""

from __future__ import annotations

import re

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "cp936", "euc-cn", "hz-gb-2312"}


def _norm(enc: str | None) -> str | None:
    if not enc:
        return None
    e = enc.strip().lower().replace("_", "-")
    if e in _GB or e.replace("-", "") in {"gb2312", "gbk", "gb18030"}:
        return "gb18030"
    if e in ("utf8", "utf-8", "utf-8-sig"):
        return "utf-8"
    try:
        import codecs

        return codecs.lookup(e).name
    except LookupError:
        return None


def _detect(body: bytes) -> str:
    sample = body[:65536]
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        # a cut multi-byte sequence at the very end of the sample is still UTF-8
        if e.start >= len(sample) - 3 and len(body) > len(sample):
            return "utf-8"
    try:
        sample.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
        if best is not None and _norm(best.encoding):
            return _norm(best.encoding) or "utf-8"
    except Exception:  # detection is best effort
        pass
    return "utf-8"


def _valid_utf8_cjk(body: bytes) -> bool:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return sum(1 for ch in text[:20000] if "\u4e00" <= ch <= "\u9fff") >= 20


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, encoding).  Never raises: undecodable bytes become U+FFFD."""
    bom = read_bom(body)
    if bom[0]:
        enc = _norm(bom[0]) or "utf-8"
        return body[len(bom[1]):].decode(enc, errors="replace"), enc
    enc = _norm(http_content_type_encoding(content_type or ""))
    if enc is None:
        enc = _norm(html_body_declared_encoding(body[:4096]))
        if enc == "gb18030" and _valid_utf8_cjk(body):
            # a page saved or converted to UTF-8 that kept its old gb2312 meta tag: valid
            # UTF-8 with CJK in it is never what GBK bytes look like
            enc = "utf-8"
    if enc is None:
        enc = _detect(body)
    try:
        return body.decode(enc, errors="replace"), enc
    except LookupError:
        return body.decode("utf-8", errors="replace"), "utf-8"


_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_control(text: str) -> str:
    """Drop control characters lxml refuses."""
    return _CTRL.sub("", text)
