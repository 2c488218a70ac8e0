"""Douyin, Kuaishou and Toutiao through their public profile pages.

These pages are built by script from a state object the server embeds in the HTML:
Douyin and Toutiao `<script id="RENDER_DATA" type="application/json">` (URL-encoded
JSON), Kuaishou `window.INIT_STATE = {…}` (and, in older pages, `window.__APOLLO_STATE__`).
When the state is not in the served HTML, the page is fetched once more through the
browser (scrapy-playwright) and the state read from the DOM the scripts produced.  The
field names differ per platform, so each adapter names the keys it reads; the state is
searched recursively because its nesting changes often.

Where the posts are not in the state, the page loads them itself:
- Kuaishou: `POST /rest/v/profile/feed` with {"user_id", "pcursor", "page": "profile"},
  answering {"result": 1, "pcursor": "…" | "no_more", "feeds": [{"photo": {"id", "caption",
  "timestamp" (milliseconds), "commentCount", …}, "author": {…}}]} — read here, page by
  page; `result` 109 (login required) or any other refusal is "could not read".
- Douyin (`/aweme/v1/web/aweme/post/`) and Toutiao (`/api/pc/list/feed`) sign their list
  requests (`a_bogus`; DIYgod/RSSHub reads Douyin's through a headless browser and signs
  Toutiao's itself).  Without the list the posts are reported as unreadable: a notice, and
  media.not_updated / media.no_original are not judged — never 0 posts.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, ClassVar, Iterator
from urllib.parse import unquote, urlsplit

from govcrawl.media.adapters.base import (Adapter, AdapterError, Fetch, Resp, check_status, count,
                                          guess_original, parse_time)
from govcrawl.media.model import INTERACTION_NONE, INTERACTION_OK, NOT_FOUND, OK, Observation, Post

_RENDER_DATA = re.compile(r'<script[^>]*id="RENDER_DATA"[^>]*>(.*?)</script>', re.S)
_STATE_VARS = re.compile(r"window\.(?:INIT_STATE|__APOLLO_STATE__|_SSR_HYDRATED_DATA)\s*=\s*")
# strings, brackets and the bare `undefined` scripts leave in a state object
_JS_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]|(?<![\w$])undefined(?![\w$])', re.S)
POST_RULES = ("media.not_updated", "media.no_original")


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


def js_value(text: str, start: int) -> Any:
    """The object or array literal a script assigns at `start`: JSON, except that a bare
    `undefined` (Kuaishou's INIT_STATE has them) reads as null."""
    i = start
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text) or text[i] not in "{[":
        raise ValueError("no object literal")
    depth, last, parts = 0, i, []
    for m in _JS_TOKENS.finditer(text, i):
        tok = m.group()
        if tok == "undefined":
            parts += [text[last:m.start()], "null"]
            last = m.end()
        elif tok in "{[":
            depth += 1
        elif tok in "}]":
            depth -= 1
            if depth == 0:
                parts.append(text[last:m.end()])
                return json.loads("".join(parts))
    raise ValueError("unterminated object literal")


