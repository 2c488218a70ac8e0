import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import pytest

from govcrawl.items import Finding

DATA = Path(__file__).with_name("data") / "injected.jsonl"
D = dt.date(2024, 5, 1)


def rules(hits):
    return {(h.rule, h.text) for h in hits}


def test_injected_set_recall_per_category(checker):
    per = defaultdict(lambda: [0, 0])
    misses = []
    for line in DATA.read_text("utf-8").splitlines():
        rec = json.loads(line)
        date = dt.date.fromisoformat(rec["date"]) if rec.get("date") else None
        hits = checker.check(rec["text"], date=date)
        per[rec["category"]][1] += 1
        if rec["rule"] is None:
            ok = not hits
        else:
            ok = any(h.rule == rec["rule"] and (not rec.get("span") or h.text == rec["span"]) for h in hits)
        per[rec["category"]][0] += ok
        if not ok:
            misses.append((rec["category"], rec["text"], [(h.rule, h.text) for h in hits]))
    print({k: f"{a}/{b}" for k, (a, b) in per.items()})
    for cat, (ok, n) in per.items():
        assert ok / n >= 0.95, (cat, misses)


def test_offsets_point_at_the_original_text(checker):
    text = "公告：本站推荐澳★門★金★沙，國務院副總理李強出席。再接再励！"
    hits = checker.check(text, date=D)
    assert hits
    for h in hits:
        assert text[h.start:h.end] == h.text
        assert h.text in h.context
    assert ("content.illegal", "澳★門★金★沙") in rules(hits)
    assert ("content.leader_title", "國務院副總理李強") in rules(hits)
    assert ("content.typo", "再接再励") in rules(hits)


def test_repeats_collapse_into_one_hit_with_count(checker):
    text = "再接再励。" * 300
    hits = checker.check(text)
    assert len(hits) == 1 and hits[0].count == 300 and hits[0].start == 0


def test_leader_title_depends_on_date(checker):
    text = "国务院总理李强主持召开常务会议。"
    assert not checker.check(text, date=dt.date(2024, 1, 5))
    hits = checker.check(text, date=dt.date(2022, 6, 1))
    assert [h.rule for h in hits] == ["content.leader_title"]
    assert hits[0].evidence["date"] == "2022-06-01"
    # no date: a title the leader held at some point is not judged
    assert not checker.check(text)
    assert checker.check("国家主席李强会见外宾。")  # never held: wrong on any date


def test_common_name_without_title_is_not_a_leader(checker):
    assert not checker.check("村民李强、王刚和韩正华参加了培训。", date=D)


def test_history_context(checker):
    assert not checker.check("1912年中华民国成立，", date=D)
    assert checker.check("他出席了中华民国的活动。", date=D)[0].rule == "content.prohibited"


@pytest.mark.parametrize("text", [
    "",
    "\x00\x01\x02\x1b[31m\x7f",
    "锟斤拷烫烫烫�������Ã¤Â¸Â­Ã¦Â–Â‡",
    "<div class=\"TRS_Editor\"><p style=\"x\">&nbsp;&lt;script&gt;</p></div>" * 50,
    "&#x6FB3;&#38376; %E6%BE%B3 \\u6fb3",
    "。" * 100000,
])
def test_bad_input_no_crash_no_storm(checker, text):
    hits = checker.check(text, date=D)
    assert len(hits) <= 3


def test_lone_surrogate_from_json_input(checker):
    # json.loads('"\\ud800"') gives a lone surrogate, which no UTF-8 codec (nor the automata)
    # accepts: it is read as U+FFFD, offsets unchanged
    import json

    text = json.loads('"\\ud800澳门金沙\\udfff"')
    hits = checker.check(text, date=D)
    assert [(h.rule, h.start, h.end, h.text) for h in hits] == [("content.illegal", 1, 5, "澳门金沙")]


def test_huge_single_line(checker):
    text = ("政府信息公开工作稳步推进，" * 40000) + "澳门金沙"
    hits = checker.check(text, date=D)
    assert [h.rule for h in hits] == ["content.illegal"]
    assert text[hits[0].start:hits[0].end] == "澳门金沙"


def test_finding_storm_is_capped(checker):
    text = "".join(f"{i}号澳门金沙{i}。再接再励{chr(0x4e00 + i)}" for i in range(2000))
    hits = checker.check(text)
    assert len(hits) <= 200
    assert sum(h.count for h in hits) >= 2000


def test_to_finding(checker):
    h = checker.check("坚持以习近凭同志为核心", date=D)[0]
    f = h.to_finding("6105000001", "http://127.0.0.1/a.html", where="title")
    assert isinstance(f, Finding)
    assert f.rule == "content.leader_name" and f.severity == "veto" and f.category == "严重表述错误"
    assert f.where == "title" and f.text == "习近凭" and f.suggestion == "习近平"
    assert f.start == h.start and f.evidence["context"]


def test_privacy_needs_checksum_and_context(checker):
    good = "11010519491231002X"
    assert checker.check(f"身份证号{good}")[0].rule == "content.privacy"
    assert not checker.check("身份证号110105194912310021")
    assert not checker.check("咨询电话13812345678")
    assert checker.check("获奖名单公示：张三 13812345678")[0].evidence["kind"] == "mobile"


def test_get_checker_is_a_singleton(checker):
    from govcrawl.text import get_checker

    assert get_checker(Path(__file__).resolve().parents[2] / "lexicons", typo=False) is checker


def test_condemning_notice_is_not_spam_but_padded_spam_is(checker):
    assert not checker.check("严厉打击六合彩、老虎机等赌博违法犯罪活动。", date=D)
    hits = checker.check("严厉打击★六★合★彩★", date=D)
    assert [h.rule for h in hits] == ["content.illegal"]
