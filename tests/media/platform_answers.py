"""Platform answers written by us from the shapes public crawlers document (as_of 2024-06-20).

Nothing here is copied from those projects or from the platforms: every body is written
for this test from the field names and behaviours the named source reads or reports, with
our own ids, names and texts.  Each `Case` is one shape or one error answer; the comment
above it names its source (repository and path, or issue thread).

A case carries the account's registry row (`{base}` is the local server), the answers
the local server gives (`routes`: "GET /path?query" or "POST /path k=v&k=v" for a JSON
body), and what the rules must make of it:
  fires      rule codes that must fire (positive evidence, at their threshold)
  not_judged rule codes that must not be judged (a notice; never a finding)
  unchecked  the account gets no verdict (nothing decisive could be read)
  notices    notice kinds that must be recorded
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

AS_OF = "2024-06-20"
CST = timezone(timedelta(hours=8))
POST_RULES = {"media.not_updated", "media.no_original"}


def wb_time(day: str, hm: str = "10:00") -> str:
    """Weibo's created_at form, 'Thu Jun 20 10:00:00 +0800 2024' (DIYgod/RSSHub parses it with
    timezone(+8) in lib/routes/weibo/user.ts)."""
    return datetime.fromisoformat(f"{day}T{hm}").strftime("%a %b %d %H:%M:%S +0800 %Y")


def epoch(day: str, hm: str = "10:00") -> int:
    return int(datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=CST).timestamp())


@dataclass
class Case:
    id: str
    platform: str
    name: str
    url: str  # with {base}
    routes: dict[str, tuple[int, str, Any]]  # key -> (status, content type, body)
    fires: set[str] = field(default_factory=set)
    not_judged: set[str] = field(default_factory=set)
    unchecked: bool = False
    notices: set[str] = field(default_factory=set)
    settings: dict[str, Any] = field(default_factory=dict)

    def row(self, base: str) -> dict[str, Any]:
        row: dict[str, Any] = {"id": self.id, "name": self.name, "platform": self.platform,
                               "url": self.url.format(base=base), "org": self.name}
        if self.settings:
            row["settings"] = self.settings
        return row


JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"


# -- Weibo ---------------------------------------------------------------------------------
def wb_profile(uid: str, name: str, statuses: int) -> dict[str, Any]:
    # getIndex?type=uid&value=UID: userInfo (screen_name, statuses_count) and tabsInfo.tabs,
    # the posts container being the tab whose tab_type is "weibo" (DIYgod/RSSHub
    # lib/routes/weibo/user.ts; zgq354/weibo-rss src/modules/weibo/api/indexAPI.ts reads tabs[1]).
    return {"ok": 1, "data": {
        "userInfo": {"id": int(uid), "screen_name": name, "statuses_count": statuses,
                     "verified": True, "verified_reason": f"{name}官方微博", "followers_count": 20417},
        "tabsInfo": {"selectedTab": 1, "tabs": [
            {"id": 1, "tabKey": "profile", "tab_type": "profile", "title": "主页",
             "containerid": f"230283{uid}"},
            {"id": 2, "tabKey": "weibo", "tab_type": "weibo", "title": "微博",
             "containerid": f"107603{uid}"},
            {"id": 3, "tabKey": "video", "tab_type": "video", "title": "视频",
             "containerid": f"231567{uid}"}]}}}


def mblog(mid: str, day: str, text: str, *, repost_of: str | None = None, deleted: bool = False,
          pinned: bool = False, long_text: bool = False, uid: str = "1") -> dict[str, Any]:
    # card_type 9 cards with mblog: id/mid, created_at, text (HTML), retweeted_status on reposts
    # (its user is null when the original was deleted: RSSHub lib/routes/weibo/utils.ts
    # "[原微博不可访问]"), isLongText (zgq354/weibo-rss src/modules/weibo/weibo.ts), pinned as
    # mblogtype 2 (dataabc/weibo-crawler weibo.py is_pinned_weibo) with isTop.
    mb: dict[str, Any] = {"id": mid, "mid": mid, "bid": f"O{mid[-6:]}", "created_at": wb_time(day),
                          "text": text, "source": "微博网页版", "comments_count": 0,
                          "reposts_count": 2, "attitudes_count": 9,
                          "user": {"id": int(uid), "screen_name": "x"}}
    if repost_of or deleted:
        mb["retweeted_status"] = {"id": mid + "1", "created_at": wb_time(day, "08:00"),
                                  "text": "此微博已被作者删除。" if deleted else f"{repost_of}发布的消息。",
                                  "user": None if deleted else {"id": 1974576991,
                                                                "screen_name": repost_of}}
    if pinned:
        mb.update(mblogtype=2, isTop=1, title={"text": "置顶", "base_color": 1})
    if long_text:
        mb["isLongText"] = True
    return {"card_type": 9, "itemid": f"1076031_-_{mid}", "mblog": mb}


def wb_posts(cards: list[dict[str, Any]], total: int, since_id: int | None = None) -> dict[str, Any]:
    # cardlistInfo.since_id names the next page (Python3WebSpider/WeiboList#9, #5)
    info: dict[str, Any] = {"containerid": "107603", "v_p": 42, "show_style": 1, "total": total}
    if since_id is not None:
        info["since_id"] = since_id
    return {"ok": 1, "data": {"cardlistInfo": info, "cards": cards, "scheme": ""}}


def wb_routes(uid: str, profile: Any, pages: dict[str, Any]) -> dict[str, tuple[int, str, Any]]:
    out = {f"GET /api/container/getIndex?type=uid&value={uid}": (200, JSON, profile)}
    for suffix, body in pages.items():
        out[f"GET /api/container/getIndex?type=uid&value={uid}&containerid=107603{uid}{suffix}"] = \
            (200, JSON, body)
    return out


CASES: list[Case] = []

# Source: DIYgod/RSSHub lib/routes/weibo/user.ts (containerid from tabsInfo, tab_type "weibo");
# Python3WebSpider/WeiboList#9 (the next page is asked by cardlistInfo.since_id, not `page`).
# Page 1 holds only reposts, the original of 2024-05-11 is on the since_id page: reading
# `page=2` (answered with page 1 again) would give a false 3个月无原创.
_U = "5100000001"
CASES.append(Case(
    "wb-since-id", "weibo", "示范发布", "{base}/u/" + _U, wb_routes(_U, wb_profile(_U, "示范发布", 40), {
        "": wb_posts([mblog("5001000000000013", "2024-06-19", "转发微博", repost_of="人民日报"),
                      mblog("5001000000000012", "2024-06-12", "学习了", repost_of="新华社")],
                     total=40, since_id=5001000000000011),
        "&since_id=5001000000000011": wb_posts(
            [mblog("5001000000000011", "2024-05-11", "示范市召开防汛工作部署会。"),
             mblog("5001000000000010", "2024-03-02", "示范市春季植树活动启动。")],
            total=40, since_id=5001000000000009)})))

# Source: dataabc/weibo-crawler weibo.py get_user_info/get_one_page (statuses_count, cards);
# the rules at their threshold on posts actually read: the newest non-pinned post is 14 days
# old (2024-06-06), every post back past 2024-03-20 is a repost, and the pinned original of
# 2023 (mblogtype 2) neither freshens the account nor counts as reaching the window.
_U = "5100000002"
CASES.append(Case(
    "wb-stale-reposts", "weibo", "示范水务", "{base}/u/" + _U, wb_routes(_U, wb_profile(_U, "示范水务", 9), {
        "": wb_posts([mblog("5002000000000020", "2023-05-01", "示范水务欢迎您。", pinned=True),
                      mblog("5002000000000019", "2024-06-06", "转发微博", repost_of="水利部"),
                      mblog("5002000000000018", "2024-05-20", "转发", repost_of="人民日报")],
                     total=9, since_id=5002000000000017),
        "&since_id=5002000000000017": wb_posts(
            [mblog("5002000000000017", "2024-04-02", "转发微博", repost_of="新华社"),
             mblog("5002000000000016", "2024-03-10", "", deleted=True)], total=9,
            since_id=5002000000000015)}),
    fires={"media.not_updated", "media.no_original"}))

# Source: dataabc/weibo-crawler weibo.py get_user_info ("这里还没有内容" → 可能账号已注销或用户id有误)
# and issue 24: under risk control the post list answers 这里还没有内容 with an empty card list
# for accounts whose profile counts hundreds of posts.
_U = "5100000003"
CASES.append(Case(
    "wb-empty-risk", "weibo", "示范民政", "{base}/u/" + _U, wb_routes(_U, wb_profile(_U, "示范民政", 356), {
        "": {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}}),
    not_judged=POST_RULES, unchecked=True, notices={"media.could_not_read", "media.not_judged"}))

# Source: as above — the profile itself answering 这里还没有内容 is no 搜索不到.
_U = "5100000004"
CASES.append(Case(
    "wb-profile-empty", "weibo", "示范档案", "{base}/u/" + _U,
    wb_routes(_U, {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}, {}),
    not_judged={"media.not_found"} | POST_RULES, unchecked=True, notices={"media.could_not_read"}))

# Source: dataabc/weibo-crawler#461 — risk control answers HTTP 200 with ok:-100 and a captcha
# url (a login url in other answers); handle_captcha in weibo.py opens that url.
_U = "5100000005"
CASES.append(Case(
    "wb-ok-100", "weibo", "示范税务", "{base}/u/" + _U, wb_routes(_U, {
        "ok": -100, "errno": "-100", "msg": "",
        "url": "https://passport.weibo.cn/signin/welcome?entry=mweibo&r=https%3A%2F%2Fm.weibo.cn%2F",
        "extra": ""}, {}),
    unchecked=True, notices={"media.rate_limited"}))

# Source: dataabc/weibo-crawler#557 (418 TEA POT, on every cookie at once) and
# zgq354/weibo-rss src/modules/weibo/api/common.ts (418 and 403 handled as one "forbidden").
for _U, _id, _status, _body in (
        ("5100000006", "wb-418", 418, "I'm a teapot"),
        # Source: zgq354/weibo-rss common.ts; LiuXingMing/SinaSpider#58 (403 without login)
        ("5100000007", "wb-403", 403, "<html><body>403 Forbidden</body></html>"),
        # Source: DIYgod/RSSHub#20512, dataabc/weibo-crawler#565 (432 with an empty body)
        ("5100000008", "wb-432", 432, "")):
    CASES.append(Case(_id, "weibo", f"示范{_status}", "{base}/u/" + _U,
                      {f"GET /api/container/getIndex?type=uid&value={_U}": (_status, "text/html", _body)},
                      unchecked=True, notices={"media.rate_limited"}))

# Source: zgq354/weibo-rss src/modules/weibo/api/longTextAPI.ts (/statuses/extend?id= →
# data.longTextContent) with its fallback, and dataabc/weibo-crawler weibo.py get_long_weibo
# (/detail/ID, `"status":` … `"call"` in the page's $render_data).  The second long post's
# extend answer fails, its /detail page gives the full text.
_U = "5100000009"
CASES.append(Case(
    "wb-long-text", "weibo", "示范统计", "{base}/u/" + _U, {
        **wb_routes(_U, wb_profile(_U, "示范统计", 2), {
            "": wb_posts([mblog("5009000000000002", "2024-06-18",
                                "上半年全市经济运行总体平稳，规模以上工业增加值同比增长…"
                                '<a href="/status/O00002">全文</a>', long_text=True),
                          mblog("5009000000000001", "2024-06-10",
                                "示范市统计局开展统计执法检查…<a href=\"/status/O00001\">全文</a>",
                                long_text=True)], total=2)}),
        "GET /statuses/extend?id=5009000000000002": (200, JSON, {"ok": 1, "data": {
            "ok": 1, "longTextContent": "上半年全市经济运行总体平稳，规模以上工业增加值同比增长6.1%。"
                                        "<br />下半年要再接再励，稳住经济大盘。",
            "reposts_count": 1, "comments_count": 0, "attitudes_count": 4}}),
        "GET /statuses/extend?id=5009000000000001": (200, JSON, {"ok": 0, "msg": "请求失败"}),
        "GET /detail/5009000000000001": (200, HTML, (
            "<!DOCTYPE html><html><body><script>var $render_data = [{\"status\": {\"id\":"
            " \"5009000000000001\", \"text\": \"示范市统计局开展统计执法检查，严肃查处统计造假。\","
            " \"isLongText\": false}, \"call\": \"json\", \"hotScheme\": \"\"}][0] || {};"
            "</script></body></html>"))}))

# Source: the not-found answer the adapter has read since round 1 ({"ok":0,"msg":"用户不存在"});
# zgq354/weibo-rss throws UserNotFoundError on ok !== 1 — we only on the platform's words.
_U = "5100000010"
CASES.append(Case(
    "wb-not-found", "weibo", "示范旧号", "{base}/u/" + _U,
    wb_routes(_U, {"ok": 0, "msg": "用户不存在", "errno": "20003"}, {}), fires={"media.not_found"}))

# Source: dataabc/weibo-crawler#587 and gallery-dl#8357 (a page parameter the list ignores
# returns the first page again).  The answer offers cardlistInfo.page but repeats page 1:
# the list was read only this far, so 3个月无原创 is not judged on two reposts.
_U = "5100000011"
_rep = {"ok": 1, "data": {"cardlistInfo": {"containerid": f"107603{_U}", "total": 30, "page": 2},
                          "cards": [mblog("5011000000000002", "2024-06-19", "转发", repost_of="人民日报"),
                                    mblog("5011000000000001", "2024-06-01", "转发", repost_of="新华社")]}}
CASES.append(Case(
    "wb-paging-repeats", "weibo", "示范金融", "{base}/u/" + _U,
    wb_routes(_U, wb_profile(_U, "示范金融", 30), {"": _rep, "&page=2": _rep}),
    not_judged={"media.no_original"}, notices={"media.paging"}))


# -- Kuaishou --------------------------------------------------------------------------------
def ks_page(principal: str, name: str, photos: int) -> str:
    # window.INIT_STATE under hashed keys, with a bare `undefined` (the tests of public
    # extractors parse it so: search hits for `window.INIT_STATE` with balanced-JSON readers);
    # userProfile {ownerCount {photo_public}, profile {user_name, user_id}} as
    # NanmiCoder/MediaCrawler media_platform/kuaishou/graphql/vision_profile.graphql names them.
    state = {"7f3a9c": {"result": 1, "userProfile": {
        "ownerCount": {"fan": 1820, "photo": photos, "follow": 2, "photo_public": photos},
        "profile": {"gender": "U", "user_name": name, "user_id": principal,
                    "user_text": f"{name}官方账号"}, "isFollowing": False}},
        "b81d04": {"loginUser": "__U__"}}
    js = json.dumps(state, ensure_ascii=False).replace('"__U__"', "undefined")
    return (f"<!DOCTYPE html><html><head><title>{name}的快手主页</title></head><body><div id='app'>"
            f"</div><script>window.INIT_STATE = {js}</script><script src='/kos/app.js'></script>"
            "</body></html>")


def ks_photo(pid: str, day: str, caption: str) -> dict[str, Any]:
    # POST /rest/v/profile/feed answers {"result":1,"pcursor","feeds":[{"photo":{id, caption,
    # timestamp (ms), likeCount, …}, "author"}]} — the browser scripts that page through it
    # (fetchProfileFeedLoop: data.feeds[i].photo.id/.timestamp, pcursor until "no_more") and
    # the photo entity fields of MediaCrawler's kuaishou graphql (id, caption, timestamp, …).
    return {"type": 1, "author": {"id": "3xks", "name": "x"},
            "photo": {"id": pid, "duration": 21300, "caption": caption, "likeCount": "57",
                      "realLikeCount": 57, "viewCount": "2150", "commentCount": 0,
                      "timestamp": epoch(day) * 1000, "coverUrl": "https://p2.a.kwimgs.com/c.jpg",
                      "profileUserTopPhoto": False}}


_K = "3xksfixture01"
CASES.append(Case(
    "ks-init-state", "kuaishou", "示范文明", "{base}/profile/" + _K, {
        f"GET /profile/{_K}": (200, HTML, ks_page(_K, "示范文明", 5)),
        f"POST /rest/v/profile/feed page=profile&pcursor=&user_id={_K}": (200, JSON, {
            "result": 1, "host-name": "public-bjx", "pcursor": "1.717639200E12",
            "feeds": [ks_photo("3xq7dwkn2a1", "2024-06-06", "文明实践进社区。"),
                      ks_photo("3xq7dwkn2a2", "2024-05-30", "志愿服务队走进养老院。")]}),
        f"POST /rest/v/profile/feed page=profile&pcursor=1.717639200E12&user_id={_K}": (200, JSON, {
            "result": 1, "host-name": "public-bjx", "pcursor": "no_more",
            "feeds": [ks_photo("3xq7dwkn2a3", "2024-04-02", "清明祭英烈。"),
                      ks_photo("3xq7dwkn2a4", "2024-02-02", "新春走基层。"),
                      ks_photo("3xq7dwkn2a5", "2024-01-09", "年度回顾。")]})},
    fires={"media.not_updated"}))

# Source: daxiongdi666/MediaCrawlerPro-Python notes (search hit for /rest/v/profile/feed):
# the profile feed answers result 109 (login required) to anonymous sessions; result 50 is a
# refusal, "not the end of the list".
_K = "3xksfixture02"
CASES.append(Case(
    "ks-login-required", "kuaishou", "示范交警", "{base}/profile/" + _K, {
        f"GET /profile/{_K}": (200, HTML, ks_page(_K, "示范交警", 212)),
        f"POST /rest/v/profile/feed page=profile&pcursor=&user_id={_K}": (200, JSON, {
            "result": 109, "error_msg": "请登录后重试"})},
    not_judged=POST_RULES, unchecked=True, notices={"media.could_not_read"}))


# -- Douyin / Toutiao ------------------------------------------------------------------------
def render_data(state: dict[str, Any]) -> str:
    return ('<script id="RENDER_DATA" type="application/json">'
            + quote(json.dumps(state, ensure_ascii=False), safe="") + "</script>")


# Source: DIYgod/RSSHub lib/routes/douyin/user.ts — the page's RENDER_DATA holds the user
# (nickname, awemeCount), the posts come from /web/aweme/post, which RSSHub captures in a
# headless browser ("Empty post data. The request may be filtered by WAF").
_D = "MS4wLjABAAAAfixtureDouyin01"
CASES.append(Case(
    "dy-signed-list", "douyin", "示范应急", "{base}/user/" + _D, {
        f"GET /user/{_D}": (200, HTML, "<!DOCTYPE html><html><body><div id='douyin-web'></div>" + render_data({
            "app": {"odin": {"user_id": "0", "user_is_auth": 0}},
            "1a2b": {"uid": _D, "user": {"statusCode": 0, "user": {
                "uid": "68002", "secUid": _D, "nickname": "示范应急", "desc": "示范市应急管理局",
                "awemeCount": 87, "followerCount": 3310}}}}) + "</body></html>")},
    not_judged=POST_RULES, unchecked=True, notices={"media.could_not_read"}))

# Source: DIYgod/RSSHub lib/routes/douyin/user.ts — the answer of /aweme/v1/web/aweme/post/
# the page asks for itself (captured in the browser): aweme_list [{aweme_id, desc, create_time,
# author {nickname}, statistics {comment_count}, video}], has_more.  Read from a rendered page.
DOUYIN_AWEME_POST = {"status_code": 0, "has_more": 0, "max_cursor": 1716900000000, "aweme_list": [
    {"aweme_id": "7382000000000000003", "desc": "转发：全国防汛抗旱工作会议召开。",
     "create_time": epoch("2024-06-05"), "is_top": 0, "author": {"nickname": "示范应急"},
     "statistics": {"comment_count": 0, "digg_count": 18}, "video_tag": []},
    {"aweme_id": "7382000000000000002", "desc": "应急演练现场。", "create_time": epoch("2024-05-02"),
     "is_top": 0, "author": {"nickname": "示范应急"}, "statistics": {"comment_count": 2, "digg_count": 40},
     "video_tag": []}]}

# Source: DIYgod/RSSHub lib/routes/douyin/user.js (the older route: RENDER_DATA with user and
# post {data: [{awemeId, desc, createTime}], hasMore}).
_D = "MS4wLjABAAAAfixtureDouyin02"
CASES.append(Case(
    "dy-render-posts", "douyin", "示范卫健", "{base}/user/" + _D, {
        f"GET /user/{_D}": (200, HTML, "<!DOCTYPE html><html><body>" + render_data({
            "3c4d": {"uid": _D, "user": {"statusCode": 0, "user": {
                "secUid": _D, "nickname": "示范卫健", "awemeCount": 2}},
                "post": {"cursor": 1717000000000, "hasMore": 0, "data": [
                    {"awemeId": "7381000000000000002", "desc": "夏季防溺水提示。",
                     "createTime": epoch("2024-06-18"), "textExtra": [],
                     "stats": {"commentCount": 3, "diggCount": 41}},
                    {"awemeId": "7381000000000000001", "desc": "健康科普：防暑降温。",
                     "createTime": epoch("2024-06-01"), "textExtra": [],
                     "stats": {"commentCount": 0, "diggCount": 12}}]}}}) + "</body></html>")}))

# Source: DIYgod/RSSHub lib/routes/toutiao/user.tsx — a user's posts come from
# /api/pc/list/feed?category=profile_all&token=… with an a_bogus signature; the profile page
# itself carries only the user.
_T = "MS4wLjABAAAAfixtureToutiao01"
CASES.append(Case(
    "tt-signed-list", "toutiao", "示范统计", "{base}/c/user/token/" + _T + "/", {
        f"GET /c/user/token/{_T}/": (200, HTML, "<!DOCTYPE html><html><body>" + render_data({
            "data": {"profileUserInfo": {"user_id": "70012", "name": "示范统计",
                                         "description": "示范市统计局", "followers_count": 810}}})
            + "</body></html>")},
    not_judged=POST_RULES, unchecked=True, notices={"media.could_not_read"}))


# -- WeChat through WeWe-RSS -------------------------------------------------------------------
def wewe_atom(feed_id: str, name: str, days: list[str], base_path: str) -> str:
    # renderFeed in cooderl/wewe-rss apps/server/src/feeds/feeds.service.ts: title mpName,
    # generator WeWe-RSS, one entry per article (id, title, link mp.weixin.qq.com/s/ID, date).
    entries = "".join(
        f"<entry><title type='html'>{name}：工作动态{i}</title><id>wx{feed_id[-4:]}{i}</id>"
        f"<link href='https://mp.weixin.qq.com/s/wx{feed_id[-4:]}{i}'/>"
        f"<updated>{d}T09:00:00.000Z</updated><content type='html'></content></entry>"
        for i, d in enumerate(days))
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<id>{base_path}{feed_id}.atom</id><title>{name}</title>"
            f"<updated>2024-03-01T02:00:00.000Z</updated><generator>WeWe-RSS</generator>"
            f"<author><name>{name}</name></author>{entries}</feed>")


def wewe_listing(feed_id: str, name: str, synced: str) -> list[dict[str, Any]]:
    # GET /feeds/ → getFeedList: [{id, name, intro, cover, syncTime, updateTime}], syncTime the
    # epoch of the last successful sync (apps/server/src/trpc/trpc.service.ts sets it only after
    # articles were fetched; WeReadError401/429 stop it).
    return [{"id": "MP_WXS_0000000001", "name": "别的公众号", "intro": "", "cover": "",
             "syncTime": epoch("2024-06-20", "05:35"), "updateTime": epoch("2024-01-01")},
            {"id": feed_id, "name": name, "intro": f"{name}官方公众号", "cover": "",
             "syncTime": epoch(synced, "05:35"), "updateTime": epoch("2024-02-01")}]


# Source: cooderl/wewe-rss (above): a bridge whose 微信读书 account went to 小黑屋 stopped on
# 2024-05-26; the feed still serves articles up to then: no 14天未更新.
CASES.append(Case(
    "wx-wewe-stopped", "wechat", "示范人社", "{base}/bridge-a/feeds/MP_WXS_3500000001.atom", {
        "GET /bridge-a/feeds/MP_WXS_3500000001.atom": (200, ATOM, wewe_atom(
            "MP_WXS_3500000001", "示范人社", ["2024-05-25", "2024-05-18"], "/bridge-a/feeds/")),
        "GET /bridge-a/feeds/": (200, JSON, wewe_listing("MP_WXS_3500000001", "示范人社", "2024-05-26"))},
    not_judged={"media.not_updated"}, unchecked=True, notices={"media.not_judged"}))

# Source: as above, the bridge synced this morning: the same stale feed is evidence.
CASES.append(Case(
    "wx-wewe-synced", "wechat", "示范水利", "{base}/bridge-b/feeds/MP_WXS_3500000002.atom", {
        "GET /bridge-b/feeds/MP_WXS_3500000002.atom": (200, ATOM, wewe_atom(
            "MP_WXS_3500000002", "示范水利", ["2024-06-06", "2024-05-18"], "/bridge-b/feeds/")),
        "GET /bridge-b/feeds/": (200, JSON, wewe_listing("MP_WXS_3500000002", "示范水利", "2024-06-20"))},
    fires={"media.not_updated"}))


# Source: as above; the bridge's listing is down (HTTP 502): when it last synced is unknown,
# so the stale copy is not read for 14天未更新.
CASES.append(Case(
    "wx-wewe-listing-down", "wechat", "示范科技", "{base}/bridge-c/feeds/MP_WXS_3500000003.atom", {
        "GET /bridge-c/feeds/MP_WXS_3500000003.atom": (200, ATOM, wewe_atom(
            "MP_WXS_3500000003", "示范科技", ["2024-05-30", "2024-05-18"], "/bridge-c/feeds/")),
        "GET /bridge-c/feeds/": (502, "text/html", "<h1>502 Bad Gateway</h1>")},
    not_judged={"media.not_updated"}, unchecked=True, notices={"media.not_judged"}))


# -- RSSHub Weibo feeds --------------------------------------------------------------------------
def rsshub_item(n: int, day: str, own: str, quoted_author: str | None, quoted: str = "") -> str:
    # DIYgod/RSSHub lib/routes/weibo/utils.ts formatExtended: a repost is the account's own
    # text, then `<br><blockquote> - 转发 <a href="https://weibo.com/ID" target="_blank">@name</a>:
    # &ensp;…</blockquote>` ("[原微博不可访问]" when deleted); the title "own - 转发 @name: …".
    if quoted_author:
        desc = (f"{own}<br><blockquote> - 转发 <a href=\"https://weibo.com/1974576991\" target=\"_blank\">"
                f"@{quoted_author}</a>:&ensp;{quoted}</blockquote>")
        title = f"{own} - 转发 @{quoted_author}: {quoted}"
    else:
        desc, title = own, own
    pub = datetime.fromisoformat(f"{day}T02:00").strftime("%a, %d %b %Y %H:%M:%S GMT")  # 10:00 CST
    return (f"<item><title><![CDATA[{title}]]></title><description><![CDATA[{desc}]]></description>"
            f"<pubDate>{pub}</pubDate><guid isPermaLink='false'>https://weibo.com/5200000001/R{n}</guid>"
            f"<link>https://weibo.com/5200000001/R{n}</link></item>")


def rsshub_feed(name: str, items: list[str]) -> str:
    return ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
            f"<title><![CDATA[{name}的微博]]></title><link>https://weibo.com/5200000001/</link>"
            "<description><![CDATA[示范的微博]]></description><generator>RSSHub</generator>"
            f"<language>en</language>{''.join(items)}</channel></rss>")


# Source: RSSHub formatExtended (above): reposts with the account's own comment, one of a
# deleted original; the feed reaches back past 2024-03-20, so 3个月无原创 fires.
CASES.append(Case(
    "rsshub-reposts", "feed", "示范公安", "{base}/rsshub/weibo/user/5200000001", {
        "GET /rsshub/weibo/user/5200000001": (200, RSS, rsshub_feed("示范公安", [
            rsshub_item(4, "2024-06-19", "提醒广大市民注意防范电信诈骗！", "公安部刑侦局", "警惕新型骗局。"),
            rsshub_item(3, "2024-06-02", "好消息", "人民日报", "全国夏粮收购进展顺利。"),
            rsshub_item(2, "2024-04-11", "", "[原微博不可访问]", "抱歉，此微博已被作者删除。"),
            rsshub_item(1, "2024-03-11", "转发", "中国警察网", "春季交通安全提示。")]))},
    fires={"media.no_original"}))

# Source: as above; one post of its own among the reposts: no 3个月无原创.
CASES.append(Case(
    "rsshub-mixed", "feed", "示范城管", "{base}/rsshub/weibo/user/5200000002", {
        "GET /rsshub/weibo/user/5200000002": (200, RSS, rsshub_feed("示范城管", [
            rsshub_item(3, "2024-06-19", "点赞！", "人民日报", "城市更新的故事。"),
            rsshub_item(2, "2024-06-10", "东湖区完成背街小巷改造12条。", None),
            rsshub_item(1, "2024-03-01", "转发", "新华社", "春季消杀。")]))}))

BY_ID = {c.id: c for c in CASES}
