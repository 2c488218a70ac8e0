"""The accounts the crawl tests serve from the fake platforms (as_of 2024-06-20).

Each account isolates one behaviour; the expected outcome is in EXPECT, written from
the rules (not from a run): rule codes that must fire, or 'unchecked'.
"""

from __future__ import annotations

from datetime import date

from govcrawl.media.fake import FakeAccount, FakeComment, FakePost

AS_OF = date(2024, 6, 20)

NEWS = [
    "示范市召开防汛抗旱工作部署会，要求各县区落实24小时值班制度。",
    "示范市2024年第二季度重点项目集中开工，总投资86亿元。",
    "东湖区开展夏季安全生产大检查，排查整改隐患127处。",
    "示范市医保局提醒：城乡居民医保集中缴费期延长至6月30日。",
    "西山县举办农民丰收节筹备会，推介特色农产品。",
    "示范市人社局发布高校毕业生就业见习岗位1200个。",
]


def orig(age: float, i: int = 0, **kw) -> FakePost:
    return FakePost(age_days=age, text=NEWS[i % len(NEWS)], **kw)


def repost(age: float, i: int = 0) -> FakePost:
    return FakePost(age_days=age, text=NEWS[i % len(NEWS)], original=False, source="人民日报")


ACCOUNTS = [
    # fresh and clean: comments answered in time (2 h, and exactly 24 h)
    FakeAccount("wb-clean", "weibo", "示范发布", "1900000001", org="示范市人民政府新闻办公室", posts=[
        orig(0.5, 0, comments=[FakeComment(1.5, "请问防汛值班电话是多少？", reply_after_hours=2),
                               FakeComment(3.0, "点赞！")]),
        orig(2, 1, comments=[FakeComment(4.0, "见习岗位在哪里报名？", reply_after_hours=24)]),
        repost(3, 2), orig(40, 3), orig(80, 4)]),
    # 13 days since the newest post: still fresh
    FakeAccount("wb-13", "weibo", "示范市民政", "1900000002", posts=[orig(13, 0), orig(20, 1)]),
    # 14 days: not updated
    FakeAccount("wb-14", "weibo", "示范市水务", "1900000003", posts=[orig(14, 0), orig(30, 1)]),
    # renamed on the platform, the registry still has the old name
    FakeAccount("wb-renamed", "weibo", "示范市公安局高新分局", "1900000004", current_name="高新警讯",
                posts=[orig(1, 0), orig(5, 1)]),
    # an id the platform does not know
    FakeAccount("wb-missing", "weibo", "示范市档案馆", "1900000005", behaviour="missing"),
    # fresh but every post in 3 months is a repost
    FakeAccount("wb-reposts", "weibo", "法治西山", "1900000006",
                posts=[repost(1, 0), repost(6, 1), repost(20, 2), repost(60, 3), orig(100, 4)]),
    # the no-original window edge: an original exactly 3 months back (2024-03-20) counts
    FakeAccount("wb-orig-edge", "weibo", "西山文旅", "1900000007",
                posts=[repost(1, 0), repost(10, 1), orig(92, 2)]),
    # ... one day earlier (2024-03-19) does not
    FakeAccount("wb-orig-out", "weibo", "西山金融", "1900000008",
                posts=[repost(1, 0), repost(10, 1), orig(93, 2)]),
    # replies: one after 25 h, one never; praise needs no answer
    FakeAccount("wb-slow", "weibo", "东湖城管", "1900000009", posts=[
        orig(1, 0, comments=[FakeComment(5.0, "小区门口占道经营怎么处理？", reply_after_hours=25),
                             FakeComment(6.0, "请问垃圾清运投诉打哪个电话？"),
                             FakeComment(2.0, "辛苦了")]),
        orig(3, 1)]),
    # a commercial advert
    FakeAccount("wb-ad", "weibo", "东湖商务", "1900000010", posts=[
        orig(1, 0), FakePost(2, "【广告】夏季特卖会火热进行中，点击购买享受优惠。"),
        FakePost(4, "示范市发放第二批文旅消费券，市民可在指定平台领取。")]),
    # platform trouble
    FakeAccount("wb-ratelimited", "weibo", "东湖税务", "1900000011", behaviour="ratelimit",
                posts=[orig(1, 0)]),
    FakeAccount("wb-ratelimit-once", "weibo", "东湖消防", "1900000012", behaviour="ratelimit_once",
                posts=[orig(1, 0), orig(2, 1)]),
    FakeAccount("wb-error", "weibo", "东湖气象", "1900000013", behaviour="error", posts=[orig(1, 0)]),
    FakeAccount("wb-malformed", "weibo", "东湖交通", "1900000014", behaviour="malformed",
                posts=[orig(1, 0)]),
    # short-video and news platforms
    FakeAccount("dy-clean", "douyin", "示范应急", "MS4wLjABAAAAdyclean01", org="示范市应急管理局",
                posts=[orig(1, 0, comments=[FakeComment(2, "好")]), orig(9, 1)]),
    FakeAccount("dy-closed", "douyin", "西山道路运输", "MS4wLjABAAAAdyclosed1", behaviour="closed"),
    FakeAccount("dy-reposts", "douyin", "西山卫健", "MS4wLjABAAAAdyrepost1",
                posts=[repost(2, 0), repost(8, 1), repost(30, 2)]),
    FakeAccount("ks-stale", "kuaishou", "东湖文明", "3xeastlake01", posts=[orig(20, 0), orig(40, 1)]),
    FakeAccount("tt-clean", "toutiao", "示范统计", "MS4wLjABAAAAttclean01",
                posts=[FakePost(2, NEWS[1], title="二季度重点项目集中开工"), orig(12, 2)]),
    # WeChat through a bridge; interaction entries from the registry
    FakeAccount("wx-clean", "wechat", "示范人社", "MP_WXS_3001", interaction_entry="ok",
                posts=[orig(1, 5), orig(4, 1)]),
    FakeAccount("wx-broken-entry", "wechat", "示范水利", "MP_WXS_3002", interaction_entry="broken",
                posts=[orig(1, 0), orig(3, 1)]),
    FakeAccount("wx-bridge-missing", "wechat", "示范档案", "MP_WXS_3003", behaviour="missing"),
    # a WeWe-RSS bridge that stopped syncing 30 days ago: its stale copy proves nothing
    FakeAccount("wx-bridge-stopped", "wechat", "示范交通", "MP_WXS_3004", behaviour="bridge_stopped",
                posts=[orig(31, 0), orig(40, 1)]),
    # ... one that synced this morning: the same staleness is evidence
    FakeAccount("wx-stale", "wechat", "示范体育", "MP_WXS_3005", posts=[orig(31, 0), orig(40, 1)]),
    # a Douyin profile whose posts only a signed request gives: not read, not 0 posts
    FakeAccount("dy-signed", "douyin", "示范城管执法", "MS4wLjABAAAAdysigned1", behaviour="signed_list",
                posts=[orig(40, 0)]),
    # a Weibo long post: the wording checks read the whole text (/statuses/extend)
    FakeAccount("wb-long", "weibo", "示范统计发布", "1900000015", posts=[
        FakePost(1, "示范市上半年经济运行情况发布，全市地区生产总值同比增长", long_tail="5.6%，下半年要再接再厉。"),
        orig(4, 1)]),
    # generic feeds
    FakeAccount("feed-json-stale", "feed", "东湖区融媒体中心", "donghu", feed_format="json",
                posts=[orig(20, 0), orig(25, 1)]),
    FakeAccount("feed-atom-clean", "feed", "西山发布", "xishan", feed_format="atom",
                posts=[orig(0.2, 0), orig(6, 1)]),
    FakeAccount("feed-gone", "feed", "示范老年大学", "laonian", behaviour="missing"),
]

