"""Page understanding: what is on one government page.

`parse_page()` turns a URL, its headers and body into a `Page`: decoded text,
title, the 《政府网站发展指引》 meta tags, breadcrumb and column, page type,
publication date and source, dated entries of a list, visible text without
nav/footer boilerplate, every link (hidden or not), and where the crawl
should look next for lists that are not plain links (TRS `createPageHTML`,
大汉 `dataproxy.jsp`, JSON endpoints, pages only a browser can build).

Testable on saved HTML: no Scrapy objects in or out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

from govcrawl.extract.article import breadcrumb, column_from_crumbs, headline, item_dates
from govcrawl.extract.dates import as_date, iter_dates
from govcrawl.extract.encoding import clean_control, decode_html
from govcrawl.extract.hidden import HiddenDetector
from govcrawl.extract.walk import walk
from govcrawl.items import Link, ListEntry

ATTACHMENT_EXT = {
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "rar", "7z", "wps", "et", "ofd",
    "csv", "txt", "tif", "tiff", "mp4", "mp3", "avi", "flv", "wmv", "apk", "exe", "gz", "tar",
    "dwg", "ceb", "xml", "jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico", "swf",
}
IMAGE_EXT = {"jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico"}
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/xml", "application/xml")

GOV_META = (
    "SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnDescription", "ColumnKeywords",
    "ColumnType", "ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description",
    "Image", "Url",
)
_GOV_META_LOWER = {k.lower(): k for k in GOV_META}

CONTENT_SELECTORS = (
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[@id='UCAP-CONTENT']",
    "//*[@id='zoom']",
    "//*[@id='Zoom']",
    "//div[contains(@class, 'article-content')]",
    "//div[contains(@class, 'article_con')]",
    "//div[@id='content']",
    "//div[contains(@class, 'content')][.//p]",
    "//article",
)
_BOILER = re.compile(r"(?:^|[\s_-])(nav|menu|footer|foot|header|head|top|topbar|copyright|bottom|"
                     r"sidebar|side|banner|breadcrumb|crumb|position|location|share|fenxiang|"
                     r"dqwz|weizhi|toolbar)(?:$|[\s_-])", re.I)
_INTERACTION = re.compile(r"信箱|留言|咨询|互动|来信|投诉|建言|问政|网上信访|12345|市长热线")
_SKIP_SCHEME = ("javascript:", "mailto:", "tel:", "data:", "about:", "#", "vbscript:")
_TRS_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_DATAPROXY = re.compile(r"""["']?([^"'\s()]*dataproxy\.jsp[^"'\s()]*)""")
_JSON_URL = re.compile(r"""["'`]((?:https?://[^"'`\s]+|(?=/)|\.\.?/)[^"'`\s<>]*?(?:\.json|/api/|/json/|getList|list\.do|/data/)[^"'`\s<>]*)["'`]""")
_SCRIPT_BUILDS = re.compile(r"innerHTML|appendChild|insertAdjacentHTML|document\.write|\.append\(|\.html\(")
_TOTAL_PAGES = re.compile(r"共\s*(\d+)\s*页")
_LETTER_SUBMIT = re.compile(r"(?:来信|留言|提交|咨询|投诉|提问|写信)(?:时间|日期)")
_LETTER_REPLY = re.compile(r"(?:回复|答复|办理|处理|回信|反馈)(?:时间|日期)")
_SOURCE = re.compile(r"(?:来源|信息来源|稿源|发布机构|发布单位)\s*[:：]\s*([^\s|丨　]{2,30})")


