"""A local stand-in for the platforms, for tests and the demo (127.0.0.1 only).

It answers in the shapes the adapters read — Weibo's mobile JSON (tabsInfo, since_id
paging, long posts through /statuses/extend), Douyin/Toutiao `RENDER_DATA` pages,
Kuaishou `window.INIT_STATE` with its posts from `POST /rest/v/profile/feed`, RSS/Atom/JSON
Feed, a WeWe-RSS bridge (Atom feeds and the `/feeds/` listing with each feed's syncTime),
留言 entry pages — for accounts described by `FakeAccount`.  All times are relative to
`as_of` (10:00 China time that day), so a scenario means the same thing whatever day it
runs.  Behaviours model bad days: server errors, rate limits, malformed JSON, ids that
do not exist, closed accounts, pages built only by script, post lists only a signed
request gives, a bridge that stopped syncing.
"""

from __future__ import annotations

import base64
import json
import threading
import time as time_mod
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from xml.sax.saxutils import escape

CST = timezone(timedelta(hours=8))
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class FakeComment:
    age_days: float  # asked this long before as_of 10:00
    text: str
    reply_after_hours: float | None = None  # None: never answered
    reply: str = "您好，您反映的问题已转交相关部门办理，感谢关注。"


@dataclass
class FakePost:
    age_days: float
    text: str
    original: bool = True
    title: str = ""
    ad: bool = False
    comments: list[FakeComment] = field(default_factory=list)
    source: str = "人民日报"  # whose post a repost forwards
    long_tail: str = ""  # Weibo: text after the ~140-character cut (isLongText)


@dataclass
class FakeAccount:
    id: str  # registry id
    platform: str  # weibo | wechat | douyin | kuaishou | toutiao | feed
    name: str  # the registered name
    key: str  # platform id (uid, sec_uid, feed key)
    current_name: str | None = None  # differs from name: renamed
    # ok | missing | closed | error | ratelimit | ratelimit_once | malformed | script_only
    # | signed_list (Douyin/Toutiao: posts only from a signed request) | bridge_stopped (WeChat)
    behaviour: str = "ok"
    posts: list[FakePost] = field(default_factory=list)
    feed_format: str = "rss"  # feed platform: rss | atom | json
    interaction_entry: str | None = None  # ok | broken: a 留言 menu link in the registry
    org: str = ""
    region: str = "示范市"

    @property
    def shown_name(self) -> str:
        return self.current_name or self.name


