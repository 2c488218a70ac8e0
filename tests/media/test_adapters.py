"""Adapters on single responses (no network): the shapes each platform answers with."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from govcrawl.media.adapters import AdapterError, Fetch, Resp, get_adapter
from govcrawl.media.adapters.base import guess_original, parse_time
from govcrawl.media.adapters.feed import clean_feed_title
from govcrawl.media.fake import FakeAccount, FakeComment, FakePlatforms, FakePost
from govcrawl.media.model import CLOSED, INTERACTION_BROKEN, INTERACTION_OK, NOT_FOUND, OK, Observation

AS_OF = date(2024, 6, 20)
SETTINGS = {"as_of": AS_OF.isoformat(), "GOVCRAWL_BROWSER": False}


class Offline(FakePlatforms):
    """The fake platforms answering in-process (base URL never contacted)."""

    @property
    def base(self) -> str:
        return "http://127.0.0.1:9"


def drive(fake: FakePlatforms, account: FakeAccount) -> Observation:
    row = next(r for r in fake.registry_rows() if r["id"] == account.id)
    adapter = get_adapter(row["platform"], SETTINGS)
    obs = Observation(account.id)
    queue = adapter.begin(row)
    while queue:
        f = queue.pop(0)
        path = f.url.split("127.0.0.1:9", 1)[1]
        status, ctype, body, headers = fake.respond(path, f.body)
        queue += adapter.dispatch(row, f, Resp(f.url, status, body, {"content-type": ctype}), obs)
    adapter.finish(row, obs)
    return obs


@pytest.mark.parametrize("raw,want", [
    ("Sat Jun 15 10:00:00 +0800 2024", "2024-06-15T10:00:00"),
    (1718416800, "2024-06-15T10:00:00"),
    (1718416800000, "2024-06-15T10:00:00"),
    ("2024-06-15T02:00:00Z", "2024-06-15T10:00:00"),
    ("Sat, 15 Jun 2024 10:00:00 +0800", "2024-06-15T10:00:00"),
    ("2024年6月15日 10:00", "2024-06-15T10:00:00"),
    ("2024/06/15 10:00", "2024-06-15T10:00:00"),
    ("3小时前", "2024-06-20T07:00:00"),
    ("昨天 08:30", "2024-06-19T08:30:00"),
    ("06-15", "2024-06-15T00:00:00"),
    ("12-30", "2023-12-30T00:00:00"),
    ("明天", None), ("", None), (None, None),
])
def test_parse_time(raw, want):
    assert parse_time(raw, now=datetime(2024, 6, 20, 10, 0)) == want


@pytest.mark.parametrize("text,want", [
    ("（示范人社原创）社保卡补办流程", True),
    ("来源：新华社 全国职业技能大赛开幕", False),
    ("来源：示范人社 见习岗位发布", True),
    ("转发微博", False),
    ("示范市召开防汛工作会议。", None),
])
def test_guess_original(text, want):
    assert guess_original(text, ("示范人社",)) is want


def test_feed_titles_lose_bridge_decoration():
    assert clean_feed_title("渭南发布 - 微信公众号") == "渭南发布"
    assert clean_feed_title("渭南发布的微博") == "渭南发布"
    assert clean_feed_title("渭南发布") == "渭南发布"


def test_weibo_profile_posts_reposts_and_comments():
    a = FakeAccount("wb", "weibo", "示范发布", "1900000001", posts=[
        FakePost(1, "示范市召开防汛工作会议。", comments=[
            FakeComment(0.5, "请问值班电话多少？", reply_after_hours=3), FakeComment(0.4, "赞")]),
        FakePost(2, "全国防汛形势分析。", original=False)])
    obs = drive(Offline([a], AS_OF), a)
    assert obs.profile.status == OK and obs.profile.name == "示范发布"
    assert [p.original for p in obs.posts] == [True, False]
    assert obs.posts[0].at == "2024-06-19T10:00:00"
    assert obs.profile.interaction == INTERACTION_OK
    assert len(obs.messages) == 1 and obs.messages[0].text == "请问值班电话多少？"
    assert obs.messages[0].answered_at == "2024-06-20T01:00:00"


def test_weibo_unknown_uid_is_not_found_and_bad_url_is_a_source_error():
    fake = Offline([], AS_OF)
    a = FakeAccount("wb", "weibo", "无此号", "1999999999")
    fake.accounts = {}
    row = {"id": "wb", "platform": "weibo", "url": "http://127.0.0.1:9/u/1999999999"}
    ad = get_adapter("weibo", SETTINGS)
    obs = Observation("wb")
    f = ad.begin(row)[0]
    st, ct, body, _ = fake.respond(f.url.split("127.0.0.1:9", 1)[1])
    assert ad.dispatch(row, f, Resp(f.url, st, body), obs) == []
    assert obs.profile.status == NOT_FOUND and obs.checkable
    with pytest.raises(AdapterError) as e:
        ad.begin({"id": "x", "platform": "weibo", "url": "https://weibo.com/gov-nickname"})
    assert e.value.kind == "source_error" and a.name == "无此号"


@pytest.mark.parametrize("status,kind", [(429, "rate_limited"), (418, "rate_limited"),
                                         (503, "platform_error"), (403, "rate_limited"),
                                         (432, "rate_limited"), (401, "platform_error")])
def test_http_trouble_becomes_adapter_errors(status, kind):
    ad = get_adapter("weibo", SETTINGS)
    f = Fetch("http://127.0.0.1:9/api/container/getIndex?type=uid&value=1", "profile", data={"uid": "1"})
    with pytest.raises(AdapterError) as e:
        ad.dispatch({"id": "w", "platform": "weibo"}, f, Resp(f.url, status, b""), Observation("w"))
    assert e.value.kind == kind
    if kind == "rate_limited":  # the spider backs off per answer kind
        assert e.value.data["answer"] == str(status)


def test_malformed_json_is_a_bad_response():
    ad = get_adapter("weibo", SETTINGS)
    f = Fetch("http://127.0.0.1:9/x", "profile", data={"uid": "1"})
    with pytest.raises(AdapterError, match="malformed JSON"):
        ad.dispatch({"id": "w"}, f, Resp(f.url, 200, b'{"ok":1,"data":{'), Observation("w"))


@pytest.mark.parametrize("platform,key", [("douyin", "MS4wLjABAAAAx"), ("kuaishou", "3xabc"),
                                          ("toutiao", "MS4wLjABAAAAtt")])
def test_short_video_and_news_pages(platform, key):
    a = FakeAccount("p", platform, "示范应急", key, current_name="示范应急发布", posts=[
        FakePost(1, "防汛应急演练举行。", comments=[FakeComment(1, "好")]),
        FakePost(3, "夏季防溺水提示。", original=False)])
    obs = drive(Offline([a], AS_OF), a)
    assert obs.profile.status == OK and obs.profile.name == "示范应急发布"
    assert sorted(p.at for p in obs.posts) == ["2024-06-17T10:00:00", "2024-06-19T10:00:00"]
    by_at = {p.at: p.original for p in obs.posts}
    assert by_at["2024-06-17T10:00:00"] is False
    assert obs.profile.interaction == INTERACTION_OK


def test_closed_and_missing_profile_pages():
    closed = FakeAccount("c", "douyin", "西山道路运输", "MS4wLjABAAAAc", behaviour="closed")
    missing = FakeAccount("m", "kuaishou", "东湖文明", "3xmissing", behaviour="missing")
    fake = Offline([closed, missing], AS_OF)
    assert drive(fake, closed).profile.status == CLOSED
    assert drive(fake, missing).profile.status == NOT_FOUND


def test_script_only_page_asks_for_the_browser():
    a = FakeAccount("s", "douyin", "示范应急", "MS4wLjABAAAAs", behaviour="script_only",
                    posts=[FakePost(1, "x")])
    fake = Offline([a], AS_OF)
    row = fake.registry_rows()[0]
    ad = get_adapter("douyin", {**SETTINGS, "GOVCRAWL_BROWSER": True})
    obs = Observation("s")
    f = ad.begin(row)[0]
    st, ct, body, _ = fake.respond(f.url.split("127.0.0.1:9", 1)[1])
    more = ad.dispatch(row, f, Resp(f.url, st, body), obs)
    assert len(more) == 1 and more[0].render is True
    ad_off = get_adapter("douyin", SETTINGS)  # browser off: a clear bad_response, no guess
    with pytest.raises(AdapterError, match="no embedded state"):
        ad_off.dispatch(row, f, Resp(f.url, st, body), Observation("s"))


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_feeds(fmt):
    a = FakeAccount("f", "feed", "西山发布", "xishan", feed_format=fmt, posts=[
        FakePost(0.5, "西山县召开项目推进会。"), FakePost(4, "全国夏粮收购进展。", original=False, source="新华社"),
        FakePost(5, "夏季特卖", ad=True)])
    obs = drive(Offline([a], AS_OF), a)
    assert obs.profile.name == "西山发布" and obs.posts_complete
    got = sorted((p.at, p.original) for p in obs.posts)
    assert got == [("2024-06-15T10:00:00", True), ("2024-06-16T10:00:00", False),
                   ("2024-06-19T22:00:00", True)]
    if fmt == "json":
        assert [p.ad for p in obs.posts if p.at.startswith("2024-06-15")] == [True]


def test_feed_garbage_and_missing_feeds():
    ad = get_adapter("feed", SETTINGS)
    f = Fetch("http://127.0.0.1:9/feed.xml", "feed")
    with pytest.raises(AdapterError, match="malformed feed XML"):
        ad.dispatch({"id": "f"}, f, Resp(f.url, 200, b"<rss><channel><title>x</title>"), Observation("f"))
    with pytest.raises(AdapterError, match="not an RSS or Atom feed"):
        ad.dispatch({"id": "f"}, f, Resp(f.url, 200, b"<html><body>hi</body></html>"), Observation("f"))
    obs = Observation("f")
    ad.dispatch({"id": "f"}, f, Resp(f.url, 404, b"gone"), obs)
    assert obs.profile.status == NOT_FOUND
    # a WeChat bridge's 404 is the bridge's problem: no media.not_found on that evidence
    wx = get_adapter("wechat", SETTINGS)
    with pytest.raises(AdapterError) as e:
        wx.dispatch({"id": "w"}, f, Resp(f.url, 404, b"gone"), Observation("w"))
    assert e.value.kind == "source_error"


def test_wechat_bridge_template_and_interaction_entry():
    wx = get_adapter("wechat", {**SETTINGS,
                                "GOVCRAWL_MEDIA_WECHAT_BRIDGE": "http://127.0.0.1:9/feeds/{biz}.atom"})
    row = {"id": "wx-1", "platform": "wechat", "name": "示范人社",
           "settings": {"biz": "MzA5NTAx", "interaction_url": "http://127.0.0.1:9/menu/liuyan"}}
    fetches = wx.begin(row)
    assert [f.url for f in fetches] == ["http://127.0.0.1:9/feeds/MzA5NTAx.atom",
                                        "http://127.0.0.1:9/menu/liuyan"]
    for body, status, want in [(b"<h1>404 Not Found</h1>", 404, INTERACTION_BROKEN),
                               ("<p>该功能已下线</p>".encode(), 200, INTERACTION_BROKEN),
                               ("<form><textarea></textarea>我要留言</form>".encode(), 200, INTERACTION_OK)]:
        obs = Observation("wx-1")
        wx.dispatch(row, fetches[1], Resp(fetches[1].url, status, body), obs)
        wx.finish(row, obs)
        assert obs.profile.interaction == want
    obs = Observation("wx-1")
    assert wx.failed(row, fetches[1], "ConnectionRefusedError", obs)
    wx.finish(row, obs)
    assert obs.profile.interaction == INTERACTION_BROKEN


def test_weibo_says_too_frequent_with_http_200():
    ad = get_adapter("weibo", SETTINGS)
    f = Fetch("http://127.0.0.1:9/x", "profile", data={"uid": "1"})
    body = '{"ok":0,"msg":"请求过于频繁，请稍后再试"}'.encode()
    with pytest.raises(AdapterError) as e:
        ad.dispatch({"id": "w"}, f, Resp(f.url, 200, body), Observation("w"))
    assert e.value.kind == "rate_limited"
