"""What the sweep spider asks the downloader for: each page once, HEAD link checks whole."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.exceptions import StopDownload

from govcrawl.items import Link, PageItem
from govcrawl.spiders.sweep import SweepSpider

SITE = "http://127.0.0.1:8001/"


@pytest.fixture
def spider(tmp_path: Path) -> SweepSpider:
    reg = tmp_path / "sites.yaml"
    reg.write_text(f"sites:\n- id: '6105000001'\n  name: 测试局\n  url: {SITE}\n", encoding="utf-8")
    sp = SweepSpider(registry=str(reg), store=str(tmp_path / "s.db"), as_of="2024-06-20")
    sp.pattern_cap, sp.max_pages, sp.link_check, sp.depth_limit = 400, 1000, True, 0
    sp.skip_hosts = set()
    return sp


def _page(*urls: str, pagination: tuple[str, ...] = ()) -> SimpleNamespace:
    return SimpleNamespace(pagination=list(pagination), endpoints=[],
                           links=[Link(SITE + u) for u in urls] + [Link(SITE + "img/a.png", kind="img")])


def _item(url: str) -> PageItem:
    return PageItem(1, "6105000001", SITE + url, as_of="2024-06-20", page_type="article")


def test_links_already_requested_are_not_yielded_again(spider: SweepSpider) -> None:
    site = spider.sites["6105000001"]
    first = list(spider._follow(site, SITE + "a.html", _item("a.html"), _page("b.html", "c.html", "b.html")))
    pages = [r.url for r in first if isinstance(r, Request) and r.method == "GET"]
    assert pages == [SITE + "b.html", SITE + "c.html"]
    assert [r.url for r in first if r.method == "HEAD"] == [SITE + "img/a.png"]
    # the next page repeats the navigation and adds one new link and one new list page
    second = list(spider._follow(site, SITE + "b.html", _item("b.html"),
                                 _page("a.html", "b.html", "c.html", "d.html", pagination=(SITE + "c.html", SITE + "l_2.html"))))
    assert [r.url for r in second] == [SITE + "l_2.html", SITE + "a.html", SITE + "d.html"]


def test_trap_caps_count_distinct_urls_not_repeated_links(spider: SweepSpider) -> None:
    site = spider.sites["6105000001"]
    spider.pattern_cap = 2
    cal = [f"cal.html?date=2024-06-{d:02d}" for d in (1, 2)]
    for n in range(5):  # every page links to the same two calendar days
        list(spider._follow(site, SITE + f"p{n}.html", _item(f"p{n}.html"), _page(*cal)))
    assert not spider._capped


def test_head_link_checks_keep_their_connection(spider: SweepSpider) -> None:
    """A HEAD answer has no body: stopping it would only close a kept-alive connection."""
    head = Request(SITE + "f.pdf", method="HEAD", meta={"headers_only": True})
    spider.on_headers({}, 0, head, spider)
    get = Request(SITE + "f.pdf", meta={"headers_only": True})
    with pytest.raises(StopDownload):
        spider.on_headers({}, 100, get, spider)
    spider.on_headers({}, 100, Request(SITE + "a.html"), spider)


def test_dead_link_check_gives_up_at_info_not_error(spider: SweepSpider, caplog: pytest.LogCaptureFixture) -> None:
    """Scrapy logs a request it gave up on at ERROR; a dead outside link is a finding."""
    from scrapy.downloadermiddlewares.retry import RetryMiddleware
    from scrapy.utils.test import get_crawler

    site = spider.sites["6105000001"]
    check = spider._linkcheck(site, "http://127.0.0.1:9/gone.html", SITE + "a.html")
    page = spider._page_request(site, SITE + "b.html")
    crawler = get_crawler(settings_dict={"RETRY_TIMES": 0})
    crawler.spider, spider.crawler = spider, crawler
    mw = RetryMiddleware.from_crawler(crawler)
    with caplog.at_level("INFO", logger="scrapy.downloadermiddlewares.retry"):
        assert mw.process_exception(check, ConnectionRefusedError()) is None
        assert mw.process_exception(page, ConnectionRefusedError()) is None
    levels = {r.getMessage().split(">")[0].split()[-1]: r.levelname for r in caplog.records if "Gave up" in r.getMessage()}
    assert levels == {"http://127.0.0.1:9/gone.html": "INFO", SITE + "b.html": "ERROR"}
