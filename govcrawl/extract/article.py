"""What one item page says about itself: its headline, its own publication date and the
column its visible breadcrumb names.

Real templates (TRS, 大汉, 开普云 and others) surround the item with chrome that carries dates
and names of its own: a header clock (今天是 2024年6月3日), sidebar lists of other items with
their dates, event fields (开始时间, 报名截止时间), the document's 成文日期 or the page's
生成日期, a header crumb (网站首页 > 详情页), a generic `<title>` (the site's name).  So:

- headline: the `ArticleTitle` tag, else the page's `<h1>` (the one the `<title>` names, not
  the logo), else the `<title>` minus the site's name;
- publication date: the labelled date (发布时间 / 发布日期 / 日期 / 时间：…) next to the
  headline, else an unlabelled full date on the lines just below it; never a date of the
  sidebars, lists, header clocks or event fields.  `source` says which ("label",
  "headline", "guess"): only a labelled date is evidence enough for a veto;
- other labelled dates (成文日期, 生成日期, 开始时间, 截止时间…) are kept as their own fields;
- breadcrumb: the visible 当前位置 / crumb element, read part by part; a crumb made of
  generic words only (网站首页 > 详情页) is the header's, not the item's.

Pure functions over an lxml tree and the page's visible text; no Scrapy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from govcrawl.extract.dates import iter_dates
from govcrawl.extract.walk import walk

# -- breadcrumb ----------------------------------------------------------------------------------
# the label in front of a breadcrumb, in its many wordings: 当前位置, 您的位置, 您现在的位置,
# 您现在所在的位置, 您当前所在位置, 您的当前位置, 所在位置, 当前栏目, 位置：, Current location:
_WHEN = r"(?:现在|当前|目前)"
_WHERE = r"(?:所在|所处)"
BREAD_HINT = re.compile(
    rf"(?:(?:您|你)的?{_WHEN}?{_WHERE}?|{_WHEN}{_WHERE}?|{_WHERE})的?(?:当前)?(?:位置|页面|栏目|路径)"
    r"(?:是(?=\s*[:：]))?"
    r"|(?<![\u4e00-\u9fff])位置(?=\s*[:：])"
    r"|(?i:current\s+(?:location|position)|you\s+are\s+here)(?=\s*[:：])")
_BREAD_CLASS = re.compile(r"bread|crumb|position|location|dqwz|weizhi|curpos|current|daohang|"
                          r"navigation|path|mbx|lujing", re.I)
_BREAD_SPLIT = re.compile(r"\s*(?:>>|»|＞|>|→|›|/|\\|－|—|－|\|)\s*")
GENERIC_CRUMBS = frozenset({
    "首页", "网站首页", "主页", "返回首页", "正文", "详情", "详情页", "内容", "正文内容", "详细信息",
    "信息详情", "文章详情", "新闻详情", "内容详情", "浏览", "文章", "阅读", "查看", "详细内容", "详细",
    "本站首页", "当前页",
})
_CRUMB_NOISE = re.compile(r"^(?:返回|打印|关闭|关闭窗口|打印本页|收藏|分享|【.*】|\[.*\]|[:：·•\s|]+|"
                          r"(?:您|你)?(?:现在|当前|目前|所在|所处|的)+)$")  # a label's leftovers
_SKIP_TAGS = ("script", "style", "noscript", "template", "select", "option", "head", "title")


def crumb_parts(el: Any) -> list[str]:
    """The parts of a breadcrumb element, in order: each link and each text piece between
    the separators (an element boundary separates as well as a '>')."""
    pieces = [x for kind, x in walk(el, lambda n: n.tag not in _SKIP_TAGS) if kind == "text"]
    parts: list[str] = []
    for piece in pieces:
        piece = BREAD_HINT.sub("", piece)
        for p in _BREAD_SPLIT.split(piece):
            p = re.sub(r"[\s\u3000\xa0]+", " ", p).strip(" :：·•")
            if p and not _CRUMB_NOISE.match(p):
                parts.append(p)
    return parts


_CHAIN_SEP = re.compile(r"^[\s\xa0\u3000]*(?:>>|»|＞|>|→|›)[\s\xa0\u3000]*$")


def _chain_of_links(el: Any) -> bool:
    """Two or more links side by side with only '>' between them: a breadcrumb."""
    kids = [c for c in el if isinstance(c.tag, str)]
    if len(kids) < 2 or any(c.tag != "a" for c in kids) or (el.text or "").strip():
        return False
    return all(_CHAIN_SEP.match(c.tail or "") for c in kids[:-1])


def is_generic_crumb(parts: list[str]) -> bool:
    return all(p in GENERIC_CRUMBS for p in parts)


def breadcrumb(root: Any, hidden: Any = None) -> list[str]:
    """The page's visible breadcrumb: an element labelled 当前位置 (…) first, else one whose
    class says crumb/position/location; hidden ones and header crumbs made of generic words
    only are skipped."""
    labelled: list[Any] = []
    classed: list[Any] = []
    chained: list[Any] = []  # links joined by '>' and nothing else (TRS CurrChnlCls)
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP_TAGS or tag in ("html", "body"):
            continue
        own = el.text or ""
        if BREAD_HINT.search(own):
            box = el
            # the label sits in a span of its own: the crumb is its parent
            for _ in range(2):
                rest = BREAD_HINT.sub("", box.text_content() or "").strip(" :：\n\t\r\xa0\u3000")
                parent = box.getparent()
                if len(rest) >= 2 or parent is None or parent.tag in ("body", "html"):
                    break
                box = parent
            labelled.append(box)
        else:
            attrs = f"{el.get('id') or ''} {el.get('class') or ''}"
            if attrs.strip() and _BREAD_CLASS.search(attrs) and el.find(".//a") is not None:
                classed.append(el)
            elif _chain_of_links(el):
                chained.append(el)
    for group in (labelled, classed, chained):
        for el in group:
            if hidden is not None and hidden.reason(el):
                continue
            t = el.text_content() or ""
            if len(t.strip()) > 300:
                continue  # a whole region, not a crumb
            parts = crumb_parts(el)
            if parts and not is_generic_crumb(parts) and len(parts) <= 12:
                return parts
    return []


_HOME_PART = re.compile(r"网$|网站|首页|主页|门户|政府$|站$")


def column_from_crumbs(parts: list[str], headline: str = "") -> str | None:
    """The last part of the crumb that names a column: not a generic word, not the item,
    not the first part when that is the site itself (新华网 > 正文)."""
    if len(parts) >= 2 and _HOME_PART.search(parts[0]):
        parts = parts[1:]
    for p in reversed(parts):
        if p in GENERIC_CRUMBS:
            continue
        if headline and (p == headline or (len(p) >= 8 and (headline.startswith(p.rstrip(".…")) or p in headline))):
            continue
        return p
    return None


# -- headline ------------------------------------------------------------------------------------
_TITLE_SPLIT = re.compile(r"\s*(?:[-_|–—]+|\s{2,}|::|：：)\s*")
_SITE_WORDS = re.compile(r"人民政府|政府网|门户网站|网站|政务网|委员会|管理局|办公室|^www\.|\.gov\.cn|"
                         r"首页|欢迎您|学院|大学|博物馆|档案馆|新华网|光明网|人民网|新闻网", re.I)


def _clean(s: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", " ", s or "").strip()


def _norm(s: str) -> str:
    return re.sub(r"[\s\u3000\xa0\"'“”‘’《》「」()（）:：,，.。!！?？·]", "", s or "")


def title_minus_site(title: str, site_names: list[str]) -> str:
    """`<title>` without the site's name: 'X - 某某市人民政府' → 'X'."""
    title = _clean(title)
    parts = [p for p in _TITLE_SPLIT.split(title) if p.strip()]
    if len(parts) <= 1:
        return title
    names = [_norm(n) for n in site_names if n]
    cands = [p for p in parts if not any(n and (_norm(p) == n or _norm(p) in n or n in _norm(p)) for n in names)]
    rest = [p for p in cands if not (_SITE_WORDS.search(p) and len(p) <= 16)]
    if not rest:
        return cands[0] if cands else parts[0]
    # 'item_column_site' or 'site-column-item': the item is the longest part that does not
    # name the site; on a tie, the part farthest from the site's name
    if parts[0] not in rest and parts[-1] in rest:
        rest = rest[::-1]
    return max(rest, key=len)