# rule codes each account must get (exactly), or "unchecked" (the platform could not be read:
# no verdict, a notice instead), or "withheld" (the profile was read but a veto rule could not
# be judged and nothing else fails the account: no verdict, no finding, notices say why)
EXPECT: dict[str, object] = {
    "wb-clean": set(),
    "wb-13": set(),
    "wb-14": {"media.not_updated"},
    "wb-renamed": {"media.renamed"},
    "wb-missing": {"media.not_found"},
    "wb-reposts": {"media.no_original"},
    "wb-orig-edge": set(),
    "wb-orig-out": {"media.no_original"},
    "wb-slow": {"media.slow_reply"},
    "wb-ad": {"media.ads"},
    "wb-ratelimited": "unchecked",
    "wb-ratelimit-once": set(),
    "wb-error": "unchecked",
    "wb-malformed": "unchecked",
    "dy-clean": set(),
    "dy-closed": {"media.not_found"},
    "dy-reposts": {"media.no_original"},
    "ks-stale": {"media.not_updated"},
    "tt-clean": set(),
    "wx-clean": set(),
    "wx-broken-entry": {"media.no_interaction"},
    "wx-bridge-missing": "unchecked",
    "wx-bridge-stopped": "withheld",
    "wx-stale": {"media.not_updated"},
    "dy-signed": "withheld",
    "wb-long": set(),
    "feed-json-stale": {"media.not_updated"},
    "feed-atom-clean": set(),
    "feed-gone": {"media.not_found"},
    # added by conftest: read from its export files, and one with no url at all
    "app-export": {"media.slow_reply"},
    "wb-nourl": "unchecked",
}
