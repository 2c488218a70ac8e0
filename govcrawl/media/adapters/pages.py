"""Douyin, Kuaishou and Toutiao through their public profile pages.

These pages are built by script from a state object the server embeds in the HTML:
Douyin and Toutiao `<script id="RENDER_DATA" type="application/json">` (URL-encoded
JSON), Kuaishou `window.__APOLLO_STATE__ = {…};`.  When the state is not in the
served HTML (the platform now builds it entirely in the browser), the page is fetched
once more through the browser (scrapy-playwright) and the state read from the DOM
the scripts produced.  The field names differ per platform, so each adapter names the
keys it reads; the state is searched recursively because its nesting changes often.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, ClassVar, Iterator
from urllib.parse import unquote

from govcrawl.media.adapters.base import (Adapter, AdapterError, Fetch, Resp, check_status,
                                          guess_original, parse_time)
from govcrawl.media.model import INTERACTION_NONE, INTERACTION_OK, NOT_FOUND, OK, Observation, Post

_RENDER_DATA = re.compile(r'<script[^>]*id="RENDER_DATA"[^>]*>(.*?)</script>', re.S)
_APOLLO = re.compile(r"window\.__APOLLO_STATE__\s*=\s*")
_SSR = re.compile(r"window\._SSR_HYDRATED_DATA\s*=\s*")


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside a JSON value, depth first (iterative: states can be deep)."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            yield cur
            stack.extend(reversed(list(cur.values())))
        elif isinstance(cur, list):
            stack.extend(reversed(cur))


def first(d: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        cur: Any = d
        for part in k.split("."):
            cur = cur.get(part) if isinstance(cur, dict) else None
        if cur not in (None, ""):
            return cur
    return None


class EmbeddedStateAdapter(Adapter):
    """Reads the profile and the recent posts from a page's embedded state."""

    user_keys: ClassVar[tuple[str, ...]] = ()  # a dict holding one of these is the account
    name_keys: ClassVar[tuple[str, ...]] = ()
    post_id_keys: ClassVar[tuple[str, ...]] = ()  # a dict holding one of these is a post
    post_time_keys: ClassVar[tuple[str, ...]] = ()
    post_title_keys: ClassVar[tuple[str, ...]] = ()
    post_text_keys: ClassVar[tuple[str, ...]] = ()
    post_comment_keys: ClassVar[tuple[str, ...]] = ()
    post_ad_keys: ClassVar[tuple[str, ...]] = ("isAds", "is_ads", "is_ad", "adInfo")
    post_original_keys: ClassVar[tuple[str, ...]] = ("is_original", "isOriginal")
    post_repost_keys: ClassVar[tuple[str, ...]] = ("is_repost", "isForward", "forward_info")
    comment_switch_keys: ClassVar[tuple[str, ...]] = ()  # user-level "comments closed" flags
    post_url: ClassVar[str] = "{id}"

    def start(self, account: dict[str, Any]) -> list[Fetch]:
        url = account.get("url")
        if not url:
            raise AdapterError("source_error", f"account {account['id']}: no profile url")
        return [Fetch(str(url), "profile", headers={"Accept": "text/html,application/xhtml+xml"})]

    def extract_state(self, html: str) -> Any:
        m = _RENDER_DATA.search(html)
        if m:
            raw = m.group(1).strip()
            try:
                return json.loads(unquote(raw) if raw[:1] == "%" else raw)
            except ValueError as e:
                raise AdapterError("bad_response", f"malformed RENDER_DATA: {e}") from None
        for rx in (_APOLLO, _SSR):
            m = rx.search(html)
            if m:
                try:
                    value, _ = json.JSONDecoder().raw_decode(html, m.end())
                except ValueError as e:
                    raise AdapterError("bad_response", f"malformed embedded state: {e}") from None
                return value
        return None

    def handle(self, account: dict[str, Any], fetch: Fetch, resp: Resp,
               obs: Observation) -> list[Fetch]:
        check_status(resp)
        html = resp.text
        if resp.status in (404, 410):
            obs.profile.status = self.gone_marker(html) or NOT_FOUND
            obs.profile.data.update(http_status=resp.status)
            return []
        state = self.extract_state(html)
        if state is None:
            gone = self.gone_marker(_visible(html))
            if gone:
                obs.profile.status = gone
                obs.profile.data.update(http_status=resp.status, page_message=gone)
                return []
            if not fetch.render and self.settings.get("GOVCRAWL_BROWSER", True):
                obs.notice("media.rendered", "profile page built by script; fetched with the browser",
                           resp.url)
                return [Fetch(fetch.url, "profile", headers=fetch.headers, render=True)]
            raise AdapterError("bad_response", f"no embedded state in the profile page {resp.url}")
        user = self._find_user(state)
        if user is None:
            gone = self.gone_marker(json.dumps(state, ensure_ascii=False)[:5000]) or self.gone_marker(
                _visible(html))
            if gone:
                obs.profile.status = gone
                return []
            raise AdapterError("bad_response", f"no account in the profile state at {resp.url}")
        obs.profile.status = OK
        obs.profile.name = str(first(user, *self.name_keys))
        obs.profile.url = account.get("url") or resp.url
        obs.profile.data.update({k: user.get(k) for k in ("uid", "secUid", "user_id", "id",
                                                          "followerCount", "fans") if k in user})
        closed = [k for k in self.comment_switch_keys if user.get(k) in (True, 1, "1")]
        posts = [self._post(d) for d in walk(state) if self._is_post(d)]
        obs.add_posts([p for p in posts if p is not None])
        obs.posts_complete = True
        if closed:
            obs.profile.interaction = INTERACTION_NONE
            obs.profile.interaction_evidence = {"flags": closed}
        elif any(p.comments for p in obs.posts):
            obs.profile.interaction = INTERACTION_OK
            obs.profile.interaction_evidence = {"comments_visible": True}
        return []

    def _find_user(self, state: Any) -> dict[str, Any] | None:
        for d in walk(state):
            if any(k in d for k in self.user_keys) and first(d, *self.name_keys):
                return d
        return None

    def _is_post(self, d: dict[str, Any]) -> bool:
        return any(d.get(k) not in (None, "") for k in self.post_id_keys) and any(
            k in d for k in self.post_time_keys)

    def _post(self, d: dict[str, Any]) -> Post | None:
        pid = str(first(d, *self.post_id_keys))
        text = str(first(d, *self.post_text_keys) or "")
        title = str(first(d, *self.post_title_keys) or "")
        orig = first(d, *self.post_original_keys)
        repost = first(d, *self.post_repost_keys)
        if orig is not None:
            original: bool | None = bool(orig)
        elif repost:
            original = False
        else:
            original = guess_original(title + "\n" + text, ())
        ad = first(d, *self.post_ad_keys)
        comments = first(d, *self.post_comment_keys)
        return Post(id=pid, at=parse_time(first(d, *self.post_time_keys)), title=title, text=text,
                    original=original, url=self.post_url.format(id=pid),
                    comments=int(comments) if isinstance(comments, (int, float, str)) and str(
                        comments).isdigit() else None,
                    ad=bool(ad) if ad is not None else None)


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", " ", html, flags=re.S))