def headline(root: Any, meta: dict[str, str], doc_title: str, hidden: Any = None) -> tuple[str, str]:
    """(headline, source) with source 'ArticleTitle', 'h1' or 'title'."""
    site = _clean(meta.get("SiteName", ""))
    at = _clean(meta.get("ArticleTitle", ""))
    if at and _norm(at) != _norm(site):
        return at, "ArticleTitle"
    nt = _norm(doc_title)
    best = None
    for h in root.iter("h1", "h2"):
        if hidden is not None and hidden.reason(h):
            continue
        t = _clean(h.text_content())
        if not (4 <= len(t) <= 200) or (site and _norm(t) == _norm(site)):
            continue
        if h.find(".//img") is not None and len(t) < 12:
            continue  # the logo
        if nt and _norm(t) and (_norm(t) in nt or nt.startswith(_norm(t)[:12])):
            return t, h.tag
        if best is None and (h.tag == "h1" or len(t) >= 8):
            best = t  # the first <h1>, else the first long <h2>
    stripped = title_minus_site(doc_title, [site])
    if best and (not stripped or _norm(stripped) == _norm(site) or _SITE_WORDS.search(stripped)
                 and len(stripped) <= 16):
        return best, "h1"
    return stripped, "title"


# -- dates ---------------------------------------------------------------------------------------
# labels of the item's own publication date
_PUB = r"发布(?:时间|日期)|发稿(?:时间|日期)|发表(?:时间|日期)|公开日期|信息时间|(?<![\u4e00-\u9fff])日\s*期|(?<![\u4e00-\u9fff])时\s*间|更新(?:时间|日期)|Date"
# labels of other dates on an item page, kept as their own fields
_OTHER = (r"成文(?:日期|时间)|生成(?:日期|时间)|印发(?:日期|时间)|施行(?:日期|时间)|实施(?:日期|时间)|"
          r"签发(?:日期|时间)|失效(?:日期|时间)|有效期至|开始(?:日期|时间)|结束(?:日期|时间)|"
          r"截止(?:日期|时间)|报名(?:开始|截止|结束)?(?:日期|时间)|活动(?:日期|时间)|会议(?:日期|时间)|"
          r"举办(?:日期|时间)|受理(?:日期|时间)|办理(?:日期|时间)|申报(?:日期|时间)|考试(?:日期|时间)|"
          r"来信(?:日期|时间)|回复(?:日期|时间)|答复(?:日期|时间)|办结(?:日期|时间)|采集(?:日期|时间)|"
          r"拍摄(?:日期|时间)")
