"""Reviews, lifecycle, re-check and repeat offenders over the history in conftest.py."""

from __future__ import annotations

import pytest
from .report_history import ID, leader, phrase, stale, typo, unreachable

from govcrawl import history as H
from govcrawl.store import Store, StoreError


def test_periods_and_previous_comparable(history_store):
    path, ids = history_store
    store = Store(path, readonly=True)
    reps = H.period_representatives(store, "sites")
    assert [H.period_of(r) for r in reps] == ["2024Q1", "2024Q2", "2024Q3"]
    q3 = store.inspection(ids["q3"])
    assert H.previous_comparable(store, q3)["id"] == ids["q2"]
    assert H.resolve_inspection(store, "latest")["id"] == ids["q3"]
    assert H.resolve_inspection(store, period="2024Q1")["id"] == ids["q1"]
    assert H.media_companion(store, q3)["id"] == ids["m3"]
    assert H.period_title("2024Q3") == "2024年第三季度"
    assert H.period_title("国庆专项检查") == "国庆专项检查"
    assert H.quarter_of("2024-11-02") == "2024Q4"
    with pytest.raises(StoreError):
        H.resolve_inspection(store, period="2023Q4")


def test_a_later_inspection_in_the_same_period_represents_it(history_store, tmp_path):
    path, ids = history_store
    store = Store(path)
    again = store.create_inspection(as_of="2024-09-25", period="2024Q3")
    store.finish_inspection(again, status="failed")  # a failed sweep never represents a period
    assert H.resolve_inspection(store, period="2024Q3")["id"] == ids["q3"]
    later = store.create_inspection(as_of="2024-09-26", period="2024Q3")
    store.finish_inspection(later)
    assert H.resolve_inspection(store, period="2024Q3")["id"] == later


def test_false_alarm_dropped_by_key_and_by_same_text_on_same_page(history_store):
    path, ids = history_store
    store = Store(path, readonly=True)
    rf = H.ReviewFilter.from_store(store)
    assert rf.is_false_alarm(phrase(ID["a1"], 40))  # the reviewed finding itself
    assert rf.is_false_alarm(phrase(ID["a1"], 57))  # same text, same page, moved
    other_page = phrase(ID["a1"], 57)
    other_page.url = other_page.url.replace("p9", "p10")
    assert not rf.is_false_alarm(other_page)
    assert not rf.is_false_alarm(phrase(ID["b2"], 57))  # another site
    q3 = [f.site_id for f in H.active_findings(store, ids["q3"], rf)]
    assert ID["a1"] not in q3 and len(q3) == 4


def test_verdicts_are_recomputed_without_false_alarms(history_store):
    path, ids = history_store
    store = Store(path, readonly=True)
    stored = {r["site_id"]: r["result"] for r in store.conn.execute(
        "SELECT site_id, result FROM verdicts WHERE inspection_id=?", (ids["q2"],))}
    assert stored[ID["a1"]] == "不合格"  # scored before the editor's review
    vs = H.verdicts(store, store.inspection(ids["q2"]))
    assert vs[ID["a1"]].result == "合格" and vs[ID["a1"]].recomputed
    assert not vs[ID["a2"]].recomputed and vs[ID["a2"]].failed
    q3 = H.verdicts(store, store.inspection(ids["q3"]))
    assert q3[ID["a1"]].result == "合格"
    assert sorted(s for s, v in q3.items() if v.failed) == sorted([ID["a2"], ID["b1"], ID["b2"]])


def test_lifecycle_new_open_reopened(history_store):
    path, ids = history_store
    store = Store(path, readonly=True)
    hist = H.History(store)
    q3 = store.inspection(ids["q3"])
    life = hist.lifecycle(q3, H.active_findings(store, ids["q3"]))
    by_site = {f.site_id: life[f.key] for f in H.active_findings(store, ids["q3"])}
    assert by_site == {ID["a2"]: "open", ID["b2"]: "reopened", ID["b1"]: "new", ID["c1"]: "new"}
    q2 = store.inspection(ids["q2"])
    life2 = hist.lifecycle(q2, H.active_findings(store, ids["q2"]))
    assert sorted(life2.values()) == ["open", "open", "open"]  # a2, c1, a3 carried over