class DouyinAdapter(EmbeddedStateAdapter):
    platform = "douyin"
    user_keys = ("secUid", "sec_uid")
    name_keys = ("nickname",)
    post_id_keys = ("awemeId", "aweme_id")
    post_time_keys = ("createTime", "create_time")
    post_title_keys = ()
    post_text_keys = ("desc",)
    post_comment_keys = ("stats.commentCount", "statistics.comment_count")
    comment_switch_keys = ("commentClosed",)
    post_url = "https://www.douyin.com/video/{id}"


class KuaishouAdapter(EmbeddedStateAdapter):
    platform = "kuaishou"
    user_keys = ("user_name", "userName")
    name_keys = ("user_name", "userName")
    post_id_keys = ("photoId", "photo_id")
    post_time_keys = ("timestamp",)
    post_text_keys = ("caption",)
    post_comment_keys = ("commentCount", "comment_count")
    post_url = "https://www.kuaishou.com/short-video/{id}"


class ToutiaoAdapter(EmbeddedStateAdapter):
    platform = "toutiao"
    user_keys = ("user_id", "userId")
    name_keys = ("name", "screen_name")
    post_id_keys = ("group_id", "item_id")
    post_time_keys = ("publish_time", "behot_time")
    post_title_keys = ("title",)
    post_text_keys = ("abstract", "content")
    post_comment_keys = ("comment_count",)
    post_url = "https://www.toutiao.com/article/{id}/"

    def _find_user(self, state: Any) -> dict[str, Any] | None:
        # Articles carry user_id too: the account is the user dict without a group_id.
        for d in walk(state):
            if any(k in d for k in self.user_keys) and first(d, *self.name_keys) and not any(
                    k in d for k in self.post_id_keys):
                return d
        return None


ADAPTER_CLASSES: dict[str, Callable[..., Adapter]] = {
    "douyin": DouyinAdapter, "kuaishou": KuaishouAdapter, "toutiao": ToutiaoAdapter}
