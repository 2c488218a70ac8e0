"""Incremental re-checks without a crawl: what an unchanged page carries forward, and how
a 304 page is restored from the previous inspection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from govcrawl.dist.incremental import PreviousInspection
from govcrawl.items import Finding, Link, ListEntry, PageItem
from govcrawl.pipelines.incremental import IncrementalPipeline, lexicon_fingerprint
from govcrawl.pipelines.store import StorePipeline
from govcrawl.store import Store

SID = "6105000001"
URL = "http://127.0.0.1:8001/col0/art1.html"
LIST = "http://127.0.0.1:8001/col0/index.html"


def _night1(path: Any, lex: Path) -> None:
    """Inspection 1, finished: a list page and an article with findings of three kinds."""
    store = Store(path)
    iid = store.create_inspection(as_of="2024-06-19")
    store.close()
    crawler = get_crawler(settings_dict={"GOVCRAWL_STORE": str(path), "GOVCRAWL_INSPECTION_ID": iid})
    sp = StorePipeline.from_crawler(crawler)
    sp.open_spider()
    art = PageItem(iid, SID, URL, as_of="2024-06-19", status=200, content_hash="h-art", page_type="article",
                   title="关于推进工作的通知", meta={"ArticleTitle": "关于推进工作的通知"}, column="工作动态",
                   pub_date="2024-06-18", text="全体干部要再接再励。", referer=LIST,
                   links=[Link("http://127.0.0.1:8001/img/a.png", kind="img"),
                          Link("http://127.0.0.1:9/gone.html", "相关链接", external=True)])
    art.findings = [
        Finding("content.typo", "deduct", SID, URL, text="再接再励", suggestion="再接再厉", start=5, where="text"),
        Finding("tag.missing", "deduct", SID, URL, evidence={"tag": "ContentSource"}),
        Finding("content.hidden_link", "deduct", SID, URL, target="http://spam.invalid/"),
        Finding("link.broken", "deduct", SID, URL, target="http://127.0.0.1:9/gone.html"),
    ]
    lst = PageItem(iid, SID, LIST, as_of="2024-06-19", status=200, content_hash="h-list", page_type="list",
                   column="工作动态", entries=[ListEntry("关于推进工作的通知", URL, "2024-06-18")])
    page2 = PageItem(iid, SID, "http://127.0.0.1:8001/col0/index_1.html", as_of="2024-06-19", status=200,
                     content_hash="h-p2", page_type="list", referer=LIST)
    for it in (lst, art, page2):
        sp.process_item(it)
    sp.flush()
    sp.store.finish_inspection(iid)  # type: ignore[union-attr]
    sp.store.close()  # type: ignore[union-attr]
    s = Store(path)
    with s.tx() as c:
        c.execute("INSERT INTO incremental_runs VALUES (?,?,NULL)", (iid, lexicon_fingerprint(str(lex))))
    s.close()


def _pipeline(path: Any, lex: Path) -> IncrementalPipeline:
    s = Store(path)
    iid = s.create_inspection(as_of="2024-06-20")
    s.close()
    p = IncrementalPipeline.from_crawler(get_crawler(settings_dict={
        "GOVCRAWL_INCREMENTAL": True, "GOVCRAWL_STORE": str(path), "GOVCRAWL_INSPECTION_ID": iid,
        "GOVCRAWL_LEXICONS": str(lex)}))
    p.open_spider()
    return p


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: Any, tmp_path: Path) -> Any:
    """The store of both nights: an SQLite file, or a PostgreSQL database (several machines)."""
    return tmp_path / "s.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")


def _lexicons(tmp_path: Path) -> Path:
    lex = tmp_path / "lexicons"
    lex.mkdir()
    (lex / "typo.txt").write_text("再接再励\t再接再厉\n", encoding="utf-8")
    return lex


def test_same_hash_carries_page_findings(tmp_path: Path, store: Any) -> None:
    lex = _lexicons(tmp_path)
    _night1(store, lex)
    p = _pipeline(store, lex)
    item = PageItem(2, SID, URL, status=200, content_hash="h-art")
    p.process_item(item)
    assert item.unchanged
    # wording and hacked-page findings carried; tags are judged again tonight, links too
    assert sorted(f.rule for f in item.findings) == ["content.hidden_link", "content.typo"]
    changed = PageItem(2, SID, URL, status=200, content_hash="h-new")
    p.process_item(changed)
    assert not changed.unchanged and changed.findings == []


def test_not_modified_carries_all_but_recomputed_and_site_rules(tmp_path: Path, store: Any) -> None:
    lex = _lexicons(tmp_path)
    _night1(store, lex)
    p = _pipeline(store, lex)
    item = PageItem(2, SID, URL, status=304, content_hash="h-art")
    item.extra["not_modified"] = True
    p.process_item(item)
    assert item.unchanged
    # tag.* is recomputed from the restored meta tags; link.broken is a site rule
    assert sorted(f.rule for f in item.findings) == ["content.hidden_link", "content.typo"]


def test_edited_lexicons_recheck_everything(tmp_path: Path, store: Any) -> None:
    lex = _lexicons(tmp_path)
    _night1(store, lex)
    (lex / "typo.txt").write_text("再接再励\t再接再厉\n截止目前\t截至目前\n", encoding="utf-8")
    p = _pipeline(store, lex)
    item = PageItem(2, SID, URL, status=200, content_hash="h-art", unchanged=True)
    p.process_item(item)
    assert not item.unchanged and item.findings == []


def test_restore_304_page_and_where_it_led(tmp_path: Path, store: Any) -> None:
    lex = _lexicons(tmp_path)
    _night1(store, lex)
    prev = PreviousInspection(store, 2)
    assert prev.id == 1
    lst = PageItem(2, SID, LIST, status=304)
    follow = prev.restore(lst)
    assert follow is not None
    assert lst.page_type == "list" and lst.column == "工作动态"
    assert [(e.url, e.date) for e in lst.entries] == [(URL, "2024-06-18")]
    # index_1 was reached from this list page last time without being a link: pagination
    assert follow.pagination == ["http://127.0.0.1:8001/col0/index_1.html"]
    art = PageItem(2, SID, URL, status=304)
    follow = prev.restore(art)
    assert art.title == "关于推进工作的通知" and art.meta["ArticleTitle"] == art.title
    assert art.text == "全体干部要再接再励。" and art.pub_date == "2024-06-18"
    assert {lk.url for lk in follow.links} == {"http://127.0.0.1:8001/img/a.png", "http://127.0.0.1:9/gone.html"}
    assert prev.restore(PageItem(2, SID, "http://127.0.0.1:8001/new.html")) is None
    prev.close()


def test_edited_lexicons_keep_html_only_findings_of_304_pages(tmp_path: Path, store: Any) -> None:
    lex = _lexicons(tmp_path)
    _night1(store, lex)
    (lex / "typo.txt").write_text("再接再励\t再接再厉\n截止目前\t截至目前\n", encoding="utf-8")
    p = _pipeline(store, lex)
    item = PageItem(2, SID, URL, status=304, content_hash="h-art", unchanged=True)
    item.extra["not_modified"] = True
    p.process_item(item)
    assert not item.unchanged  # the wording checks run on the restored text
    assert [f.rule for f in item.findings] == ["content.hidden_link"]


def test_autothrottle_lowers_delay_on_304() -> None:
    """Scrapy's AutoThrottle only ever raises a delay on non-200 answers; on an
    incremental night almost every page is a 304, so that would only slow down."""
    from scrapy.extensions.throttle import AutoThrottle
    from scrapy.http import Request, Response
    from scrapy.utils.test import get_crawler

    from govcrawl.dist.throttle import IncrementalAutoThrottle

    class Slot:
        delay = 5.0

    delays = {}
    for cls in (AutoThrottle, IncrementalAutoThrottle):
        t = cls(get_crawler(settings_dict={"AUTOTHROTTLE_ENABLED": True}))
        t.mindelay, t.maxdelay = 0.0, 10.0
        slot = Slot()
        t._adjust_delay(slot, 0.01, Response("http://127.0.0.1/", status=304, request=Request("http://127.0.0.1/")))
        delays[cls.__name__] = slot.delay
    assert delays["AutoThrottle"] == 5.0 and delays["IncrementalAutoThrottle"] < 5.0