_LABEL = re.compile(rf"(?P<other>{_OTHER})\s*[:：]?\s*|(?P<pub>{_PUB})\s*[:：]\s*|(?P<pubsp>发布(?:时间|日期))\s+")
_CLOCK = re.compile(r"今天是|今日是|今天|当前时间|现在时间|北京时间|星期[一二三四五六日天]|农历")
HEAD_WINDOW = 400  # characters after the headline where the item's date line sits
BEFORE_WINDOW = 120  # some templates print the date line above the headline


@dataclass
class ItemDates:
    pub_date: date | None = None
    pub_time: str | None = None
    source: str | None = None  # label | headline | guess
    label: str | None = None  # the label as printed (发布时间…)
    others: dict[str, str] = field(default_factory=dict)  # 成文日期 → ISO date…


def _labelled(text: str, ref: date | None) -> tuple[list[tuple[int, date, str | None, str]], dict[str, str]]:
    """Publication-labelled dates (position, date, time, label) and the other labelled dates."""
    pubs: list[tuple[int, date, str | None, str]] = []
    others: dict[str, str] = {}
    for m in _LABEL.finditer(text):
        tail = text[m.end(): m.end() + 40]
        got = None
        for dt, s, _e, t in iter_dates(tail, ref, short=False):
            if s <= 3:
                got = (dt, t)
            break
        if got is None:
            continue
        if m.group("other"):
            others.setdefault(re.sub(r"\s+", "", m.group("other")), got[0].isoformat())
            continue
        lbl = re.sub(r"\s+", "", m.group("pub") or m.group("pubsp") or "")
        before = text[max(0, m.start() - 6): m.start()].rsplit("\n", 1)[-1]
        if re.search(r"(?:开始|结束|截止|报名|活动|会议|举办|受理|办理|申报|考试|成文|生成|印发|来信|回复|答复|办结|有效)\s*$",
                     before):
            others.setdefault(re.sub(r"\s+", "", before.strip()[-2:]) + lbl, got[0].isoformat())
            continue
        if _CLOCK.search(text[max(0, m.start() - 8): m.end() + 30]):
            continue  # a header clock
        pubs.append((m.start(), got[0], got[1], lbl))
    return pubs, others


