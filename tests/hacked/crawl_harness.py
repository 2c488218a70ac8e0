"""A small real Scrapy crawl through HackedPagePipeline (run as a subprocess by the tests).

    python crawl_harness.py OUT.json SAMPLE RENDER URL [URL ...]

A minimal spider turns each start URL into a PageItem with the project's page extractor
(as the sweep does); the pipeline then re-fetches, renders and compares through the
engine; a collector pipeline writes every item's findings and the crawl stats to OUT.json.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Iterable

import scrapy
from scrapy.crawler import CrawlerProcess

from govcrawl import settings as gsettings
from govcrawl.checks.hacked.analysis import host_in_site
from govcrawl.extract.page import parse_page
from govcrawl.items import PageItem


class PagesSpider(scrapy.Spider):
    name = "hacked-harness"

    def __init__(self, urls: list[str], **kw: Any) -> None:
        super().__init__(**kw)
        self.urls = urls

    async def start(self) -> Any:
        for u in self.urls:
            yield scrapy.Request(u, meta={"site_id": "6105000001"}, dont_filter=True)

    def parse(self, response: Any, **_: Any) -> Iterable[PageItem]:
        home = self.urls[0]
        in_site = host_in_site(home)
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
        page = parse_page(response.url, response.body, content_type=ctype, site_home=home, in_site=in_site)
        yield PageItem(inspection_id=1, site_id="6105000001", url=response.url, as_of="2024-05-01",
                       final_url=response.url, status=response.status, title=page.title,
                       text=page.text, full_text=page.full_text, html=page.html, links=page.links,
                       page_type="homepage" if response.url == home else page.page_type,
                       depth=response.meta.get("depth", 0))


class Collect:
    items: list[dict[str, Any]] = []

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "Collect":
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        Collect.items.append({"url": item.url, "findings": [f.to_dict() for f in item.findings]})
        return item


def main() -> None:
    out, sample, render, urls = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4:]
    settings: dict[str, Any] = {
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ITEM_PIPELINES": {"govcrawl.pipelines.hacked.HackedPagePipeline": 400,
                           "crawl_harness.Collect": 900},
        "GOVCRAWL_HACKED_SAMPLE": sample,
        "GOVCRAWL_HACKED_RENDER_SAMPLE": sample,
        "GOVCRAWL_HACKED_RENDER": render,
        "GOVCRAWL_BROWSER": render,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "RETRY_ENABLED": False,
        "DOWNLOAD_TIMEOUT": 20,
        "USER_AGENT": gsettings.USER_AGENT,
    }
    if render:
        settings.update({
            "DOWNLOAD_HANDLERS": {"http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
                                  "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"},
            "PLAYWRIGHT_BROWSER_TYPE": gsettings.PLAYWRIGHT_BROWSER_TYPE,
            "PLAYWRIGHT_LAUNCH_OPTIONS": gsettings.PLAYWRIGHT_LAUNCH_OPTIONS,
            "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 15_000,
        })
    settings.update(json.loads(os.environ.get("HARNESS_SETTINGS", "{}")))
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PagesSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    import crawl_harness  # the pipeline class Scrapy loaded lives in the importable module

    stats = {k: v for k, v in (crawler.stats.get_stats() or {}).items() if k.startswith("govcrawl/")}
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"items": crawl_harness.Collect.items, "stats": stats}, fh, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
