"""RSS 2.0, Atom and JSON Feed — an account's own feed, or WeChat articles through a bridge.

WeChat has no public article list; offices read it through an RSS bridge (self-hosted
WeWe-RSS / RSSHub style: one feed per 公众号, feed title = the account's current name) or
through the platform's export (see govcrawl.media.importer).  `WechatAdapter` is the feed
adapter with WeChat's conventions; a bridge's 404 is the bridge's problem, not proof that
the account vanished, so it becomes a notice, not media.not_found.

A bridge's feed is a copy, as current as its last sync.  WeWe-RSS (cooderl/wewe-rss)
syncs each 公众号 on a schedule through a 微信读书 account; when that account is
invalidated (WeReadError401) or put in 小黑屋 (WeReadError429) syncing stops and the
feed keeps serving the old articles.  Its `GET /feeds/` lists every feed with `syncTime`
(epoch seconds of the last successful sync; apps/server/src/feeds/feeds.service.ts
getFeedList).  So a WeChat feed that looks stale, or whose posts in the window are all
reposts, is evidence only when the bridge says it synced recently; RSSHub
(`<generator>RSSHub</generator>`) reads the platform on each request.  A bridge that
cannot say is "could not read", never 14天未更新.

RSSHub's Weibo feeds (lib/routes/weibo/utils.ts formatExtended) write a repost as the
account's own comment followed by `<blockquote> - 转发 <a …>@author</a>: …</blockquote>`
(`@[原微博不可访问]` when the original was deleted), the title as "comment - 转发 @author: …"
(or 🔁): a repost with a comment is still a repost, and only the comment is its own text.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from lxml import etree

from govcrawl.media.adapters.base import (Adapter, AdapterError, Fetch, Resp, check_status,
                                          guess_original, parse_time, strip_html)
from govcrawl.media.model import CLOSED, NOT_FOUND, OK, Observation, Post

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
# What bridges append to a feed title: "渭南发布 - 微信公众号", "渭南发布的微博", "… | RSSHub"
_TITLE_DECOR = re.compile(r"\s*(?:[-–—|_·]\s*(?:微信公众号|公众号|微信|微博|RSSHub|WeRSS|wewe-rss)\S*"
                          r"|的微博|的公众号)\s*$", re.I)
ORIGINAL_TAGS = {"原创", "original"}
REPOST_TAGS = {"转载", "转发", "repost", "reprint"}
_RSSHUB_REPOST_HTML = re.compile(r"<blockquote[^>]*>\s*-\s*转发\s", re.I)
_RSSHUB_REPOST_TITLE = re.compile(r"\s-\s*转发\s*@|🔁\s*@")
_BLOCKQUOTE = re.compile(r"<blockquote\b", re.I)
POST_RULES = ("media.not_updated", "media.no_original")


def clean_feed_title(title: str) -> str:
    return _TITLE_DECOR.sub("", (title or "").strip()).strip()


def _txt(el: Any) -> str:
    return "" if el is None else "".join(el.itertext()).strip()


class FeedAdapter(Adapter):
    platform = "feed"
    missing_is_not_found = True

    def start(self, account: dict[str, Any]) -> list[Fetch]:
        st = account.get("settings") or {}
        url = st.get("feed") or account.get("url")
        if not url:
            raise AdapterError("source_error", f"account {account['id']}: no feed url "
                               "(set url: or settings.feed:, or settings.export: for an export file)")
        return [Fetch(str(url), "feed", headers={
            "Accept": "application/atom+xml, application/rss+xml, application/feed+json, "
                      "application/json, application/xml;q=0.9, */*;q=0.5"})]

    def own_names(self, account: dict[str, Any], obs: Observation) -> tuple[str, ...]:
        return tuple(n for n in (account.get("name"), account.get("org"), obs.profile.name) if n)

    def handle(self, account: dict[str, Any], fetch: Fetch, resp: Resp,
               obs: Observation) -> list[Fetch]:
        check_status(resp)
        if fetch.kind == "bridge":
            if resp.status >= 400:
                raise AdapterError("platform_error", f"the bridge's feed listing answered HTTP"
                                   f" {resp.status} at {resp.url}", status=resp.status)
            self._bridge_listing(fetch, resp, obs)
            return []
        if resp.status in (404, 410):
            if resp.status == 410 or self.missing_is_not_found:
                obs.profile.status = CLOSED if resp.status == 410 else NOT_FOUND
                obs.profile.data.update(http_status=resp.status, feed=resp.url)
                return []
            raise AdapterError("source_error", f"feed source answered HTTP {resp.status} at {resp.url}"
                               " (the bridge may have lost the account: check it by hand)",
                               status=resp.status)
        body = resp.body.lstrip()
        ctype = resp.headers.get("content-type", "")
        if body[:1] in (b"{", b"[") or "json" in ctype:
            title, posts = self._json_feed(resp, account, obs)
        else:
            title, posts = self._xml_feed(resp, account, obs)
        gone = self.gone_marker(title)
        if gone:
            obs.profile.status = gone
            obs.profile.name = clean_feed_title(title)
            return []
        obs.profile.status = OK
        obs.profile.name = clean_feed_title(title) or None
        obs.profile.url = obs.profile.url or account.get("url") or resp.url
        obs.add_posts(posts)
        if not posts:  # a feed with no item says nothing about how often the account posts
            obs.cannot_read(POST_RULES, "empty_feed", f"the feed at {resp.url} lists no item",
                            resp.url)
            return []
        obs.posts_complete = True
        return self.after_feed(account, fetch, resp, obs)

    def after_feed(self, account: dict[str, Any], fetch: Fetch, resp: Resp,
                   obs: Observation) -> list[Fetch]:
        """The account's own feed is first-hand: read as it is now."""
        return []

    def _bridge_listing(self, fetch: Fetch, resp: Resp, obs: Observation) -> None:
        raise AdapterError("bad_response", f"unexpected bridge listing at {resp.url}")

    def _xml_feed(self, resp: Resp, account, obs) -> tuple[str, list[Post]]:
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            root = etree.fromstring(resp.body, parser)
        except etree.XMLSyntaxError as e:
            raise AdapterError("bad_response", f"malformed feed XML at {resp.url}: {e}") from None
        posts: list[Post] = []
        names = self.own_names(account, obs)
        if root.tag == f"{ATOM}feed":
            obs.profile.data["generator"] = _txt(root.find(f"{ATOM}generator")) or None
            title = _txt(root.find(f"{ATOM}title"))
            for e in root.findall(f"{ATOM}entry"):
                link = ""
                for ln in e.findall(f"{ATOM}link"):
                    if ln.get("rel") in (None, "alternate"):
                        link = ln.get("href") or ""
                        break
                body_el = e.find(f"{ATOM}content")
                if body_el is None:
                    body_el = e.find(f"{ATOM}summary")
                tags = {c.get("term", "").strip().lower() for c in e.findall(f"{ATOM}category")}
                posts.append(self._post(
                    pid=_txt(e.find(f"{ATOM}id")) or link, title=_txt(e.find(f"{ATOM}title")),
                    html=_txt(body_el), at=_txt(e.find(f"{ATOM}published")) or _txt(
                        e.find(f"{ATOM}updated")), url=link, tags=tags, names=names,
                    author=_txt(e.find(f"{ATOM}author/{ATOM}name"))))
            return title, posts
        channel = root.find("channel")
        if root.tag != "rss" or channel is None:
            raise AdapterError("bad_response", f"not an RSS or Atom feed at {resp.url} (root <{root.tag}>)")
        title = _txt(channel.find("title"))
        obs.profile.data["generator"] = _txt(channel.find("generator")) or None
        for it in channel.findall("item"):
            content = it.find(CONTENT)
            html = _txt(content) if content is not None else _txt(it.find("description"))
            tags = {_txt(c).lower() for c in it.findall("category")}
            link = _txt(it.find("link"))
            posts.append(self._post(pid=_txt(it.find("guid")) or link, title=_txt(it.find("title")),
                                    html=html, at=_txt(it.find("pubDate")), url=link, tags=tags,
                                    names=names, author=_txt(it.find("author"))))
        return title, posts

    def _json_feed(self, resp: Resp, account, obs) -> tuple[str, list[Post]]:
        data = resp.json()
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise AdapterError("bad_response", f"JSON at {resp.url} is not a JSON Feed (no items list)")
        names = self.own_names(account, obs)
        obs.profile.data["generator"] = str(data.get("generator") or "") or None
        posts = []
        for it in data["items"]:
            if not isinstance(it, dict):
                continue
            html = it.get("content_html") or ""
            text = it.get("content_text") or ""
            tags = {str(t).lower() for t in it.get("tags") or []}
            author = (it.get("author") or {}).get("name", "") if isinstance(it.get("author"), dict) else ""
            posts.append(self._post(pid=str(it.get("id") or it.get("url") or ""),
                                    title=str(it.get("title") or ""), html=html or text,
                                    at=it.get("date_published") or it.get("date_modified"),
                                    url=str(it.get("url") or ""), tags=tags, names=names,
                                    author=author))
        return str(data.get("title") or ""), posts

    def _post(self, *, pid: str, title: str, html: str, at: Any, url: str, tags: set[str],
              names: tuple[str, ...], author: str = "") -> Post:
        data: dict[str, Any] = {"author": author} if author else {}
        repost = bool(_RSSHUB_REPOST_TITLE.search(title or "") or _RSSHUB_REPOST_HTML.search(html))
        if repost:
            quote = _BLOCKQUOTE.search(html)
            if quote:  # the account's own words are the comment before the quoted post
                data["quoted"] = strip_html(html[quote.start():])[:500]
                html = html[:quote.start()]
        text = strip_html(html)
        if repost:
            original: bool | None = False
        elif tags & ORIGINAL_TAGS:
            original = True
        elif tags & REPOST_TAGS:
            original = False
        else:
            original = guess_original(text, names)
        if not pid:
            pid = hashlib.sha1(f"{title}\x1f{at}".encode()).hexdigest()[:16]
        return Post(id=pid, at=parse_time(at), title=title, text=text, original=original, url=url,
                    ad=True if tags & {"广告", "推广", "ad", "advertisement"} else None, data=data)


