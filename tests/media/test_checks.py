"""The media.* rules on hand-built observations, each at its threshold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from govcrawl.items import Finding
from govcrawl.media.checks import (LexiconError, check_account, load_ads_lexicon, months_back,
                                   normalize_name)
from govcrawl.media.model import (CLOSED, INTERACTION_BROKEN, INTERACTION_NONE, INTERACTION_OK,
                                  NOT_FOUND, OK, UNKNOWN, Message, Observation, Post)
from govcrawl.media.verdict import account_verdict, problem_phrase

AS_OF = "2024-06-20"
ACCOUNT = {"id": "wx-1", "name": "示范人社", "platform": "wechat", "url": "http://127.0.0.1/x",
           "org": "示范市人力资源和社会保障局"}


def obs(posts=(), messages=(), name="示范人社", status=OK, interaction=None, list_end=True,
        total=None) -> Observation:
    """A profile read and its post list read to its end (the tests below vary that)."""
    o = Observation("wx-1", posts=list(posts), messages=list(messages), posts_complete=True,
                    list_end=list_end, posts_total=total)
    o.profile.status = status
    o.profile.name = name
    o.profile.interaction = interaction
    return o


def post(at: str, original: bool | None = True, text="示范市召开防汛工作会议。", **kw) -> Post:
    return Post(id=f"{at}{original}{text[:4]}", at=at, text=text, original=original, **kw)


def rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


# -- media.not_updated ---------------------------------------------------------------
def test_newest_post_13_days_old_is_fresh():
    assert rules(check_account(ACCOUNT, obs([post("2024-06-07T23:59:00")]), AS_OF)) == []


def test_newest_post_14_days_old_is_not_updated():
    fs = check_account(ACCOUNT, obs([post("2024-06-06T08:00:00")]), AS_OF)
    assert rules(fs) == ["media.not_updated"]
    assert fs[0].severity == "veto"
    assert fs[0].evidence["days_since"] == 14 and fs[0].evidence["threshold_days"] == 14


def test_stale_days_is_a_setting():
    o = obs([post("2024-06-12T10:00:00")])  # 8 days
    assert rules(check_account(ACCOUNT, o, AS_OF)) == []
    assert rules(check_account(ACCOUNT, o, AS_OF, {"GOVCRAWL_MEDIA_STALE_DAYS": 7})) == [
        "media.not_updated"]


def test_posts_after_as_of_do_not_count():
    o = obs([post("2024-06-21T09:00:00"), post("2024-05-01T10:00:00")])
    assert rules(check_account(ACCOUNT, o, AS_OF)) == ["media.not_updated"]


def test_no_posts_fires_only_when_the_platform_counts_none_and_hidden_dates_are_not_judged():
    assert rules(check_account(ACCOUNT, obs([], total=0), AS_OF)) == ["media.not_updated"]
    for total in (None, 25):  # an empty list the platform does not vouch for proves nothing
        o = obs([], total=total)
        assert rules(check_account(ACCOUNT, o, AS_OF)) == []
        assert o.unjudged == {"media.not_updated": "empty_list"}
        assert any(n["kind"] == "media.not_judged" and n["data"]["rule"] == "media.not_updated"
                   for n in o.notices)
        assert any(n["kind"] == "media.unchecked" for n in o.notices)  # and no 合格 either
    o = obs([post(None)])
    assert rules(check_account(ACCOUNT, o, AS_OF)) == []
    assert o.unjudged["media.not_updated"] == "dates_hidden"


# -- media.no_original -----------------------------------------------------------------
def test_months_back():
    assert str(months_back(__import__("datetime").date(2024, 6, 20), 3)) == "2024-03-20"
    assert str(months_back(__import__("datetime").date(2024, 5, 31), 3)) == "2024-02-29"


def test_original_exactly_three_months_back_counts():
    o = obs([post("2024-06-18T10:00:00", False), post("2024-03-20T08:00:00", True)])
    assert rules(check_account(ACCOUNT, o, AS_OF)) == []


def test_original_a_day_earlier_does_not():
    o = obs([post("2024-06-18T10:00:00", False), post("2024-03-19T20:00:00", True)])
    fs = check_account(ACCOUNT, o, AS_OF)
    assert rules(fs) == ["media.no_original"]
    assert fs[0].severity == "deduct" and fs[0].evidence["window_start"] == "2024-03-20"


def test_unknown_origin_is_not_taken_for_a_repost():
    o = obs([post("2024-06-18T10:00:00", False), post("2024-06-10T10:00:00", None)])
    assert rules(check_account(ACCOUNT, o, AS_OF)) == []


# -- media.renamed / not_found -------------------------------------------------------------
def test_renamed_and_spacing_differences():
    o = obs([post("2024-06-19T10:00:00")], name="示范人社发布")
    fs = check_account(ACCOUNT, o, AS_OF)
    assert rules(fs) == ["media.renamed"]
    assert fs[0].text == "示范人社" and fs[0].suggestion == "示范人社发布"
    assert fs[0].evidence == {"registered_name": "示范人社", "current_name": "示范人社发布"}
    assert problem_phrase(fs[0]) == "已改名（示范人社发布）系统中未改名"
    # exports print 卤阳湖开发区 行政审批服务中心 with a space; that is no rename
    assert normalize_name("卤阳湖开发区 行政审批服务中心") == normalize_name("卤阳湖开发区行政审批服务中心")
    assert normalize_name("Ｗｅｉｎａｎ发布") == normalize_name("weinan发布")


@pytest.mark.parametrize("status,phrase", [(NOT_FOUND, "搜索不到"), (CLOSED, "账号已注销系统中未下线")])
def test_not_found_and_closed_veto_and_stop(status, phrase):
    o = obs([], status=status, name=None)
    fs = check_account(ACCOUNT, o, AS_OF)
    assert rules(fs) == ["media.not_found"]
    v = account_verdict("wx-1", fs)
    assert v.result == "不合格" and v.problems == [phrase] and v.vetoes == ["media.not_found"]


def test_what_an_adapter_could_not_read_is_not_judged_but_a_fresh_post_still_counts():
    stale = obs([post("2024-05-01T10:00:00", False)], list_end=False)
    stale.cannot_read(("media.not_updated", "media.no_original"), "signed_list", "signed")
    assert rules(check_account(ACCOUNT, stale, AS_OF)) == []
    assert stale.unjudged == {"media.not_updated": "signed_list", "media.no_original": "signed_list"}
    fresh = obs([post("2024-06-19T10:00:00")], list_end=False)
    fresh.cannot_read(("media.not_updated",), "empty_list", "x")
    assert rules(check_account(ACCOUNT, fresh, AS_OF)) == [] and fresh.unjudged == {}


def test_no_original_needs_the_window_read():
    reposts = [post("2024-06-18T10:00:00", False), post("2024-05-02T10:00:00", False)]
    short = obs(reposts, list_end=False)  # paging stopped in May: originals may sit before
    assert rules(check_account(ACCOUNT, short, AS_OF)) == []
    assert short.unjudged == {"media.no_original": "window_not_covered"}
    back = obs(reposts + [post("2024-03-19T10:00:00", False)], list_end=False)
    fs = check_account(ACCOUNT, back, AS_OF)  # read back past 2024-03-20: evidence
    assert rules(fs) == ["media.no_original"] and fs[0].evidence["read_back_to"] == "2024-03-19T10:00"
    assert rules(check_account(ACCOUNT, obs(reposts, list_end=True), AS_OF)) == ["media.no_original"]
    # a pinned repost from long ago does not make the list reach back
    pinned = post("2023-01-01T10:00:00", False)
    pinned.data["pinned"] = True
    assert rules(check_account(ACCOUNT, obs(reposts + [pinned], list_end=False), AS_OF)) == []


def test_a_bridge_copy_counts_only_when_synced_recently():
    stale_posts = [post("2024-06-01T10:00:00"), post("2024-05-20T10:00:00")]
    stopped = obs(stale_posts)
    stopped.seen_until = "2024-06-02T05:35:00"  # the bridge stopped syncing
    assert rules(check_account(ACCOUNT, stopped, AS_OF)) == []
    assert stopped.unjudged == {"media.not_updated": "bridge_stale"}
    synced = obs(stale_posts)
    synced.seen_until = "2024-06-20T05:35:00"
    fs = check_account(ACCOUNT, synced, AS_OF)
    assert rules(fs) == ["media.not_updated"] and fs[0].evidence["bridge_synced"] == "2024-06-20T05:35:00"
    edge = obs(stale_posts)
    edge.seen_until = "2024-06-20T00:00:00"  # exactly 24 h before the end of as_of
    assert rules(check_account(ACCOUNT, edge, AS_OF)) == ["media.not_updated"]
    assert rules(check_account(ACCOUNT, edge, AS_OF, {"GOVCRAWL_MEDIA_BRIDGE_LAG_HOURS": 12})) == []


def test_an_unread_account_gets_no_finding():
    o = obs([], status=UNKNOWN)
    assert check_account(ACCOUNT, o, AS_OF) == []
    o2 = obs([])
    o2.posts_complete = False  # profile read, post list failed
    assert check_account(ACCOUNT, o2, AS_OF) == []


# -- media.no_interaction ------------------------------------------------------------------
@pytest.mark.parametrize("state,fires", [(INTERACTION_OK, False), (None, False),
                                         (INTERACTION_NONE, True), (INTERACTION_BROKEN, True)])
def test_interaction(state, fires):
    fs = check_account(ACCOUNT, obs([post("2024-06-19T10:00:00")], interaction=state), AS_OF)
    assert rules(fs) == (["media.no_interaction"] if fires else [])


# -- media.slow_reply --------------------------------------------------------------------------
def msg(asked: str, answered: str | None, text="请问社保卡在哪里补办？") -> Message:
    return Message(id=asked, asked_at=asked, answered_at=answered, text=text)


def test_reply_after_exactly_24_hours_is_in_time():
    o = obs([post("2024-06-19T10:00:00")], [msg("2024-06-10T09:00:00", "2024-06-11T09:00:00")])
    assert rules(check_account(ACCOUNT, o, AS_OF)) == []


def test_reply_one_minute_later_is_slow():
    o = obs([post("2024-06-19T10:00:00")], [msg("2024-06-10T09:00:00", "2024-06-11T09:01:00")])
    fs = check_account(ACCOUNT, o, AS_OF)
    assert rules(fs) == ["media.slow_reply"]
    assert fs[0].evidence["delay_hours"] == 24.0 and fs[0].evidence["limit_hours"] == 24


def test_unanswered_counts_only_once_the_time_is_up():
    fresh = msg("2024-06-20T08:00:00", None)  # asked today: still in time
    old = msg("2024-06-18T08:00:00", None)
    late_answer = msg("2024-06-17T08:00:00", "2024-06-22T08:00:00")  # answered after as_of
    ancient = msg("2023-12-01T08:00:00", None)  # outside the 90-day window
    fs = check_account(ACCOUNT, obs([post("2024-06-19T10:00:00")], [fresh, old, late_answer, ancient]),
                       AS_OF)
    assert sorted(f.target for f in fs) == ["2024-06-17T08:00:00", "2024-06-18T08:00:00"]
    assert all(f.evidence["unanswered"] for f in fs)


def test_reply_hours_is_a_setting():
    o = obs([post("2024-06-19T10:00:00")], [msg("2024-06-10T09:00:00", "2024-06-11T09:01:00")])
    assert rules(check_account(ACCOUNT, o, AS_OF, {"GOVCRAWL_MEDIA_REPLY_HOURS": 48})) == []


# -- media.ads ---------------------------------------------------------------------------------
def test_ads_marker_calls_and_government_controls():
    posts = [post("2024-06-19T10:00:00", text="【广告】夏季大促进行中"),
             post("2024-06-18T10:00:00", text="爆款好物限时秒杀，领券下单更划算"),
             post("2024-06-17T10:00:00", text="示范市发放第二批消费券，市民可在指定平台领取。"),
             post("2024-06-16T10:00:00", text="市场监管局开展虚假广告专项整治，查处违法广告12件。"),
             post("2024-06-15T10:00:00", text="助农直播：西山县特产包邮到家"),  # one call only
             post("2024-06-14T10:00:00", text="普通动态", ad=True)]  # the platform's own flag
    fs = [f for f in check_account(ACCOUNT, obs(posts), AS_OF) if f.rule == "media.ads"]
    assert sorted(f.evidence["post_at"][:10] for f in fs) == ["2024-06-14", "2024-06-18", "2024-06-19"]


def test_ads_lexicon_errors_name_file_and_line(tmp_path):
    p = tmp_path / "ads.txt"
    p.write_text("# ok\nmarker\t【广告】\nbogus\t买买买\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"ads.txt:3: unknown kind 'bogus'"):
        load_ads_lexicon(str(p))
    p2 = tmp_path / "ads2.txt"
    p2.write_text("marker\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"ads2.txt:1:"):
        load_ads_lexicon(str(p2))


# -- content.* through the wording checker ---------------------------------------------------------
@dataclass
class _Hit:
    text: str
    start: int

    def to_finding(self, site_id, url, where=None):
        return Finding(rule="content.typo", severity="deduct", site_id=site_id, url=url,
                       text=self.text, start=self.start, end=self.start + len(self.text), where=where,
                       suggestion="再接再厉")


class _Checker:
    def __init__(self):
        self.calls = []

    def check(self, text, date=None):
        self.calls.append((text, date))
        i = text.find("再接再励")
        return [_Hit("再接再励", i)] if i >= 0 else []


def test_wording_runs_on_posts_dated_by_the_post():
    ck = _Checker()
    o = obs([post("2024-06-19T10:00:00", text="希望大家再接再励。", url="http://127.0.0.1/p/1"),
             post("2024-06-18T10:00:00", text="一切正常。")])
    fs = check_account(ACCOUNT, o, AS_OF, text_checker=ck)
    assert rules(fs) == ["content.typo"]
    assert fs[0].url == "http://127.0.0.1/p/1" and fs[0].start == 4 and fs[0].where == "text"
    assert ("希望大家再接再励。", date(2024, 6, 19)) in ck.calls
    v = account_verdict("wx-1", fs)
    assert v.result == "合格" and v.score == 98 and v.problems == ["存在错别字"]


def test_a_failing_checker_leaves_a_notice_not_a_crash():
    class Boom:
        def check(self, text, date=None):
            raise RuntimeError("lexicon exploded")

    o = obs([post("2024-06-19T10:00:00")])
    assert check_account(ACCOUNT, o, AS_OF, text_checker=Boom()) == []
    assert o.notices[0]["kind"] == "media.wording_error"


# -- verdicts ----------------------------------------------------------------------------------
def test_verdict_scores_and_strict_rules():
    o = obs([post("2024-06-18T10:00:00", False)], name="新名字")
    fs = check_account(ACCOUNT, o, AS_OF)
    assert rules(fs) == ["media.no_original", "media.renamed"]
    v = account_verdict("wx-1", fs)
    assert (v.result, v.score) == ("合格", 70.0)
    assert v.problems == ["3个月无原创", "已改名（新名字）系统中未改名"]
    strict = account_verdict("wx-1", fs, {"GOVCRAWL_MEDIA_FAIL_RULES": "media.no_original,media.renamed"})
    assert strict.result == "不合格" and strict.vetoes == []


def test_deductions_are_capped_per_rule_and_the_pass_mark_applies():
    fs = [Finding(rule="media.ads", severity="deduct", site_id="a", target=str(i)) for i in range(5)]
    v = account_verdict("a", fs)
    assert v.deductions == {"media.ads": 20.0} and v.score == 80.0
    v2 = account_verdict("a", fs, {"GOVCRAWL_MEDIA_PASS_SCORE": 85})
    assert v2.result == "不合格"