def test_recheck_fixed_open_unchecked(history_store):
    path, ids = history_store
    store = Store(path, readonly=True)
    rows = {(f.site_id, f.rule): st for f, st in H.History(store).recheck(ids["q2"], ids["q3"])}
    assert rows == {(ID["a2"], "site.unreachable"): "open",
                    (ID["c1"], "column.stale_news"): "fixed",  # its column was re-read
                    (ID["a3"], "content.typo"): "unchecked"}  # a3 was not drawn in Q3
    rows12 = {(f.site_id, f.rule): st for f, st in H.History(store).recheck(ids["q1"], ids["q2"])}
    assert rows12[(ID["b2"], "content.leader_name")] == "fixed"


def test_persist_lifecycle_writes_the_column(history_store):
    path, ids = history_store
    store = Store(path)
    counts = H.persist_lifecycle(store, ids["q3"])
    # a1's dismissed finding is still classified (as new: its earlier twin was dismissed)
    assert counts == {"open": 1, "reopened": 1, "new": 3}
    got = dict(store.conn.execute("SELECT site_id, lifecycle FROM findings WHERE inspection_id=?"
                                  " AND site_id=?", (ids["q3"], ID["b2"])).fetchall())
    assert got == {ID["b2"]: "reopened"}


def test_repeat_offenders(history_store):
    path, ids = history_store
    store = Store(path, readonly=True)
    q3 = store.inspection(ids["q3"])
    off = H.repeat_offenders(store, q3, H.verdicts(store, q3))
    assert set(off) == {ID["a2"], ID["b2"]}
    assert (off[ID["a2"]].consecutive, off[ID["a2"]].in_year) == (3, 3)
    assert off[ID["a2"]].label == "连续三个季度不合格"
    assert (off[ID["b2"]].consecutive, off[ID["b2"]].in_year) == (1, 2)
    assert off[ID["b2"]].label == "年内第二次检查不合格"
    m3 = store.inspection(ids["m3"])
    moff = H.repeat_offenders(store, m3, H.verdicts(store, m3))
    assert set(moff) == {"wx-m1"} and moff["wx-m1"].label == "连续两个季度不合格"


def test_review_states_and_key_prefix(history_store):
    path, ids = history_store
    store = Store(path)
    key = typo(ID["c1"], 33).key
    iid, f = H.set_review(store, key[:10], "confirmed", reviewer="t")
    assert iid == ids["q3"] and f.key == key
    assert H.load_reviews(store)[key].state == "confirmed"
    with pytest.raises(StoreError):
        H.set_review(store, key, "maybe")
    with pytest.raises(StoreError):
        H.set_review(store, "0000000000", "confirmed")
    # a finding that exists in several inspections resolves to the latest one
    iid2, _ = H.set_review(store, unreachable(ID["a2"]).key, "confirmed")
    assert iid2 == ids["q3"]
    assert leader(ID["b2"], 0).key != leader(ID["b2"], 133).key
    assert stale(ID["c1"]).key == stale(ID["c1"]).key


def test_named_checks_count_as_consecutive_checks(tmp_path):
    from govcrawl import scoring
    from .report_history import SITES, registry_dict

    store = Store(tmp_path / "named.sqlite")
    ids = []
    for period, as_of in (("春节专项检查", "2024-02-05"), ("两会专项检查", "2024-03-01")):
        iid = store.create_inspection(as_of=as_of, period=period, registry=registry_dict())
        store.upsert_sites(iid, SITES[:2])
        store.add_findings(iid, [unreachable(ID["a2"])])
        scoring.compute_verdicts(store, iid)
        store.finish_inspection(iid)
        ids.append(iid)
    insp = store.inspection(ids[-1])
    off = H.repeat_offenders(store, insp, H.verdicts(store, insp))
    assert off[ID["a2"]].label == "连续两次检查不合格"
    assert H.previous_comparable(store, insp)["id"] == ids[0]
