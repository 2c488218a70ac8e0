"""Placeholder: replaced by the issue that builds it."""

from scrapy.exceptions import NotConfigured


class HackedPagePipeline:
    @classmethod
    def from_crawler(cls, crawler):
        raise NotConfigured("HackedPagePipeline is not built yet")
