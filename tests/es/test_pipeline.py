"""ElasticsearchPipeline with a Scrapy Crawler (get_crawler), the store and the fake server:
documents, site details, first/last seen, and killing the server mid-sweep."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from govcrawl.es.fakeserver import FakeElasticsearch
from govcrawl.es.spool import Spool
from govcrawl.items import Finding, LinkStatus, PageItem, SiteDone, SiteEvent
from govcrawl.pipelines.elasticsearch import ElasticsearchPipeline
from govcrawl.registry import Site
from govcrawl.store import Store

from .util import finding

SITES = [Site(id="6105000001", name="渭南市民政局", url="http://127.0.0.1:1/", scope=(
    "http://127.0.0.1:1/",), region="渭南市", org="渭南市民政局", kind="department"),
    Site(id="6105000002", name="华州区人民政府", url="http://127.0.0.2:1/", scope=(
        "http://127.0.0.2:1/",), region="华州区", org="华州区人民政府", kind="portal")]


def make_store(path, as_of="2024-03-01") -> int:
    st = Store(path)
    iid = st.create_inspection(as_of=as_of, registry={"sites": []})
    st.upsert_sites(iid, SITES)
    st.close()
    return iid


def settings(fake_url: str, tmp_path, store=None, **kw) -> dict:
    s = {"ELASTICSEARCH_URL": fake_url, "ELASTICSEARCH_SPOOL_DIR": str(tmp_path / "spool"),
         "ELASTICSEARCH_RETRY_BACKOFF": 0.01, "ELASTICSEARCH_FLUSH_INTERVAL": 0.05,
         "ELASTICSEARCH_MAX_RETRIES": 2, "ELASTICSEARCH_BULK_SIZE": 20,
         "ELASTICSEARCH_CLOSE_TIMEOUT": 30}
    if store:
        s["GOVCRAWL_STORE"] = str(store)
    s.update(kw)
    return s


def pipeline(s: dict) -> ElasticsearchPipeline:
    crawler = get_crawler(Spider, s)
    p = ElasticsearchPipeline.from_crawler(crawler)
    p.open_spider()
    return p


def page(iid: int, n: int, site: str = "6105000001", nf: int = 2, as_of="2024-03-01") -> PageItem:
    host = "127.0.0.1" if site == "6105000001" else "127.0.0.2"
    url = f"http://{host}:1/p{n}.html"
    fs = [finding(n * 10 + k, site=site, url=url) for k in range(nf)]
    return PageItem(inspection_id=iid, site_id=site, url=url, as_of=as_of, status=200,
                    page_type="article", title=f"关于第{n}号文件的通知", column="通知公告",
                    pub_date="2024-02-19 10:30", html="<html>never indexed</html>",
                    text="正文" * 50, findings=fs)


def test_not_configured_without_url(monkeypatch):
    monkeypatch.delenv("ELASTICSEARCH_URL", raising=False)
    with pytest.raises(NotConfigured):
        ElasticsearchPipeline.from_crawler(get_crawler(Spider, {"ELASTICSEARCH_URL": ""}))


def test_bad_setting_is_loud(fake, tmp_path):
    with pytest.raises(ValueError, match="ELASTICSEARCH_ANALYZER"):
        ElasticsearchPipeline.from_crawler(get_crawler(
            Spider, settings(fake.url, tmp_path, ELASTICSEARCH_ANALYZER="ik")))


def test_documents_carry_inspection_site_and_ecs_fields(fake, tmp_path):
    store = tmp_path / "g.db"
    iid = make_store(store)
    p = pipeline(settings(fake.url, tmp_path, store))
    item = page(iid, 1)
    assert p.process_item(item) is item
    done = SiteDone(inspection_id=iid, site_id="6105000002", as_of="2024-03-01", findings=[
        Finding(rule="column.stale_news", severity="deduct", site_id="6105000002",
                url="http://127.0.0.2:1/gzdt/", column="工作动态",
                evidence={"newest": "2024-01-02", "days": 59})])
    p.process_item(done)
    p.process_item(SiteEvent(inspection_id=iid, site_id="6105000002", kind="unreachable",
                             message="homepage timed out", url="http://127.0.0.2:1/",
                             findings=[Finding(rule="site.unreachable", severity="veto",
                                               site_id="6105000002", url="http://127.0.0.2:1/")]))
    p.process_item(LinkStatus(inspection_id=iid, site_id="6105000001", target="http://x/", status=404))
    p._close()

    found = fake.docs("govcrawl-findings")
    assert set(found) == {f.key for f in item.findings} | {f.key for f in done.findings} | {
        Finding(rule="site.unreachable", severity="veto", site_id="6105000002",
                url="http://127.0.0.2:1/").key}
    d = found[item.findings[0].key]
    assert d["rule"]["id"] == "content.typo" and d["rule"]["category"] == "错别字"
    assert d["url"]["full"] == item.url and d["url"]["domain"] == "127.0.0.1"
    g = d["govcrawl"]
    assert g["inspection"] == {"id": iid, "as_of": "2024-03-01"}
    assert g["site"]["name"] == "渭南市民政局" and g["site"]["region"] == "渭南市"
    assert g["finding"]["text"] == item.findings[0].text
    assert g["finding"]["first_seen"] == g["finding"]["last_seen"] == d["@timestamp"]
    assert g["page"]["column"] == "通知公告" and g["page"]["pub_date"].startswith("2024-02-19T10:30")
    col = found[done.findings[0].key]["govcrawl"]
    assert col["finding"]["column"] == "工作动态" and col["site"]["region"] == "华州区"
    assert col["finding"]["evidence"]["days"] == 59

    pages = fake.docs("govcrawl-pages")
    assert len(pages) == 1
    pg = next(iter(pages.values()))
    assert pg["http"]["response"]["status_code"] == 200
    assert pg["govcrawl"]["page"]["findings"] == 2
    assert "never indexed" not in str(pg) and "正文" not in str(pg)  # slim: no text, no HTML


def test_rerun_updates_and_keeps_first_seen(fake, tmp_path):
    store = tmp_path / "g.db"
    iid1 = make_store(store, as_of="2024-03-01")
    p = pipeline(settings(fake.url, tmp_path, store))
    p.process_item(page(iid1, 1))
    p._close()
    first = fake.docs("govcrawl-findings")
    st = Store(store)
    iid2 = st.create_inspection(as_of="2024-03-02")
    st.upsert_sites(iid2, SITES)
    st.close()
    p = pipeline(settings(fake.url, tmp_path, store))
    p.process_item(page(iid2, 1, as_of="2024-03-02"))
    p._close()
    second = fake.docs("govcrawl-findings")
    assert set(first) == set(second)  # same problems: updated, not duplicated
    for k, d in second.items():
        f1, f2 = first[k]["govcrawl"]["finding"], d["govcrawl"]["finding"]
        assert f2["first_seen"] == f1["first_seen"] and f2["first_inspection"] == iid1
        assert f2["last_seen"] >= f1["last_seen"]
        assert d["govcrawl"]["inspection"]["id"] == iid2
    assert len(fake.docs("govcrawl-pages")) == 2  # one page record per inspection


def wait_for(cond, what: str, limit: float = 30.0) -> None:
    """Poll a condition (a generous limit: this waits for an event, it times nothing)."""
    end = time.monotonic() + limit
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


def test_kill_server_mid_sweep_every_finding_indexed_once(tmp_path):
    fake = FakeElasticsearch().start()
    store = tmp_path / "g.db"
    iid = make_store(store)
    p = pipeline(settings(fake.url, tmp_path, store))
    expected: set[str] = set()
    pages = [page(iid, n, site=SITES[n % 2].id, nf=3) for n in range(120)]
    for it in pages[:60]:
        expected |= {f.key for f in it.findings}
        p.process_item(it)
    wait_for(lambda: len(fake.docs("govcrawl-findings")) >= 90, "the first findings to arrive")
    fake.stop()  # killed mid-sweep (open connections cut)
    for it in pages[60:100]:
        expected |= {f.key for f in it.findings}
        p.process_item(it)
    assert p.indexer is not None
    wait_for(lambda: p.indexer.stats.spooled > 0, "the indexer to spool during the outage")
    fake.start()  # back on the same port
    for it in pages[100:]:
        expected |= {f.key for f in it.findings}
        p.process_item(it)
    try:
        stats = p._close()
        assert set(fake.docs("govcrawl-findings")) == expected
        assert len(fake.docs("govcrawl-findings")) == 360
        assert len(fake.docs("govcrawl-pages")) == 120
        assert Spool(tmp_path / "spool").counts() == {"pending": 0, "rejected": 0}
        assert stats["rejected"] == 0 and stats["replayed"] >= stats["spooled"] > 0
    finally:
        fake.stop()


def test_down_for_the_whole_sweep_replayed_on_next_start(tmp_path):
    fake = FakeElasticsearch().start()
    fake.stop()
    store = tmp_path / "g.db"
    iid = make_store(store)
    s = settings(fake.url, tmp_path, store, ELASTICSEARCH_MAX_RETRIES=1)
    p = pipeline(s)
    items = [page(iid, n) for n in range(30)]
    for it in items:
        p.process_item(it)
    stats = p._close()
    assert stats["indexed"] == 0 and stats["spooled"] == 90  # 60 findings + 30 pages
    assert Spool(tmp_path / "spool").counts()["pending"] == 90
    fake.start()
    try:
        p2 = pipeline(s)  # the next sweep: replays before its own items
        stats2 = p2._close()
        assert stats2["replayed"] == 90
        assert set(fake.docs("govcrawl-findings")) == {f.key for it in items for f in it.findings}
        assert len(fake.docs("govcrawl-pages")) == 30
        assert Spool(tmp_path / "spool").counts()["pending"] == 0
    finally:
        fake.stop()


def test_verdicts_in_the_store_are_indexed_at_close(fake, tmp_path):
    store = tmp_path / "g.db"
    iid = make_store(store)
    p = pipeline(settings(fake.url, tmp_path, store))
    p.process_item(page(iid, 1))
    st = Store(store)
    with st.tx() as c:  # what the store pipeline's close writes before ours runs
        c.execute("INSERT INTO verdicts (inspection_id, site_id, result, score, vetoes_json,"
                  " problems_json) VALUES (?,?,?,?,?,?)", (iid, "6105000001", "合格", 98.0, "[]",
                                                            '["存在错别字"]'))
    st.close()
    p._close()
    v = fake.docs("govcrawl-verdicts")[f"{iid}:6105000001"]["govcrawl"]
    assert v["verdict"]["pass"] == 1 and v["site"]["region"] == "渭南市"


def test_spool_next_to_the_store_by_default(fake, tmp_path):
    store = tmp_path / "g.db"
    make_store(store)
    s = settings(fake.url, tmp_path, store)
    del s["ELASTICSEARCH_SPOOL_DIR"]
    p = ElasticsearchPipeline.from_crawler(get_crawler(Spider, s))
    assert p.cfg.spool_path() == tmp_path / "g.db.es-spool"


@dataclass
class AccountDoneLike:
    """Shaped like govcrawl.media.model.AccountDone (what the media spider emits)."""

    inspection_id: int
    as_of: str
    account: dict
    findings: list
    verdict: dict | None = None


def test_media_account_items(fake, tmp_path):
    store = tmp_path / "g.db"
    iid = make_store(store)
    p = pipeline(settings(fake.url, tmp_path, store))
    acct = {"id": "wx-weinan-wjw", "name": "渭南市卫生健康委员会", "platform": "wechat",
            "region": "渭南市", "org": "渭南市卫生健康委员会", "url": "http://127.0.0.1:1/feed"}
    f = Finding(rule="media.not_updated", severity="veto", site_id="wx-weinan-wjw",
                url="http://127.0.0.1:1/feed", evidence={"newest": "2024-02-01"})
    p.process_item(AccountDoneLike(iid, "2024-03-01", acct, [f],
                                   {"result": "不合格", "score": 0, "vetoes": ["media.not_updated"],
                                    "problems": ["14天未更新"]}))
    p._close()
    d = fake.docs("govcrawl-findings")[f.key]["govcrawl"]
    assert d["site"]["platform"] == "wechat" and d["site"]["kind"] == "account"
    assert d["site"]["region"] == "渭南市" and d["inspection"]["as_of"] == "2024-03-01"
    v = fake.docs("govcrawl-verdicts")[f"{iid}:wx-weinan-wjw"]["govcrawl"]["verdict"]
    assert v["subject"] == "account" and v["pass"] == 0