class EmbeddedStateAdapter(Adapter):
    """Reads the profile and the recent posts from a page's embedded state."""

    user_keys: ClassVar[tuple[str, ...]] = ()  # a dict holding one of these is the account
    name_keys: ClassVar[tuple[str, ...]] = ()
    count_keys: ClassVar[tuple[str, ...]] = ()  # the platform's own count of the account's posts
    post_id_keys: ClassVar[tuple[str, ...]] = ()  # a dict holding one of these is a post
    post_time_keys: ClassVar[tuple[str, ...]] = ()
    post_title_keys: ClassVar[tuple[str, ...]] = ()
    post_text_keys: ClassVar[tuple[str, ...]] = ()
    post_comment_keys: ClassVar[tuple[str, ...]] = ()
    post_pinned_keys: ClassVar[tuple[str, ...]] = ("isTop", "is_top")
    post_ad_keys: ClassVar[tuple[str, ...]] = ("isAds", "is_ads", "is_ad", "adInfo")
    post_original_keys: ClassVar[tuple[str, ...]] = ("is_original", "isOriginal")
    post_repost_keys: ClassVar[tuple[str, ...]] = ("is_repost", "isForward", "forward_info")
    comment_switch_keys: ClassVar[tuple[str, ...]] = ()  # user-level "comments closed" flags
    post_url: ClassVar[str] = "{id}"
    # how the page loads its posts when its state holds none (a notice says so), and the
    # path of that request, whose answer the browser keeps when it renders the page
    signed_list: ClassVar[str] = ""
    list_capture: ClassVar[str] = ""
    label: ClassVar[str] = ""  # the platform's name in notices

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
        m = _STATE_VARS.search(html)
        if m:
            try:
                return js_value(html, m.end())
            except ValueError as e:
                raise AdapterError("bad_response", f"malformed embedded state: {e}") from None
        return None

    def handle(self, account: dict[str, Any], fetch: Fetch, resp: Resp,
               obs: Observation) -> list[Fetch]:
        check_status(resp)
        if fetch.kind == "posts":
            return self.read_posts(account, fetch, resp, obs)
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
        obs.posts_total = self.posts_count(state, user)
        closed = [k for k in self.comment_switch_keys if user.get(k) in (True, 1, "1")]
        if closed:
            obs.profile.interaction = INTERACTION_NONE
            obs.profile.interaction_evidence = {"flags": closed}
        posts = [p for d in walk(state) if self._is_post(d) and (p := self._post(d)) is not None]
        if posts:
            self._read(obs, posts)
            obs.list_end = self.state_list_end(state)
            return []
        if obs.posts_total == 0:
            obs.posts_complete = obs.list_end = True  # the platform itself counts no post
            return []
        return self.no_posts_in_state(account, fetch, resp, obs, user)

    def _read(self, obs: Observation, posts: list[Post]) -> None:
        obs.add_posts(posts)
        obs.posts_complete = True
        if obs.profile.interaction is None and any(p.comments for p in obs.posts):
            obs.profile.interaction = INTERACTION_OK
            obs.profile.interaction_evidence = {"comments_visible": True}

    def posts_count(self, state: Any, user: dict[str, Any]) -> int | None:
        v = first(user, *self.count_keys) if self.count_keys else None
        return count(v)

    def state_list_end(self, state: Any) -> bool:
        """The state says its post list holds everything (hasMore false)."""
        for d in walk(state):
            if any(self._is_post(x) for x in d.get("data") or [] if isinstance(x, dict)) and \
                    d.get("hasMore") in (0, False, "0"):
                return True
        return False

    def no_posts_in_state(self, account: dict[str, Any], fetch: Fetch, resp: Resp,
                          obs: Observation, user: dict[str, Any]) -> list[Fetch]:
        """The page loads its posts itself from a signed request: read them from what the
        browser saw it ask for, or say they were not read."""
        if self.list_capture and resp.rendered:
            posts, end = self.read_captured(resp.captured)
            if posts:
                self._read(obs, posts)
                obs.list_end = end
                obs.profile.data["posts_from"] = "the page's own request, in the browser"
                return []
        elif self.list_capture and self.settings.get("GOVCRAWL_BROWSER", True):
            obs.notice("media.rendered", f"the {self.label} profile page loads its posts from a"
                       " signed request: read through the browser", resp.url)
            return [Fetch(fetch.url, "profile", headers=fetch.headers, render=True,
                          data={"capture": self.list_capture})]
        counted = (f"; the profile counts {obs.posts_total} posts" if obs.posts_total
                   else "")
        seen = (f" (the browser saw {len(resp.captured)} answer(s) to it with no post)"
                if resp.rendered and self.list_capture else "")
        obs.cannot_read(POST_RULES, "signed_list", f"the {self.label} profile page holds no posts"
                        f"{counted}: {self.signed_list}{seen}", resp.url, posts_total=obs.posts_total)
        return []

    def read_captured(self, bodies: list[bytes]) -> tuple[list[Post], bool]:
        """Posts in the JSON answers the page got for its signed list, and whether the list
        says it ended (has_more 0 in every answer)."""
        posts: list[Post] = []
        end = bool(bodies)
        for body in bodies:
            try:
                data = json.loads(body)
            except ValueError:
                end = False
                continue
            posts += [p for d in walk(data) if self._is_post(d) and (p := self._post(d)) is not None]
            more = data.get("has_more", data.get("hasMore", 1)) if isinstance(data, dict) else 1
            end = end and more in (0, False, "0")
        return posts, end and bool(posts)

    def read_posts(self, account: dict[str, Any], fetch: Fetch, resp: Resp,
                   obs: Observation) -> list[Fetch]:
        raise AdapterError("bad_response", f"{self.platform}: no post list reader")

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
        pinned = any(d.get(k) in (True, 1, "1") for k in self.post_pinned_keys)
        return Post(id=pid, at=parse_time(first(d, *self.post_time_keys)), title=title, text=text,
                    original=original, url=self.post_url.format(id=pid),
                    comments=int(comments) if isinstance(comments, (int, float, str)) and str(
                        comments).isdigit() else None,
                    ad=bool(ad) if ad is not None else None, data={"pinned": pinned} if pinned else {})


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", " ", html, flags=re.S))


