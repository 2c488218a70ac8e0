"""Stratified, reproducible samples (抽查)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from govcrawl.registry import Site
from govcrawl.sampling import SampleError, draw_sample, parse_sample_arg, sample_summary


def make_sites() -> list[Site]:
    """Three regions of different sizes; one portal each, the rest department sites."""
    sites = []
    for code, region, n in (("610100", "甲市", 20), ("610200", "乙县", 8), ("610300", "丙区", 2)):
        for i in range(n):
            sid = f"{code}{i + 1:04d}"
            kind = "portal" if i == 0 else "department"
            sites.append(Site(sid, f"{region}网站{i + 1}", f"http://127.0.0.1:9/{sid}/",
                              (f"http://127.0.0.1:9/{sid}/",), region, region, kind))
    return sites


def test_same_seed_same_sample_whatever_the_order():
    sites = make_sites()
    a = draw_sample(sites, n=12, seed=7)
    shuffled = list(sites)
    random.Random(1).shuffle(shuffled)
    b = draw_sample(shuffled, n=12, seed=7)
    assert len(a) == 12
    assert sorted(s.id for s in a) == sorted(s.id for s in b)
    c = draw_sample(sites, n=12, seed=8)
    assert sorted(s.id for s in c) != sorted(s.id for s in a)


def test_every_stratum_represented_in_proportion():
    sites = make_sites()  # strata: 甲市 1+19, 乙县 1+7, 丙区 1+1 → 6 strata, 30 sites
    chosen = draw_sample(sites, n=15, seed=3)
    got = Counter((s.region, s.kind) for s in chosen)
    # Hand count: one per stratum first (6), then the other 9 by the remaining department
    # sites (甲市 18, 乙县 6, 丙区 0 of 24): 6.75 → 6 and 2.25 → 2, the last one to the
    # largest remainder (甲市).  So 甲市 1+7, 乙县 1+2, 丙区 1, and each portal once.
    assert set(got) == {(r, k) for r in ("甲市", "乙县", "丙区") for k in ("portal", "department")}
    assert got[("甲市", "department")] == 8
    assert got[("乙县", "department")] == 3
    assert got[("丙区", "department")] == 1
    assert got[("甲市", "portal")] == got[("乙县", "portal")] == got[("丙区", "portal")] == 1
    summary = {(r["region"], r["kind"]): (r["sampled"], r["population"])
               for r in sample_summary(sites, chosen)}
    assert summary[("甲市", "department")][1] == 19
    assert all(s <= p for s, p in summary.values())


def test_ratio_and_whole_population():
    sites = make_sites()
    half = draw_sample(sites, ratio=0.5, seed=1)
    assert len(half) == 15
    assert [s.id for s in draw_sample(sites, n=100, seed=1)] == [s.id for s in sites]


def test_sample_is_returned_in_registry_order():
    sites = make_sites()
    chosen = draw_sample(sites, n=10, seed=5)
    order = {s.id: i for i, s in enumerate(sites)}
    assert [order[s.id] for s in chosen] == sorted(order[s.id] for s in chosen)


def test_parse_sample_arg_and_errors():
    assert parse_sample_arg("30") == (30, None)
    assert parse_sample_arg("0.5") == (None, 0.5)
    assert parse_sample_arg("25%") == (None, 0.25)
    assert parse_sample_arg(None) == (None, None)
    for bad in ("0", "-3", "1.5", "abc", "0%"):
        with pytest.raises(SampleError):
            parse_sample_arg(bad)
    with pytest.raises(SampleError):
        draw_sample(make_sites(), n=3, ratio=0.5)
    with pytest.raises(SampleError):
        draw_sample(make_sites())
