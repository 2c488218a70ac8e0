"""`govcrawl es-setup | es-sync | es-replay | es-status` against the fake server."""

from __future__ import annotations

import json

import pytest

from govcrawl.cli import main
from govcrawl.es.fakeserver import FakeElasticsearch
from govcrawl.es.indexer import Indexer
from govcrawl.es.spool import Spool
from govcrawl.items import Finding
from govcrawl.store import Store

from .test_pipeline import SITES
from .util import finding, make_cfg


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("ELASTICSEARCH_URL", "ELASTICSEARCH_API_KEY", "ELASTICSEARCH_USERNAME",
                 "ELASTICSEARCH_PASSWORD", "ELASTICSEARCH_INDEX_PREFIX", "ELASTICSEARCH_ANALYZER",
                 "GOVCRAWL_STORE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ELASTICSEARCH_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("ELASTICSEARCH_RETRY_BACKOFF", "0.01")
    monkeypatch.setenv("ELASTICSEARCH_MAX_RETRIES", "1")


def test_es_setup_installs_templates(fake, capsys):
    assert main(["es-setup", "--url", fake.url]) == 0
    out = capsys.readouterr().out
    assert "govcrawl-findings" in out and "analyzer cjk" in out
    t = fake.templates["govcrawl-findings"]
    text = t["template"]["mappings"]["properties"]["govcrawl"]["properties"]["finding"][
        "properties"]["text"]
    assert text["type"] == "keyword" and text["fields"]["text"]["analyzer"] == "cjk"
    assert "data_stream" in fake.templates["govcrawl-pages"]
    assert fake.templates["govcrawl-pages"]["index_patterns"] == ["govcrawl-pages*"]


def test_es_setup_plugin_analyzers(fake, capsys):
    assert main(["es-setup", "--url", fake.url, "--analyzer", "smartcn"]) == 2
    assert "analysis-smartcn" in capsys.readouterr().err
    fake.analyzers |= {"ik_max_word", "ik_smart"}
    assert main(["es-setup", "--url", fake.url, "--analyzer", "auto", "--prefix", "gc2"]) == 0
    assert "analyzer ik_max_word" in capsys.readouterr().out
    text = fake.templates["gc2-findings"]["template"]["mappings"]["properties"]["govcrawl"][
        "properties"]["finding"]["properties"]["text"]["fields"]["text"]
    assert text == {"type": "text", "analyzer": "ik_max_word", "search_analyzer": "ik_smart"}


def test_unreachable_cluster_is_one_line(capsys):
    fake = FakeElasticsearch().start()
    url = fake.url
    fake.stop()
    assert main(["es-setup", "--url", url]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("govcrawl es-setup:") and "\n" not in err


def test_no_url_is_a_user_error(capsys):
    assert main(["es-setup"]) == 2
    assert "ELASTICSEARCH_URL" in capsys.readouterr().err


def build_store(path) -> int:
    st = Store(path)
    iid = st.create_inspection(as_of="2024-03-01", period="2024Q1")
    st.upsert_sites(iid, SITES)
    fs = [finding(1), finding(2), Finding(rule="column.stale_news", severity="deduct",
                                          site_id="6105000002", url="http://127.0.0.2:1/gzdt/",
                                          column="工作动态")]
    st.add_findings(iid, fs)
    with st.tx() as c:
        c.execute("INSERT INTO verdicts (inspection_id, site_id, subject, result, score,"
                  " vetoes_json, problems_json) VALUES (?,?,?,?,?,?,?)",
                  (iid, "6105000001", "site", "合格", 96.0, "[]", json.dumps(["存在错别字"])))
        c.execute("INSERT INTO verdicts (inspection_id, site_id, subject, result, score,"
                  " vetoes_json, problems_json) VALUES (?,?,?,?,?,?,?)",
                  (iid, "6105000002", "site", "不合格", 0.0, json.dumps(["site.unreachable"]),
                   json.dumps(["监测时间点无法访问"])))
        c.execute("INSERT INTO pages (inspection_id, site_id, url, status, page_type, title,"
                  " pub_date, fetched_at) VALUES (?,?,?,?,?,?,?,?)",
                  (iid, "6105000001", "http://127.0.0.1:1/p1.html", 200, "article", "通知",
                   "2024-02-19", "2024-03-01T02:00:00+00:00"))
    st.close()
    return iid


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_es_sync_indexes_findings_verdicts_pages(fake, tmp_path, capsys, backend, request):
    store = tmp_path / "g.db" if backend == "sqlite" else request.getfixturevalue("pg_url")
    iid = build_store(store)
    assert main(["es-sync", "--url", fake.url, "--store", str(store)]) == 0
    assert "0 spooled" in capsys.readouterr().out
    found = fake.docs("govcrawl-findings")
    assert set(found) == {finding(1).key, finding(2).key, Finding(
        rule="column.stale_news", severity="deduct", site_id="6105000002",
        url="http://127.0.0.2:1/gzdt/", column="工作动态").key}
    d = found[finding(1).key]
    assert d["govcrawl"]["site"]["region"] == "渭南市"
    assert d["govcrawl"]["page"]["title"] == "通知"
    assert d["govcrawl"]["finding"]["first_seen"].endswith("Z")
    verdicts = fake.docs("govcrawl-verdicts")
    assert set(verdicts) == {f"{iid}:6105000001", f"{iid}:6105000002"}
    v = verdicts[f"{iid}:6105000002"]["govcrawl"]
    assert v["verdict"]["pass"] == 0 and v["verdict"]["vetoes"] == ["site.unreachable"]
    assert v["site"]["region"] == "华州区" and v["inspection"]["period"] == "2024Q1"
    assert verdicts[f"{iid}:6105000001"]["govcrawl"]["verdict"]["pass"] == 1
    assert verdicts[f"{iid}:6105000001"]["@timestamp"] == "2024-03-01"
    pages = fake.docs("govcrawl-pages")
    assert len(pages) == 1
    assert next(iter(pages.values()))["@timestamp"] == "2024-03-01T02:00:00.000Z"
    # A second sync changes nothing (ids are deterministic; the page record is already there).
    assert main(["es-sync", "--url", fake.url, "--store", str(store)]) == 0
    assert "1 already there" in capsys.readouterr().out
    assert len(fake.docs("govcrawl-findings")) == 3 and len(fake.docs("govcrawl-pages")) == 1


def test_es_replay_and_status(tmp_path, capsys):
    fake = FakeElasticsearch().start()
    url = fake.url
    fake.stop()
    cfg = make_cfg(url, tmp_path, ELASTICSEARCH_MAX_RETRIES=1)
    ix = Indexer(cfg)
    ix.start()
    from govcrawl.es import docs

    for i in range(7):
        d = docs.finding_source(finding(i).to_dict(), inspection_id=1, as_of="2024-03-01",
                                seen=docs.now_iso(), site={"id": "6105000001"})
        ix.submit(*docs.finding_action(cfg.findings_index, d))
    ix.close()
    assert main(["es-status"]) == 0
    assert "7 waiting" in capsys.readouterr().out
    assert main(["es-replay", "--url", url]) == 2  # still down: one line, nothing lost
    assert Spool(tmp_path / "spool").counts()["pending"] == 7
    fake.start()
    try:
        assert main(["es-replay", "--url", url]) == 0
        assert "7 delivered, 0 still waiting" in capsys.readouterr().out
        assert len(fake.docs("govcrawl-findings")) == 7
        assert main(["es-replay", "--url", url]) == 0
        assert "nothing waits" in capsys.readouterr().out
    finally:
        fake.stop()


def test_es_status_and_print(fake, capsys):
    assert main(["es-setup", "--print"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"govcrawl-findings", "govcrawl-pages", "govcrawl-verdicts"}
    assert main(["es-status", "--url", fake.url]) == 0
    assert "template govcrawl-findings: missing" in capsys.readouterr().out
    assert main(["es-setup", "--url", fake.url]) == 0
    capsys.readouterr()
    assert main(["es-status", "--url", fake.url]) == 0
    out = capsys.readouterr().out
    assert "template govcrawl-pages: version 1, analyzer cjk" in out
    assert "Elasticsearch 8.17.0" in out
