"""The generator itself: sizes, determinism, registry, dates relative to as_of."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from govcrawl.demo import build_world, id_number
from govcrawl.demo.build import letters_case
from govcrawl.demo.world import is_workday
from govcrawl.registry import ScopeMap, load_registry

from .conftest import AS_OF

RULES = {
    "site.unreachable", "site.homepage_not_updated", "column.stale_news", "column.stale_notice",
    "column.stale_other", "column.blank", "content.leader_name", "content.leader_title",
    "content.phrase", "content.illegal", "content.hidden_link", "link.unsafe", "content.prohibited",
    "content.typo", "content.privacy", "content.fake_date", "link.broken", "tag.missing",
    "tag.invalid", "identity.missing", "interaction.no_channel", "interaction.unanswered",
    "interaction.slow_reply", "interaction.stale_stats",
}


def bind_fake(world):
    world.bind({h: 20000 + i for i, h in enumerate(world.hosts + world.closed_hosts)})
    return world


def test_e2e_size_and_sites():
    w = bind_fake(build_world(AS_OF, scale="e2e", seed=1))
    m = w.manifest
    reachable = [s for s in m["sites"].values() if not s["unreachable"]]
    assert len(reachable) >= 6
    total = sum(len(s["pages"]) for s in reachable)
    assert 800 <= total <= 1300, total
    styles = {s["style"] for s in reachable}
    assert {"trs", "hanweb", "ucap", "json"} <= styles
    assert any(s["encoding"] == "gbk" for s in reachable)
    assert any(s["browser_only"] for s in reachable)


def test_bench_scale_reaches_its_target():
    w = bind_fake(build_world(AS_OF, scale="bench", seed=1, bench_pages=20000))
    total = w.page_count()
    assert 15000 <= total <= 26000, total
    assert len([s for s in w.sites if not s.unreachable]) >= 10


def test_deterministic_per_seed():
    a = bind_fake(build_world(AS_OF, scale="e2e", seed=3)).manifest
    b = bind_fake(build_world(AS_OF, scale="e2e", seed=3)).manifest
    c = bind_fake(build_world(AS_OF, scale="e2e", seed=4)).manifest
    assert a["sites"]["9901000001"]["pages"] == b["sites"]["9901000001"]["pages"]
    assert a["planted"] == b["planted"]
    assert a["sites"]["9901000001"]["pages"] != c["sites"]["9901000001"]["pages"]


def test_manifest_needs_ports():
    w = build_world(AS_OF, scale="demo", seed=1)
    with pytest.raises(RuntimeError):
        w.manifest  # noqa: B018


def test_registry_loads_and_scopes(tmp_path):
    w = bind_fake(build_world(AS_OF, scale="e2e", seed=1))
    reg = load_registry(w.write_registry(tmp_path / "registry.yaml"))
    ids = [s.id for s in reg.sites]
    assert len(ids) == len(set(ids)) == len(w.sites)
    assert all(re.fullmatch(r"\d{10}", i) for i in ids)
    scope = ScopeMap(reg.sites)
    portal, dept = w.site("9901000001"), w.site("9901000002")
    assert scope.owner(dept.url(dept.p("col/col1/index.html"))) == dept.id
    assert scope.owner(portal.url("/xxgk/tzgg/")) == portal.id
    assert scope.owner(portal.url("/bmwz/other/")) == portal.id
    accounts = [{"id": "wx-demo", "name": "示范发布", "platform": "wechat", "url": "http://127.0.0.1:1/"}]
    reg2 = load_registry(w.write_registry(tmp_path / "r2.yaml", accounts=accounts))
    assert [a.id for a in reg2.accounts] == ["wx-demo"]


def test_planted_rules_are_catalogue_codes_and_urls_are_served_pages():
    w = bind_fake(build_world(AS_OF, scale="e2e", seed=1))
    m = w.manifest
    for p in m["planted"] + m["tolerated"]:
        assert p["rule"] in RULES, p
        s = m["sites"][p["site_id"]]
        if "url" in p:
            known = s["pages"] | s["optional"] | s["browser_only"]
            assert p["url"] in known, p
    planted_rules = {p["rule"] for p in m["planted"]}
    assert planted_rules == RULES, RULES - planted_rules  # every rule of the catalogue is planted
    # the stale-news veto needs five stale news columns on one site
    stale = [p for p in m["planted"] if p["rule"] == "column.stale_news" and p["site_id"] == "9901230001"]
    assert len(stale) >= 5


@pytest.mark.parametrize("as_of", [date(2024, 6, 20), date(2025, 3, 10), date(2023, 10, 9)])
def test_dates_follow_as_of(as_of):
    w = bind_fake(build_world(as_of, scale="demo", seed=1))
    m = w.manifest
    mzj = m["sites"]["9901000002"]["columns"]["工作动态"]
    assert mzj["newest"] == (as_of - timedelta(days=20)).isoformat()
    xs = m["sites"]["9901230001"]["columns"]
    assert xs["通知公告"]["newest"] == (as_of - timedelta(days=200)).isoformat()
    clean = m["sites"]["9901000005"]["columns"]
    for name, c in clean.items():
        assert c["newest"] is not None and (as_of - date.fromisoformat(c["newest"])).days <= 5, name
    fake = [p for p in m["planted"] if p["rule"] == "content.fake_date"]
    assert fake and all(date.fromisoformat(p["evidence"]["pub_date"]) > as_of for p in fake)


@pytest.mark.parametrize("as_of", [date(2024, 6, 20), date(2025, 3, 10)])
def test_slow_reply_case_spans_holiday_and_makeup_day(as_of):
    w = build_world(as_of, scale="demo", seed=1)
    sub, r5, r6, cal = letters_case(w)
    assert cal, "chinesecalendar covers this year: the case must use a real holiday"
    days = [sub + timedelta(days=k) for k in range(1, (r6 - sub).days + 1)]
    assert sum(is_workday(d) for d in days) == 6
    assert sum(is_workday(d) for d in days if d <= r5) == 5
    assert any(d.weekday() >= 5 and is_workday(d) for d in days)  # make-up weekend day


def test_id_number_checksum():
    pid = id_number("990102", date(1988, 3, 17), 213)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * wt for c, wt in zip(pid[:17], weights))
    assert len(pid) == 18 and pid[17] == "10X98765432"[total % 11]


def test_unknown_scale():
    with pytest.raises(ValueError):
        build_world(AS_OF, scale="huge")