@dataclass
class Page:
    url: str
    encoding: str | None = None
    is_html: bool = True
    title: str = ""  # the item's headline on item pages, the <title> elsewhere
    doc_title: str = ""  # the <title> as written (wording and hacked-page checks judge it)
    title_source: str = "title"  # ArticleTitle | h1 | h2 | title
    meta: dict[str, str] = field(default_factory=dict)
    breadcrumb: list[str] = field(default_factory=list)
    column: str | None = None
    page_type: str = "other"
    pub_date: str | None = None  # ISO date
    pub_time: str | None = None
    pub_date_source: str | None = None  # label (a 发布时间-type label) | headline | None
    pub_date_label: str | None = None  # the label as printed
    other_dates: dict[str, str] = field(default_factory=dict)  # 成文日期, 开始时间… → ISO date
    source: str | None = None
    text: str = ""
    full_text: str = ""
    attr_texts: list[str] = field(default_factory=list)
    entries: list[ListEntry] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    html: str = ""
    pagination: list[str] = field(default_factory=list)  # further pages of this list
    endpoints: list[str] = field(default_factory=list)  # script data sources (dataproxy, JSON)
    needs_browser: bool = False
    letter: dict[str, str | None] = field(default_factory=dict)  # interaction detail: submitted/replied
    # the parsed document and its hidden-element detector, for later readers of the same
    # HTML in this process (the hacked-page analysis); never stored
    dom: Any = field(default=None, repr=False, compare=False)


_CLOSE_TAIL = re.compile(r"</(?:body|html)\s*>", re.I)


def _unclose_trailing(html: str) -> str:
    """Markup after `</html>` (spam appended by attackers, seed 000) would be dropped by the
    parser: when something follows the closing tags, drop them so it stays in the body."""
    last = None
    for m in _CLOSE_TAIL.finditer(html):
        last = m
    if last is None or not html[last.end():].strip():
        return html
    return _CLOSE_TAIL.sub("", html)


MAX_DEPTH = 200  # element nesting kept by the parser (libxml2 stops at 256, browsers at 512)
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr", "keygen", "basefont", "frame", "isindex"})
_TAG = re.compile(r"<!--.*?-->|<(/?)([A-Za-z][\w:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_RAW_TEXT = re.compile(r"</(script|style|textarea|title|xmp)\s*>", re.I)


def flatten_deep(html: str, cap: int = MAX_DEPTH) -> str:
    """`html` with the elements nested deeper than `cap` made siblings at that depth.

    libxml2 drops everything below 256 nested elements ("Excessive depth in document"), so
    text an attacker nests deeper would be invisible to every check while a browser shows
    it (Chromium attaches elements past its depth limit as siblings).  Doing the same keeps
    that text and its links, in order."""
    out: list[str] = []
    depth = 0
    pos = 0
    n = len(html)
    deep_open: str | None = None  # the one element kept open past the cap
    while pos < n:
        m = _TAG.search(html, pos)
        if m is None:
            out.append(html[pos:])
            break
        out.append(html[pos:m.start()])
        pos = m.end()
        tag = (m.group(2) or "").lower()
        if not tag:  # a comment
            out.append(m.group(0))
            continue
        closing = m.group(1) == "/"
        if tag in _VOID or (m.group(3) or "").rstrip().endswith("/"):
            out.append(m.group(0))
            continue
        if closing:
            if depth > cap:
                if deep_open == tag:
                    out.append(m.group(0))
                    deep_open = None
            else:
                if deep_open is not None:
                    out.append(f"</{deep_open}>")
                    deep_open = None
                out.append(m.group(0))
            depth = max(0, depth - 1)
            continue
        depth += 1
        if depth > cap:
            # past the cap an element becomes a sibling of the previous deep one, as in a
            # browser: it keeps its own attributes (a link stays a link, a hiding style hides)
            if deep_open is not None:
                out.append(f"</{deep_open}>")
            deep_open = tag
        out.append(m.group(0))
        if tag in ("script", "style", "textarea", "title", "xmp"):
            end = _RAW_TEXT.search(html, pos)
            stop = end.start() if end else n
            out.append(html[pos:stop])
            pos = stop
    return "".join(out)


def _parse(html: str | bytes) -> tuple[Any, bool]:
    """(document, too deep?) — the parser says when it hit its depth limit."""
    parser = lxml.html.HTMLParser(collect_ids=False)
    root = lxml.html.document_fromstring(html, parser=parser)
    deep = any("Excessive depth" in (e.message or "") for e in parser.error_log)
    return root, deep


def parse_dom(html: str) -> Any:
    """The lxml document of `html`, keeping markup that follows `</html>` and text nested
    deeper than the parser's limit; never raises."""
    html = _unclose_trailing(html)
    if not html.strip():
        return lxml.html.fromstring("<html></html>")
    try:
        try:
            root, deep = _parse(html)
        except ValueError:  # a str with an XML encoding declaration
            root, deep = _parse(html.encode("utf-8", "surrogatepass"))
        if deep:
            root, _ = _parse(flatten_deep(html))
        return root
    except (lxml.etree.ParserError, ValueError):
        try:
            return lxml.html.fromstring(html.encode("utf-8", "replace"))
        except Exception:
            return lxml.html.fromstring("<html></html>")


def is_html_type(content_type: str) -> bool:
    ct = (content_type or "").split(";")[0].strip().lower()
    return ct == "" or ct in HTML_TYPES


def url_ext(url: str) -> str:
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


def join_url(base: str, href: str) -> str:
    """urljoin, with the join of a root-relative link ("/col/index.html": most links of a
    site's template) remembered per site rather than per page."""
    if href.startswith("/") and not href.startswith("//"):
        start = base.find("//")
        end = base.find("/", start + 2) if start >= 0 else -1
        if end > 0:
            return _join_rooted(base[:end + 1], href)
    return urljoin(base, href)


@lru_cache(maxsize=65536)
def _join_rooted(origin: str, href: str) -> str:
    return urljoin(origin, href)


def canonical_url(url: str) -> str:
    """Drop fragments, session ids and default ports; keep everything else as-is."""
    # a template's links recur on every page of a site: remember them (not huge data: URLs)
    return _canonical_cached(url) if len(url) <= 2048 else _canonical(url)


@lru_cache(maxsize=65536)
def _canonical_cached(url: str) -> str:
    return _canonical(url)


def _canonical(url: str) -> str:
    url, _ = urldefrag(url)
    p = urlsplit(url)
    path = re.sub(r";(?:jsessionid|sessionid|sid|phpsessid)=[^/?#]*", "", p.path, flags=re.I)
    q = [(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True)
         if k.lower() not in {"jsessionid", "phpsessid", "sessionid", "sid", "aspsessionid", "_"}]
    netloc = p.netloc.lower()
    if (p.scheme == "http" and netloc.endswith(":80")) or (p.scheme == "https" and netloc.endswith(":443")):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((p.scheme.lower(), netloc, path or "/", urlencode(q) if q else "", ""))


def _text(el: Any) -> str:
    return re.sub(r"\s+", " ", el.text_content() if hasattr(el, "text_content") else str(el)).strip()


def _is_boiler(el: Any) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in ("nav", "header", "footer", "aside"):
        return True
    attrs = f"{el.get('id') or ''} {el.get('class') or ''}"
    return bool(attrs.strip()) and bool(_BOILER.search(attrs))


_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
          "section", "article", "dd", "dt", "dl", "td", "th", "title", "header", "footer", "form"}


