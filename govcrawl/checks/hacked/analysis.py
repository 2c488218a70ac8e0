"""What an attacker may have put into one HTML document, read statically.

`analyze(html, url, in_site)` returns the invisible blocks (with their text and links),
what inline scripts write (decoded), meta-refresh redirects and the page's outbound links.
It judges nothing: govcrawl.checks.hacked.rules turns this into findings.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from govcrawl.checks.hacked.scripts import Written, decode_script
from govcrawl.extract.hidden import HiddenDetector, parse_declarations
from govcrawl.extract.page import join_url, parse_dom

MAX_HTML = 3_000_000  # characters parsed (DOWNLOAD_MAXSIZE caps bodies anyway)
MAX_HIDDEN_TEXT = 4000  # characters kept per hidden block
_HIDING_PROPS = {"display", "visibility", "opacity", "position", "left", "top", "text-indent",
                 "font-size", "font", "height", "width", "color", "overflow", "clip", "transform"}
_SCRIPT_HINT = re.compile(r"write|innerHTML|outerHTML|insertAdjacent|eval|title|location|\.src|\.href|"
                          r"open\(|fromCharCode|atob|unescape|decodeURI|setTimeout|setInterval|Function",
                          re.I)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "about:")
_UI_WIDGET = re.compile(r"nav|menu|sub|drop|tab|hover|toggle|collapse|pop|modal|slide|select|more|"
                        r"fold|expand|show|hide|mobile|m-|wap|search|qr|code|erweima|weixin|wx|share|wza|"
                        r"toolbar|barrier|browser|upgrade|tips|swiper|carousel|banner|scroll|roll|"
                        r"focus|switch|lunbo|huandeng|card|panel|layer|dialog|link|yqlj|friend|"
                        r"jiathis|bshare|fenxiang|jiucuo|old|elder|care",
                        re.I)


@dataclass
class FoundLink:
    url: str
    text: str
    tag: str  # a | area | iframe | frame | script | meta
    reason: str | None = None  # why it is invisible
    inline: bool = False  # hidden by the element's own style attribute (not a stylesheet class)
    widget: bool = False  # inside something that looks like a menu/tab/popup of the site
    external: bool = False
    context: str = ""  # text of the enclosing block (spam phrases often sit next to the link)


@dataclass
class HiddenBlock:
    reason: str
    text: str  # all the block's text
    links: list[FoundLink]
    tag: str
    inline: bool
    widget: bool
    loose_text: str = ""  # the text outside its links (anchors are judged with their links)


@dataclass
class ScriptOutput:
    written: Written
    links: list[FoundLink] = field(default_factory=list)
    text: str = ""


@dataclass
class Analysis:
    title: str = ""
    hidden: list[HiddenBlock] = field(default_factory=list)
    hidden_links: list[FoundLink] = field(default_factory=list)  # every hidden link element
    scripts: list[ScriptOutput] = field(default_factory=list)
    refresh: list[FoundLink] = field(default_factory=list)  # <meta http-equiv=refresh> targets
    links: list[FoundLink] = field(default_factory=list)  # every link (visible or not)
    script_srcs: list[FoundLink] = field(default_factory=list)

    def external_hosts(self) -> set[str]:
        return {netloc_of(lk.url) for lk in self.links if lk.external and lk.tag in ("a", "area", "iframe", "frame")}


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""




def netloc_of(url: str) -> str:
    """host[:port] — loopback test sites and real servers alike differ by port."""
    try:
        return (urlsplit(url).netloc or "").lower().rsplit("@", 1)[-1]
    except ValueError:
        return ""


_DECODE_CACHE: "OrderedDict[str, list[Written]]" = OrderedDict()
_DECODE_CACHE_SIZE = 2048


def _decoded(code: str) -> list[Written]:
    """decode_script, once per distinct script: template scripts repeat on every page."""
    key = hashlib.sha1(code.encode("utf-8", "surrogatepass")).hexdigest()
    got = _DECODE_CACHE.get(key)
    if got is None:
        got = decode_script(code)
        _DECODE_CACHE[key] = got
        if len(_DECODE_CACHE) > _DECODE_CACHE_SIZE:
            _DECODE_CACHE.popitem(last=False)
    else:
        _DECODE_CACHE.move_to_end(key)
    return got


def parse_html(html: str) -> lxml.html.HtmlElement:
    # libxml2 drops whatever follows </html>; spam links appended after the document
    # (a favourite of injected templates) must stay in the body: the crawl's own parse
    return parse_dom((html or "")[:MAX_HTML])


def _text(el: lxml.html.HtmlElement) -> str:
    return re.sub(r"\s+", " ", el.text_content() or "").strip()


_BLOCKS = {"p", "div", "li", "td", "dd", "section", "article", "body", "ul", "table", "span", "font"}


def _reading_text(el: lxml.html.HtmlElement) -> str:
    """The element's text as a reader sees it: without the code of its scripts and styles
    (a function name in a script beside a link is not the link's wording)."""
    return re.sub(r"\s+", " ", " ".join(el.xpath(
        ".//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]"))).strip()


def _context(el: lxml.html.HtmlElement, limit: int = 300) -> str:
    """The text around a link: its nearest block ancestor's text, if short enough to be the
    link's own neighbourhood (a whole article body is not)."""
    node = el.getparent()
    while node is not None and isinstance(node.tag, str) and node.tag not in _BLOCKS:
        node = node.getparent()
    if node is None or not isinstance(node.tag, str) or node.tag == "body":
        return ""
    t = _reading_text(node)
    if len(t) <= limit * 2:
        return t
    anchor = _text(el)
    i = t.find(anchor) if anchor else -1
    if i < 0:
        return ""  # a long block without the anchor in it: not the link's neighbourhood
    start = max(0, i - limit // 2)
    return t[start : start + limit + len(anchor)]


def _loose_text(el: lxml.html.HtmlElement) -> str:
    """Text of `el` outside its <a> elements."""
    out: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if isinstance(node.tag, str) and node.tag not in ("a", "script", "style"):
            out.append(node.text or "")
            for child in node:
                walk(child)
                out.append(child.tail or "")
    walk(el)
    return re.sub(r"\s+", " ", " ".join(out)).strip()


def _abs(base: str, raw: str | None) -> str | None:
    if not raw:
        return None
    raw = raw.strip()
    if not raw or raw.lower().startswith(_SKIP_SCHEMES):
        return None
    try:
        u = join_url(base, raw)
    except ValueError:
        return None
    return u if u.startswith(("http://", "https://")) else None


def _widget(el: lxml.html.HtmlElement) -> bool:
    node = el
    depth = 0
    while node is not None and depth < 6 and isinstance(node.tag, str):
        attrs = f"{node.get('id') or ''} {node.get('class') or ''}"
        if attrs.strip() and _UI_WIDGET.search(attrs):
            return True
        if node.tag in ("nav", "select", "header"):
            return True
        node = node.getparent()
        depth += 1
    return False


_TRIGGER_TAGS = ("a", "button", "span", "h2", "h3", "h4", "h5", "em", "i", "strong", "b", "p", "label", "dt")


def _opened_by_sibling(el: lxml.html.HtmlElement) -> bool:
    """A hidden box right after a visible link, button or heading in the same parent (or
    inside a parent that opens on hover or click): the dropdown a visitor opens with that
    trigger (a collapsed menu, a 友情链接 list, a share widget).  A box straight under
    <body> is no dropdown, and only the trigger just before it counts: an injected block
    placed anywhere next to some text is not opened by that text."""
    parent = el.getparent()
    if parent is None or not isinstance(parent.tag, str) or parent.tag in ("body", "html"):
        return False
    if parent.get("onmouseover") or parent.get("onmouseenter") or parent.get("onclick"):
        return True
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()  # comments
    if prev is None:
        return False
    if prev.get("onclick") or prev.get("onmouseover") or prev.get("onmouseenter"):
        return True
    return prev.tag in _TRIGGER_TAGS and bool((prev.text_content() or "").strip())


def links_in(root: lxml.html.HtmlElement, base: str, in_site: Callable[[str], bool],
             detector: HiddenDetector | None = None) -> list[FoundLink]:
    out: list[FoundLink] = []
    for el in root.iter("a", "area", "iframe", "frame"):
        url = _abs(base, el.get("href") if el.tag in ("a", "area") else el.get("src"))
        if not url:
            continue
        reason = detector.reason(el) if detector is not None else None
        text = _text(el) if el.tag in ("a", "area") else (el.get("title") or "")
        if el.tag == "a" and not text:
            img = el.find(".//img")
            if img is not None:
                text = (img.get("alt") or img.get("title") or "").strip()
        ext = not in_site(url)
        out.append(FoundLink(url=url, text=text[:300], tag=el.tag, reason=reason, external=ext,
                             context=_context(el) if ext and el.tag in ("a", "area") else ""))
    return out


def fragment_links(html: str, base: str, in_site: Callable[[str], bool]) -> tuple[list[FoundLink], str]:
    """Links and the text outside them of an HTML fragment a script writes."""
    if not re.search(r"<\s*[a-z]", html or "", re.I):
        url = _abs(base, html.strip()) if re.match(r"\s*(https?:)?//", html or "") else None
        return ([FoundLink(url=url, text="", tag="a", external=not in_site(url))] if url else []), html
    try:
        frag = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return [], html
    det = HiddenDetector(frag)
    links = links_in(frag, base, in_site, det)
    for el in frag.iter("script"):
        url = _abs(base, el.get("src"))
        if url:
            links.append(FoundLink(url=url, text="", tag="script", external=not in_site(url)))
    return links, _loose_text(frag)  # anchors are judged with their links


def analyze(html: str, url: str, in_site: Callable[[str], bool], dom: Any = None) -> Analysis:
    """`dom`: the crawl's (root, HiddenDetector) of this same `html` (govcrawl.extract.page
    Page.dom), so the page is not parsed and its styles not indexed a second time."""
    if dom is not None and len(html or "") <= MAX_HTML:
        root, det = dom
    else:
        root = parse_html(html)
        det = HiddenDetector(root)
    base_el = root.find(".//base[@href]")
    base = urljoin(url, base_el.get("href")) if base_el is not None else url
    a = Analysis()
    t = root.find(".//title")
    a.title = _text(t) if t is not None else ""

    # hidden blocks: outermost invisible elements, their text and links
    for el, reason in det.hidden_roots():
        inline = bool(_HIDING_PROPS & set(parse_declarations(el.get("style") or ""))) \
            or el.tag in ("marquee", "iframe", "frame") or reason.startswith(("hidden by script", "inside a script"))
        widget = _widget(el) or _opened_by_sibling(el)
        links = links_in(el, base, in_site, None)
        if el.tag in ("iframe", "frame"):
            u = _abs(base, el.get("src"))
            if u:
                links = [FoundLink(url=u, text=el.get("title") or "", tag=el.tag, external=not in_site(u))]
        for lk in links:
            lk.reason, lk.inline, lk.widget = reason, inline, widget
        text = _text(el)[:MAX_HIDDEN_TEXT] if el.tag not in ("iframe", "frame") else ""
        if text or links:
            a.hidden.append(HiddenBlock(reason=reason, text=text, links=links, tag=el.tag,
                                        inline=inline, widget=widget,
                                        loose_text=_loose_text(el)[:MAX_HIDDEN_TEXT] if text else ""))
            a.hidden_links.extend(links)

    # links hidden by inherited properties below a visible root (colour, font-size…)
    seen = {(lk.url, lk.tag) for lk in a.hidden_links}
    for lk in links_in(root, base, in_site, det):
        a.links.append(lk)
        if lk.reason and (lk.url, lk.tag) not in seen:
            seen.add((lk.url, lk.tag))
            a.hidden_links.append(lk)

    for el in root.iter("script"):
        src = _abs(base, el.get("src"))
        if src:
            a.script_srcs.append(FoundLink(url=src, text="", tag="script", external=not in_site(src)))
            continue
        code = el.text or ""
        if len(code) < 12 or not _SCRIPT_HINT.search(code):
            continue  # nothing a script could write or hide with (most list/pager scripts)
        for w in _decoded(code):
            out = ScriptOutput(written=w)
            if w.sink in ("write", "decoded"):
                out.links, out.text = fragment_links(w.value, base, in_site)
            elif w.sink in ("redirect", "url"):
                u = _abs(base, w.value)
                if u:
                    out.links = [FoundLink(url=u, text="", tag="a" if w.sink == "redirect" else "script",
                                           external=not in_site(u))]
            elif w.sink == "title":
                out.text = w.value
            a.scripts.append(out)

    for m in root.iter("meta"):
        if (m.get("http-equiv") or "").lower() == "refresh":
            mm = re.search(r"url\s*=\s*['\"]?([^'\";]+)", m.get("content") or "", re.I)
            u = _abs(base, mm.group(1)) if mm else None
            if u:
                a.refresh.append(FoundLink(url=u, text="", tag="meta", external=not in_site(u)))
    return a


def host_in_site(page_url: str) -> Callable[[str], bool]:
    """Fallback scope when the registry is unknown: the page's own host:port (and www. twin)."""
    h = netloc_of(page_url)
    bare = h[4:] if h.startswith("www.") else h

    def in_site(u: str) -> bool:
        x = netloc_of(u)
        return x == h or x == bare or x == "www." + bare

    return in_site
