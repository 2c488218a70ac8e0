"""Placeholder: replaced by the issue that builds it."""

from scrapy.exceptions import NotConfigured


class ElasticsearchPipeline:
    @classmethod
    def from_crawler(cls, crawler):
        raise NotConfigured("ElasticsearchPipeline is not built yet")