_MOBILE = re.compile(r"(?:^|[\s_-])(?:m|wap|mobile|phone|sj|shouji|h5|mob|touch|xs|visible-xs|"
                     r"show-xs|hidden-(?:md|lg|sm)|d-md-none|d-lg-none|lg-hide|md-hide|pc-hide|"
                     r"hide-pc|hidden-pc)(?:$|[\s_-])", re.I)
_DESKTOP = re.compile(r"(?:^|[\s_-])(?:pc|web|desktop|hidden-xs|visible-(?:md|lg)|"
                      r"m-hide|mobile-hide|hide-m|hidden-m)(?:$|[\s_-])", re.I)
_SKIP_TEXT = ("script", "style", "noscript", "template", "head", "select", "option")
MIN_DUP_LINE = 6  # a line this long seen twice is one block printed twice (desktop + mobile)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def variant_of(el: Any) -> str | None:
    """'mobile' / 'desktop' when the element is one of a template's two copies of a block
    (the other shown by a media query in a stylesheet we do not read)."""
    attrs = f"{el.get('id') or ''} {el.get('class') or ''}"
    if not attrs.strip():
        return None
    if _MOBILE.search(attrs):
        return "mobile"
    if _DESKTOP.search(attrs):
        return "desktop"
    return None


def visible_text(root: Any, detector: HiddenDetector, skip_boiler: bool) -> str:
    """Text a reader sees, block elements, table cells, list items and <br> on their own
    lines (convention: "\n" is a hard boundary for the wording checks); hidden elements
    left out, except a template's mobile or desktop copy of a block, which one of the two
    screens shows; a block printed twice (desktop + mobile) is read once.

    Iterative, so no nesting depth hides text."""
    body = root.find(".//body")
    start = body if body is not None else root

    def keep(el: Any) -> bool:
        if el.tag in _SKIP_TEXT:
            return False
        hidden = detector.own_reason(el)
        if hidden and variant_of(el) is not None and not hidden.startswith(("hidden attribute", "inside a script")):
            hidden = None  # a screen-size copy: the other screen shows it
        return not (hidden or (skip_boiler and _is_boiler(el)))

    out: list[str] = []
    for kind, x in walk(start, keep):
        if kind == "text":
            out.append(x)
        elif x.tag in _BLOCK:
            out.append("\n")
    text = "".join(out)
    text = re.sub(r"[ \t\r\f\v\u3000\xa0]+", " ", text)
    text = re.sub(r" *\n[\n ]*", "\n", text)
    return _once(text.strip())


