"""A small inspection history built directly in a temporary store.

Three quarters of site inspections over six generated sites and two quarters of account
inspections.  The story, which the tests count by hand:

2024Q1 (full, as_of 2024-03-20), all 6 sites:
    a2 site.unreachable (veto)              → 不合格
    b2 content.leader_name 习近凭 (veto)      → 不合格
    c1 column.stale_news (deduct)           → 合格
    a3 content.typo (deduct)                → 合格
2024Q2 (full, 2024-06-20), all 6 sites:
    a2 site.unreachable again               → 不合格 (two quarters running)
    b2 page re-crawled, error gone          → 合格 (fixed)
    c1 column.stale_news still there        → 合格 (open)
    a3 content.typo                         → 合格
    a1 content.phrase 中华人民共合国 (veto)    → stored 不合格, then reviewed false_alarm → 合格
2024Q3 (sample of 5, seed 7, 2024-09-20): a1 a2 b1 b2 c1 (a3 not drawn)
    a1 the same false-alarm text at another offset  → dropped, 合格
    a2 site.unreachable                     → 不合格 (three quarters running)
    b2 习近凭 back on the same page          → 不合格 (reopened; second failure within a year)
    b1 interaction.no_channel (veto)        → 不合格 (new)
    c1 stale column fixed; content.typo     → 合格
Accounts 2024Q2 (as_of 2024-06-22): m1 fails (media.not_updated); m2 m3 m4 pass.
Accounts 2024Q3 (2024-09-22): m1 fails again, m4 fails (media.no_interaction),
    m2 renamed (deduct, passes), m3 clean; m5 is registered but could not be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govcrawl import history as H
from govcrawl.items import Finding
from govcrawl.registry import Site
from govcrawl.store import Store

SITES = [
    Site("6101000001", "甲市人民政府", "http://127.0.0.1:9/a1/", ("http://127.0.0.1:9/a1/",),
         "甲市", "甲市人民政府办公室", "portal"),
    Site("6101000002", "甲市民政局", "http://127.0.0.1:9/a2/", ("http://127.0.0.1:9/a2/",),
         "甲市", "甲市民政局", "department"),
    Site("6101000003", "甲市教育局", "http://127.0.0.1:9/a3/", ("http://127.0.0.1:9/a3/",),
         "甲市", "甲市教育局", "department"),
    Site("6102000001", "乙县人民政府", "http://127.0.0.1:9/b1/", ("http://127.0.0.1:9/b1/",),
         "乙县", "乙县人民政府办公室", "portal"),
    Site("6102000002", "乙县财政局", "http://127.0.0.1:9/b2/", ("http://127.0.0.1:9/b2/",),
         "乙县", "乙县财政局", "department"),
    Site("6103000001", "丙区人民政府", "http://127.0.0.1:9/c1/", ("http://127.0.0.1:9/c1/",),
         "丙区", "丙区人民政府办公室", "portal"),
]
ID = {k: s.id for k, s in zip(["a1", "a2", "a3", "b1", "b2", "c1"], SITES)}
ACCOUNTS = [
    {"id": "wx-m1", "name": "甲市民政", "platform": "wechat", "region": "甲市", "org": "甲市民政局"},
    {"id": "wb-m2", "name": "甲市发布", "platform": "weibo", "region": "甲市", "org": "甲市人民政府"},
    {"id": "wx-m3", "name": "乙县发布", "platform": "wechat", "region": "乙县", "org": "乙县人民政府"},
    {"id": "dy-m4", "name": "丙区融媒", "platform": "douyin", "region": "丙区", "org": "丙区人民政府"},
    {"id": "wx-m5", "name": "丙区水务", "platform": "wechat", "region": "丙区", "org": "丙区水务局"},
]
SCRIPT_TITLE = "<script>window.__pwned=1</script>财政动态"

# -- finding factories ----------------------------------------------------------------


def unreachable(sid: str) -> Finding:
    return Finding("site.unreachable", "veto", sid, url=f"http://127.0.0.1:9/{_slug(sid)}/",
                   evidence={"failure_share": 0.12, "probes": 150}, where="site")


def leader(sid: str, start: int) -> Finding:
    return Finding("content.leader_name", "veto", sid, url=f"http://127.0.0.1:9/{_slug(sid)}/p1.html",
                   text="习近凭", suggestion="习近平", start=start, end=start + 3, where="text",
                   category="严重表述错误")


def phrase(sid: str, start: int) -> Finding:
    return Finding("content.phrase", "veto", sid, url=f"http://127.0.0.1:9/{_slug(sid)}/p9.html",
                   text="中华人民共合国", suggestion="中华人民共和国", start=start, end=start + 7,
                   where="text")


def stale(sid: str) -> Finding:
    return Finding("column.stale_news", "deduct", sid, url=f"http://127.0.0.1:9/{_slug(sid)}/gzdt/",
                   column="工作动态", evidence={"newest_date": "2024-02-01", "days": 49},
                   where="column")


def typo(sid: str, start: int = 10) -> Finding:
    return Finding("content.typo", "deduct", sid, url=f"http://127.0.0.1:9/{_slug(sid)}/p2.html",
                   text="再接再励", suggestion="再接再厉", start=start, end=start + 4, where="text")


def no_channel(sid: str) -> Finding:
    return Finding("interaction.no_channel", "veto", sid, url=f"http://127.0.0.1:9/{_slug(sid)}/",
                   evidence={"searched": ["领导信箱", "咨询投诉"]}, where="site")


def _slug(sid: str) -> str:
    return {v: k for k, v in ID.items()}[sid]


# -- store helpers ------------------------------------------------------------------------


def registry_dict() -> dict[str, Any]:
    return {"sites": [s.to_dict() for s in SITES], "accounts": ACCOUNTS}


def add_pages(store: Store, iid: int, pages: list[tuple[str, str, str]]) -> None:
    """(site_id, url, title) rows: what the inspection crawled."""
    with store.tx() as c:
        c.executemany("INSERT INTO pages (inspection_id, site_id, url, status, title, page_type)"
                      " VALUES (?,?,?,200,?,'article')", [(iid, s, u, t) for s, u, t in pages])


def add_column(store: Store, iid: int, sid: str, url: str, name: str, newest: str) -> None:
    with store.tx() as c:
        c.execute("INSERT INTO columns (inspection_id, site_id, url, name, newest_date)"
                  " VALUES (?,?,?,?,?)", (iid, sid, url, name, newest))


def site_inspection(store: Store, period: str, as_of: str, keys: list[str],
                    findings: list[Finding], scope: str = "full", seed: int | None = None) -> int:
    from govcrawl import scoring

    iid = store.create_inspection(as_of=as_of, registry=registry_dict(), period=period,
                                  scope=scope, sample_seed=seed)
    store.upsert_sites(iid, [s for s in SITES if s.id in {ID[k] for k in keys}])
    store.add_findings(iid, findings)
    scoring.compute_verdicts(store, iid)
    store.finish_inspection(iid)
    return iid


def media_inspection(store: Store, period: str, as_of: str,
                     accounts: list[tuple[str, str, str | None]],
                     findings: list[Finding], verdicts: dict[str, tuple[str, list[str]]]) -> int:
    """accounts: (id, status, current_name); verdicts inserted directly (subject=account)."""
    import json

    iid = store.create_inspection(as_of=as_of, registry=registry_dict(), period=period,
                                  kind="media")
    by_id = {a["id"]: a for a in ACCOUNTS}
    with store.tx() as c:
        c.executemany(
            "INSERT INTO accounts (inspection_id, account_id, name, platform, org, region,"
            " current_name, status) VALUES (?,?,?,?,?,?,?,?)",
            [(iid, aid, by_id[aid]["name"], by_id[aid]["platform"], by_id[aid]["org"],
              by_id[aid]["region"], cur, status) for aid, status, cur in accounts])
        c.executemany(
            "INSERT INTO verdicts (inspection_id, site_id, subject, result, score, vetoes_json,"
            " problems_json) VALUES (?,?,'account',?,?,?,?)",
            [(iid, aid, res, 0.0 if res == "不合格" else 90.0, "[]",
              json.dumps(probs, ensure_ascii=False)) for aid, (res, probs) in verdicts.items()])
    store.add_findings(iid, findings)
    store.finish_inspection(iid)
    return iid


def build_history(path: Path) -> dict[str, Any]:
    store = Store(path)
    q1 = site_inspection(store, "2024Q1", "2024-03-20", list(ID),
                         [unreachable(ID["a2"]), leader(ID["b2"], 120), stale(ID["c1"]),
                          typo(ID["a3"])])
    add_pages(store, q1, [(ID["b2"], leader(ID["b2"], 0).url, "财政动态")])
    q2 = site_inspection(store, "2024Q2", "2024-06-20", list(ID),
                         [unreachable(ID["a2"]), stale(ID["c1"]), typo(ID["a3"]),
                          phrase(ID["a1"], 40)])
    # b2's page was crawled again and the wrong name is gone; a1's page exists too
    add_pages(store, q2, [(ID["b2"], leader(ID["b2"], 0).url, "财政动态"),
                          (ID["a1"], phrase(ID["a1"], 0).url, "政务要闻")])
    # The editor dismisses a1's finding after the verdicts were written.
    H.set_review(store, phrase(ID["a1"], 40).key, "false_alarm", note="引用原文", reviewer="t")
    q3 = site_inspection(store, "2024Q3", "2024-09-20", ["a1", "a2", "b1", "b2", "c1"],
                         [phrase(ID["a1"], 57), unreachable(ID["a2"]), leader(ID["b2"], 133),
                          no_channel(ID["b1"]), typo(ID["c1"], 33)],
                         scope="sample", seed=7)
    add_pages(store, q3, [(ID["b2"], leader(ID["b2"], 0).url, SCRIPT_TITLE),
                          (ID["c1"], typo(ID["c1"]).url, "区政府常务会议")])
    add_column(store, q3, ID["c1"], stale(ID["c1"]).url, "工作动态", "2024-09-18")
    m2 = media_inspection(
        store, "2024Q2", "2024-06-22",
        [("wx-m1", "ok", None), ("wb-m2", "ok", None), ("wx-m3", "ok", None), ("dy-m4", "ok", None)],
        [Finding("media.not_updated", "veto", "wx-m1", evidence={"last_post": "2024-05-30"})],
        {"wx-m1": ("不合格", ["14天未更新"]), "wb-m2": ("合格", []), "wx-m3": ("合格", []),
         "dy-m4": ("合格", [])})
    m3 = media_inspection(
        store, "2024Q3", "2024-09-22",
        [("wx-m1", "ok", None), ("wb-m2", "ok", "甲市之声"), ("wx-m3", "ok", None),
         ("dy-m4", "ok", None), ("wx-m5", "unknown", None)],
        [Finding("media.not_updated", "veto", "wx-m1", evidence={"last_post": "2024-09-01"}),
         Finding("media.no_interaction", "veto", "dy-m4"),
         Finding("media.renamed", "deduct", "wb-m2", text="甲市之声",
                 evidence={"current_name": "甲市之声"})],
        {"wx-m1": ("不合格", ["14天未更新"]), "dy-m4": ("不合格", ["未提供有效互动功能"]),
         "wb-m2": ("合格", ["已改名系统中未改名"]), "wx-m3": ("合格", [])})
    store.close()
    return {"q1": q1, "q2": q2, "q3": q3, "m2": m2, "m3": m3}
