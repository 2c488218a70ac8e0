"""A tiny spider for the Elasticsearch crawl test (run with `scrapy runspider`).

It follows `<a class="next">` links over a local site and yields one PageItem
with two findings per page; only the Elasticsearch pipeline is on.
"""

from __future__ import annotations

from typing import Any, Iterator

import scrapy

from govcrawl.items import Finding, PageItem


class EsCrawlSpider(scrapy.Spider):
    name = "es_crawl"
    custom_settings = {
        "ITEM_PIPELINES": {"govcrawl.pipelines.elasticsearch.ElasticsearchPipeline": 900},
        "DOWNLOADER_MIDDLEWARES": {},
        "EXTENSIONS": {},
        "CONCURRENT_REQUESTS": 1,
        "AUTOTHROTTLE_ENABLED": False,
        "RETRY_ENABLED": False,
        "LOG_LEVEL": "INFO",
    }

    def __init__(self, start: str = "", inspection: str = "1", **kw: Any):
        super().__init__(**kw)
        self.start_urls = [start]
        self.inspection_id = int(inspection)

    def parse(self, response: scrapy.http.Response) -> Iterator[Any]:
        title = response.css("title::text").get(default="")
        fs = [Finding(rule="content.typo", severity="deduct", site_id="6105000001",
                      url=response.url, text=word, suggestion="再接再厉", start=i, where="text",
                      category="错别字")
              for i, word in enumerate(response.css("p.bad::text").getall())]
        yield PageItem(inspection_id=self.inspection_id, site_id="6105000001", url=response.url,
                       as_of="2024-03-01", status=response.status, page_type="article",
                       title=title, findings=fs)
        nxt = response.css("a.next::attr(href)").get()
        if nxt:
            yield response.follow(nxt, self.parse)
