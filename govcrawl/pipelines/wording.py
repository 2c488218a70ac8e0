"""WordingPipeline (priority 200): content.* wording checks on every page.

Checks a `PageItem`'s title, meta keywords/description, visible text and
attribute texts (alt/title) with the process-wide `govcrawl.text` checker and
appends one `Finding` per distinct problem (repeats carry a count).  The page's
date for leader titles is its publication date, else the inspection's as_of.
Other items pass through.  GOVCRAWL_CHECKS=False passes everything untouched.

The checker is built in open_spider (a few seconds, once per process), so the
first page does not stall the crawl.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from scrapy.exceptions import NotConfigured

from govcrawl.items import PageItem

logger = logging.getLogger(__name__)
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_META_KEYS = ("keywords", "description", "Keywords", "Description", "ArticleTitle",
              "ColumnKeywords", "ColumnDescription")


def page_date(item: PageItem) -> dt.date | None:
    for s in (item.pub_date, item.as_of):
        if s:
            m = _DATE.search(str(s))
            if m:
                try:
                    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    continue
    return None


class WordingPipeline:
    def __init__(self, *, enabled: bool = True, lexicons: str | None = None, typo: bool = True) -> None:
        self.enabled = enabled
        self.lexicons = lexicons or None
        self.typo = typo
        self.checker = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "WordingPipeline":
        s = crawler.settings
        # GOVCRAWL_TYPO=False skips the dictionary typo detector (its build costs
        # seconds per process; small end-to-end tests may not want that)
        return cls(enabled=s.getbool("GOVCRAWL_CHECKS", True),
                   lexicons=s.get("GOVCRAWL_LEXICONS") or None,
                   typo=s.getbool("GOVCRAWL_TYPO", True))

    def open_spider(self, spider: Any = None) -> None:
        if self.enabled:
            self._load()

    def _load(self):
        if self.checker is None:
            from govcrawl.text import LexiconError, get_checker

            try:
                self.checker = get_checker(self.lexicons, typo=self.typo)
            except LexiconError as e:
                # a broken lexicon must stop the sweep loudly, not skip the checks
                raise NotConfigured(f"wording lexicons unusable: {e}") from e
        return self.checker

    def process_item(self, item: Any) -> Any:
        if not self.enabled or not isinstance(item, PageItem):
            return item
        if item.unchanged:
            return item  # incremental re-check: last night's findings were carried forward
        if item.content_type and "html" not in item.content_type.lower() and not item.text:
            return item
        checker = self._load()
        date = page_date(item)
        sid, url = item.site_id, item.url
        col = item.column

        def add(text: str, where: str) -> None:
            if text:
                for h in checker.check(text, date=date, where=where):
                    item.findings.append(h.to_finding(sid, url, where=where, column=col))

        add(item.title, "title")
        doc_title = (item.extra or {}).get("doc_title")
        if doc_title and doc_title != item.title:
            add(doc_title, "title")  # the <title> as written, when the headline is stored as title
        seen: set[str] = set()
        for k in _META_KEYS:
            v = item.meta.get(k) if isinstance(item.meta, dict) else None
            if v and v not in seen and v != item.title:
                seen.add(v)
                add(v, "meta")
        add(item.text or item.full_text, "text")
        if item.text and item.full_text and item.full_text != item.text:
            # the rest of the page (spam after the body, in nav or footer): illegal content only
            for h in checker.check_illegal(item.full_text, where="page"):
                if h.text and h.text in item.text:
                    continue  # already judged in the main text
                item.findings.append(h.to_finding(sid, url, where="page", column=col))
        attrs = [a for a in dict.fromkeys(item.attr_texts or []) if a and a != item.title]
        for a in attrs:  # each attribute on its own: offsets stay meaningful
            add(a, "attr")
        return item