def _with_other_copy(text: str, content: Any, root: Any, detector: HiddenDetector,
                     skip: tuple[str, ...] = ()) -> str:
    """The main text plus what only the template's other copy of it says: a mobile (or
    desktop) block that repeats lines of the main content is the same item printed for the
    other screen, and a line it alone carries (an edit made in one copy) is part of the
    item a visitor of that screen reads."""
    lines = {ln.strip() for ln in text.split("\n") if len(ln.strip()) >= MIN_DUP_LINE}
    if not lines:
        return text
    inside = set(content.iterancestors()) | {content}
    extra: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el in inside or variant_of(el) is None:
            continue
        if any(variant_of(a) is not None for a in el.iterancestors()):
            continue  # the outermost copy only
        if any(d is content for d in el.iterdescendants()):
            continue
        other = [ln.strip() for ln in visible_text(el, detector, skip_boiler=True).split("\n") if ln.strip()]
        if not any(ln in lines for ln in other):
            continue  # not a copy of the main content (a mobile menu, a mobile footer)
        extra += [ln for ln in other if ln not in lines and len(ln) >= MIN_DUP_LINE and ln not in extra
                  and ln not in skip and len(_CJK.findall(ln)) >= 2]  # the headline is judged as the title
    return text + "\n" + "\n".join(extra) if extra else text


def _once(text: str) -> str:
    """Lines printed twice (a block's desktop and mobile copies) kept once."""
    seen: set[str] = set()
    keep: list[str] = []
    dropped = False
    for line in text.split("\n"):
        key = line.strip()
        if len(key) >= MIN_DUP_LINE and len(_CJK.findall(key)) >= 4:  # prose, not a date or a figure
            if key in seen:
                dropped = True
                continue
            seen.add(key)
        keep.append(line)
    return "\n".join(keep) if dropped else text


def _meta(root: Any) -> dict[str, str]:
    meta: dict[str, str] = {}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip()
        content = m.get("content")
        if not name or content is None:
            continue
        key = _GOV_META_LOWER.get(name.lower(), name.lower() if name.lower() in ("keywords", "description") else name)
        meta.setdefault(key, content.strip())
    return meta


def _link_kind(tag: str, url: str) -> str:
    ext = url_ext(url)
    if tag == "img" or ext in IMAGE_EXT:
        return "img"
    if tag in ("iframe", "frame"):
        return "iframe"
    if tag == "script":
        return "script"
    if tag == "link":
        return "css"
    if ext in ATTACHMENT_EXT:
        return "attachment"
    return "a"


