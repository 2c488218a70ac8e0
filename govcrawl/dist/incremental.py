"""The previous inspection, read back for incremental nightly sweeps.

Two users:

- the sweep spider, when a page answers 304 Not Modified: the page is restored as it
  was stored last time (title, meta tags, column, dates, text, list entries, links) so
  the site-level checks see a complete site, and the crawl goes on from the page's
  stored links and from the pages it led to last time (TRS script pagination and list
  data sources are not links, so they are found again through the stored referers);
- govcrawl.pipelines.incremental.IncrementalPipeline, which carries an unchanged
  page's findings forward instead of re-running the wording checks.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from govcrawl import db
from govcrawl.items import Finding, Link, ListEntry
from govcrawl.store import row_to_finding

_CACHE: dict[tuple[str, int], "PreviousInspection"] = {}


class PreviousInspection:
    """Read-only view of the last finished sites inspection before `inspection_id`."""

    def __init__(self, store_path: str | Path, inspection_id: int) -> None:
        self.conn = db.connect(store_path, readonly=True, timeout=60)
        row = self.conn.execute(
            "SELECT id FROM inspections WHERE kind='sites' AND id<? AND status='finished'"
            " ORDER BY id DESC LIMIT 1", (inspection_id,)).fetchone()
        self.id: int | None = int(row["id"]) if row else None

    @classmethod
    def cached(cls, store_path: str | Path, inspection_id: int) -> "PreviousInspection":
        key = (str(store_path), int(inspection_id))
        if key not in _CACHE:
            _CACHE[key] = cls(store_path, inspection_id)
        return _CACHE[key]

    def close(self) -> None:
        self.conn.close()

    def page(self, url: str) -> Any:
        if self.id is None:
            return None
        return self.conn.execute("SELECT * FROM pages WHERE inspection_id=? AND url=?",
                                 (self.id, url)).fetchone()

    def findings(self, url: str) -> list[Finding]:
        if self.id is None:
            return []
        return [row_to_finding(r) for r in self.conn.execute(
            "SELECT * FROM findings WHERE inspection_id=? AND url=? ORDER BY rule, start, key",
            (self.id, url))]

    def restore(self, item: Any, response_url: str | None = None) -> SimpleNamespace | None:
        """Fill a 304 `PageItem` from the stored page; returns what to follow from it
        (pagination, endpoints, links — the shape the sweep spider's `_follow` reads)."""
        row = self.page(item.url)
        if row is None:
            return None
        item.content_type = row["content_type"] or item.content_type
        item.size = row["size"] or 0
        item.encoding = row["encoding"]
        if item.page_type != "homepage":
            item.page_type = row["page_type"] or "other"
        item.title = row["title"] or ""
        item.meta = json.loads(row["meta_json"] or "{}")
        item.breadcrumb = json.loads(row["breadcrumb_json"] or "[]")
        item.column, item.column_url = row["column_name"], row["column_url"]
        item.pub_date, item.source = row["pub_date"], row["source"]
        item.text = row["text"] or ""
        item.full_text = item.full_text or item.text
        extra = json.loads(row["extra_json"] or "{}")
        for k in ("pub_time", "letter", "source"):
            if k in extra:
                item.extra.setdefault(k, extra[k])
        item.extra["not_modified"] = True
        item.entries = [ListEntry(title=r["title"], url=r["url"], date=r["date"],
                                  extra=json.loads(r["extra_json"] or "{}"))
                        for r in self.conn.execute(
                            "SELECT * FROM entries WHERE inspection_id=? AND page_url=? ORDER BY pos",
                            (self.id, item.url))]
        item.links = [Link(url=r["target"], text=r["anchor"] or "", kind=r["kind"] or "a",
                           hidden=bool(r["hidden"]), hidden_reason=r["hidden_reason"],
                           external=bool(r["external"]))
                      for r in self.conn.execute(
                          "SELECT * FROM links WHERE inspection_id=? AND page_url=?", (self.id, item.url))]
        linked = {lk.url for lk in item.links}
        refs = {item.url, response_url or item.url}
        pagination, endpoints = [], []
        for r in self.conn.execute(
                f"SELECT url, page_type, extra_json FROM pages WHERE inspection_id=? AND referer IN"
                f" ({','.join('?' * len(refs))})", (self.id, *refs)):
            src = json.loads(r["extra_json"] or "{}").get("source")
            if src in ("dataproxy", "json"):
                endpoints.append(r["url"])
            elif r["url"] not in linked and r["page_type"] in ("list", "interaction"):
                pagination.append(r["url"])
        return SimpleNamespace(pagination=pagination, endpoints=endpoints, links=item.links)


def restore_page(store_path: str | Path, inspection_id: int, item: Any,
                 response_url: str | None = None) -> SimpleNamespace | None:
    """The sweep spider's entry point for a 304 answer (see PreviousInspection.restore)."""
    return PreviousInspection.cached(store_path, inspection_id).restore(item, response_url)
