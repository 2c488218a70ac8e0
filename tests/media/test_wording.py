"""content.* on posts through the team's wording checker (govcrawl.text), in-process."""

from __future__ import annotations

import pytest

from govcrawl.media.checks import check_account
from govcrawl.media.model import OK, Observation, Post


def test_posts_get_content_findings_dated_by_the_post():
    try:
        from govcrawl.text import get_checker
    except ImportError as e:  # the wording library is another issue's; say so loudly
        pytest.skip(f"govcrawl.text.get_checker not importable: {e}")
    checker = get_checker(typo=False)
    obs = Observation("tt-1", posts_complete=True)
    obs.profile.status, obs.profile.name = OK, "示范统计"
    obs.posts = [
        Post("1", "2024-06-19T10:00:00", title="上半年经济运行情况",
             text="国务院副总理李强出席会议并讲话。", original=True, url="http://127.0.0.1:9/a/1"),
        Post("2", "2022-06-19T10:00:00", text="国务院总理李克强主持召开国务院常务会议。", original=True,
             url="http://127.0.0.1:9/a/2"),
        Post("3", "2024-06-18T10:00:00", text="示范市统计局发布上半年经济运行数据。", original=True,
             url="http://127.0.0.1:9/a/3"),
    ]
    account = {"id": "tt-1", "name": "示范统计", "platform": "toutiao"}
    fs = [f for f in check_account(account, obs, "2024-06-20", text_checker=checker) if f.rule.startswith("content.")]
    # a 2024 post calling 李强 副总理 is wrong; 李克强 as 总理 on a 2022 post is right
    assert [(f.rule, f.url, f.text) for f in fs] == [
        ("content.leader_title", "http://127.0.0.1:9/a/1", "国务院副总理李强")]
    assert fs[0].severity == "veto" and fs[0].site_id == "tt-1" and fs[0].where == "text"