def _positions(text: str, head: str) -> list[int]:
    """Where the headline sits in the visible text (each occurrence)."""
    if not head:
        return []
    probe = _clean(head)
    out: list[int] = []
    for key in (probe, probe[:20], probe[:10]):
        if len(key) < 4:
            continue
        i = text.find(key)
        while i >= 0:
            out.append(i)
            i = text.find(key, i + 1)
        if out:
            return out
    return out


def item_dates(text: str, head: str, ref: date | None, body_start: int | None = None) -> ItemDates:
    """The item's own publication date, read from the visible text around its headline.

    `body_start`: where the item's body starts in `text` (the date line sits before it)."""
    out = ItemDates()
    pubs, others = _labelled(text, ref)
    out.others = others
    spots = _positions(text, head)
    # 1. a publication label near a headline occurrence (after it, or just above it)
    best: tuple[int, date, str | None, str] | None = None
    for pos in spots:
        end = pos + len(_clean(head))
        for p in pubs:
            if end - len(_clean(head)) - BEFORE_WINDOW <= p[0] <= end + HEAD_WINDOW:
                if best is None or abs(p[0] - end) < abs(best[0] - end):
                    best = p
    if best is None and pubs and not spots:
        # no headline found: a single labelled date, outside lists (one only: a list of
        # labelled dates is a list, not the item)
        if len({p[1] for p in pubs}) == 1:
            best = pubs[0]
    if best is not None:
        out.pub_date, out.pub_time, out.source, out.label = best[1], best[2], "label", best[3]
        return out
    # 2. an unlabelled full date on the lines below the headline (来源：XX 2024-10-17 08:03)
    for pos in spots:
        end = pos + len(_clean(head))
        limit = end + HEAD_WINDOW
        if body_start is not None and body_start > end:
            limit = min(limit, body_start + 10)
        window = text[end:limit]
        for dt, s, _e, t in iter_dates(window, ref, short=False):
            ctx = window[max(0, s - 12): s]
            if _CLOCK.search(ctx) or re.search(rf"(?:{_OTHER})\s*[:：]?\s*$", ctx):
                continue
            if "\n" in window[:s] and window[:s].count("\n") > 6:
                break  # too far below the headline: the body or a list
            out.pub_date, out.pub_time, out.source = dt, t, "headline"
            return out
    return out
