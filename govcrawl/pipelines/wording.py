"""Placeholder: replaced by the issue that builds it."""

from scrapy.exceptions import NotConfigured


class WordingPipeline:
    @classmethod
    def from_crawler(cls, crawler):
        raise NotConfigured("WordingPipeline is not built yet")
