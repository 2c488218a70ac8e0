"""Per-page checks: 发展指引 meta tags, forged dates and the homepage's footer identity.

Pure functions over a `PageItem`; the pipeline (govcrawl.pipelines.pagechecks) only
calls them.  Each returns a list of `Finding`s.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from govcrawl.extract.dates import as_date
from govcrawl.items import DEDUCT, NOTICE, VETO, Finding, PageItem

SITE_TAGS = ("SiteName", "SiteDomain", "SiteIDCode")
COLUMN_TAGS = ("ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType")
ARTICLE_TAGS = ("ArticleTitle", "PubDate", "ContentSource")
# which tags each page type must carry (《政府网站发展指引》)
REQUIRED_TAGS: dict[str, tuple[str, ...]] = {
    "homepage": SITE_TAGS,
    "list": SITE_TAGS + COLUMN_TAGS,
    "article": SITE_TAGS + COLUMN_TAGS[:1] + ARTICLE_TAGS,
    "interaction": SITE_TAGS,
}
PUBDATE_RE = re.compile(r"^\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?\s*$")
_NOISE = re.compile(r"[\s\u3000>»＞|丨·•\-_]+")


def _ok_page(item: PageItem) -> bool:
    """An HTML page that was actually served (errors and attachments have no tags)."""
    if item.error or (item.status is not None and item.status >= 400):
        return False
    if item.page_type not in REQUIRED_TAGS:
        return False
    if (item.extra or {}).get("source") in ("dataproxy", "json"):
        return False  # a list's data source (XML/JSON), not a page a visitor sees
    ct = (item.content_type or "").split(";")[0].strip().lower()
    return ct in ("", "text/html", "application/xhtml+xml")


def _norm(s: str) -> str:
    return _NOISE.sub("", s or "").lower()


def check_tags(item: PageItem, registry_id: str | None = None) -> list[Finding]:
    """tag.missing and tag.invalid, one finding per tag (`target` = the tag's name; for
    invalid ones `text` = the value seen): SiteIDCode against the registry, PubDate format
    and date against the visible date, ColumnName against the breadcrumb."""
    if not _ok_page(item):
        return []
    meta = item.meta or {}
    need = REQUIRED_TAGS[item.page_type]
    # pages built for the column of a list may be typed 'interaction': ask column tags when
    # the page says it is a column page
    missing = [t for t in need if not (meta.get(t) or "").strip()]
    out: list[Finding] = []
    for t in missing:  # one finding per missing tag: target names the tag
        out.append(Finding(
            rule="tag.missing", severity=DEDUCT, site_id=item.site_id, url=item.url,
            column=item.column, where="meta", target=t,
            suggestion=f"补充《政府网站发展指引》页面元数据 {t}",
            evidence={"tag": t, "missing": missing, "page_type": item.page_type}))

    def invalid(tag: str, seen: str, expected: str | None, reason: str) -> None:
        out.append(Finding(
            rule="tag.invalid", severity=DEDUCT, site_id=item.site_id, url=item.url,
            column=item.column, where="meta", target=tag, text=seen, suggestion=expected,
            evidence={"tag": tag, "seen": seen, "expected": expected, "reason": reason,
                      "page_type": item.page_type}))

    rid = registry_id or item.site_id
    code = (meta.get("SiteIDCode") or "").strip()
    if code and rid and code != rid:
        invalid("SiteIDCode", code, rid, "SiteIDCode differs from the registry's 网站标识码")
    pub = (meta.get("PubDate") or "").strip()
    if pub and item.page_type == "article":
        if not PUBDATE_RE.match(pub):
            invalid("PubDate", pub, "YYYY-MM-DD HH:MM[:SS]", "PubDate not in the required format")
        tag_day = as_date(pub) if re.match(r"^\d{4}-\d{1,2}-\d{1,2}", pub) else None
        seen_day = as_date(item.pub_date)
        if tag_day and seen_day and tag_day != seen_day:
            invalid("PubDate", pub, seen_day.isoformat(),
                    "PubDate differs from the publication date shown on the page")
    col = (meta.get("ColumnName") or "").strip()
    crumbs = [c for c in (item.breadcrumb or []) if c and c.strip()]
    if col and crumbs and item.page_type in ("list", "article", "interaction"):
        names = {_norm(c) for c in crumbs}
        if _norm(col) not in names and not any(_norm(col) in n or n in _norm(col)
                                               for n in names if len(n) >= 2):
            invalid("ColumnName", col, crumbs[-1],
                    "ColumnName not found in the page's breadcrumb")
    return out


def check_fake_date(item: PageItem, as_of: date | None, grace_days: int = 1) -> list[Finding]:
    """content.fake_date (rules.md, "Evidence before a veto"):

    - veto only when the item's own *labelled* publication date (发布时间 / 发布日期 / 日期：
      next to its headline, `extra.pub_date_source == "label"`) is after `as_of`: a page
      cannot be published in the future;
    - an unlabelled date under the headline after `as_of`, or a PubDate tag after `as_of`
      or contradicting the visible date, is indirect evidence: a notice for review
      (the contradiction also carries a tag.invalid deduction, from check_tags).
    Sidebar dates, header clocks, event fields (开始时间, 截止时间) and 成文日期 / 生成日期 never
    reach here: the extractor keeps them out of `pub_date`."""
    if as_of is None or not _ok_page(item):
        return []
    out: list[Finding] = []
    limit = as_of + timedelta(days=grace_days)
    extra = item.extra or {}
    seen_day = as_date(item.pub_date) if item.page_type in ("article", "interaction") else None
    source = extra.get("pub_date_source")
    pub = (item.meta or {}).get("PubDate", "").strip()
    tag_day = as_date(pub) if re.match(r"^\d{4}-\d{1,2}-\d{1,2}", pub) else None
    base = {"as_of": as_of.isoformat(), "pub_date_source": source,
            "pub_date_label": extra.get("pub_date_label")}
    if seen_day and seen_day > limit:
        labelled = source == "label"
        out.append(Finding(
            rule="content.fake_date", severity=VETO if labelled else NOTICE, site_id=item.site_id,
            url=item.url, column=item.column, where="text", text=item.pub_date,
            evidence={**base, "pub_date": seen_day.isoformat(), "days_ahead": (seen_day - as_of).days,
                      "source": "visible labelled date" if labelled else "visible date under the headline",
                      **({} if labelled else {"why_notice": "the date carries no 发布时间-type label: "
                                                            "it may not be the item's publication date"})}))
    elif tag_day and tag_day > limit:
        out.append(Finding(
            rule="content.fake_date", severity=NOTICE, site_id=item.site_id, url=item.url,
            column=item.column, where="meta", text=pub,
            evidence={**base, "pub_date": tag_day.isoformat(), "days_ahead": (tag_day - as_of).days,
                      "source": "PubDate tag", "visible_date": seen_day.isoformat() if seen_day else None,
                      "why_notice": "only the PubDate tag is in the future, not the date the page shows"}))
    elif tag_day and seen_day and tag_day != seen_day:
        out.append(Finding(
            rule="content.fake_date", severity=NOTICE, site_id=item.site_id, url=item.url,
            column=item.column, where="meta", text=pub,
            evidence={**base, "tag_date": tag_day.isoformat(), "visible_date": seen_day.isoformat(),
                      "source": "PubDate tag contradicts visible date"}))
    return out


# -- footer identity (homepage) --------------------------------------------------------

_SITE_CODE_RE = re.compile(r"网站标识码\s*[:：]?\s*([A-Za-z0-9]{6,14})")
_ICP_RE = re.compile(r"ICP\s*备\s*\d|ICP备案", re.I)
_POLICE_RE = re.compile(r"公网安备\s*\d+|公安(?:机关)?备案")
_ORG_RE = re.compile(r"主办(?:单位)?\s*[:：]|主办\s+\S|主\s*办\s*[:：]|承办(?:单位)?\s*[:：]")
_CONTACT_RE = re.compile(r"联系(?:电话|方式|我们)|电话\s*[:：]|电\s*话\s*[:：]|邮箱\s*[:：]|E-?mail|"
                         r"\d{3,4}-\d{7,8}|(?<!\d)1[3-9]\d{9}(?!\d)", re.I)
_JIUCUO_TEXT = re.compile(r"我为政府网站找错|政府网站找错")

IDENTITY_ITEMS = ("党政机关网站标识", "主办单位", "联系方式", "网站标识码", "ICP备案编号",
                  "公安机关备案号", "我为政府网站找错")


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def check_identity(item: PageItem, registry_id: str | None = None) -> list[Finding]:
    """identity.missing, one finding per footer item missing on the homepage (`target` =
    the item's name; for a wrong 网站标识码, `text` = the code shown)."""
    if item.page_type != "homepage" or item.error or (item.status or 200) >= 400:
        return []
    text = item.full_text or item.text or ""
    attrs = " ".join(item.attr_texts or [])
    hosts = [(_host(l.url), l.url.lower()) for l in item.links or []]
    html = item.html or ""
    present: dict[str, bool] = {
        "党政机关网站标识": any(h.endswith("conac.cn") for h, _ in hosts)
                        or "conac.cn" in html or "党政机关" in attrs,
        "主办单位": bool(_ORG_RE.search(text)),
        "联系方式": bool(_CONTACT_RE.search(text)),
        "ICP备案编号": bool(_ICP_RE.search(text)) or any(h == "beian.miit.gov.cn" for h, _ in hosts),
        "公安机关备案号": bool(_POLICE_RE.search(text))
                       or any(h in ("beian.gov.cn", "www.beian.gov.cn") for h, _ in hosts),
        "我为政府网站找错": bool(_JIUCUO_TEXT.search(text) or _JIUCUO_TEXT.search(attrs))
                       or any(h.startswith("zfwzgl.") or "jiucuo" in u for h, u in hosts)
                       or "jiucuo" in html,
    }
    rid = registry_id or item.site_id
    codes = [m.group(1) for m in _SITE_CODE_RE.finditer(text)]
    out: list[Finding] = []

    def missing(label: str, seen: str | None = None, why: str = "missing") -> None:
        out.append(Finding(
            rule="identity.missing", severity=DEDUCT, site_id=item.site_id, url=item.url,
            where="site", target=label, text=seen, suggestion=label if seen is None else rid,
            evidence={"item": label, "reason": why,
                      **({"seen": seen, "expected": rid} if seen is not None else {})}))

    for label in IDENTITY_ITEMS:
        if label == "网站标识码":
            if not codes:
                missing(label)
            elif rid and rid not in codes:
                missing(label, seen=codes[0], why="网站标识码 differs from the registry")
            continue
        if not present[label]:
            missing(label)
    return out


def registry_ids(registry: dict[str, Any] | None) -> dict[str, str]:
    """site id → 网站标识码 from a registry snapshot (they are the same in our registry,
    kept separate in case a snapshot carries a distinct `code`)."""
    out: dict[str, str] = {}
    for s in (registry or {}).get("sites", []) or []:
        sid = str(s.get("id") or "")
        if sid:
            out[sid] = str(s.get("code") or sid)
    return out