def _links(root: Any, base: str, detector: HiddenDetector,
           in_site: Callable[[str], bool]) -> tuple[list[Link], list[str]]:
    seen: set[tuple[str, str]] = set()
    links: list[Link] = []
    attrs: list[str] = []
    for el in root.iter("a", "area", "img", "iframe", "frame", "script", "link", "embed", "source"):
        tag = el.tag
        if tag in ("a", "area", "link"):
            raw = el.get("href")
        else:
            raw = el.get("src")
        if tag == "link" and "stylesheet" not in (el.get("rel") or "").lower():
            continue
        for a in ("alt", "title"):
            v = el.get(a)
            if v and v.strip():
                attrs.append(v.strip())
        if not raw:
            continue
        raw = raw.strip()
        if not raw or raw.lower().startswith(_SKIP_SCHEME):
            continue
        try:
            url = canonical_url(join_url(base, raw))
        except ValueError:
            continue
        if not url.startswith(("http://", "https://")):
            continue
        kind = _link_kind(tag, url)
        text = _text(el) if tag in ("a", "area") else (el.get("alt") or el.get("title") or "").strip()
        if tag == "a" and not text:
            img = el.find(".//img")
            if img is not None:
                text = (img.get("alt") or img.get("title") or "").strip()
        key = (url, kind)
        hidden_reason = detector.reason(el)
        if key in seen:
            if not hidden_reason:  # a visible copy of the same link wins
                for lk in links:
                    if (lk.url, lk.kind) == key and lk.hidden:
                        lk.hidden, lk.hidden_reason = False, None
            continue
        seen.add(key)
        links.append(Link(url=url, text=text[:300], kind=kind, hidden=bool(hidden_reason),
                          hidden_reason=hidden_reason, external=not in_site(url)))
    return links, attrs


def _row_entry(row: Any, base: str, ref: date | None, headers: list[str] | None) -> ListEntry | None:
    anchors = [a for a in row.iter("a") if a.get("href") and not a.get("href", "").strip().lower().startswith(_SKIP_SCHEME)]
    if not anchors:
        return None
    texts = [_text(x) for x in anchors]
    best = max(range(len(anchors)), key=lambda i: len(texts[i]))
    a, a_text = anchors[best], texts[best]
    title = (a.get("title") or a_text).strip()
    if not title:
        return None
    try:
        url = canonical_url(join_url(base, a.get("href").strip()))
    except ValueError:
        url = None
    row_text = _text(row)
    # dates outside the title text (a title may contain a year)
    probe = row_text.replace(a_text, " ", 1) if a_text else row_text
    dates = list(iter_dates(probe, ref, short=True))
    extra: dict[str, Any] = {}
    if headers and row.tag == "tr":
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
        for h, c in zip(headers, cells):
            ds = list(iter_dates(_text(c), ref, short=True))
            if _LETTER_SUBMIT.search(h) and ds:
                extra["submitted"] = ds[0][0].isoformat()
            elif _LETTER_REPLY.search(h) and ds:
                extra["replied"] = ds[0][0].isoformat()
            elif re.search(r"状态", h):
                extra["status"] = _text(c)
    else:
        for lbl, key in ((_LETTER_SUBMIT, "submitted"), (_LETTER_REPLY, "replied")):
            m = lbl.search(probe)
            if m:
                ds = list(iter_dates(probe[m.end(): m.end() + 40], ref, short=True))
                if ds:
                    extra[key] = ds[0][0].isoformat()
        st = re.search(r"(已回复|未回复|已办结|办理中|待回复|已答复|未答复)", probe)
        if st:
            extra["status"] = st.group(1)
    date_iso = None
    if "submitted" in extra:
        date_iso = extra["submitted"]
    elif dates:
        date_iso = dates[0][0].isoformat()
    return ListEntry(title=title[:300], url=url, date=date_iso, extra=extra)


