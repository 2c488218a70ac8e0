"""Placeholder: replaced by the issue that builds it."""

from scrapy.exceptions import NotConfigured


class PageChecksPipeline:
    @classmethod
    def from_crawler(cls, crawler):
        raise NotConfigured("PageChecksPipeline is not built yet")