class FakePlatforms:
    """Serve `accounts` on 127.0.0.1; `registry_rows()` gives their registry entries."""

    def __init__(self, accounts: list[FakeAccount], as_of: date, latency: float = 0.0):
        self.accounts = {a.key: a for a in accounts}
        self._mids: dict[str, tuple[FakeAccount, FakePost]] | None = None
        self.latency = latency  # seconds added to every answer (benchmarks: platforms, not CPU)
        self.as_of = as_of
        self.now = datetime.combine(as_of, time(10, 0))
        self.hits: Counter[str] = Counter()
        self.times: dict[str, float] = {}  # monotonic time of the last request per path
        self.first_times: dict[str, float] = {}  # ... and of the first
        self._lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # -- server ----------------------------------------------------------------
    def start(self) -> "FakePlatforms":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                n = int(self.headers.get("Content-Length") or 0)
                self.do_GET(self.rfile.read(n) if n else b"")

            def do_GET(self, body_in: bytes | None = None) -> None:  # noqa: N802
                if fake.latency:
                    time_mod.sleep(fake.latency)
                try:
                    status, ctype, body, headers = fake.respond(self.path, body_in)
                except Exception as e:  # a bug in the fake must show up as a 500, not a hang
                    status, ctype, body, headers = 500, "text/plain", f"fake error {e}".encode(), {}
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    @property
    def base(self) -> str:
        assert self.httpd is not None, "start() the fake platforms first"
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    # -- registry ----------------------------------------------------------------
    def account_url(self, a: FakeAccount) -> str:
        b = self.base
        return {
            "weibo": f"{b}/u/{a.key}",
            "wechat": f"{b}/wewe/feeds/{a.key}.atom",
            "douyin": f"{b}/user/{a.key}",
            "kuaishou": f"{b}/profile/{a.key}",
            "toutiao": f"{b}/c/user/token/{a.key}/",
            "feed": f"{b}/feeds/{a.key}.{ {'rss': 'xml', 'atom': 'atom', 'json': 'json'}[a.feed_format]}",
        }[a.platform]

    def registry_rows(self) -> list[dict[str, Any]]:
        rows = []
        for a in self.accounts.values():
            row: dict[str, Any] = {"id": a.id, "name": a.name, "platform": a.platform,
                                   "url": self.account_url(a), "org": a.org or a.name,
                                   "region": a.region}
            if a.interaction_entry:
                row["settings"] = {"interaction_url": f"{self.base}/entry/{a.key}"}
            rows.append(row)
        return rows

    # -- times -------------------------------------------------------------------
    def at(self, age_days: float) -> datetime:
        return self.now - timedelta(days=age_days)

    @staticmethod
    def weibo_time(dt: datetime) -> str:
        return (f"{WEEKDAYS[dt.weekday()]} {MONTHS[dt.month - 1]} {dt.day:02d} "
                f"{dt:%H:%M:%S} +0800 {dt.year}")

    @staticmethod
    def epoch(dt: datetime) -> int:
        return int(dt.replace(tzinfo=CST).timestamp())

    # -- dispatch ----------------------------------------------------------------
    def respond(self, path: str, body: bytes | None = None) -> tuple[int, str, bytes, dict[str, str]]:
        parts = urlsplit(path)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        segs = [s for s in parts.path.split("/") if s]
        posted: dict[str, Any] = {}
        if body:
            try:
                posted = json.loads(body)
            except ValueError:
                posted = {}
        key = parts.path + ("?" + parts.query if parts.query else "")
        if posted:
            key += "#" + json.dumps(posted, sort_keys=True, ensure_ascii=False)
        with self._lock:
            self.hits[key] += 1
            self.times[key] = time_mod.monotonic()
            self.first_times.setdefault(key, self.times[key])
        if parts.path == "/api/container/getIndex":
            return self._guard(q.get("value", ""), lambda a: self.weibo_index(a, q))
        if parts.path == "/comments/hotflow":
            return self._weibo_comments(q.get("id", ""))
        if parts.path == "/statuses/extend":
            return self._weibo_long(q.get("id", ""))
        if len(segs) == 2 and segs[0] == "detail":
            return self._weibo_detail(segs[1])
        if parts.path == "/aweme/v1/web/aweme/post/":
            return self.douyin_posts(q.get("sec_user_id", ""), q)
        if parts.path == "/rest/v/profile/feed":
            return self._guard(str(posted.get("user_id", "")), lambda a: self.kuaishou_feed(
                a, str(posted.get("pcursor") or "")))
        if parts.path == "/wewe/feeds/":
            return self.wewe_listing()
        if len(segs) == 3 and segs[:2] == ["wewe", "feeds"]:
            return self._guard(segs[2].rsplit(".", 1)[0], self.feed, json_api=False)
        if len(segs) == 2 and segs[0] == "user":
            return self._guard(segs[1], self.douyin_page, json_api=False)
        if len(segs) == 2 and segs[0] == "profile":
            return self._guard(segs[1], self.kuaishou_page, json_api=False)
        if len(segs) == 4 and segs[:3] == ["c", "user", "token"]:
            return self._guard(segs[3], self.toutiao_page, json_api=False)
        if len(segs) == 2 and segs[0] in ("feeds", "wechat"):
            return self._guard(segs[1].rsplit(".", 1)[0], self.feed, json_api=False)
        if len(segs) == 2 and segs[0] == "entry":
            a = self.accounts.get(segs[1])
            if a is None or a.interaction_entry != "ok":
                return 404, "text/html; charset=utf-8", "<h1>404 Not Found</h1>".encode(), {}
            return 200, "text/html; charset=utf-8", (
                f"<html><head><title>{escape(a.shown_name)} 留言咨询</title></head><body>"
                "<h1>我要留言</h1><form method='post' action='/entry/submit'><textarea name='q'></textarea>"
                "<button>提交</button></form><p>工作人员将在1个工作日内回复。</p></body></html>").encode(), {}
        return 404, "text/plain", b"not found", {}

    def _guard(self, key: str, build, json_api: bool = True) -> tuple[int, str, bytes, dict[str, str]]:
        a = self.accounts.get(key)
        jtype = "application/json; charset=utf-8"
        if a is None or a.behaviour == "missing":
            if json_api:
                return 200, jtype, json.dumps({"ok": 0, "msg": "用户不存在", "errno": "20003"},
                                              ensure_ascii=False).encode(), {}
            if key.endswith((".atom", ".xml", ".json")) or a is None or a.platform in ("feed", "wechat"):
                return 404, "text/html; charset=utf-8", "<h1>404</h1>".encode(), {}
            return 200, "text/html; charset=utf-8", self._gone_page("用户不存在"), {}
        if a.behaviour == "closed":
            if json_api:
                return 200, jtype, json.dumps({"ok": 0, "msg": "该账号已注销"}, ensure_ascii=False).encode(), {}
            if a.platform in ("feed", "wechat"):
                return 410, "text/plain; charset=utf-8", "该账号已注销".encode(), {}
            return 200, "text/html; charset=utf-8", self._gone_page("该账号已注销"), {}
        if a.behaviour == "error":
            return 502, "text/html", b"<h1>502 Bad Gateway</h1>", {}
        if a.behaviour == "ratelimit":  # Weibo's 418 carries no Retry-After; a 429 may
            if a.platform == "weibo":
                return 418, "text/plain", b"I'm a teapot", {}
            return 429, "text/plain", b"too many requests", {"Retry-After": "0"}
        if a.behaviour == "ratelimit_once":
            with self._lock:
                first = self.hits[f"limited:{key}"] == 0
                self.hits[f"limited:{key}"] += 1
            if first:
                return 429, "text/plain", b"slow down", {"Retry-After": "0"}
        if a.behaviour == "malformed":
            return 200, jtype if json_api else "text/html; charset=utf-8", (
                '{"ok":1,"data":{"userInfo":{"id":1,"screen_name":"' if json_api else
                '<html><script id="RENDER_DATA" type="application/json">%7B%22user%22%3A%7B</script>'
            ).encode(), {}
        return build(a)

    def _gone_page(self, msg: str) -> bytes:
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{msg}</title></head>"
                f"<body><div class='error-page'><p>{msg}</p><a href='/'>返回首页</a></div></body></html>"
                ).encode()

    # -- Weibo ---------------------------------------------------------------------
    def weibo_index(self, a: FakeAccount, q: dict[str, str]) -> tuple[int, str, bytes, dict[str, str]]:
        jtype = "application/json; charset=utf-8"
        if not q.get("containerid"):
            data = {"ok": 1, "data": {"userInfo": {
                "id": int(a.key), "screen_name": a.shown_name, "verified": True, "verified_type": 1,
                "verified_reason": f"{a.org or a.name}官方微博", "statuses_count": len(a.posts),
                "followers_count": 12873, "description": f"{a.org or a.name}官方微博"},
                "tabsInfo": {"tabs": [{"tab_type": "weibo", "containerid": f"107603{a.key}"}]}}}
            return 200, jtype, json.dumps(data, ensure_ascii=False).encode(), {}
        # the list pages by since_id: the id of the next page's first post (cardlistInfo)
        per = 10
        ordered = sorted(a.posts, key=lambda p: p.age_days)
        start = 0
        if q.get("since_id"):
            start = next((k for k, p in enumerate(ordered) if self._mid(a, p) == q["since_id"]),
                         len(ordered))
        posts = ordered[start:start + per]
        cards = []
        for p in posts:
            mid = self._mid(a, p)
            mb: dict[str, Any] = {
                "id": mid, "mid": mid, "created_at": self.weibo_time(self.at(p.age_days)),
                "text": p.text if p.original else "转发微博", "source": "微博 weibo.com",
                "comments_count": len(p.comments), "reposts_count": 3, "attitudes_count": 11,
                "user": {"id": int(a.key), "screen_name": a.shown_name}}
            if p.long_tail:
                mb["isLongText"] = True
                mb["text"] = p.text + f'...<a href="/status/{mid}">全文</a>'
            if not p.original:
                mb["retweeted_status"] = {"id": mid + "0", "text": p.text,
                                          "user": {"id": 2803301701, "screen_name": p.source}}
            if p.ad:
                mb["promotion"] = {"type": "ad"}
            cards.append({"card_type": 9, "itemid": f"107603{a.key}_-_{mid}", "mblog": mb})
        info: dict[str, Any] = {"containerid": f"107603{a.key}", "total": len(a.posts)}
        if start + per < len(ordered):
            info["since_id"] = int(self._mid(a, ordered[start + per]))
        data: dict[str, Any] = {"ok": 1 if cards else 0, "data": {"cardlistInfo": info, "cards": cards}}
        if not cards:
            data["msg"] = "这里还没有内容"
        return 200, jtype, json.dumps(data, ensure_ascii=False).encode(), {}

    def _weibo_post(self, mid: str) -> tuple[FakeAccount, FakePost] | None:
        if self._mids is None:
            self._mids = {self._mid(a, p): (a, p) for a in self.accounts.values()
                          if a.platform == "weibo" for p in a.posts}
        return self._mids.get(mid)

    def _weibo_long(self, mid: str) -> tuple[int, str, bytes, dict[str, str]]:
        found = self._weibo_post(mid)
        if found is None or not found[1].long_tail:
            data: dict[str, Any] = {"ok": 0, "msg": "该微博不存在"}
        else:
            data = {"ok": 1, "data": {"ok": 1, "longTextContent": found[1].text + found[1].long_tail,
                                      "reposts_count": 3, "comments_count": 0, "attitudes_count": 11}}
        return 200, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False).encode(), {}

    def _weibo_detail(self, mid: str) -> tuple[int, str, bytes, dict[str, str]]:
        found = self._weibo_post(mid)
        if found is None:
            return 404, "text/html; charset=utf-8", b"<h1>404</h1>", {}
        status = {"id": mid, "text": found[1].text + found[1].long_tail, "isLongText": False}
        html = ("<!DOCTYPE html><html><body><script>var $render_data = ["
                + json.dumps({"status": status, "call": 1}, ensure_ascii=False)
                + "][0] || {};</script></body></html>")
        return 200, "text/html; charset=utf-8", html.encode(), {}

    def _mid(self, a: FakeAccount, p: FakePost) -> str:
        return f"49{int(a.key) % 100000:05d}{_index(a.posts, p):06d}"

    def _weibo_comments(self, mid: str) -> tuple[int, str, bytes, dict[str, str]]:
        jtype = "application/json; charset=utf-8"
        found = self._weibo_post(mid)
        if found is None:
            return 200, jtype, json.dumps({"ok": 0, "msg": "微博不存在或暂无查看权限!"},
                                          ensure_ascii=False).encode(), {}
        a, p = found
        if not p.comments:
            return 200, jtype, json.dumps({"ok": 0, "msg": "快来发表你的评论吧"},
                                          ensure_ascii=False).encode(), {}
        rows = []
        for j, c in enumerate(p.comments):
            asked = self.at(c.age_days)
            subs: Any = False
            if c.reply_after_hours is not None:
                subs = [{"id": f"{mid}{j}1", "created_at": self.weibo_time(
                    asked + timedelta(hours=c.reply_after_hours)), "text": c.reply,
                    "user": {"id": int(a.key), "screen_name": a.shown_name}}]
            rows.append({"id": f"{mid}{j}", "created_at": self.weibo_time(asked),
                         "text": c.text, "like_count": 0,
                         "user": {"id": 7000000000 + j, "screen_name": f"网友{j:04d}"},
                         "comments": subs, "total_number": 1 if subs else 0})
        return 200, jtype, json.dumps({"ok": 1, "data": {"data": rows, "total_number": len(rows),
                                                         "max_id": 0}},
                                      ensure_ascii=False).encode(), {}

    # -- Douyin / Kuaishou / Toutiao ------------------------------------------------
    def _page(self, title: str, state_tag: str) -> tuple[int, str, bytes, dict[str, str]]:
        html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
                f"</head><body><div id='root'></div>{state_tag}"
                "<script src='/static/app.js'></script></body></html>")
        return 200, "text/html; charset=utf-8", html.encode(), {}

    def douyin_state(self, a: FakeAccount) -> dict[str, Any]:
        posts = [{"awemeId": f"73{_index(a.posts, p):08d}", "awemeType": 0,
                  "desc": p.text if p.original else f"转发 @{p.source} 的视频：{p.text}",
                  "createTime": self.epoch(self.at(p.age_days)),
                  "stats": {"commentCount": len(p.comments), "diggCount": 25, "shareCount": 2},
                  **({"isAds": True} if p.ad else {})} for p in a.posts]
        inner: dict[str, Any] = {
            "uid": a.key, "user": {"user": {"uid": f"1{len(a.key)}", "secUid": a.key,
                                            "nickname": a.shown_name, "desc": f"{a.org}官方抖音号",
                                            "awemeCount": len(a.posts)},
                                   "statusCode": 0}}
        if a.behaviour != "signed_list":  # else the page asks /aweme/v1/web/aweme/post/ itself
            inner["post"] = {"cursor": 0, "hasMore": 0, "data": posts}
        return {"app": {"odin": {"user_id": "0"}}, "40": inner}

    def douyin_page(self, a: FakeAccount) -> tuple[int, str, bytes, dict[str, str]]:
        state = json.dumps(self.douyin_state(a), ensure_ascii=False)
        if a.behaviour == "script_only":
            b64 = base64.b64encode(state.encode()).decode()
            js = ("<script>(function(){var b=atob('" + b64 + "');var u=new Uint8Array(b.length);"
                  "for(var i=0;i<b.length;i++)u[i]=b.charCodeAt(i);var s=document.createElement('script');"
                  "s.type='application/json';s.setAttribute('id','RENDER_DATA');"
                  "s.textContent=new TextDecoder().decode(u);document.body.appendChild(s);})();</script>")
            return self._page(f"{a.shown_name}的抖音 - 抖音", js)
        tag = f'<script id="RENDER_DATA" type="application/json">{quote(state, safe="")}</script>'
        if a.behaviour == "signed_list":  # the page asks for its posts itself, signed
            tag += ("<script>fetch('/aweme/v1/web/aweme/post/?device_platform=webapp&aid=6383&sec_user_id="
                    + a.key + "&max_cursor=0&count=18&a_bogus=' + Math.random().toString(36).slice(2))"
                    ".then(function(r){return r.json()}).then(function(d){document.getElementById('root')"
                    ".textContent=(d.aweme_list||[]).length+' videos'})</script>")
        return self._page(f"{a.shown_name}的抖音 - 抖音", tag)

    def douyin_posts(self, key: str, q: dict[str, str]) -> tuple[int, str, bytes, dict[str, str]]:
        """/aweme/v1/web/aweme/post/: the list a Douyin profile page asks for; without its
        a_bogus signature the platform answers an empty body with HTTP 200."""
        a = self.accounts.get(key)
        if a is None or not q.get("a_bogus"):
            return 200, "application/json; charset=utf-8", b"", {}
        items = [{"aweme_id": f"74{_index(a.posts, p):08d}", "desc": p.text if p.original else
                  f"转发 @{p.source} 的视频：{p.text}", "create_time": self.epoch(self.at(p.age_days)),
                  "author": {"nickname": a.shown_name, "sec_uid": a.key},
                  "statistics": {"comment_count": len(p.comments), "digg_count": 25},
                  "is_top": 0} for p in sorted(a.posts, key=lambda p: p.age_days)]
        data = {"status_code": 0, "aweme_list": items, "has_more": 0, "max_cursor": 0}
        return 200, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False).encode(), {}

    def kuaishou_page(self, a: FakeAccount) -> tuple[int, str, bytes, dict[str, str]]:
        # window.INIT_STATE under hashed keys, with the bare `undefined` the page's script leaves;
        # the posts are not in it: the page asks POST /rest/v/profile/feed
        profile = {"ownerCount": {"fan": 2310, "photo": len(a.posts), "follow": 3,
                                  "photo_public": len(a.posts)},
                   "profile": {"gender": "U", "user_name": a.shown_name, "user_id": a.key,
                               "user_text": f"{a.org}官方快手号"}, "isFollowing": False}
        state = json.dumps({"a1b2c3d4": {"userProfile": profile, "result": 1},
                            "e5f6a7b8": {"currentUser": None}}, ensure_ascii=False)
        state = state.replace('"currentUser": null', '"currentUser": undefined')
        return self._page(f"{a.shown_name}的快手主页", "<script>window.INIT_STATE = " + state + "</script>")

    def kuaishou_feed(self, a: FakeAccount, cursor: str) -> tuple[int, str, bytes, dict[str, str]]:
        per = 4
        ordered = sorted(a.posts, key=lambda p: p.age_days)
        start = int(cursor) if cursor.isdigit() else 0
        feeds = [{"type": 1, "author": {"id": a.key, "name": a.shown_name},
                  "photo": {"id": f"3x{_index(a.posts, p):06d}x", "duration": 15200,
                            "caption": p.text if p.original else f"转发自{p.source}：{p.text}",
                            "likeCount": "31", "viewCount": "1204", "commentCount": len(p.comments),
                            "timestamp": self.epoch(self.at(p.age_days)) * 1000,
                            "coverUrl": "https://p1.a.kwimgs.com/cover.jpg"}}
                 for p in ordered[start:start + per]]
        more = start + per < len(ordered)
        data = {"result": 1, "host-name": "fake", "pcursor": str(start + per) if more else "no_more",
                "feeds": feeds}
        return 200, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False).encode(), {}

    def toutiao_page(self, a: FakeAccount) -> tuple[int, str, bytes, dict[str, str]]:
        feed = [{"group_id": f"72{i:010d}", "item_id": f"72{i:010d}", "title": p.title or p.text[:24],
                 "abstract": p.text, "publish_time": self.epoch(self.at(p.age_days)),
                 "comment_count": len(p.comments), "is_original": p.original,
                 **({"is_ad": True} if p.ad else {})} for i, p in enumerate(a.posts)]
        state: dict[str, Any] = {"data": {"profileUserInfo": {"user_id": a.key, "name": a.shown_name,
                                                              "description": f"{a.org}官方头条号"}}}
        if a.behaviour != "signed_list":  # else the page asks /api/pc/list/feed (a_bogus) itself
            state["data"]["feed"] = feed
        tag = ('<script id="RENDER_DATA" type="application/json">'
               f'{quote(json.dumps(state, ensure_ascii=False), safe="")}</script>')
        return self._page(f"{a.shown_name}的头条主页 - 今日头条", tag)

    # -- feeds ----------------------------------------------------------------------
    def wewe_listing(self) -> tuple[int, str, bytes, dict[str, str]]:
        """WeWe-RSS `GET /feeds/`: every feed with the time of its last sync (05:35 today, as
        its default cron; a stopped bridge, 30 days ago)."""
        today = self.now.replace(hour=5, minute=35)
        rows = [{"id": a.key, "name": a.shown_name, "intro": a.org, "cover": "",
                 "syncTime": self.epoch(today - timedelta(days=30 if a.behaviour == "bridge_stopped"
                                                          else 0)),
                 "updateTime": self.epoch(today - timedelta(days=90))}
                for a in self.accounts.values() if a.platform == "wechat" and a.behaviour != "missing"]
        return 200, "application/json; charset=utf-8", json.dumps(rows, ensure_ascii=False).encode(), {}

    def feed(self, a: FakeAccount) -> tuple[int, str, bytes, dict[str, str]]:
        fmt = "atom" if a.platform == "wechat" else a.feed_format
        items = sorted(a.posts, key=lambda p: p.age_days)
        link = f"{self.base}/a/{a.key}"

        def body(p: FakePost) -> str:
            if p.original:
                return f"<p>{escape(p.text)}</p><p>（{escape(a.shown_name)}原创）</p>"
            return f"<p>来源：{escape(p.source)}</p><p>{escape(p.text)}</p>"

        if fmt == "json":
            data = {"version": "https://jsonfeed.org/version/1.1", "title": a.shown_name,
                    "home_page_url": link, "items": [
                        {"id": f"{a.key}-{i}", "url": f"{link}/{i}", "title": p.title or p.text[:20],
                         "content_html": body(p),
                         "date_published": self.at(p.age_days).replace(tzinfo=CST).isoformat(),
                         **({"tags": ["广告"]} if p.ad else {})} for i, p in enumerate(items)]}
            return 200, "application/feed+json; charset=utf-8", json.dumps(
                data, ensure_ascii=False).encode(), {}
        if fmt == "atom":
            entries = "".join(
                f"<entry><id>{link}/{i}</id><title>{escape(p.title or p.text[:20])}</title>"
                f"<link href='{link}/{i}'/><published>{self.at(p.age_days).replace(tzinfo=CST).isoformat()}"
                f"</published><updated>{self.at(p.age_days).replace(tzinfo=CST).isoformat()}</updated>"
                f"<content type='html'>{escape(body(p))}</content></entry>" for i, p in enumerate(items))
            title = a.shown_name + (" - 微信公众号" if a.platform == "wechat" else "")
            gen = "<generator>WeWe-RSS</generator>" if a.platform == "wechat" else ""
            xml = (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
                   f"<title>{escape(title)}</title><id>{link}</id>{gen}"
                   f"<updated>{self.now.replace(tzinfo=CST).isoformat()}</updated>{entries}</feed>")
            return 200, "application/atom+xml; charset=utf-8", xml.encode(), {}
        rss_items = "".join(
            f"<item><title>{escape(p.title or p.text[:20])}</title><link>{link}/{i}</link>"
            f"<guid>{link}/{i}</guid><pubDate>{format_datetime(self.at(p.age_days).replace(tzinfo=CST))}"
            f"</pubDate><description>{escape(body(p))}</description></item>" for i, p in enumerate(items))
        xml = (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
               f"<title>{escape(a.shown_name)}</title><link>{link}</link>"
               f"<description>{escape(a.org or a.name)}</description>{rss_items}</channel></rss>")
        return 200, "application/rss+xml; charset=utf-8", xml.encode(), {}


def _index(items: list[Any], item: Any) -> int:
    """Position by identity (equal posts are still different posts)."""
    for i, x in enumerate(items):
        if x is item:
            return i
    raise ValueError("not in list")
