"""Static decoding of script-written content.

Injected spam often arrives as a script that writes links into the page:
`document.write(String.fromCharCode(60,97,…))`, `unescape('%3Ca…')`, `atob('PGEg…')`,
`\\x3c`-escaped literals, strings glued together or reversed, or a whole script packed with
the `eval(function(p,a,c,k,e,d){…})` packer.  None of that needs a browser to read: this
module tokenises the script, folds constant string expressions (literals, `+`, the decoding
calls, `split/reverse/join`, variables assigned constant strings) and reports what reaches a
sink — `document.write`, `innerHTML`, `document.title`, `location`, `eval` — together with the
encodings that hid it and whether it is conditional on a search-engine user agent or referrer
(the mark of cloaking).  What cannot be folded statically is left to the browser sample.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

MAX_SCRIPT = 150_000  # characters of one script examined (packed spam is far smaller)
MAX_DEPTH = 4  # eval-inside-eval levels
_MAX_PASSES = 40


@dataclass
class Written:
    """Something a script puts into the page."""

    sink: str  # write | title | redirect | url | decoded
    value: str
    encodings: list[str] = field(default_factory=list)  # fromCharCode | atob | unescape | escape | packed | eval | reverse | concat
    conditional: str | None = None  # ua | referrer when the script checks for search engines
    snippet: str = ""  # the start of the script, for evidence

    @property
    def obfuscated(self) -> bool:
        return bool(set(self.encodings) - {"concat"})


# -- tokeniser ---------------------------------------------------------------------------------
# token: [kind, value, encodings]   kind: s string, n number, i identifier, p punctuation,
#                                   r regex, a array (list of values)
_PUNCT3 = ("===", "!==", ">>>", "**=", "...")
_PUNCT2 = ("+=", "-=", "==", "!=", "&&", "||", "=>", "<=", ">=", "++", "--", "*=", "/=", "|=", "&=")
_REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", "case", "do", "else", "in", "of",
                                             "new", "void", "delete", "throw", "=>", "&&", "||",
                                             "==", "===", "!=", "!==", "+="}
_ESC = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
# identifiers may be any Unicode letters (`var 建 = 1;` is valid JavaScript)
_IDENT = re.compile(r"[^\W\d][\w$]*|\$[\w$]*")
_ASCII_DIGITS = frozenset("0123456789")
_NUM = re.compile(r"0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+")


def _read_string(src: str, i: int, quote: str) -> tuple[str, int, bool]:
    """Decode the JS string literal starting after `quote` at i; returns (value, end, escaped)."""
    out: list[str] = []
    n = len(src)
    escaped = False
    while i < n:
        c = src[i]
        if c == quote:
            return "".join(out), i + 1, escaped
        if c == "\\" and i + 1 < n:
            e = src[i + 1]
            if e in "xX" and re.match(r"[0-9a-fA-F]{2}", src[i + 2 : i + 4]):
                out.append(chr(int(src[i + 2 : i + 4], 16)))
                i += 4
                escaped = True
                continue
            if e == "u":
                m = re.match(r"\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4})", src[i + 2 : i + 10])
                if m:
                    code = int(m.group(1) or m.group(2), 16)
                    out.append(chr(code) if code < 0x110000 else "")
                    i += 2 + len(m.group(0))
                    escaped = True
                    continue
            m = re.match(r"[0-7]{1,3}", src[i + 1 : i + 4])
            if m and m.group(0) != "0":
                out.append(chr(int(m.group(0), 8) & 0xFF))
                i += 1 + len(m.group(0))
                escaped = True
                continue
            if e in "\r\n":  # line continuation
                i += 2
                continue
            out.append(_ESC.get(e, e))
            i += 2
            continue
        if c in "\r\n" and quote != "`":
            return "".join(out), i, escaped  # unterminated: stop at the line end
        out.append(c)
        i += 1
    return "".join(out), i, escaped


def tokenize(src: str) -> list[list[Any]]:
    toks: list[list[Any]] = []
    i, n = 0, len(src)
    prev = None
    while i < n:
        c = src[i]
        if c.isspace():
            i += 1
            continue
        if src.startswith("//", i) or src.startswith("<!--", i):
            j = src.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c in "'\"`":
            val, i, esc = _read_string(src, i + 1, c)
            toks.append(["s", val, {"escape"} if esc else set()])
        elif c in _ASCII_DIGITS or (c == "." and i + 1 < n and src[i + 1] in _ASCII_DIGITS):
            m = _NUM.match(src, i)
            if m is None:  # cannot happen for an ASCII digit; never stop reading a page over it
                toks.append(["p", c, set()])
                i += 1
                prev = toks[-1]
                continue
            text = m.group(0)
            try:
                val: Any = int(text, 16) if text[:2].lower() == "0x" else (
                    float(text) if any(ch in text for ch in ".eE") else int(text))
            except ValueError:
                val = 0
            toks.append(["n", val, set()])
            i = m.end()
        elif (m := _IDENT.match(src, i)) is not None:
            toks.append(["i", m.group(0), set()])
            i = m.end()
        elif c == "/" and (prev is None or (prev[0] == "p" and prev[1] in _REGEX_AFTER)
                           or (prev[0] == "i" and prev[1] in _REGEX_AFTER)):
            j, in_class = i + 1, False
            while j < n:
                ch = src[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == "[":
                    in_class = True
                elif ch == "]":
                    in_class = False
                elif ch == "/" and not in_class:
                    break
                elif ch == "\n":
                    break
                j += 1
            m = _IDENT.match(src, j + 1)
            end = m.end() if m else j + 1
            toks.append(["r", src[i:end], set()])
            i = end
        else:
            for p in _PUNCT3 + _PUNCT2:
                if src.startswith(p, i):
                    toks.append(["p", p, set()])
                    i += len(p)
                    break
            else:
                toks.append(["p", c, set()])
                i += 1
        prev = toks[-1] if toks else None
    return toks


# -- constant folding ----------------------------------------------------------------------------
_DECODERS = {"unescape", "decodeURIComponent", "decodeURI", "atob", "escape"}
_CALL_KEYWORDS = {"return", "typeof", "case", "do", "else", "in", "of", "new", "void", "delete",
                  "throw"}
_GLOBAL_PREFIX = {"window", "self", "top", "parent", "globalThis"}


def _is(t: list[Any] | None, kind: str, value: Any = None) -> bool:
    return t is not None and t[0] == kind and (value is None or t[1] == value)


def _as_text(t: list[Any]) -> str:
    v = t[1]
    if t[0] == "n":
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
    return str(v)


def _decode(fn: str, value: str) -> str | None:
    try:
        if fn == "atob":
            raw = re.sub(r"\s+", "", value)
            data = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=False)
            for enc in ("utf-8", "latin-1"):
                try:
                    return data.decode(enc)
                except UnicodeDecodeError:
                    continue
            return None
        if fn == "unescape":
            v = re.sub(r"%u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), value)
            return unquote(v, encoding="latin-1") if re.search(r"%[0-9a-fA-F]{2}", v) and not re.search(
                r"%[89a-fA-F][0-9a-fA-F]%[89abAB][0-9a-fA-F]", v) else unquote(v)
        if fn in ("decodeURIComponent", "decodeURI"):
            return unquote(value)
        if fn == "escape":
            return None
    except (binascii.Error, ValueError):
        return None
    return None


def _char_codes(args: list[list[Any]]) -> str | None:
    out = []
    for a in args:
        v = a[1]
        if a[0] == "s":
            try:
                v = int(v, 0)
            except ValueError:
                return None
        if a[0] not in ("n", "s") or not isinstance(v, (int, float)) or not 0 <= v < 0x110000:
            return None
        out.append(chr(int(v)))
    return "".join(out)


def _call_args(toks: list[list[Any]], i: int) -> tuple[list[list[Any]], int] | None:
    """If toks[i] is '(' followed by constant args and ')', return (args, index after ')')."""
    if not _is(toks[i] if i < len(toks) else None, "p", "("):
        return None
    args: list[list[Any]] = []
    j = i + 1
    if j < len(toks) and _is(toks[j], "p", ")"):
        return args, j + 1
    while j < len(toks):
        t = toks[j]
        neg = False
        if _is(t, "p", "-") and j + 1 < len(toks) and toks[j + 1][0] == "n":
            neg, j, t = True, j + 1, toks[j + 1]
        if t[0] not in ("s", "n", "a", "r"):
            return None
        args.append(["n", -t[1], set()] if neg else t)
        j += 1
        if j < len(toks) and _is(toks[j], "p", ","):
            j += 1
            continue
        if j < len(toks) and _is(toks[j], "p", ")"):
            return args, j + 1
        return None
    return None


def _regex_replace(rx: str, s: str, repl: str) -> str | None:
    m = re.match(r"^/(.*)/([a-z]*)$", rx, re.S)
    if not m:
        return None
    try:
        pat = re.compile(m.group(1), re.I if "i" in m.group(2) else 0)
    except re.error:
        return None
    return pat.sub(repl.replace("\\", "\\\\"), s, count=0 if "g" in m.group(2) else 1)


def _fold_once(toks: list[list[Any]]) -> bool:
    """One left-to-right folding pass; True when something changed."""
    changed = False
    i = 0
    while i < len(toks):
        t = toks[i]
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        # window.atob / window["document"] → atob / .document
        if t[0] == "p" and t[1] == "[" and prev is not None and prev[0] in ("i",) or (
                t[0] == "p" and t[1] == "[" and _is(prev, "p", ")") ):
            if nxt is not None and nxt[0] == "s" and _IDENT.fullmatch(nxt[1] or "") and \
                    i + 2 < len(toks) and _is(toks[i + 2], "p", "]"):
                toks[i : i + 3] = [["p", ".", set()], ["i", nxt[1], set()]]
                changed = True
                continue
        if t[0] == "i" and t[1] in _GLOBAL_PREFIX and _is(nxt, "p", ".") and i + 2 < len(toks) and \
                toks[i + 2][0] == "i" and not _is(prev, "p", "."):
            del toks[i : i + 2]
            changed = True
            continue
        # "a" + "b"
        if t[0] in ("s", "n") and _is(nxt, "p", "+") and i + 2 < len(toks) and toks[i + 2][0] in ("s", "n") \
                and (t[0] == "s" or toks[i + 2][0] == "s") and not _is(prev, "p", ".") and \
                not (i + 3 < len(toks) and (_is(toks[i + 3], "p", ".") or _is(toks[i + 3], "p", "["))) and \
                not (prev is not None and prev[0] == "p" and prev[1] in ("*", "/", "%", "-")):
            b = toks[i + 2]
            toks[i : i + 3] = [["s", _as_text(t) + _as_text(b), t[2] | b[2] | {"concat"}]]
            changed = True
            continue
        # ("a")  — parentheses around a constant, not a call
        if _is(t, "p", "(") and nxt is not None and nxt[0] in ("s", "n", "a") and i + 2 < len(toks) and \
                _is(toks[i + 2], "p", ")") and not (prev is not None and (
                    (prev[0] == "i" and prev[1] not in _CALL_KEYWORDS) or _is(prev, "p", ")") or _is(prev, "p", "]"))):
            toks[i : i + 3] = [nxt]
            changed = True
            continue
        # [ "a", "b" ]  → array
        if _is(t, "p", "[") and not (prev is not None and (prev[0] in ("i", "s", "a") or _is(prev, "p", ")") or _is(prev, "p", "]"))):
            j, items, ok = i + 1, [], True
            while j < len(toks):
                u = toks[j]
                if _is(u, "p", "]"):
                    break
                if u[0] in ("s", "n"):
                    items.append(u)
                    j += 1
                    if j < len(toks) and _is(toks[j], "p", ","):
                        j += 1
                    continue
                ok = False
                break
            if ok and j < len(toks):
                enc: set[str] = set()
                for u in items:
                    enc |= u[2]
                toks[i : j + 1] = [["a", [u[1] for u in items], enc]]
                changed = True
                continue
        # String.fromCharCode(…)  /  String.fromCharCode.apply(null, [..])
        if _is(t, "i", "String") and _is(nxt, "p", ".") and i + 2 < len(toks) and _is(toks[i + 2], "i", "fromCharCode"):
            r = _call_args(toks, i + 3)
            if r is not None:
                s = _char_codes(r[0])
                if s is not None:
                    toks[i : r[1]] = [["s", s, {"fromCharCode"}]]
                    changed = True
                    continue
            # .apply(null, [..]) / .apply(String, [..])
            if i + 9 < len(toks) and _is(toks[i + 3], "p", ".") and \
                    _is(toks[i + 4], "i", "apply") and _is(toks[i + 5], "p", "(") and \
                    toks[i + 6][0] in ("i", "n") and _is(toks[i + 7], "p", ",") and \
                    toks[i + 8][0] == "a" and _is(toks[i + 9], "p", ")"):
                s = _char_codes([["n", v, set()] for v in toks[i + 8][1]])
                if s is not None:
                    toks[i : i + 10] = [["s", s, {"fromCharCode"}]]
                    changed = True
                    continue
        # unescape("…"), atob("…"), decodeURIComponent("…")
        if t[0] == "i" and t[1] in _DECODERS and not _is(prev, "p", "."):
            r = _call_args(toks, i + 1)
            if r is not None and len(r[0]) >= 1 and r[0][0][0] == "s":
                s = _decode(t[1], r[0][0][1])
                if s is not None:
                    toks[i : r[1]] = [["s", s, r[0][0][2] | {"atob" if t[1] == "atob" else "unescape"}]]
                    changed = True
                    continue
        # string / array methods
        if t[0] in ("s", "a") and _is(nxt, "p", ".") and i + 2 < len(toks) and toks[i + 2][0] == "i":
            meth = toks[i + 2][1]
            r = _call_args(toks, i + 3)
            if r is not None:
                args = r[0]
                res: list[Any] | None = None
                if t[0] == "s":
                    s = t[1]
                    if meth == "split" and len(args) == 1 and args[0][0] == "s":
                        res = ["a", list(s) if args[0][1] == "" else s.split(args[0][1]), set(t[2])]
                    elif meth == "concat" and all(a[0] in ("s", "n") for a in args):
                        res = ["s", s + "".join(_as_text(a) for a in args), set(t[2]) | {"concat"}]
                    elif meth in ("substr", "substring", "slice") and all(a[0] == "n" for a in args) and args:
                        a0 = int(args[0][1])
                        if meth == "substr":
                            end = a0 + int(args[1][1]) if len(args) > 1 else None
                        else:
                            end = int(args[1][1]) if len(args) > 1 else None
                        res = ["s", s[a0:end], set(t[2])]
                    elif meth in ("toLowerCase", "toUpperCase", "trim") and not args:
                        res = ["s", getattr(s, {"toLowerCase": "lower", "toUpperCase": "upper",
                                                "trim": "strip"}[meth])(), set(t[2])]
                    elif meth in ("replace", "replaceAll") and len(args) == 2 and args[1][0] == "s":
                        if args[0][0] == "s":
                            res = ["s", s.replace(args[0][1], args[1][1], -1 if meth == "replaceAll" else 1), set(t[2])]
                        elif args[0][0] == "r":
                            out = _regex_replace(args[0][1], s, args[1][1])
                            if out is not None:
                                res = ["s", out, set(t[2])]
                else:
                    arr = t[1]
                    if meth == "reverse" and not args:
                        res = ["a", list(reversed(arr)), set(t[2]) | {"reverse"}]
                    elif meth == "join" and len(args) <= 1 and (not args or args[0][0] == "s"):
                        sep = args[0][1] if args else ","
                        res = ["s", sep.join(str(v) for v in arr), set(t[2]) | {"concat"}]
                if res is not None:
                    toks[i : r[1]] = [res]
                    changed = True
                    continue
        i += 1
    return changed


def _symbols(toks: list[list[Any]]) -> dict[str, list[Any]]:
    """Variables assigned constant strings (`var s = "…"; s += "…"`), in source order."""
    syms: dict[str, list[Any]] = {}
    dirty: set[str] = set()
    for i, t in enumerate(toks):
        if t[0] != "i" or i + 2 >= len(toks):
            continue
        if i and _is(toks[i - 1], "p", "."):
            continue
        op, val = toks[i + 1], toks[i + 2]
        after = toks[i + 3] if i + 3 < len(toks) else None
        const_end = after is None or (after[0] == "p" and after[1] in (";", ",", "}", ")")) or after[0] == "i"
        if _is(op, "p", "=") and val[0] in ("s", "a") and const_end:
            if t[1] in syms:
                dirty.add(t[1])  # reassigned: keep the first; writes usually come after it
            else:
                syms[t[1]] = [val[0], val[1], set(val[2])]
        elif _is(op, "p", "+=") and val[0] in ("s", "n") and const_end and t[1] in syms and syms[t[1]][0] == "s":
            syms[t[1]][1] += _as_text(val)
            syms[t[1]][2] |= val[2] | {"concat"}
    return syms


def _substitute(toks: list[list[Any]], syms: dict[str, list[Any]]) -> bool:
    changed = False
    for i, t in enumerate(toks):
        if t[0] != "i" or t[1] not in syms:
            continue
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if _is(prev, "p", ".") or (prev is not None and prev[0] == "i" and prev[1] in ("var", "let", "const", "function")):
            continue
        if nxt is not None and nxt[0] == "p" and nxt[1] in ("=", "+=", "++", "--", "("):
            continue
        v = syms[t[1]]
        toks[i] = [v[0], list(v[1]) if v[0] == "a" else v[1], set(v[2])]
        changed = True
    return changed


def fold(toks: list[list[Any]]) -> list[list[Any]]:
    for _ in range(_MAX_PASSES):
        if _fold_once(toks):
            continue
        if _substitute(toks, _symbols(toks)) and _fold_once(toks):
            continue
        break
    return toks


# -- the packer ------------------------------------------------------------------------------------
_B62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _unbase(word: str, base: int) -> int | None:
    n = 0
    for ch in word:
        d = _B62.find(ch)
        if d < 0 or d >= max(base, 1):
            return None
        n = n * base + d
    return n


def unpack(payload: str, base: int, count: int, words: list[str]) -> str:
    """Undo the p,a,c,k,e,d packer: every word token is an index into `words`."""
    def repl(m: re.Match[str]) -> str:
        w = m.group(0)
        idx = _unbase(w, base if base <= 62 else 62)
        if idx is not None and idx < len(words) and words[idx]:
            return words[idx]
        return w
    return re.sub(r"\b\w+\b", repl, payload)


def _find_packed(toks: list[list[Any]]) -> list[tuple[int, int, str]]:
    """(start, end, unpacked source) for each packer call in the folded tokens."""
    found = []
    for i, t in enumerate(toks):
        if not (_is(t, "i", "function") and i + 1 < len(toks) and _is(toks[i + 1], "p", "(")):
            continue
        params = []
        j = i + 2
        while j < len(toks) and not _is(toks[j], "p", ")"):
            if toks[j][0] == "i":
                params.append(toks[j][1])
            j += 1
        if params[:4] != ["p", "a", "c", "k"]:
            continue
        # the body
        j += 1
        if j >= len(toks) or not _is(toks[j], "p", "{"):
            continue
        depth = 0
        while j < len(toks):
            if _is(toks[j], "p", "{"):
                depth += 1
            elif _is(toks[j], "p", "}"):
                depth -= 1
                if depth == 0:
                    break
            j += 1
        j += 1
        # ('payload', base, count, 'w|o|r|d|s'.split('|'), 0, {}) – the folder has already made
        # the split an array; the trailing arguments are not constants, so read four by hand
        if not (j + 8 < len(toks) and _is(toks[j], "p", "(")):
            continue
        a = [toks[j + 1], toks[j + 3], toks[j + 5], toks[j + 7]]
        if not (a[0][0] == "s" and a[1][0] == "n" and a[2][0] == "n" and a[3][0] in ("a", "s")
                and all(_is(toks[j + k], "p", ",") for k in (2, 4, 6))):
            continue
        words = a[3][1] if a[3][0] == "a" else str(a[3][1]).split("|")
        found.append((i, j + 8, unpack(a[0][1], int(a[1][1]), int(a[2][1]), [str(w) for w in words])))
    return found


# -- sinks -----------------------------------------------------------------------------------------
_UA_CHECK = re.compile(r"navigator\s*\.\s*userAgent|navigator\s*\[\s*['\"]userAgent", re.I)
_SE_NAMES = re.compile(r"baidu|spider|sogou|bingbot|googlebot|360spider|yisou|sm\.cn|so\.com|haosou|google|bing|toutiao|\bbot\b", re.I)
_REF_CHECK = re.compile(r"document\s*\.\s*referrer|document\s*\[\s*['\"]referrer", re.I)


def _conditional(src: str) -> str | None:
    if _UA_CHECK.search(src) and _SE_NAMES.search(src):
        return "ua"
    if _REF_CHECK.search(src) and _SE_NAMES.search(src):
        return "referrer"
    return None


def _sinks(toks: list[list[Any]]) -> list[tuple[str, list[Any]]]:
    out: list[tuple[str, list[Any]]] = []
    n = len(toks)
    for i, t in enumerate(toks):
        if t[0] != "i":
            continue
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < n else None
        name = t[1]
        member = _is(prev, "p", ".")
        owner = toks[i - 2][1] if member and i >= 2 and toks[i - 2][0] == "i" else None
        if name in ("write", "writeln") and member and owner == "document":
            r = _call_args(toks, i + 1)
            if r is not None:
                for a in r[0]:
                    if a[0] in ("s", "n"):
                        out.append(("write", a))
        elif name in ("innerHTML", "outerHTML") and member and nxt is not None and nxt[1] in ("=", "+=") \
                and i + 2 < n and toks[i + 2][0] == "s":
            out.append(("write", toks[i + 2]))
        elif name == "insertAdjacentHTML" and member:
            r = _call_args(toks, i + 1)
            if r is not None and len(r[0]) == 2 and r[0][1][0] == "s":
                out.append(("write", r[0][1]))
        elif name == "title" and member and owner == "document" and _is(nxt, "p", "=") and i + 2 < n \
                and toks[i + 2][0] == "s":
            out.append(("title", toks[i + 2]))
        elif name in ("href", "location") and _is(nxt, "p", "=") and i + 2 < n and toks[i + 2][0] == "s" and (
                name == "location" or owner == "location"):
            out.append(("redirect", toks[i + 2]))
        elif name in ("replace", "assign") and member and owner == "location":
            r = _call_args(toks, i + 1)
            if r is not None and r[0] and r[0][0][0] == "s":
                out.append(("redirect", r[0][0]))
        elif name == "open" and (not member or owner in ("window",)) and owner != "document":
            r = _call_args(toks, i + 1)
            if r is not None and r[0] and r[0][0][0] == "s" and re.match(r"(https?:)?//", r[0][0][1]):
                out.append(("redirect", r[0][0]))
        elif name in ("src", "href") and member and _is(nxt, "p", "=") and i + 2 < n and toks[i + 2][0] == "s":
            out.append(("url", toks[i + 2]))
        elif name in ("eval", "setTimeout", "setInterval", "Function") and not member:
            r = _call_args(toks, i + 1)
            if r is not None and r[0] and r[0][0][0] == "s":
                out.append(("eval", r[0][0]))
    return out


def decode_script(src: str, *, _depth: int = 0, _enc: frozenset[str] = frozenset()) -> list[Written]:
    """Everything a script writes that can be known without running it."""
    src = (src or "")[:MAX_SCRIPT]
    if not src.strip():
        return []
    cond = _conditional(src)
    toks = fold(tokenize(src))
    out: list[Written] = []
    snippet = re.sub(r"\s+", " ", src.strip())[:200]
    # packed code first: it is a script of its own
    for _s, _e, unpacked in _find_packed(toks) if _depth < MAX_DEPTH else []:
        for w in decode_script(unpacked, _depth=_depth + 1, _enc=_enc | {"packed"}):
            w.conditional = w.conditional or cond
            w.snippet = snippet
            out.append(w)
    seen_ids: set[int] = set()
    for sink, tok in _sinks(toks):
        seen_ids.add(id(tok))
        enc = sorted(set(tok[2]) | set(_enc))
        value = _as_text(tok)
        if sink == "eval":
            if _depth < MAX_DEPTH:
                for w in decode_script(value, _depth=_depth + 1, _enc=_enc | set(tok[2]) | {"eval"}):
                    w.conditional = w.conditional or cond
                    w.snippet = snippet
                    out.append(w)
            continue
        out.append(Written(sink=sink, value=value, encodings=enc, conditional=cond, snippet=snippet))
    # decoded strings that reach no sink we know (passed to a helper function, for instance)
    known = [w.value for w in out]
    for tok in toks:
        if tok[0] == "s" and id(tok) not in seen_ids and (set(tok[2]) - {"concat"}) and \
                re.search(r"<\s*(a|iframe|script|div|title)\b|https?://", tok[1], re.I) and \
                not any(tok[1] in k for k in known):
            known.append(tok[1])
            out.append(Written(sink="decoded", value=tok[1], encodings=sorted(set(tok[2]) | set(_enc)),
                               conditional=cond, snippet=snippet))
    return out
