"""GovCrawl: inspection of government websites and 政务新媒体 under 国办秘函〔2019〕19号."""

__version__ = "0.1.0"
