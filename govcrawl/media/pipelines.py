"""Item pipelines of the media spider: checks judge an AccountDone, the sink stores it.

    300 MediaChecksPipeline   media.* rules and content.* wording on posts
    800 MediaStorePipeline    accounts, posts, findings, notices and the account verdict
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import NotConfigured

from govcrawl.media.checks import DEFAULTS, check_account, get_text_checker
from govcrawl.media.model import AccountDone
from govcrawl.media.sink import save_account
from govcrawl.media.verdict import compute_account_verdicts
from govcrawl.store import Store

log = logging.getLogger(__name__)

SETTING_NAMES = tuple(DEFAULTS) + ("GOVCRAWL_MEDIA_POINTS", "GOVCRAWL_MEDIA_RULE_CAP",
                                   "GOVCRAWL_MEDIA_PASS_SCORE", "GOVCRAWL_MEDIA_FAIL_RULES")


def media_settings(settings: Any) -> dict[str, Any]:
    return {k: settings.get(k) for k in SETTING_NAMES if settings.get(k) not in (None, "")}


class MediaChecksPipeline:
    def __init__(self, settings: dict[str, Any]):
        self.settings = settings
        self.checker: Any = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("GOVCRAWL_CHECKS", True):
            raise NotConfigured("GOVCRAWL_CHECKS is off: accounts are fetched and stored only")
        return cls(media_settings(crawler.settings))

    def open_spider(self) -> None:
        # loaded once per run (seconds); None when wording is off or the library is absent
        self.checker = get_text_checker(self.settings)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, AccountDone):
            return item
        item.findings = check_account(item.account, item.observation, item.as_of, self.settings,
                                      text_checker=self.checker)
        return item


class MediaStorePipeline:
    def __init__(self, settings: dict[str, Any], verdicts: bool = True):
        self.settings = settings
        self.verdicts = verdicts  # no checks, no verdicts: an unjudged account is not 合格
        self.stores: dict[str, Store] = {}

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("GOVCRAWL_MEDIA_STORE", True):
            raise NotConfigured("GOVCRAWL_MEDIA_STORE is off")
        return cls(media_settings(crawler.settings), crawler.settings.getbool("GOVCRAWL_CHECKS", True))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, AccountDone):
            return item
        store = self.stores.get(item.store_path)
        if store is None:
            store = self.stores[item.store_path] = Store(item.store_path)
        save_account(store, item.inspection_id, item.account, item.observation, item.findings)
        if self.verdicts:
            verdicts = compute_account_verdicts(store, item.inspection_id, self.settings,
                                                accounts=[item.account["id"]])
            item.verdict = verdicts[0].to_dict() if verdicts else None
        return item

    def close_spider(self) -> None:
        for s in self.stores.values():
            s.close()
        self.stores.clear()