def _entries(root: Any, base: str, ref: date | None, detector: HiddenDetector,
             homepage: bool) -> list[ListEntry]:
    """Dated rows (li / tr / dd / p) with a link.  On a list page the biggest group
    of sibling rows is the list; on a homepage every dated row counts."""
    groups: dict[Any, list[Any]] = {}
    for row in root.iter("li", "tr", "dd", "p"):
        if detector.reason(row):
            continue
        if row.find(".//a") is None:
            continue
        groups.setdefault(row.getparent(), []).append(row)
    if not groups:
        return []
    results: list[tuple[Any, list[ListEntry], int]] = []
    for parent, rows in groups.items():
        if _is_boiler(parent) or any(_is_boiler(anc) for anc in parent.iterancestors()):
            # navigation, menus, footers: never the list (nor a homepage's dated rows), so
            # their rows are not read at all (a CMS menu has a hundred of them on every page)
            results.append((parent, [], -1))
            continue
        headers = None
        if rows and rows[0].tag == "tr":
            table = parent if parent.tag == "table" else parent.getparent()
            th = table.find(".//tr") if table is not None else None
            if th is not None:
                cells = [c for c in th if isinstance(c.tag, str) and c.tag in ("th", "td")]
                if cells and not any(c.find(".//a") is not None for c in cells):
                    headers = [_text(c) for c in cells]
        ents = [e for e in (_row_entry(r, base, ref, headers) for r in rows) if e is not None]
        results.append((parent, ents, sum(1 for e in ents if e.date)))
    if homepage:
        out: list[ListEntry] = []
        for _p, ents, dated in results:
            if dated > 0:
                out.extend(e for e in ents if e.date)
        return out
    best = max(results, key=lambda r: (r[2], len(r[1])))
    if best[2] <= 0:
        # no dated group: the biggest non-boilerplate group of links is the list (undated items)
        cands = [r for r in results if r[2] == 0 and len(r[1]) >= 3]
        if not cands:
            return []
        best = max(cands, key=lambda r: len(r[1]))
    return best[1]


def trs_pages(html: str, url: str) -> list[str]:
    """All pages of a TRS list from its `createPageHTML(total, current, prefix, ext)` call."""
    out: list[str] = []
    for m in _TRS_PAGE.finditer(html):
        args = [a.strip().strip("'\"") for a in m.group(1).split(",")]
        nums = [i for i, a in enumerate(args) if re.fullmatch(r"\d+", a)]
        if len(nums) < 2:
            continue
        total = int(args[nums[0]])
        strs = [a for a in args[nums[1] + 1:] if a and not re.fullmatch(r"\d+", a)]
        prefix, ext = (strs + ["index", "html"])[:2] if len(strs) >= 2 else ("index", "html")
        total = min(total, 2000)
        for n in range(total):
            name = f"{prefix}.{ext}" if n == 0 else f"{prefix}_{n}.{ext}"
            out.append(canonical_url(urljoin(url, name)))
    return out


def script_endpoints(html: str, url: str, scripts: Iterable[str]) -> list[str]:
    found: list[str] = []
    for s in scripts:
        for m in _DATAPROXY.finditer(s):
            found.append(canonical_url(urljoin(url, m.group(1))))
        for m in _JSON_URL.finditer(s):
            cand = m.group(1)
            if "${" in cand or "+" in cand:
                continue
            found.append(canonical_url(urljoin(url, cand)))
    out: list[str] = []
    for f in found:
        if f not in out:
            out.append(f)
    return out


