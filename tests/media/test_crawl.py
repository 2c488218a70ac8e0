"""End to end: `scrapy crawl media` over the fake platforms, then the store."""

from __future__ import annotations

import json
from collections import defaultdict

from media_scenarios import EXPECT

from govcrawl import db


def _db(run):
    return db.connect(run["store"], readonly=True)  # an SQLite file or a PostgreSQL URL


def test_crawl_exits_cleanly(media_run):
    proc = media_run["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]


def test_inspection_is_a_finished_media_inspection(media_run):
    c = _db(media_run)
    rows = c.execute("SELECT * FROM inspections").fetchall()
    assert len(rows) == 1
    assert rows[0]["kind"] == "media" and rows[0]["status"] == "finished"
    assert rows[0]["as_of"] == "2024-06-20"
    stats = json.loads(rows[0]["stats_json"])
    assert stats["accounts"] == len(EXPECT)


def test_every_account_has_the_expected_findings(media_run):
    c = _db(media_run)
    got = defaultdict(set)
    for r in c.execute("SELECT site_id, rule FROM findings"):
        got[r["site_id"]].add(r["rule"])
    verdicts = {r["site_id"]: r for r in c.execute("SELECT * FROM verdicts")}
    problems = []
    for aid, want in EXPECT.items():
        if want in ("unchecked", "withheld"):
            if aid in verdicts or got.get(aid):
                problems.append(f"{aid}: expected {want}, got verdict/findings {got.get(aid)}")
        elif got.get(aid, set()) != want:
            problems.append(f"{aid}: expected {sorted(want)}, got {sorted(got.get(aid, set()))}")
        elif aid not in verdicts:
            problems.append(f"{aid}: no verdict")
    assert not problems, "\n".join(problems)


def test_unchecked_accounts_say_why(media_run):
    c = _db(media_run)
    notices = defaultdict(set)
    for r in c.execute("SELECT site_id, kind FROM notices"):
        notices[r["site_id"]].add(r["kind"])
    assert "media.rate_limited" in notices["wb-ratelimited"]
    assert "media.platform_error" in notices["wb-error"]
    assert "media.bad_response" in notices["wb-malformed"]
    assert "media.source_error" in notices["wx-bridge-missing"]
    assert "media.source_error" in notices["wb-nourl"]
    for aid, want in EXPECT.items():
        if want in ("unchecked", "withheld"):
            assert "media.unchecked" in notices[aid], aid
            row = c.execute("SELECT status FROM accounts WHERE account_id=?", (aid,)).fetchone()
            assert row["status"] == ("unknown" if want == "unchecked" else "ok"), aid
        if want == "withheld":
            assert "media.not_judged" in notices[aid], aid
    assert "media.could_not_read" in notices["dy-signed"]
    # a single rate limit is retried and recorded, and the account is still checked
    assert "media.rate_limited" in notices["wb-ratelimit-once"]


def test_verdicts_and_bulletin_phrases(media_run):
    c = _db(media_run)
    v = {r["site_id"]: (r["result"], json.loads(r["problems_json"]), json.loads(r["vetoes_json"]),
                        r["subject"]) for r in c.execute("SELECT * FROM verdicts")}
    assert all(x[3] == "account" for x in v.values())
    assert v["wb-clean"][0] == "合格" and v["wb-clean"][1] == []
    assert v["wb-14"][:3] == ("不合格", ["14天未更新"], ["media.not_updated"])
    assert v["wb-missing"][:2] == ("不合格", ["搜索不到"])
    assert v["dy-closed"][1] == ["账号已注销系统中未下线"]
    assert v["wx-broken-entry"][:2] == ("不合格", ["互动交流链接有误"])
    assert v["wb-renamed"][1] == ["已改名（高新警讯）系统中未改名"]
    assert v["wb-reposts"][1] == ["3个月无原创"]
    assert v["wb-slow"][1] == ["互动回应差"]


def test_slow_reply_findings_name_each_message(media_run):
    c = _db(media_run)
    rows = c.execute("SELECT text, evidence_json FROM findings WHERE rule='media.slow_reply'"
                     " AND site_id='wb-slow' ORDER BY text").fetchall()
    ev = {r["text"]: json.loads(r["evidence_json"]) for r in rows}
    assert set(ev) == {"小区门口占道经营怎么处理？", "请问垃圾清运投诉打哪个电话？"}
    assert ev["小区门口占道经营怎么处理？"]["delay_hours"] == 25.0
    assert ev["请问垃圾清运投诉打哪个电话？"]["unanswered"] is True


def test_accounts_and_posts_are_stored(media_run):
    c = _db(media_run)
    acc = {r["account_id"]: r for r in c.execute("SELECT * FROM accounts")}
    assert set(acc) == set(EXPECT)
    assert acc["wb-renamed"]["current_name"] == "高新警讯"
    assert acc["wb-missing"]["status"] == "not_found"
    assert acc["dy-closed"]["status"] == "closed"
    n = {r["account_id"]: r["n"] for r in c.execute(
        "SELECT account_id, COUNT(*) n FROM posts GROUP BY account_id")}
    assert n["wb-clean"] == 5 and n["dy-clean"] == 2 and n["feed-atom-clean"] == 2
    orig = {r["original"] for r in c.execute("SELECT original FROM posts WHERE account_id='wb-reposts'")}
    assert orig == {0, 1}  # the 100-day-old original is outside the window but stored
    texts = [r["text"] for r in c.execute("SELECT text FROM posts WHERE account_id='wb-long'")]
    assert any(t.endswith("下半年要再接再厉。") for t in texts)  # read past the cut


def test_each_platform_got_its_own_slot_and_no_request_twice(media_run):
    hits = media_run["fake"].hits
    dup = {k: v for k, v in hits.items() if v > 1 and not k.startswith("limited:")
           and "1900000011" not in k and "1900000012" not in k and "1900000013" not in k}
    assert not dup, dup