class WechatAdapter(FeedAdapter):
    platform = "wechat"
    missing_is_not_found = False

    def start(self, account: dict[str, Any]) -> list[Fetch]:
        st = account.get("settings") or {}
        bridge = st.get("feed") or self.settings.get("GOVCRAWL_MEDIA_WECHAT_BRIDGE")
        if bridge and "{" in str(bridge):
            # a bridge URL template, e.g. http://rss.local/feeds/{biz}.atom
            try:
                url = str(bridge).format(id=account["id"], name=account.get("name", ""),
                                         biz=st.get("biz", account["id"]))
            except (KeyError, IndexError) as e:
                raise AdapterError("source_error", f"bad WeChat bridge template {bridge!r}: {e}") from None
            return [Fetch(url, "feed")]
        return super().start(account)

    # -- how current the bridge's copy is ---------------------------------------------
    def bridge_kind(self, account: dict[str, Any], obs: Observation) -> str:
        """wewe-rss (syncs on a schedule: ask it when), live (reads the platform on each
        request, like RSSHub), or unknown.  settings.bridge in the registry overrides."""
        declared = str((account.get("settings") or {}).get("bridge") or "").lower()
        if declared in ("wewe-rss", "live"):
            return declared
        gen = str(obs.profile.data.get("generator") or "").lower()
        if "wewe" in gen:
            return "wewe-rss"
        if "rsshub" in gen:
            return "live"
        return "unknown"

    def after_feed(self, account, fetch, resp, obs) -> list[Fetch]:
        newest = max((w for p in obs.posts if (w := p.when()) is not None), default=None)
        window = [p for p in obs.posts if (w := p.when()) is not None and w >= self.window_start()]
        fresh = newest is not None and newest >= self.stale_start()
        if fresh and any(p.original is not False for p in window):
            return []  # fresh and not repost-only: no rule needs to know how current the copy is
        kind = self.bridge_kind(account, obs)
        obs.profile.data["bridge"] = {"kind": kind}
        if kind == "live":
            return []
        if kind != "wewe-rss":
            obs.cannot_read(POST_RULES, "bridge_unverified",
                            f"the WeChat bridge at {resp.url} does not say when it last synced"
                            " (not WeWe-RSS, not RSSHub; settings.bridge: live declares a bridge"
                            " that reads on request): its copy proves nothing about the last"
                            f" {'14 days' if not fresh else '3 months'}", resp.url)
            return []
        m = re.match(r"^(.*?/feeds/)([^/?#]+?)(?:\.(?:atom|rss|json|xml))?(?:[?#].*)?$", resp.url)
        if not m:
            obs.cannot_read(POST_RULES, "bridge_unverified", f"cannot tell the WeWe-RSS feed id from"
                            f" {resp.url}", resp.url)
            return []
        # until the bridge answers, its copy proves nothing (a failed listing leaves it so)
        for r in POST_RULES:
            obs.unreadable[r] = {"reason": "bridge_sync_unknown",
                                 "message": "the WeWe-RSS bridge did not say when it last synced"}
        return [Fetch(m.group(1), "bridge", headers={"Accept": "application/json"}, shared=True,
                      data={"feed_id": m.group(2)})]

    def _bridge_listing(self, fetch: Fetch, resp: Resp, obs: Observation) -> None:
        data = resp.json()
        row = next((r for r in data if isinstance(r, dict) and str(r.get("id")) == fetch.data["feed_id"]),
                   None) if isinstance(data, list) else None
        sync = row.get("syncTime") if row else None
        if not isinstance(sync, (int, float)) or isinstance(sync, bool) or sync <= 0:
            for r in POST_RULES:
                obs.unreadable.pop(r, None)
            obs.cannot_read(POST_RULES, "bridge_sync_unknown", f"the WeWe-RSS bridge lists no sync"
                            f" time for feed {fetch.data['feed_id']}", resp.url)
            return
        for r in POST_RULES:
            obs.unreadable.pop(r, None)
        obs.seen_until = parse_time(sync)
        obs.profile.data["bridge"] = {"kind": "wewe-rss", "feed_id": fetch.data["feed_id"],
                                      "sync_time": obs.seen_until}