def parse_page(url: str, body: bytes, *, content_type: str = "", site_home: str | None = None,
               in_site: Callable[[str], bool] = lambda u: True, as_of: date | None = None,
               headers_charset_ok: bool = True) -> Page:
    """Understand one fetched page.  Never raises on odd input."""
    page = Page(url=url)
    if not is_html_type(content_type) or url_ext(url) in ATTACHMENT_EXT - {"xml"}:
        if not (url_ext(url) in ("", "html", "htm", "shtml", "jsp", "php", "asp", "aspx", "do")
                and is_html_type(content_type)):
            page.is_html = False
            page.page_type = "attachment"
            return page
    html, enc = decode_html(body, content_type)
    page.encoding = enc
    html = clean_control(html)
    page.html = html
    root = parse_dom(html)
    base_el = root.find(".//base[@href]")
    base = urljoin(url, base_el.get("href")) if base_el is not None else url
    detector = HiddenDetector(root)
    page.dom = (root, detector)
    title_el = root.find(".//title")
    page.doc_title = page.title = _text(title_el) if title_el is not None else ""
    page.meta = _meta(root)
    page.breadcrumb = breadcrumb(root, detector)
    ref = as_of

    page.links, page.attr_texts = _links(root, base, detector, in_site)
    scripts = [s.text or "" for s in root.iter("script")]
    page.full_text = visible_text(root, detector, skip_boiler=False)

    # main content
    content = None
    for xp in CONTENT_SELECTORS:
        try:
            hits = root.xpath(xp)
        except lxml.etree.XPathError:
            continue
        if hits:
            content = max(hits, key=lambda e: len(e.text_content()))
            if len(content.text_content().strip()) >= 20:
                break
            content = None

    is_home = False
    if site_home:
        h, u = canonical_url(site_home), canonical_url(url)
        is_home = (u == h or u.rstrip("/") == h.rstrip("/")
                   or re.sub(r"/(index|default)\.(s?html?|jsp|php|aspx?)$", "/", u) == h)

    page.entries = _entries(root, base, ref, detector, homepage=is_home)
    page.pagination = trs_pages(html, url)
    page.endpoints = script_endpoints(html, url, scripts)

    # page type
    crumb_txt = " ".join(page.breadcrumb)
    interaction = bool(_INTERACTION.search(crumb_txt) or _INTERACTION.search(page.meta.get("ColumnName", ""))
                       or (_INTERACTION.search(page.title) and not page.meta.get("ArticleTitle")
                           and len(page.title) < 40))
    dated_entries = sum(1 for e in page.entries if e.date)
    # an item page: a headline (ArticleTitle, the <h1> the <title> names, or the <title>
    # minus the site's name) with its own date line under it, whatever the sidebars list
    head, head_src = headline(root, page.meta, page.doc_title, detector)
    item_like = False
    if not is_home and head and len(head) >= 6:
        probe = item_dates(page.full_text, head, ref)
        listed = {e.date for e in page.entries if e.date}
        item_like = probe.pub_date is not None and (
            head_src != "title" or (probe.source == "label" and dated_entries < 3)) and (
            dated_entries < 3 or probe.pub_date.isoformat() not in listed)  # not a list's first row
    if is_home:
        page.page_type = "homepage"
    elif page.meta.get("ArticleTitle") or item_like or (content is not None and dated_entries < 3
                                                        and not page.pagination):
        page.page_type = "article"
    elif dated_entries >= 2 or page.pagination or page.meta.get("ColumnName") or len(page.entries) >= 5 \
            or page.endpoints:
        page.page_type = "list"
    else:
        page.page_type = "other"
    # a page of its own (an article, a letter, a 领导介绍 page), not a list of items
    is_item = page.page_type in ("article", "other")
    if interaction and page.page_type in ("list", "article", "other"):
        page.page_type = "interaction"

    # the item's headline: ArticleTitle, the <h1> the <title> names, or the <title> minus
    # the site's name (a generic <title> is the site's name alone)
    if page.page_type in ("article", "interaction", "other") and head:
        page.title, page.title_source = head, head_src

    # column: the visible breadcrumb names it; the ColumnName tag only when there is no
    # breadcrumb (a disagreement is the tag's fault: tag.invalid, not a new column).  On a
    # page of its own the crumb's last part may name the page itself; on a list page (an
    # interaction column's list too) the part equal to its headline is the column
    crumb_col = column_from_crumbs(page.breadcrumb, head if is_item else "")
    page.column = crumb_col or page.meta.get("ColumnName") or None

    # visible text without boilerplate
    if content is not None and page.page_type in ("article", "interaction"):
        page.text = visible_text(content, detector, skip_boiler=False)
        page.text = _with_other_copy(page.text, content, root, detector, (page.title, page.doc_title))
    else:
        page.text = visible_text(root, detector, skip_boiler=True)

    # publication date and source: the item's own labelled date next to its headline,
    # never a sidebar's, a header clock's or an event's (govcrawl.extract.article)
    if page.page_type in ("article", "interaction"):
        body_start = None
        if content is not None:
            ctext = visible_text(content, detector, skip_boiler=False)
            idx = page.full_text.find(ctext[:30]) if ctext else -1
            body_start = idx if idx > 0 else None
        dates = item_dates(page.full_text, head, ref, body_start)
        if dates.pub_date is None and head_src == "title":
            dates = item_dates(page.full_text, page.meta.get("ArticleTitle") or "", ref, body_start)
        if dates.pub_date is not None:
            page.pub_date, page.pub_time = dates.pub_date.isoformat(), dates.pub_time
            page.pub_date_source, page.pub_date_label = dates.source, dates.label
        page.other_dates = dates.others
        head_text = page.full_text[:body_start] if body_start else page.full_text
        m = _SOURCE.search(head_text) or _SOURCE.search(page.full_text[:2000])
        if m:
            page.source = m.group(1)
        if page.page_type == "interaction":
            letter: dict[str, str | None] = {}
            for lbl, key in ((_LETTER_SUBMIT, "submitted"), (_LETTER_REPLY, "replied")):
                mm = lbl.search(page.full_text)
                if mm:
                    ds = list(iter_dates(page.full_text[mm.end(): mm.end() + 40], ref, short=False))
                    letter[key] = ds[0][0].isoformat() if ds else None
            page.letter = letter

    # a list page whose list is built by script and no data source was found
    if page.page_type in ("list", "interaction", "other") and not page.entries and not page.endpoints \
            and not page.pagination and any(_SCRIPT_BUILDS.search(s) for s in scripts):
        container_empty = any((not (el.text_content() or "").strip()) and el.get("id")
                              for el in root.iter("ul", "div", "table", "tbody"))
        if container_empty:
            page.needs_browser = True
    return page


