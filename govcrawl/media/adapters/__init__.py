"""Platform adapters behind one interface (`Adapter.start` / `Adapter.handle`)."""

from __future__ import annotations

from typing import Any

from govcrawl.media.adapters.base import Adapter, AdapterError, Fetch, Resp
from govcrawl.media.adapters.feed import FeedAdapter, WechatAdapter
from govcrawl.media.adapters.pages import DouyinAdapter, KuaishouAdapter, ToutiaoAdapter
from govcrawl.media.adapters.weibo import WeiboAdapter

ADAPTERS: dict[str, type[Adapter]] = {
    "weibo": WeiboAdapter,
    "wechat": WechatAdapter,
    "douyin": DouyinAdapter,
    "kuaishou": KuaishouAdapter,
    "toutiao": ToutiaoAdapter,
    "feed": FeedAdapter,
}


def get_adapter(platform: str, settings: dict[str, Any] | None = None) -> Adapter:
    """The adapter for a registry platform; AdapterError for platforms read only by import."""
    cls = ADAPTERS.get(platform)
    if cls is None:
        raise AdapterError("source_error", f"no adapter reads platform {platform!r}; "
                           "give the account settings.export (a CSV/JSON export of its posts)")
    return cls(settings)


__all__ = ["ADAPTERS", "Adapter", "AdapterError", "Fetch", "Resp", "get_adapter"]
