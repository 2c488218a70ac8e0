"""Is an element hidden from readers?

Attackers hide spam links from the site's editors while leaving them in the HTML for
search engines.  The tricks seen on hacked government pages are CSS ones (inline or in a
`<style>` block of the page), a few HTML ones (`<marquee>` squeezed to a pixel, 1x1
iframes, the `hidden` attribute) and scripts that hide an element after load or write an
invisible wrapper around the links.  External stylesheets are not fetched: hackers put
their CSS in the page itself, and the site's own stylesheet only hides its own menus.

API used by the page extractor (keep it stable):
  `HiddenDetector(root).reason(el)`     why `el` is invisible (it or an ancestor), or None
  `HiddenDetector(root).own_reason(el)` why `el` starts an invisible subtree, or None
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

import lxml.etree

try:  # cssselect ships with parsel (a Scrapy dependency)
    from cssselect import HTMLTranslator, SelectorError, parse as css_parse
except ImportError:  # pragma: no cover - Scrapy always brings it
    HTMLTranslator = None  # type: ignore[assignment,misc]

# Properties that can hide something; everything else in a stylesheet is ignored.
_PROPS = {
    "display", "visibility", "opacity", "position", "left", "top", "right", "bottom",
    "width", "height", "max-width", "max-height", "overflow", "overflow-x", "overflow-y",
    "font-size", "font", "color", "background", "background-color", "text-indent", "clip",
    "clip-path", "transform", "margin-left", "margin-top",
}
_INHERITED = ("visibility", "font-size", "color")
OFFSCREEN_PX = 500  # a box moved this far left/up is off any screen
MAX_RULES = 3000  # stylesheet rules evaluated per page (cost cap on giant inline sheets)


_EMPTY: dict[str, str] = {}

# -- CSS parsing ---------------------------------------------------------------------------
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def parse_declarations(text: str) -> dict[str, tuple[str, bool]]:
    """`a: b; c: d !important` → {prop: (value, important)} for the properties we use."""
    out: dict[str, tuple[str, bool]] = {}
    for part in _COMMENT.sub("", text or "").split(";"):
        if ":" not in part:
            continue
        prop, _, value = part.partition(":")
        prop = prop.strip().lower()
        if prop not in _PROPS:
            continue
        value = value.strip()
        important = False
        if value.lower().endswith("!important"):
            important, value = True, value[: -len("!important")].strip()
        out[prop] = (value.lower(), important)
    return out


def parse_stylesheet(text: str) -> list[tuple[str, dict[str, tuple[str, bool]]]]:
    """Top-level rules (and those of screen/all media blocks) as (selector, declarations).

    Media blocks with width conditions or print are skipped: they describe another screen
    or paper, not what an editor looking at the page sees by default.  A site's template
    repeats the same inline stylesheet on every page, so sheets are parsed once per process
    (the declarations are shared: read them, never change them)."""
    return list(_parse_stylesheet_cached(text or ""))


@lru_cache(maxsize=512)
def _parse_stylesheet_cached(text: str) -> tuple[tuple[str, dict[str, tuple[str, bool]]], ...]:
    return tuple(_parse_stylesheet(text))


def _parse_stylesheet(text: str) -> list[tuple[str, dict[str, tuple[str, bool]]]]:
    text = _COMMENT.sub("", text or "")
    rules: list[tuple[str, dict[str, tuple[str, bool]]]] = []
    i, n = 0, len(text)
    while i < n:
        brace = text.find("{", i)
        if brace < 0:
            break
        prelude = text[i:brace].strip()
        # find the matching close brace
        depth, j = 1, brace + 1
        while j < n and depth:
            c = text[j]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            j += 1
        body = text[brace + 1 : j - 1]
        i = j
        if prelude.startswith("@"):
            low = prelude.lower()
            if low.startswith("@media") and "print" not in low and "width" not in low \
                    and "height" not in low and "orientation" not in low:
                rules.extend(_parse_stylesheet(body))
            continue
        # a stray ';' or '}' before a selector (broken CSS) – keep the last statement
        prelude = re.split(r"[;}]", prelude)[-1].strip()
        if not prelude:
            continue
        decls = parse_declarations(body)
        if decls:
            rules.append((prelude, decls))
    return rules


@lru_cache(maxsize=4096)
def _compile(selector: str) -> tuple[Any, tuple[int, int, int]] | None:
    """CSS selector → (compiled XPath, specificity); None for what cannot apply statically
    (pseudo-classes like :hover, pseudo-elements, unsupported syntax)."""
    if HTMLTranslator is None or ":" in selector:
        return None
    try:
        parsed = css_parse(selector)
        if len(parsed) != 1:
            return None
        xpath = HTMLTranslator().selector_to_xpath(parsed[0])
        return lxml.etree.XPath(xpath), parsed[0].specificity()
    except (SelectorError, lxml.etree.XPathSyntaxError, ValueError, NotImplementedError):
        return None


# -- values --------------------------------------------------------------------------------
_LEN = re.compile(r"^\s*(-?\d*\.?\d+)\s*(px|pt|em|rem|%|vw|vh|cm|mm|in)?\s*$")
_UNIT_PX = {"px": 1.0, "pt": 1.333, "em": 16.0, "rem": 16.0, "cm": 37.8, "mm": 3.78, "in": 96.0,
            None: 1.0, "vw": 10.0, "vh": 8.0, "%": None}


def length_px(value: str | None) -> float | None:
    """A CSS length in (approximate) pixels; None when unknown or relative to the parent."""
    if not value:
        return None
    m = _LEN.match(value.replace("!important", ""))
    if not m:
        return None
    num, unit = float(m.group(1)), m.group(2)
    factor = _UNIT_PX.get(unit)
    if factor is None:
        return 0.0 if num == 0 else None
    return num * factor


_NAMED = {
    "white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "green": (0, 128, 0),
    "blue": (0, 0, 255), "yellow": (255, 255, 0), "gray": (128, 128, 128),
    "grey": (128, 128, 128), "silver": (192, 192, 192), "navy": (0, 0, 128),
    "maroon": (128, 0, 0), "purple": (128, 0, 128), "teal": (0, 128, 128),
    "olive": (128, 128, 0), "lime": (0, 255, 0), "aqua": (0, 255, 255),
    "fuchsia": (255, 0, 255), "orange": (255, 165, 0), "whitesmoke": (245, 245, 245),
    "snow": (255, 250, 250), "ivory": (255, 255, 240), "beige": (245, 245, 220),
}
_HEX = re.compile(r"#([0-9a-f]{3,8})\b")
_RGB = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)")


def parse_color(value: str | None) -> tuple[int, int, int] | None:
    """The first colour in a CSS value (#rgb, #rrggbb, rgb(), a common name); None if none
    or transparent."""
    if not value:
        return None
    v = value.lower()
    m = _HEX.search(v)
    if m:
        h = m.group(1)
        if len(h) in (3, 4):
            return tuple(int(c * 2, 16) for c in h[:3])  # type: ignore[return-value]
        if len(h) in (6, 8):
            if len(h) == 8 and h[6:] == "00":
                return None
            return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
        return None
    m = _RGB.search(v)
    if m:
        if m.group(4) is not None and float(m.group(4)) == 0:
            return None
        return (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for word in re.findall(r"[a-z]+", v):
        if word in _NAMED:
            return _NAMED[word]
    return None


def _close(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return sum(abs(x - y) for x, y in zip(a, b)) <= 24


def _font_size(value: str) -> float | None:
    """font-size from `font-size` or the `font` shorthand (`font: 0/0 a` is a known trick)."""
    v = value.strip()
    px = length_px(v)
    if px is not None:
        return px
    m = re.search(r"(?:^|\s)(-?\d*\.?\d+)(px|pt|em|rem)?(?:/|\s|$)", v)
    if m:
        return length_px(m.group(1) + (m.group(2) or "px"))
    return None


# -- script-hidden elements ------------------------------------------------------------------
_SCRIPT_HIDE = re.compile(
    r"""getElementById\(\s*['"]([\w:-]+)['"]\s*\)\s*\.style\.(?:display|visibility)\s*=\s*['"](?:none|hidden)['"]"""
    r"""|\$\(\s*['"]#([\w:-]+)['"]\s*\)\s*\.(?:hide\(\s*\)|css\(\s*['"](?:display|visibility)['"]\s*,\s*['"](?:none|hidden)['"])""")
_WRITE_OPEN = re.compile(
    r"""document\.write(?:ln)?\(\s*(['"])\s*<(div|span|p|marquee)\b[^<>]*?(display\s*:\s*none|visibility\s*:\s*hidden|left\s*:\s*-\d{3,}|top\s*:\s*-\d{3,})[^<>]*>\s*\1\s*\)""",
    re.I)
_WRITE_CLOSE = re.compile(r"""document\.write(?:ln)?\(\s*(['"])\s*</(div|span|p|marquee)>\s*\1\s*\)""", re.I)


_OVERRIDABLE = {"display", "visibility", "opacity", "position", "left", "top", "right", "bottom",
                "width", "height", "max-width", "max-height", "overflow", "overflow-x", "overflow-y",
                "font-size", "font", "text-indent", "clip", "clip-path", "transform", "margin-left",
                "margin-top", "color", "background", "background-color"}


def _hiding_decls(decls: dict[str, tuple[str, bool]], colours: set[tuple[int, int, int]]) -> bool:
    """Could these declarations hide an element (alone or with another rule's help)?"""
    v = {k: val for k, (val, _) in decls.items()}
    if v.get("display", "").startswith("none") or v.get("visibility", "").startswith(("hidden", "collapse")):
        return True
    try:
        if "opacity" in v and float(v["opacity"].rstrip("%")) <= 0.01:
            return True
    except ValueError:
        pass
    for k in ("left", "top", "right", "bottom", "text-indent", "margin-left", "margin-top"):
        px = length_px(v.get(k))
        if px is not None and px <= -OFFSCREEN_PX:
            return True
    for k in ("width", "height", "max-width", "max-height"):
        px = length_px(v.get(k))
        if px is not None and px <= 1:
            return True
    for k in ("font-size", "font"):
        if k in v:
            fs = _font_size(v[k])
            if fs is not None and fs <= 1:
                return True
    if "clip" in v and "rect(" in v["clip"]:
        return True
    if "clip-path" in v or ("transform" in v and "-" in v["transform"]):
        return True
    if colours:
        for k in ("color", "background", "background-color"):
            c = parse_color(v.get(k))
            if c and any(_close(c, x) for x in colours):
                return True
    return False


def _rightmost_key(selector: str) -> str | None:
    """The bucket of a selector: id:…, class:…, tag:… of its rightmost compound, or '*'."""
    m = re.search(r"([^\s>+~]+)\s*$", selector)
    if not m:
        return None
    last = m.group(1)
    h = re.search(r"#([\w-]+)", last)
    if h:
        return "id:" + h.group(1)
    c = re.search(r"\.([\w-]+)", last)
    if c:
        return "class:" + c.group(1)
    t = re.match(r"([a-zA-Z][\w-]*)", last)
    if t:
        return "tag:" + t.group(1).lower()
    return "*"


@dataclass
class _Rule:
    specificity: tuple[int, int, int]
    order: int
    decls: dict[str, tuple[str, bool]]


class HiddenDetector:
    """Answers `reason(el)`: why `el` (or an ancestor) is invisible, or None.

    Built once per page; stylesheet rules are matched once (one XPath per rule) and every
    answer is cached, so asking about every link of a page stays linear."""

    def __init__(self, root: Any, *, max_rules: int = MAX_RULES) -> None:
        self.root = root
        self._own_cache: dict[Any, str | None] = {}
        self._decl_cache: dict[Any, dict[str, str]] = {}
        self._computed: dict[Any, dict[str, Any]] = {}
        self._matched: dict[Any, list[_Rule]] = {}
        self._script_hidden_ids: set[str] = set()
        self._script_wrapped: set[Any] = set()
        self._index_styles(max_rules)
        self._index_scripts()

    # -- indexing ------------------------------------------------------------------------
    def _index_styles(self, max_rules: int) -> None:
        """Match only the stylesheet rules that can matter.

        Evaluating every rule of a big inline stylesheet costs hundreds of milliseconds on a
        large page, and almost none of them hide anything.  So: first the rules with a hiding
        value (display:none, off-screen offsets, zero size, font-size 0, a colour that is
        also a background somewhere on the page…); then, only when those matched something,
        the rules that could override them on the same elements or below (keyed by the
        rightmost id/class/tag of their selector, as browsers bucket rules)."""
        sheets = [s.text_content() or "" for s in self.root.iter("style")]
        if not sheets:
            return
        rules: list[tuple[str, _Rule]] = []
        order = 0
        for sheet in sheets:
            for selector_group, decls in parse_stylesheet(sheet):
                for selector in selector_group.split(","):
                    selector = selector.strip()
                    if not selector:
                        continue
                    order += 1
                    if order > max_rules:
                        break
                    rules.append((selector, _Rule((0, 0, 0), order, decls)))
        if not rules:
            return
        colours = self._colour_collisions([r for _, r in rules])
        hiding = [(sel, r) for sel, r in rules if _hiding_decls(r.decls, colours)]
        if not hiding:
            return  # nothing in the stylesheet can hide anything: inline styles decide
        candidates: set[Any] = set()
        for sel, r in hiding:
            for el in self._apply(sel, r):
                candidates.add(el)
        if not candidates:
            return
        def names(el: Any) -> list[str]:
            out = ["id:" + el.get("id")] if el.get("id") else []
            return out + ["class:" + c for c in (el.get("class") or "").split()]

        keys: set[str] = set()  # tags, ids and classes of the candidates and everything below
        near: set[str] = set()  # ids and classes on those elements and their ancestors
        for el in candidates:
            for sub in el.iter():
                if isinstance(sub.tag, str):
                    keys.add("tag:" + sub.tag)
                    keys.update(names(sub))
            anc = el.getparent()
            while anc is not None and isinstance(anc.tag, str):
                near.update(names(anc))
                anc = anc.getparent()
        near |= {k for k in keys if not k.startswith("tag:")}
        present: set[str] = set()  # every id and class of the document
        for el in self.root.iter():
            if isinstance(el.tag, str):
                present.update(names(el))
        hiding_ids = {id(r) for _, r in hiding}
        for sel, r in rules:
            if id(r) in hiding_ids or not (set(r.decls) & _OVERRIDABLE):
                continue
            key = _rightmost_key(sel)
            if key is None or not (key == "*" or key in keys):
                continue
            named = {"id:" + x for x in re.findall(r"#([\w-]+)", sel)} | \
                {"class:" + x for x in re.findall(r"\.([\w-]+)", sel)}
            # descendant/child selectors can only reach a candidate through names on its
            # ancestors or below; sibling combinators (+ ~) may name anything in the page
            if named <= (present if ("+" in sel or "~" in sel) else near):
                self._apply(sel, r)

    def _apply(self, selector: str, rule: _Rule) -> list[Any]:
        compiled = _compile(selector)
        if compiled is None:
            return []
        xp, spec = compiled
        try:
            hits = xp(self.root)
        except lxml.etree.XPathError:
            return []
        rule.specificity = spec
        for el in hits:
            self._matched.setdefault(el, []).append(rule)
        return hits

    def _colour_collisions(self, rules: list[_Rule]) -> set[tuple[int, int, int]]:
        """Colours used both as a text colour and as a background somewhere on the page."""
        fg: set[tuple[int, int, int]] = set()
        bg: set[tuple[int, int, int]] = set()
        for r in rules:
            c = parse_color(r.decls.get("color", ("", False))[0])
            if c:
                fg.add(c)
            for k in ("background-color", "background"):
                b = parse_color(r.decls.get(k, ("", False))[0])
                if b:
                    bg.add(b)
        if not fg and not bg:
            return set()
        for style in self.root.xpath("//@style"):
            d = parse_declarations(str(style))
            c = parse_color(d.get("color", ("", False))[0])
            if c:
                fg.add(c)
            for k in ("background-color", "background"):
                b = parse_color(d.get(k, ("", False))[0])
                if b:
                    bg.add(b)
        for v in self.root.xpath("//@bgcolor"):
            b = parse_color(str(v))
            if b:
                bg.add(b)
        for v in self.root.xpath("//font/@color"):
            c = parse_color(str(v))
            if c:
                fg.add(c)
        return {c for c in fg if any(_close(c, b) for b in bg)}

    def _index_scripts(self) -> None:
        scripts = [s for s in self.root.iter("script") if not s.get("src")]
        if not scripts:
            return
        for s in scripts:
            code = s.text or ""
            for m in _SCRIPT_HIDE.finditer(code):
                self._script_hidden_ids.add(m.group(1) or m.group(2))
            if _WRITE_OPEN.search(code) and not _WRITE_CLOSE.search(code):
                # a script writes an invisible opening tag: what follows until a script that
                # closes it sits inside an invisible box in the browser.
                node = s.getnext()
                parent = s.getparent()
                while node is not None:
                    if node.tag == "script" and _WRITE_CLOSE.search(node.text or ""):
                        break
                    if isinstance(node.tag, str):
                        self._script_wrapped.add(node)
                    node = node.getnext()
                del parent

    # -- declarations ----------------------------------------------------------------------
    def _decls(self, el: Any) -> dict[str, str]:
        """The winning value of each property of interest on `el` itself."""
        cached = self._decl_cache.get(el)
        if cached is not None:
            return cached
        rules = self._matched.get(el)
        style = el.get("style")
        if not rules and not style and el.get("bgcolor") is None and el.tag != "font":
            self._decl_cache[el] = _EMPTY  # the common case: nothing declared here
            return _EMPTY
        out: dict[str, str] = {}
        inline = parse_declarations(style or "")
        if rules:
            ranked = sorted(rules, key=lambda r: (r.specificity, r.order))
            important: dict[str, str] = {}
            for r in ranked:
                for prop, (value, imp) in r.decls.items():
                    (important if imp else out)[prop] = value
            for prop, (value, imp) in inline.items():
                if prop not in important or imp:
                    out[prop] = value
                    important.pop(prop, None)
            out.update(important)
        else:
            out = {p: v for p, (v, _) in inline.items()}
        # presentational attributes count as the weakest declarations
        if "color" not in out and el.tag == "font" and el.get("color"):
            out["color"] = el.get("color").lower()
        if "background-color" not in out and "background" not in out and el.get("bgcolor"):
            out["background-color"] = el.get("bgcolor").lower()
        if "font" in out and "font-size" not in out:
            fs = _font_size(out["font"])
            if fs is not None:
                out["font-size"] = f"{fs}px"
        self._decl_cache[el] = out
        return out

    # -- own (non-inherited) reasons ---------------------------------------------------------
    def _own(self, el: Any) -> str | None:
        if el in self._own_cache:
            return self._own_cache[el]
        r = self._own_uncached(el)
        self._own_cache[el] = r
        return r

    def _own_uncached(self, el: Any) -> str | None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag:
            return None
        if tag not in ("marquee", "iframe", "frame") and el.get("hidden") is None \
                and not self._decls(el) and not self._script_hidden_ids and not self._script_wrapped:
            return None  # fast path: nothing on this element can hide it
        if el.get("hidden") is not None:
            return "hidden attribute"
        if el in self._script_wrapped:
            return "inside a script-written invisible box"
        eid = el.get("id")
        if eid and eid in self._script_hidden_ids:
            return "hidden by script"
        d = self._decls(el)
        if d.get("display", "").startswith("none"):
            return "display:none"
        op = d.get("opacity")
        if op is not None:
            try:
                if float(op.rstrip("%")) <= 0.01:
                    return "opacity:0"
            except ValueError:
                pass
        pos = d.get("position", "")
        if pos.startswith(("absolute", "fixed")):
            for side in ("left", "top", "right", "bottom"):
                px = length_px(d.get(side))
                if px is not None and px <= -OFFSCREEN_PX:
                    return f"off-screen ({side}:{d[side]})"
            clip = d.get("clip", "")
            if re.match(r"rect\(\s*0(px)?[\s,]+0(px)?[\s,]+0(px)?[\s,]+0(px)?\s*\)", clip):
                return "clipped to nothing"
        for side in ("margin-left", "margin-top"):
            px = length_px(d.get(side))
            if px is not None and px <= -2000:
                return f"off-screen ({side}:{d[side]})"
        ti = length_px(d.get("text-indent"))
        if ti is not None and ti <= -OFFSCREEN_PX:
            return f"off-screen (text-indent:{d['text-indent']})"
        tr = d.get("transform", "")
        m = re.search(r"translate[xy]?\(\s*(-\d+)px", tr)
        if m and int(m.group(1)) <= -OFFSCREEN_PX:
            return "off-screen (transform)"
        if "clip-path" in d and re.search(r"inset\(\s*(50|100)%", d["clip-path"]):
            return "clipped to nothing"
        overflow = " ".join(d.get(k, "") for k in ("overflow", "overflow-x", "overflow-y"))
        if "hidden" in overflow or "clip" in overflow:
            for dim in ("width", "height", "max-width", "max-height"):
                px = length_px(d.get(dim))
                if px is not None and px <= 1:
                    return f"zero size ({dim}:{d[dim]}, overflow hidden)"
        if tag == "marquee":
            r = self._marquee(el, d)
            if r:
                return r
        if tag in ("iframe", "frame"):
            w = length_px(el.get("width")) if el.get("width") else length_px(d.get("width"))
            h = length_px(el.get("height")) if el.get("height") else length_px(d.get("height"))
            if (w is not None and w <= 2) or (h is not None and h <= 2):
                return "tiny iframe"
        return None

    @staticmethod
    def _marquee(el: Any, d: dict[str, str]) -> str | None:
        def num(name: str) -> float | None:
            v = el.get(name)
            if v is None:
                return length_px(d.get(name))
            try:
                return float(re.sub(r"[^\d.]", "", v) or "nan")
            except ValueError:
                return None

        w, h = num("width"), num("height")
        if (w is not None and w <= 5) or (h is not None and h <= 5):
            return "marquee squeezed to a few pixels"
        amount = num("scrollamount")
        delay = num("scrolldelay")
        if amount is not None and amount >= 500:
            return f"marquee scrolling too fast to read (scrollamount={int(amount)})"
        if delay is not None and delay >= 10000:
            return f"marquee parked off view (scrolldelay={int(delay)})"
        return None

    # -- inherited properties ------------------------------------------------------------------
    def _computed_of(self, el: Any) -> dict[str, Any]:
        """Inherited state at `el`: visibility, font-size (px), colour, background colour and
        whether the background is known (declared in the page, no image)."""
        c = self._computed.get(el)
        if c is not None:
            return c
        chain = []  # iterative: hacked pages can nest deeper than Python's recursion limit
        node = el
        while node is not None and isinstance(node.tag, str) and node not in self._computed:
            chain.append(node)
            node = node.getparent()
        base: dict[str, Any] = self._computed[node] if node is not None and node in self._computed \
            else {"visibility": "visible", "font-size": None, "color": None, "bg": None}
        for node in reversed(chain):
            base = self._compute_step(node, base)
            self._computed[node] = base
        return base

    def _compute_step(self, el: Any, base: dict[str, Any]) -> dict[str, Any]:
        d = self._decls(el)
        if not d:
            return base  # nothing re-declared: share the parent's state
        c = dict(base)
        if "visibility" in d:
            c["visibility"] = d["visibility"].split()[0] if d["visibility"] else "visible"
        if "font-size" in d:
            fs = _font_size(d["font-size"])
            if fs is not None:
                c["font-size"] = fs
            elif d["font-size"].endswith(("%", "em")) and base["font-size"] == 0:
                c["font-size"] = 0.0
            else:
                c["font-size"] = None  # relative or keyword: something readable
        if "color" in d:
            c["color"] = parse_color(d["color"])
        bgv = d.get("background-color") or d.get("background")
        if bgv:
            if "url(" in bgv or "gradient" in bgv:
                c["bg"] = "unknown"
            else:
                col = parse_color(bgv)
                if col is not None:
                    c["bg"] = col
        return c

    def _inherited_reason(self, el: Any) -> str | None:
        c = self._computed_of(el)
        if c["visibility"] in ("hidden", "collapse"):
            return "visibility:hidden"
        fs = c["font-size"]
        if fs is not None and fs <= 1:
            return "font-size 0"
        col, bg = c["color"], c["bg"]
        if col is not None and isinstance(bg, tuple) and _close(col, bg):
            return "text colour equals background"
        return None

    _INHERITED_DECL = {"visibility": ("visibility",), "font-size": ("font-size",),
                       "colour": ("color", "background-color", "background")}

    def _overridden_below(self, el: Any, why: str) -> bool:
        """Does a descendant re-declare the inherited property (e.g. font-size:0 on a row
        whose cells set their own size — a layout trick, not hiding)?"""
        key = "visibility" if why.startswith("visibility") else \
            "font-size" if why.startswith("font") else "colour"
        props = self._INHERITED_DECL[key]
        for sub in el.iterdescendants():
            if isinstance(sub.tag, str):
                d = self._decls(sub)
                if any(p in d for p in props):
                    return True
        return False

    # -- public API ----------------------------------------------------------------------------
    def own_reason(self, el: Any) -> str | None:
        """Why the subtree rooted at `el` is invisible, when the hiding starts at `el`.

        Inherited properties (visibility, font-size, colour) count only when no element
        below re-declares them, so a walk that drops the subtree drops nothing visible."""
        r = self._own(el)
        if r:
            return r
        if not isinstance(el.tag, str):
            return None
        why = self._inherited_reason(el)
        if not why:
            return None
        parent = el.getparent()
        if parent is not None and isinstance(parent.tag, str) and self._inherited_reason(parent) == why:
            return None  # the hiding started higher up
        if self._overridden_below(el, why):
            return None
        return why

    def reason(self, el: Any) -> str | None:
        node = el
        while node is not None and isinstance(node.tag, str):
            r = self._own(node)
            if r:
                return r
            node = node.getparent()
        if isinstance(el.tag, str):
            return self._inherited_reason(el)
        return None

    def hidden_roots(self) -> Iterable[tuple[Any, str]]:
        """Elements where an invisible subtree starts (outermost only), with the reason."""
        body = self.root.find(".//body")
        start = body if body is not None else self.root
        stack = [start]
        while stack:
            el = stack.pop()
            if not isinstance(el.tag, str) or el.tag in ("script", "style", "head", "noscript",
                                                         "template", "select", "option"):
                continue
            r = self.own_reason(el)
            if r:
                yield el, r
                continue
            stack.extend(reversed(list(el)))