def entries_from_dataproxy(xml_text: str, url: str, as_of: date | None) -> tuple[list[ListEntry], int | None]:
    """大汉 dataproxy.jsp answer: <recordset><record><![CDATA[<li>…</li>]]></record>…"""
    records = re.findall(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", xml_text, flags=re.S)
    total = None
    m = re.search(r"<totalrecord>\s*(\d+)\s*</totalrecord>", xml_text)
    if m:
        total = int(m.group(1))
    entries: list[ListEntry] = []
    for rec in records:
        try:
            frag = lxml.html.fragment_fromstring(rec, create_parent="div")
        except (lxml.etree.ParserError, ValueError):
            continue
        e = _row_entry(frag, url, as_of, None)
        if e is not None:
            entries.append(e)
    return entries, total


_TITLE_KEYS = ("title", "name", "subject", "docTitle", "doctitle", "biaoti", "articleTitle")
_URL_KEYS = ("url", "link", "href", "docUrl", "docurl", "path", "linkUrl", "pageUrl")
_DATE_KEYS = ("date", "pubDate", "pubdate", "publishDate", "publishTime", "time", "docRelTime",
              "createTime", "releaseTime", "fbsj", "pubtime", "created")


def _find_item_list(obj: Any, depth: int = 0) -> list[dict] | None:
    if depth > 5:
        return None
    if isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        if any(any(k in x for k in _TITLE_KEYS) for x in obj):
            return obj
    if isinstance(obj, dict):
        for v in obj.values():
            found = _find_item_list(v, depth + 1)
            if found is not None:
                return found
    return None


def entries_from_json(text: str, url: str, as_of: date | None) -> tuple[list[ListEntry], dict[str, Any]]:
    """A JSON list endpoint: find the list of objects with a title, read title/url/date;
    also report paging facts (total, page size, page number) when present."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError):
        return [], {}
    items = _find_item_list(data) or []
    entries: list[ListEntry] = []
    for it in items:
        title = next((str(it[k]) for k in _TITLE_KEYS if it.get(k)), "")
        link = next((str(it[k]) for k in _URL_KEYS if it.get(k)), None)
        raw_date = next((str(it[k]) for k in _DATE_KEYS if it.get(k)), None)
        d = None
        if raw_date:
            if re.fullmatch(r"\d{12,13}", raw_date):  # epoch millis
                from datetime import datetime, timezone

                d = datetime.fromtimestamp(int(raw_date) / 1000, tz=timezone.utc).date().isoformat()
            else:
                dd = as_date(raw_date)
                d = dd.isoformat() if dd else None
        entries.append(ListEntry(title=title[:300], url=canonical_url(urljoin(url, link)) if link else None,
                                 date=d))
    paging: dict[str, Any] = {}
    if isinstance(data, dict):
        for k in ("total", "totalCount", "totalRecord", "count", "totalElements"):
            if isinstance(data.get(k), int):
                paging["total"] = data[k]
        for k in ("totalPages", "pageCount", "pages"):
            if isinstance(data.get(k), int):
                paging["pages"] = data[k]
        for k in ("pageSize", "size", "perPage", "rows"):
            if isinstance(data.get(k), int):
                paging["size"] = data[k]
    return entries, paging
