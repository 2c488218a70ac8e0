"""Site-level checks over the store: new outbound domains and tamper alerts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from govcrawl.checks.hacked.rules import HackedRules
from govcrawl.items import SiteDone
from govcrawl.pipelines.hacked import HackedPagePipeline, site_history
from govcrawl.registry import Site
from govcrawl.store import Store

SID = "6105000001"
HOME = "http://127.0.0.1:8001/"
SITE = Site(id=SID, name="某市民政局", url=HOME, scope=(HOME,))


def _inspection(store: Store, as_of: str, pages: dict[str, str], links: list[tuple[str, str, str]]) -> int:
    iid = store.create_inspection(as_of=as_of, registry={"sites": [SITE.to_dict()]})
    store.upsert_sites(iid, [SITE])
    with store.tx() as c:
        for url, title in pages.items():
            c.execute("INSERT INTO pages (inspection_id, site_id, url, status, title) VALUES (?,?,?,?,?)",
                      (iid, SID, url, 200, title))
        for page_url, target, anchor in links:
            c.execute("INSERT INTO links (inspection_id, site_id, page_url, target, anchor, kind, hidden, external)"
                      " VALUES (?,?,?,?,?,?,?,?)", (iid, SID, page_url, target, anchor, "a", 0, 1))
    store.finish_inspection(iid)
    return iid


def _store(tmp_path: Path) -> tuple[str, int, int]:
    path = tmp_path / "govcrawl.db"
    store = Store(path)
    art = HOME + "art/1.html"
    first = _inspection(store, "2024-02-01", {HOME: "某市民政局", art: "关于开展低保复核的通知"},
                        [(HOME, "http://www.shaanxi.gov.cn/", "陕西省人民政府"),
                         (HOME, "http://www.12306.cn/", "铁路12306")])
    second = _inspection(store, "2024-05-01", {HOME: "某市民政局", art: "午夜影院免费观看_关于开展低保复核的通知"},
                         [(HOME, "http://www.shaanxi.gov.cn/", "陕西省人民政府"),
                          (HOME, "http://www.12306.cn/", "铁路12306"),
                          (HOME, "http://www.amjs8888.com/", "澳门金沙"),
                          (art, "http://www.cnki.net/", "知网")])
    store.close()
    return str(path), first, second


def test_tamper_and_new_domains(tmp_path: Path, rules: HackedRules) -> None:
    path, first, second = _store(tmp_path)
    found = site_history(path, second, SID, "2024-05-01", rules, home=HOME)
    by = {(f.rule, f.where): f for f in found}
    title = by[("content.illegal", "tamper")]
    assert title.severity == "veto" and title.url == HOME + "art/1.html"
    assert title.evidence["before"] == "关于开展低保复核的通知"
    assert title.evidence["after"].startswith("午夜影院") and title.evidence["previous_inspection"] == first
    links = by[("link.unsafe", "tamper")]
    assert links.url == HOME and links.target == "http://www.amjs8888.com/"
    assert links.evidence["before"] == ["www.12306.cn", "www.shaanxi.gov.cn"]
    new = by[("link.unsafe", "site")]
    assert new.severity == "notice"
    assert sorted(d["domain"] for d in new.evidence["domains"]) == ["amjs8888.com", "cnki.net"]
    assert new.evidence["with_spam_signals"] is True


def test_first_inspection_has_no_history(tmp_path: Path, rules: HackedRules) -> None:
    path, first, _ = _store(tmp_path)
    assert site_history(path, first, SID, "2024-02-01", rules, home=HOME) == []


def test_pipeline_attaches_history_to_site_done(tmp_path: Path, rules: HackedRules) -> None:
    path, _, second = _store(tmp_path)
    crawler = SimpleNamespace(settings=None, stats=None, engine=None)
    pipe = HackedPagePipeline(crawler, rules=rules, store_path=path)
    item = SiteDone(inspection_id=second, site_id=SID, as_of="2024-05-01", stats={"store": path})
    out = asyncio.run(pipe.process_item(item))
    assert {(f.rule, f.where) for f in out.findings} == {
        ("content.illegal", "tamper"), ("link.unsafe", "tamper"), ("link.unsafe", "site")}


def test_outbound_inventory_command(tmp_path: Path, capsys: Any) -> None:
    from govcrawl.cli import main

    path, first, second = _store(tmp_path)
    assert main(["outbound", "--store", path, "--format", "jsonl"]) == 0
    rows = {r["domain"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(rows) == {"shaanxi.gov.cn", "12306.cn", "amjs8888.com", "cnki.net"}
    assert rows["amjs8888.com"]["new"] and rows["amjs8888.com"]["strong"]
    assert rows["shaanxi.gov.cn"]["trusted"] and not rows["shaanxi.gov.cn"]["new"]
    assert rows["amjs8888.com"]["previous_inspection"] == first
    assert main(["outbound", "--store", path, "--risky", "--format", "table"]) == 0
    table = capsys.readouterr().out
    assert "amjs8888.com" in table and "cnki.net" in table and "shaanxi" not in table
