"""IncrementalPipeline (priority 150): unchanged pages carry last night's findings forward.

On with GOVCRAWL_INCREMENTAL=True (with ConditionalRequestMiddleware).  For each
`PageItem`, before the checks:

- the server answered 304, or the body hashes to the same content_hash as in the
  previous finished inspection: the page is *unchanged*.  `item.unchanged` is set
  (pipelines that honour it skip the page: HackedPagePipeline does; WordingPipeline
  should — the wording checks are the expensive ones) and
  the previous inspection's findings of that page are copied onto the item, so the
  new inspection holds them too;
- copied: every page-level finding except what PageChecksPipeline recomputes each
  night from the page's meta tags and dates (tag.*, content.fake_date — it depends on
  as_of —, identity.*), which it can do after a full download and after a 304 (the page
  is then restored from the store, meta tags included).  A pipeline that re-runs anyway
  produces the same finding keys, which the store keeps once;
- site-level rules (columns, links, interaction, reachability) are never carried:
  SiteChecksPipeline judges them every night from the new inspection's rows.

Carrying needs the same lexicons as last time: a fingerprint of the lexicon files is
kept per inspection (table `incremental_runs`); when it differs, every page is checked
again that night.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from scrapy.exceptions import NotConfigured

from govcrawl import db
from govcrawl.dist.incremental import PreviousInspection
from govcrawl.items import Finding, PageItem

logger = logging.getLogger(__name__)

# what only the page's HTML can show (hidden links, script-written spam): a 304 page
# keeps these even on a night whose lexicons changed
HTML_RULES = frozenset({"content.hidden_link", "link.unsafe"})
# what PageChecksPipeline recomputes from a page restored after a 304
RECOMPUTED_PREFIXES = ("tag.", "content.fake_date", "identity.")


def lexicon_fingerprint(lexicon_dir: str | None = None) -> str:
    """sha1 over the lexicon files (names and contents): changes when a lexicon is edited."""
    d = Path(lexicon_dir) if lexicon_dir else Path(__file__).resolve().parents[2] / "lexicons"
    h = hashlib.sha1()
    if d.is_dir():
        for p in sorted(d.rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(d)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


class IncrementalPipeline:
    def __init__(self, store_path: str, inspection_id: int, lexicons: str | None = None) -> None:
        self.store_path = store_path
        self.inspection_id = inspection_id
        self.lexicons = lexicons
        self.prev: PreviousInspection | None = None
        self.carry = False
        self.site_rules: frozenset[str] = frozenset()
        self.stats = {"unchanged": 0, "not_modified": 0, "carried": 0, "changed": 0}

    @classmethod
    def from_crawler(cls, crawler: Any) -> "IncrementalPipeline":
        s = crawler.settings
        if not s.getbool("GOVCRAWL_INCREMENTAL", False):
            raise NotConfigured("incremental re-checks are off (GOVCRAWL_INCREMENTAL)")
        if not s.get("GOVCRAWL_STORE"):
            raise NotConfigured("no store")
        return cls(s.get("GOVCRAWL_STORE"), s.getint("GOVCRAWL_INSPECTION_ID"),
                   s.get("GOVCRAWL_LEXICONS") or None)

    def open_spider(self, spider: Any = None) -> None:
        try:
            from govcrawl.checks.site import SITE_RULES

            self.site_rules = frozenset(SITE_RULES)
        except ImportError:  # pragma: no cover - site checks are part of the package
            self.site_rules = frozenset()
        fp = lexicon_fingerprint(self.lexicons)
        conn = db.connect(self.store_path, timeout=60)
        try:
            with conn:
                conn.execute("CREATE TABLE IF NOT EXISTS incremental_runs (inspection_id INTEGER PRIMARY KEY,"
                             " lexicons TEXT, previous_id INTEGER)")
            self.prev = PreviousInspection(self.store_path, self.inspection_id)
            with conn:
                conn.execute("INSERT OR REPLACE INTO incremental_runs VALUES (?,?,?)",
                             (self.inspection_id, fp, self.prev.id))
            if self.prev.id is None:
                logger.info("incremental: no finished inspection before %s: every page is checked",
                            self.inspection_id)
                return
            row = conn.execute("SELECT lexicons FROM incremental_runs WHERE inspection_id=?",
                               (self.prev.id,)).fetchone()
        finally:
            conn.close()
        self.carry = bool(row) and row[0] == fp
        if self.carry:
            logger.info("incremental: unchanged pages carry their findings from inspection %s", self.prev.id)
        else:
            logger.warning("incremental: lexicons changed since inspection %s (or were not recorded): "
                           "wording checks run on every page tonight; pages answering 304 are checked "
                           "from their stored text only — run one sweep with GOVCRAWL_INCREMENTAL=False "
                           "for a full re-check", self.prev.id)

    def close_spider(self, spider: Any = None) -> None:
        logger.info("incremental: %s", self.stats)
        if self.prev is not None:
            self.prev.close()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or self.prev is None or self.prev.id is None:
            return item
        if item.error or not item.content_hash:
            return item
        not_modified = bool(item.extra.get("not_modified")) or item.status == 304
        if not not_modified:
            row = self.prev.page(item.url)
            if row is None or row["content_hash"] != item.content_hash:
                self.stats["changed"] += 1
                return item
        self.stats["not_modified" if not_modified else "unchanged"] += 1
        item.unchanged = self.carry  # lexicons changed: let the wording checks run again
        if not self.carry and not not_modified:
            return item
        have = {f.key for f in item.findings}
        for f in self.prev.findings(item.url):
            if f.key in have or not self._carried(f, not_modified):
                continue
            if not self.carry and f.rule not in HTML_RULES:
                continue  # after a 304 without carrying, only what needs the HTML is kept
            item.findings.append(f)
            have.add(f.key)
            self.stats["carried"] += 1
        item.extra["previous_inspection"] = self.prev.id
        return item

    def _carried(self, f: Finding, not_modified: bool) -> bool:
        return f.rule not in self.site_rules and not f.rule.startswith(RECOMPUTED_PREFIXES)
