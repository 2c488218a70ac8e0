"""Placeholder: replaced by the issue that builds it."""

from scrapy.exceptions import NotConfigured


class SiteChecksPipeline:
    @classmethod
    def from_crawler(cls, crawler):
        raise NotConfigured("SiteChecksPipeline is not built yet")
