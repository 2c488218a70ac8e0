"""Weibo through its public mobile JSON (m.weibo.cn).

The answers, as public crawlers document them (each is a fixture in
tests/media/platform_answers.py that names its source):

Profile   /api/container/getIndex?type=uid&value=UID
          {"ok":1,"data":{"userInfo":{"id","screen_name","statuses_count",…},
                          "tabsInfo":{"tabs":[{"tab_type":"weibo","containerid":…},…]}}}
          The posts container is the tab whose tab_type is "weibo" (DIYgod/RSSHub
          lib/routes/weibo/user.ts), not a constant.  {"ok":0,"msg":"用户不存在"} (errno
          20003) is the platform saying the id does not exist; {"ok":0,"msg":"这里还没有内容"}
          is also what it answers under risk control (dataabc/weibo-crawler weibo.py treats it
          as "可能账号已注销或用户id有误"): not evidence of anything.
Posts     …&containerid=CID[&since_id=S]
          {"ok":1,"data":{"cardlistInfo":{"since_id":S,"total":N},"cards":[{"card_type":9,
          "mblog":{…}},{"card_type":11,"card_group":[…]}]}}.  The next page is asked by the
          since_id of cardlistInfo (Python3WebSpider/WeiboList#9); older answers give
          cardlistInfo.page instead.  mblog: id/mid, created_at, text (HTML), isLongText,
          retweeted_status (a repost; its user is null when the original was deleted),
          isTop / mblogtype 2 / profile_type_id "proweibotop…" (pinned), comments_count,
          promotion.  An empty list while userInfo.statuses_count says there are posts is
          risk control, not an account without posts.
Long text /statuses/extend?id=MID  {"ok":1,"data":{"longTextContent":…}}
          (zgq354/weibo-rss src/modules/weibo/api/longTextAPI.ts); when it fails, the post's
          page /detail/MID, whose script holds `var $render_data = [{"status":{…}}][0] || {};`
          (dataabc/weibo-crawler weibo.py get_long_weibo).
Comments  /comments/hotflow?id=MID&mid=MID&max_id_type=0
          {"ok":1,"data":{"data":[{"id","created_at","text","user":{"id"},"comments":[…]}]}};
          the account's reply is a sub-comment whose user id is the account's uid.
Limits    HTTP 418 / 403 / 432, {"ok":-100,"url":"https://m.weibo.cn/captcha?…"}
          (dataabc/weibo-crawler#461) and 请求过于频繁 with HTTP 200: the spider backs off
          that account; never evidence about it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from govcrawl.media.adapters.base import (LIMIT_STATUSES, Adapter, AdapterError, Fetch, Resp,
                                          check_status, china_now, count, parse_time, strip_html)
from govcrawl.media.model import (CLOSED, INTERACTION_OK, NOT_FOUND, OK, Message, Observation,
                                  Post, parse_iso)

_UID_RES = (re.compile(r"/u/(\d{5,})"), re.compile(r"/profile/(\d{5,})"),
            re.compile(r"^/(\d{5,})(?:/|$)"), re.compile(r"[?&](?:uid|value)=(\d{5,})"))
# A question or request from a user: these are the comments an account is expected to answer.
QUESTION_RE = re.compile(r"[?？]|请问|咨询|怎么办|怎么|如何|能否|能不能|可不可以|什么时候|哪里|投诉|反映|求助")
POST_RULES = ("media.not_updated", "media.no_original")
_RENDER_DATA = re.compile(r"\$render_data\s*=\s*")


def weibo_uid(account: dict[str, Any]) -> str | None:
    st = account.get("settings") or {}
    if st.get("uid"):
        return str(st["uid"])
    url = account.get("url") or ""
    parts = urlsplit(url)
    for rx in _UID_RES:
        m = rx.search(parts.path if rx.pattern.startswith("^") else url)
        if m:
            return m.group(1)
    return None


class WeiboAdapter(Adapter):
    platform = "weibo"

    def api_base(self, account: dict[str, Any]) -> str:
        st = account.get("settings") or {}
        if st.get("api"):
            return str(st["api"]).rstrip("/")
        if self.settings.get("GOVCRAWL_MEDIA_WEIBO_API"):
            return str(self.settings["GOVCRAWL_MEDIA_WEIBO_API"]).rstrip("/")
        p = urlsplit(account.get("url") or "")
        host = (p.hostname or "").lower()
        if not host or host.endswith("weibo.com") or host.endswith("weibo.cn"):
            return "https://m.weibo.cn"
        return f"{p.scheme}://{p.netloc}"  # a mirror or a test server

    def _headers(self, uid: str) -> dict[str, str]:
        return {"Accept": "application/json, text/plain, */*", "MWeibo-Pwa": "1",
                "X-Requested-With": "XMLHttpRequest", "Referer": f"https://m.weibo.cn/u/{uid}"}

    def start(self, account: dict[str, Any]) -> list[Fetch]:
        uid = weibo_uid(account)
        if not uid:
            raise AdapterError("source_error",
                               f"account {account['id']}: no Weibo uid in url {account.get('url')!r}"
                               " (want …/u/UID or settings.uid)")
        base = self.api_base(account)
        return [Fetch(f"{base}/api/container/getIndex?type=uid&value={uid}", "profile",
                      headers=self._headers(uid), data={"uid": uid})]

    def handle(self, account: dict[str, Any], fetch: Fetch, resp: Resp,
               obs: Observation) -> list[Fetch]:
        if fetch.kind in ("longtext", "detail"):
            if resp.status in LIMIT_STATUSES:
                check_status(resp)  # a limit is backed off and retried; other errors fall back
            return self._long_text(account, fetch, resp, obs)
        check_status(resp)
        if resp.status in (404, 410):
            # an API path that is not there says nothing about the account
            raise AdapterError("platform_error", f"HTTP {resp.status} at {resp.url}",
                               status=resp.status)
        data = resp.json()
        if not isinstance(data, dict):
            raise AdapterError("bad_response", f"unexpected JSON (not an object) from {resp.url}")
        _limited(data, resp.url)
        if fetch.kind == "profile":
            return self._profile(account, fetch, data, obs, resp.url)
        if fetch.kind == "posts":
            return self._posts(account, fetch, data, obs, resp.url)
        if fetch.kind == "comments":
            self._comments(fetch, data, obs)
        return []

    # -- profile ------------------------------------------------------------------
    def _profile(self, account, fetch, data, obs, url) -> list[Fetch]:
        uid = fetch.data["uid"]
        body = data.get("data") if isinstance(data.get("data"), dict) else {}
        user = body.get("userInfo") if isinstance(body.get("userInfo"), dict) else None
        if data.get("ok") != 1 or user is None:
            msg = str(data.get("msg") or "")
            gone = self.gone_marker(msg)
            if gone or str(data.get("errno")) == "20003":
                obs.profile.status = CLOSED if gone == "closed" else NOT_FOUND
                obs.profile.data.update(uid=uid, platform_message=msg, errno=data.get("errno"))
                return []
            if data.get("ok") in (0, 1) and ("还没有内容" in msg or not msg):
                obs.cannot_read(("media.not_found",) + POST_RULES, "empty_profile",
                                f"Weibo answered {msg or 'an empty profile'!r} for uid {uid}: risk"
                                " control answers the same, so it says nothing about the account",
                                url, msg=msg, ok=data.get("ok"))
                return []
            raise AdapterError("bad_response", f"Weibo answered ok={data.get('ok')!r} {msg!r} at {url}")
        name = user.get("screen_name")
        if not name:
            raise AdapterError("bad_response", f"Weibo profile without screen_name at {url}")
        obs.profile.status = OK
        obs.profile.name = str(name)
        obs.profile.url = f"https://m.weibo.cn/u/{uid}"
        obs.posts_total = count(user.get("statuses_count"))
        obs.profile.data.update(uid=uid, statuses_count=user.get("statuses_count"),
                                followers_count=user.get("followers_count"),
                                verified_reason=user.get("verified_reason"))
        cid = posts_container(body)
        if cid is None:
            cid = f"107603{uid}"
            obs.notice("media.assumed", f"no 'weibo' tab in the profile's tabsInfo; reading the"
                       f" classic posts container {cid}", url)
        obs.profile.data["containerid"] = cid
        return [self._posts_fetch(account, uid, cid, 1, None)]

    # -- posts --------------------------------------------------------------------
    def _posts_fetch(self, account, uid: str, cid: str, page: int, cursor: Any) -> Fetch:
        base = self.api_base(account)
        url = f"{base}/api/container/getIndex?type=uid&value={uid}&containerid={cid}"
        if cursor is not None:
            kind, value = cursor
            url += f"&{kind}={value}"
        return Fetch(url, "posts", headers=self._headers(uid),
                     data={"uid": uid, "cid": cid, "page": page})

    def _posts(self, account, fetch, data, obs, url) -> list[Fetch]:
        uid, cid, page = fetch.data["uid"], fetch.data["cid"], fetch.data["page"]
        body = data.get("data") if isinstance(data.get("data"), dict) else {}
        cards = body.get("cards")
        info = body.get("cardlistInfo") if isinstance(body.get("cardlistInfo"), dict) else {}
        if data.get("ok") not in (0, 1) or (data.get("ok") == 1 and not isinstance(cards, list)):
            raise AdapterError("bad_response", f"Weibo post list ok={data.get('ok')!r} without cards"
                               f" at {url}")
        posts = self._cards(cards) if data.get("ok") == 1 else []
        if not posts:
            return self._empty_page(account, uid, page, data, obs, url)
        before = len(obs.posts)
        obs.add_posts(posts)
        obs.posts_complete = True
        if any(p.comments for p in posts):
            obs.profile.interaction = INTERACTION_OK
            obs.profile.interaction_evidence = {"comments_visible": True}
        if len(obs.posts) == before:
            obs.notice("media.paging", f"page {page} of the post list repeated posts already read:"
                       " its paging was not followed, so the list was read only this far", url,
                       page=page, posts_read=len(obs.posts))
            return self._after_posts(account, uid, obs)
        # every post the platform counts was read (the larger of the list's and the profile's
        # counts: a list that claims fewer does not end the account's posts)
        counts = [n for n in (info.get("total"), obs.posts_total) if isinstance(n, int)]
        if counts and len(obs.posts) >= max(counts):
            obs.list_end = True
            return self._after_posts(account, uid, obs)
        if self.reaches_window(obs):
            return self._after_posts(account, uid, obs)
        cursor = None
        if info.get("since_id") not in (None, "", 0, "0"):
            cursor = ("since_id", info["since_id"])
        elif info.get("page") not in (None, "", 0):
            cursor = ("page", info["page"])
        if cursor is None:
            obs.list_end = True  # no next page offered: the list ended
            return self._after_posts(account, uid, obs)
        if page >= self.max_pages():
            obs.notice("media.paging_cap", f"post list read to page {page} (GOVCRAWL_MEDIA_MAX_PAGES)"
                       f" without reaching {self.window_start():%Y-%m-%d}", url, pages=page,
                       posts_read=len(obs.posts))
            return self._after_posts(account, uid, obs)
        return [self._posts_fetch(account, uid, cid, page + 1, cursor)]

    def _empty_page(self, account, uid, page, data, obs, url) -> list[Fetch]:
        msg = str(data.get("msg") or "")
        total = obs.posts_total
        if page == 1:
            if total == 0:
                obs.posts_complete = obs.list_end = True  # the profile itself counts no post
                return self._after_posts(account, uid, obs)
            obs.cannot_read(POST_RULES, "empty_list",
                            f"Weibo answered an empty post list ({msg or 'no cards'}) although the"
                            f" profile counts {total} posts" if total else
                            f"Weibo answered an empty post list ({msg or 'no cards'}) and the profile"
                            " gives no post count", url, msg=msg, statuses_count=total)
            return []
        if total is not None and len(obs.posts) >= total:
            obs.list_end = True
        else:
            obs.notice("media.paging", f"page {page} of the post list came back empty after"
                       f" {len(obs.posts)} of {total if total is not None else '?'} posts: read only"
                       " this far", url, page=page, msg=msg)
        return self._after_posts(account, uid, obs)

    def _cards(self, cards: list[Any]) -> list[Post]:
        posts: list[Post] = []
        for card in cards:
            if not isinstance(card, dict):
                continue
            blogs = [card.get("mblog")] + [g.get("mblog") for g in card.get("card_group") or []
                                           if isinstance(g, dict)]
            for mb in blogs:
                if isinstance(mb, dict):
                    p = self._post(mb, card)
                    if p:
                        posts.append(p)
        return posts

    def _post(self, mb: dict[str, Any], card: dict[str, Any]) -> Post | None:
        pid = str(mb.get("mid") or mb.get("id") or "")
        if not pid:
            return None
        long_text = mb.get("longText") if isinstance(mb.get("longText"), dict) else {}
        text = strip_html(str(long_text.get("longTextContent") or mb.get("text") or ""))
        rt = mb.get("retweeted_status")
        ad = bool(mb.get("is_ad") or mb.get("promotion") or mb.get("ad_state"))
        title = mb.get("title") if isinstance(mb.get("title"), dict) else {}
        pinned = (bool(mb.get("isTop")) or mb.get("mblogtype") == 2 or title.get("text") == "置顶"
                  or str(card.get("profile_type_id") or "").startswith("proweibotop"))
        data: dict[str, Any] = {"reposts": _int(mb.get("reposts_count")), "pinned": pinned,
                                "source_user": (rt.get("user") or {}).get("screen_name")
                                if isinstance(rt, dict) and isinstance(rt.get("user"), dict) else None}
        if mb.get("isLongText") and not long_text.get("longTextContent"):
            data["long_text"] = "pending"  # text is cut at ~140 characters: read the rest
        return Post(id=pid, at=parse_time(mb.get("created_at"), china_now()), text=text,
                    original=not isinstance(rt, dict) and not mb.get("retweeted"),
                    url=f"https://m.weibo.cn/detail/{pid}",
                    comments=_int(mb.get("comments_count")), ad=ad, data=data)

    def _after_posts(self, account, uid: str, obs: Observation) -> list[Fetch]:
        return self._long_fetches(account, uid, obs) + self._comment_fetches(account, uid, obs)

    # -- long posts -----------------------------------------------------------------
    def _long_fetches(self, account, uid: str, obs: Observation) -> list[Fetch]:
        limit = int(self.settings.get("GOVCRAWL_MEDIA_LONGTEXT_POSTS") or 20)
        start = self.window_start()
        longs = sorted((p for p in obs.posts if p.data.get("long_text") == "pending"
                        and ((w := p.when()) is None or w >= start)),
                       key=lambda p: p.at or "", reverse=True)
        if len(longs) > limit:
            obs.notice("media.truncated", f"{len(longs) - limit} long post(s) beyond the newest"
                       f" {limit} (GOVCRAWL_MEDIA_LONGTEXT_POSTS) are judged on their truncated text",
                       posts=[p.id for p in longs[limit:]])
        base = self.api_base(account)
        return [Fetch(f"{base}/statuses/extend?id={p.id}", "longtext", optional=True,
                      headers={**self._headers(uid), "Referer": f"https://m.weibo.cn/detail/{p.id}"},
                      data={"uid": uid, "post_id": p.id}) for p in longs[:limit]]

    def _long_text(self, account, fetch: Fetch, resp: Resp, obs: Observation) -> list[Fetch]:
        pid = fetch.data["post_id"]
        post = obs.find_post(pid)
        if post is None:
            return []
        text = None
        if resp.status < 400:
            if fetch.kind == "longtext":
                try:
                    data = resp.json()
                except AdapterError:
                    data = None
                if isinstance(data, dict):
                    _limited(data, resp.url)
                    inner = data.get("data") if isinstance(data.get("data"), dict) else {}
                    if data.get("ok") == 1:
                        text = inner.get("longTextContent")
            else:
                text = detail_text(resp.text)
        if text:
            post.text = strip_html(str(text))
            post.data["long_text"] = "full"
            return []
        if fetch.kind == "longtext":  # zgq354/weibo-rss falls back to the post's own page
            base = self.api_base(account)
            return [Fetch(f"{base}/detail/{pid}", "detail", optional=True,
                          headers={"Accept": "text/html,application/xhtml+xml",
                                   "Referer": f"https://m.weibo.cn/u/{fetch.data['uid']}"},
                          data=fetch.data)]
        post.data["long_text"] = "truncated"
        obs.notice("media.truncated", f"post {pid}: the rest of a long post could not be read"
                   " (/statuses/extend, then /detail); its wording is judged on the truncated text",
                   post.url, post_id=pid)
        return []

    # -- comments -------------------------------------------------------------------
    def _comment_fetches(self, account, uid: str, obs: Observation) -> list[Fetch]:
        n = int(self.settings.get("GOVCRAWL_MEDIA_COMMENT_POSTS") or 5)
        base = self.api_base(account)
        with_comments = sorted((p for p in obs.posts if p.comments), key=lambda p: p.at or "",
                               reverse=True)[:n]
        return [Fetch(f"{base}/comments/hotflow?id={p.id}&mid={p.id}&max_id_type=0", "comments",
                      headers=self._headers(uid), optional=True,
                      data={"uid": uid, "post_id": p.id, "post_url": p.url})
                for p in with_comments]

    def _comments(self, fetch: Fetch, data: dict[str, Any], obs: Observation) -> None:
        uid = str(fetch.data["uid"])
        if data.get("ok") != 1:
            return  # "快来发表你的评论吧": no comments to read
        rows = (data.get("data") or {}).get("data")
        if not isinstance(rows, list):
            raise AdapterError("bad_response", f"Weibo comments without data at {fetch.url}")
        for c in rows:
            if not isinstance(c, dict):
                continue
            user = c.get("user") or {}
            if str(user.get("id")) == uid:
                continue
            text = strip_html(str(c.get("text") or ""))
            if not QUESTION_RE.search(text):
                continue  # praise and emoji need no answer
            asked = parse_time(c.get("created_at"), china_now())
            if not asked:
                continue
            replies = [r for r in (c.get("comments") or []) if isinstance(r, dict)
                       and str((r.get("user") or {}).get("id")) == uid]
            times = sorted(t for t in (parse_time(r.get("created_at"), china_now())
                                       for r in replies) if t)
            answered = times[0] if times else None
            if answered and (parse_iso(answered) or datetime.min) < (parse_iso(asked) or datetime.min):
                answered = None
            obs.messages.append(Message(
                id=str(c.get("id") or c.get("mid") or f"{fetch.data['post_id']}-{len(obs.messages)}"),
                asked_at=asked, text=text, answered_at=answered,
                reply=strip_html(str(replies[0].get("text") or "")) if replies else "",
                post_id=fetch.data["post_id"], url=fetch.data["post_url"]))


def posts_container(body: dict[str, Any]) -> str | None:
    """The container id of the profile's 微博 tab (tabsInfo.tabs is a list, or an object
    keyed by position in some answers)."""
    tabs = (body.get("tabsInfo") or {}).get("tabs") if isinstance(body.get("tabsInfo"), dict) else None
    if isinstance(tabs, dict):
        tabs = list(tabs.values())
    for t in tabs or []:
        if isinstance(t, dict) and t.get("tab_type") == "weibo" and t.get("containerid"):
            return str(t["containerid"])
    return None


def detail_text(html: str) -> str | None:
    """The full text from a post's /detail page (`var $render_data = [{"status":…}][0]`)."""
    m = _RENDER_DATA.search(html)
    if not m:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(html, m.end())
    except ValueError:
        return None
    first = value[0] if isinstance(value, list) and value else value
    status = first.get("status") if isinstance(first, dict) else None
    if not isinstance(status, dict):
        return None
    long_text = status.get("longText") if isinstance(status.get("longText"), dict) else {}
    return long_text.get("longTextContent") or status.get("text") or None


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _limited(data: dict[str, Any], url: str) -> None:
    """Risk control with HTTP 200: {"ok":-100,"url":…captcha / login…} (dataabc/weibo-crawler#461)
    or 请求过于频繁 in msg."""
    if data.get("ok") == -100 or str(data.get("errno")) == "-100":
        where = str(data.get("url") or "")
        raise AdapterError("rate_limited", f"Weibo asks for a captcha or login ({where or 'ok:-100'})"
                           f" at {url}", answer="ok:-100", login_url=where)
    msg = str(data.get("msg") or "")
    if "频繁" in msg or "稍后再试" in msg:
        raise AdapterError("rate_limited", f"Weibo: {msg} at {url}", answer="busy")
