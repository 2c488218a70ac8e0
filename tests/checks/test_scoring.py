import json

from govcrawl.items import Finding
from govcrawl.registry import Site
from govcrawl.scoring import compute_verdicts, read_verdicts, site_verdict
from govcrawl.store import Store

S = "9901000001"


def F(rule, severity="deduct", **kw):
    return Finding(rule=rule, severity=severity, site_id=S, url=kw.pop("url", f"http://x/{rule}"), **kw)


def stale(n, rule="column.stale_news"):
    return [F(rule, column=f"栏目{i}", url=f"http://x/c{i}/") for i in range(n)]


def test_clean_site_passes_with_100():
    v = site_verdict(S, [])
    assert (v.result, v.score, v.vetoes, v.problems) == ("合格", 100.0, [], [])


def test_4_vs_5_stale_columns():
    v4 = site_verdict(S, stale(2) + stale(2, "column.stale_notice")[:2])
    assert v4.result == "合格" and v4.vetoes == []
    assert v4.problems[0] == "多个栏目更新不及时"
    v5 = site_verdict(S, stale(3) + stale(2, "column.stale_notice"))
    assert v5.result == "不合格"
    assert set(v5.vetoes) == {"column.stale_news", "column.stale_notice"}
    assert v5.problems[0] == "多个栏目更新不及时"


def test_blank_and_other_count_vetoes():
    assert site_verdict(S, stale(4, "column.blank")).vetoes == []
    assert site_verdict(S, stale(5, "column.blank")).vetoes == ["column.blank"]
    assert site_verdict(S, stale(9, "column.stale_other")).vetoes == []
    assert site_verdict(S, stale(10, "column.stale_other")).vetoes == ["column.stale_other"]


def test_any_veto_finding_fails():
    v = site_verdict(S, [F("site.unreachable", "veto")])
    assert v.result == "不合格" and v.vetoes == ["site.unreachable"]
    assert v.problems == ["监测时间点无法访问"] and v.score == 100.0
    v = site_verdict(S, [F("content.leader_name", "veto"), F("content.phrase", "veto")])
    assert v.problems == ["存在严重表述错误"]
    v = site_verdict(S, [F("interaction.unanswered", "veto")])
    assert v.problems == ["互动回应差"]


def test_notices_are_not_scored():
    v = site_verdict(S, [F("content.fake_date", "notice")])
    assert v.result == "合格" and v.score == 100.0 and v.problems == []


def test_deductions_capped_per_indicator_and_below_60_fails():
    # 200 broken links elsewhere: 0.1 each → 20, capped at 10
    links = [F("link.broken", target=f"http://x/{i}") for i in range(200)]
    v = site_verdict(S, links)
    assert v.deductions == {"链接可用性": 10.0} and v.score == 90.0
    home = [F("link.broken", target=f"http://h/{i}", evidence={"homepage": True}) for i in range(3)]
    assert site_verdict(S, home).deductions == {"链接可用性": 3.0}
    many = (stale(4) + stale(4, "column.blank") + links + [F("interaction.stale_stats")] * 3
            + [F("content.typo", text=f"t{i}") for i in range(30)] + [F("identity.missing", text=str(i)) for i in range(7)])
    v = site_verdict(S, many)
    assert v.vetoes == []
    # 20 (columns) + 20 (blank) + 10 (links) + 15 (interaction) + 20 (content) + 5 (identity)
    assert v.score == 10.0 and v.result == "不合格"


def test_exactly_60_passes():
    fs = stale(4) + stale(4, "column.blank")  # 20 + 20 = 40 points
    v = site_verdict(S, fs)
    assert v.score == 60.0 and v.result == "合格"
    v = site_verdict(S, fs + [F("tag.missing")])
    assert v.score == 59.9 and v.result == "不合格"


def test_thresholds_and_points_are_settings():
    v = site_verdict(S, stale(3), {"GOVCRAWL_VETO_STALE_COLUMNS": 3})
    assert v.result == "不合格"
    ind = {"栏目更新": {"cap": 50, "points": {"column.stale_news": 20}}}
    v = site_verdict(S, stale(3), {"GOVCRAWL_SCORE_INDICATORS": json.dumps(ind)})
    assert v.score == 50.0 and v.result == "不合格"


def test_compute_verdicts_writes_every_site_and_skips_dismissed(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    iid = store.create_inspection(as_of="2024-06-20")
    store.upsert_sites(iid, [Site(id=S, name="甲", url="http://127.0.0.1:1/", scope=("http://127.0.0.1:1/",)),
                             Site(id="9901000002", name="乙", url="http://127.0.0.1:2/",
                                  scope=("http://127.0.0.1:2/",))])
    bad = F("content.leader_name", "veto", text="习近凭")
    store.add_findings(iid, [bad] + stale(1))
    # an account verdict written by the media engineer must survive
    store.conn.execute("INSERT INTO verdicts (inspection_id, site_id, subject, result, score) VALUES (?,?,?,?,?)",
                       (iid, "wx-acct", "account", "合格", 100))
    store.conn.commit()
    vs = compute_verdicts(store, iid)
    assert [(v.subject_id, v.result) for v in vs] == [(S, "不合格"), ("9901000002", "合格")]
    store.conn.execute("INSERT INTO reviews (key, state) VALUES (?, 'false_alarm')", (bad.key,))
    store.conn.commit()
    vs = compute_verdicts(store, iid)
    assert vs[0].result == "合格" and vs[0].problems == ["栏目更新不及时"]
    rows = read_verdicts(store, iid)
    assert {(r["site_id"], r["subject"]) for r in rows} == {(S, "site"), ("9901000002", "site"),
                                                            ("wx-acct", "account")}
