"""Weibo through its public mobile JSON (m.weibo.cn `api/container/getIndex`).

Profile:  /api/container/getIndex?type=uid&value=UID
          {"ok":1,"data":{"userInfo":{"id":UID,"screen_name":…}}}
          a missing user: {"ok":0,"msg":"用户不存在"} (or errno 20003)
Posts:    …&containerid=107603UID&page=N   {"ok":1,"data":{"cards":[{"card_type":9,"mblog":{…}}]}}
          mblog: id, created_at ("Sat Jun 15 10:00:00 +0800 2024"), text (HTML),
          retweeted_status (present on reposts), comments_count, isTop, promotion / is_ad
Comments: /comments/hotflow?id=MID&mid=MID&max_id_type=0
          {"ok":1,"data":{"data":[{"id","created_at","text","user":{"id"},"comments":[…]}]}}
          the account's reply is a sub-comment whose user id is the account's uid.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from govcrawl.media.adapters.base import (Adapter, AdapterError, Fetch, Resp, check_status,
                                          china_now, parse_time, strip_html)
from govcrawl.media.model import (CLOSED, INTERACTION_OK, NOT_FOUND, OK, Message, Observation,
                                  Post, parse_iso)

_UID_RES = (re.compile(r"/u/(\d{5,})"), re.compile(r"/profile/(\d{5,})"),
            re.compile(r"^/(\d{5,})(?:/|$)"), re.compile(r"[?&](?:uid|value)=(\d{5,})"))
# A question or request from a user: these are the comments an account is expected to answer.
QUESTION_RE = re.compile(r"[?？]|请问|咨询|怎么办|怎么|如何|能否|能不能|可不可以|什么时候|哪里|投诉|反映|求助")


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
        check_status(resp)
        uid = fetch.data["uid"]
        if resp.status in (404, 410) and fetch.kind == "profile":
            obs.profile.status = NOT_FOUND
            obs.profile.data.update(http_status=resp.status, uid=uid)
            return []
        if resp.status in (404, 410):
            raise AdapterError("platform_error", f"HTTP {resp.status} at {resp.url}")
        data = resp.json()
        if not isinstance(data, dict):
            raise AdapterError("bad_response", f"unexpected JSON (not an object) from {resp.url}")
        if fetch.kind == "profile":
            return self._profile(account, fetch, data, obs, resp.url)
        if fetch.kind == "posts":
            return self._posts(account, fetch, data, obs, resp.url)
        if fetch.kind == "comments":
            self._comments(fetch, data, obs)
            return []
        return []

    def _profile(self, account, fetch, data, obs, url) -> list[Fetch]:
        uid = fetch.data["uid"]
        if data.get("ok") != 1:
            msg = str(data.get("msg") or "")
            _rate_limit_message(msg, url)
            gone = self.gone_marker(msg)
            if gone or str(data.get("errno")) == "20003" or "还没有内容" in msg:
                obs.profile.status = CLOSED if gone == "closed" else NOT_FOUND
                obs.profile.data.update(uid=uid, platform_message=msg, errno=data.get("errno"))
                return []
            raise AdapterError("bad_response", f"Weibo answered ok={data.get('ok')!r} {msg!r} at {url}")
        user = ((data.get("data") or {}).get("userInfo")) or {}
        name = user.get("screen_name")
        if not name:
            raise AdapterError("bad_response", f"Weibo profile without screen_name at {url}")
        obs.profile.status = OK
        obs.profile.name = str(name)
        obs.profile.url = f"https://m.weibo.cn/u/{uid}"
        obs.profile.data.update(uid=uid, statuses_count=user.get("statuses_count"),
                                followers_count=user.get("followers_count"),
                                verified_reason=user.get("verified_reason"))
        return [self._posts_fetch(account, uid, 1)]

    def _posts_fetch(self, account, uid: str, page: int) -> Fetch:
        base = self.api_base(account)
        url = f"{base}/api/container/getIndex?type=uid&value={uid}&containerid=107603{uid}"
        if page > 1:
            url += f"&page={page}"
        return Fetch(url, "posts", headers=self._headers(uid), data={"uid": uid, "page": page})

    def _posts(self, account, fetch, data, obs, url) -> list[Fetch]:
        uid, page = fetch.data["uid"], fetch.data["page"]
        if data.get("ok") != 1:
            msg = str(data.get("msg") or "")
            _rate_limit_message(msg, url)
            if "还没有内容" in msg or (data.get("data") or {}).get("cards") == []:
                obs.posts_complete = True  # the end of the list (or no posts at all)
                return self._comment_fetches(account, uid, obs)
            raise AdapterError("bad_response", f"Weibo post list ok={data.get('ok')!r} {msg!r} at {url}")
        cards = (data.get("data") or {}).get("cards")
        if not isinstance(cards, list):
            raise AdapterError("bad_response", f"Weibo post list without cards at {url}")
        posts: list[Post] = []
        for card in cards:
            if not isinstance(card, dict):
                continue
            blogs = [card.get("mblog")] + [g.get("mblog") for g in card.get("card_group") or []
                                           if isinstance(g, dict)]
            for mb in blogs:
                if isinstance(mb, dict):
                    p = self._post(mb)
                    if p:
                        posts.append(p)
        obs.add_posts(posts)
        if any(p.comments for p in posts):
            obs.profile.interaction = INTERACTION_OK
            obs.profile.interaction_evidence = {"comments_visible": True}
        # Read on until the list reaches back past the no-original window or runs out.
        dated = [p.when() for p in posts if p.when() and not p.data.get("pinned")]
        horizon = self._horizon()
        total = ((data.get("data") or {}).get("cardlistInfo") or {}).get("total")
        more = not isinstance(total, int) or len(obs.posts) < total
        if posts and more and page < self.max_pages() and dated and min(dated) > horizon:
            return [self._posts_fetch(account, uid, page + 1)]
        obs.posts_complete = True
        return self._comment_fetches(account, uid, obs)

    def _horizon(self) -> datetime:
        as_of = self.settings.get("as_of")
        days = int(self.settings.get("GOVCRAWL_MEDIA_ORIGINAL_MONTHS", 3)) * 31 + 1
        ref = datetime.fromisoformat(as_of) if as_of else datetime.now()
        return ref - timedelta(days=days)

    def _post(self, mb: dict[str, Any]) -> Post | None:
        pid = str(mb.get("mid") or mb.get("id") or "")
        if not pid:
            return None
        text = strip_html(str(mb.get("longText", {}).get("longTextContent") if isinstance(
            mb.get("longText"), dict) else mb.get("text") or ""))
        rt = mb.get("retweeted_status")
        ad = bool(mb.get("is_ad") or mb.get("promotion") or mb.get("ad_state"))
        title = mb.get("title") if isinstance(mb.get("title"), dict) else {}
        return Post(id=pid, at=parse_time(mb.get("created_at"), china_now()), text=text,
                    original=not isinstance(rt, dict) and not mb.get("retweeted"),
                    url=f"https://m.weibo.cn/detail/{pid}",
                    comments=_int(mb.get("comments_count")), ad=ad,
                    data={"reposts": _int(mb.get("reposts_count")), "pinned":
                          bool(mb.get("isTop")) or title.get("text") == "置顶",
                          "source_user": (rt.get("user") or {}).get("screen_name")
                          if isinstance(rt, dict) and isinstance(rt.get("user"), dict) else None})

    def _comment_fetches(self, account, uid: str, obs: Observation) -> list[Fetch]:
        n = int(self.settings.get("GOVCRAWL_MEDIA_COMMENT_POSTS", 5))
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


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _rate_limit_message(msg: str, url: str) -> None:
    """Weibo sometimes says 请求过于频繁 with HTTP 200 instead of a 418."""
    if "频繁" in msg or "稍后再试" in msg:
        raise AdapterError("rate_limited", f"Weibo: {msg} at {url}")