class DouyinAdapter(EmbeddedStateAdapter):
    platform = "douyin"
    label = "Douyin"
    user_keys = ("secUid", "sec_uid")
    name_keys = ("nickname",)
    count_keys = ("awemeCount", "aweme_count")
    post_id_keys = ("awemeId", "aweme_id")
    post_time_keys = ("createTime", "create_time")
    post_title_keys = ()
    post_text_keys = ("desc",)
    post_comment_keys = ("stats.commentCount", "statistics.comment_count")
    # aweme_list items of /aweme/v1/web/aweme/post/ (DIYgod/RSSHub lib/routes/douyin/user.ts:
    # aweme_id, desc, create_time, author, statistics, video); is_top marks a pinned video
    comment_switch_keys = ("commentClosed",)
    post_url = "https://www.douyin.com/video/{id}"
    signed_list = ("Douyin loads them from /aweme/v1/web/aweme/post/, a request signed with"
                   " a_bogus, so they were not read")
    list_capture = "/aweme/v1/web/aweme/post/"


class KuaishouAdapter(EmbeddedStateAdapter):
    """Kuaishou: the profile from `window.INIT_STATE` (older pages: __APOLLO_STATE__), the
    posts from the state when it holds them, else from POST /rest/v/profile/feed.  A post is
    a photo: `id` (older: photoId) with `timestamp` in milliseconds."""

    platform = "kuaishou"
    label = "Kuaishou"
    user_keys = ("user_name", "userName")
    name_keys = ("user_name", "userName")
    count_keys = ("photo_public", "photoCount")
    post_id_keys = ("photoId", "photo_id", "id")
    post_time_keys = ("timestamp",)
    post_text_keys = ("caption", "originCaption")
    post_comment_keys = ("commentCount", "comment_count")
    post_pinned_keys = ("profileUserTopPhoto", "isTop")
    post_url = "https://www.kuaishou.com/short-video/{id}"
    # a photo, not any dict that happens to have an id and a time
    photo_keys: ClassVar[tuple[str, ...]] = ("caption", "duration", "photoType", "coverUrl",
                                             "likeCount", "viewCount", "photoUrl")

    def _is_post(self, d: dict[str, Any]) -> bool:
        return super()._is_post(d) and any(k in d for k in self.photo_keys)

    def posts_count(self, state: Any, user: dict[str, Any]) -> int | None:
        n = count(first(user, *self.count_keys))
        if n is not None:
            return n
        for d in walk(state):  # userProfile.ownerCount.photo_public sits beside the profile
            if "photo_public" in d:
                return count(d.get("photo_public"))
        return None

    def principal_id(self, account: dict[str, Any], obs: Observation) -> str | None:
        st = account.get("settings") or {}
        if st.get("principal_id"):
            return str(st["principal_id"])
        m = re.search(r"/profile/([\w-]+)", urlsplit(account.get("url") or "").path)
        return m.group(1) if m else None

    def _feed_fetch(self, account: dict[str, Any], uid: str, cursor: str, page: int) -> Fetch:
        p = urlsplit(account.get("url") or "")
        body = json.dumps({"user_id": uid, "pcursor": cursor, "page": "profile"}).encode()
        return Fetch(f"{p.scheme}://{p.netloc}/rest/v/profile/feed", "posts", method="POST",
                     body=body, headers={"Content-Type": "application/json",
                                         "Accept": "application/json, text/plain, */*",
                                         "Referer": account.get("url") or ""},
                     data={"uid": uid, "page": page})

    def no_posts_in_state(self, account, fetch, resp, obs, user) -> list[Fetch]:
        uid = self.principal_id(account, obs)
        if not uid:
            obs.cannot_read(POST_RULES, "no_principal_id", "no Kuaishou principal id in the profile"
                            " url (want …/profile/ID): the post list could not be asked for", resp.url)
            return []
        return [self._feed_fetch(account, uid, "", 1)]

    def read_posts(self, account, fetch, resp, obs) -> list[Fetch]:
        data = resp.json()
        if not isinstance(data, dict):
            raise AdapterError("bad_response", f"Kuaishou profile feed is not an object at {resp.url}")
        result = data.get("result")
        page = fetch.data["page"]
        if result == 2:  # the list's "too often" answer: backed off like a 429
            raise AdapterError("rate_limited", f"Kuaishou profile feed answered result 2 at {resp.url}",
                               answer="result:2")
        if result != 1:
            why = {109: "login required"}.get(result, "refused") if isinstance(result, int) else "no result"
            obs.cannot_read(POST_RULES, f"result_{result}", f"Kuaishou's profile feed answered result"
                            f" {result} ({why}) on page {page}: the posts were not read", resp.url,
                            result=result)
            return []
        feeds = data.get("feeds") if isinstance(data.get("feeds"), list) else []
        photos = [f.get("photo") if isinstance(f.get("photo"), dict) else f for f in feeds
                  if isinstance(f, dict)]
        posts = [p for d in photos if self._is_post(d) and (p := self._post(d)) is not None]
        cursor = data.get("pcursor")
        if not posts and page == 1:
            if obs.posts_total == 0:
                obs.posts_complete = obs.list_end = True  # the profile itself counts no post
                return []
            obs.cannot_read(POST_RULES, "empty_list", f"Kuaishou's profile feed answered no posts"
                            f" although the profile counts {obs.posts_total}", resp.url,
                            posts_total=obs.posts_total)
            return []
        before = len(obs.posts)
        self._read(obs, posts)
        if cursor in (None, "", "no_more"):
            obs.list_end = True
            return []
        if len(obs.posts) == before:
            obs.notice("media.paging", f"page {page} of the profile feed repeated posts already"
                       " read; read only this far", resp.url, page=page)
            return []
        if self.reaches_window(obs):
            return []
        if page >= self.max_pages():
            obs.notice("media.paging_cap", f"profile feed read to page {page}"
                       " (GOVCRAWL_MEDIA_MAX_PAGES)", resp.url, pages=page)
            return []
        return [self._feed_fetch(account, fetch.data["uid"], str(cursor), page + 1)]


class ToutiaoAdapter(EmbeddedStateAdapter):
    platform = "toutiao"
    label = "Toutiao"
    user_keys = ("user_id", "userId")
    name_keys = ("name", "screen_name")
    post_id_keys = ("group_id", "item_id")
    post_time_keys = ("publish_time", "behot_time")
    post_title_keys = ("title",)
    post_text_keys = ("abstract", "content")
    post_comment_keys = ("comment_count",)
    post_url = "https://www.toutiao.com/article/{id}/"
    signed_list = ("Toutiao loads them from /api/pc/list/feed, a request signed with a_bogus,"
                   " so they were not read")
    list_capture = "/api/pc/list/feed"

    def _find_user(self, state: Any) -> dict[str, Any] | None:
        # Articles carry user_id too: the account is the user dict without a group_id.
        for d in walk(state):
            if any(k in d for k in self.user_keys) and first(d, *self.name_keys) and not any(
                    k in d for k in self.post_id_keys):
                return d
        return None


ADAPTER_CLASSES: dict[str, Callable[..., Adapter]] = {
    "douyin": DouyinAdapter, "kuaishou": KuaishouAdapter, "toutiao": ToutiaoAdapter}
