"""Against a real cluster: runs only when ELASTICSEARCH_URL is set (skipped otherwise,
with the reason; run pytest with -rs to see it).

Uses throw-away names (prefix `govcrawl-test-<random>`) and removes them afterwards.
Credentials come from ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/PASSWORD and
ELASTICSEARCH_CA_CERTS, as for the sweep.
"""

from __future__ import annotations

import os
import uuid

import pytest

from govcrawl.es import docs, templates
from govcrawl.es.client import EsClient
from govcrawl.es.config import EsConfig
from govcrawl.es.indexer import Indexer
from govcrawl.es.spool import Spool

from .util import finding

URL = os.environ.get("ELASTICSEARCH_URL", "")

pytestmark = pytest.mark.skipif(
    not URL, reason="ELASTICSEARCH_URL is not set: the real-cluster test needs a cluster "
                    "(e.g. ELASTICSEARCH_URL=http://localhost:9200); the fake-server tests cover "
                    "the rest")


@pytest.fixture
def real(tmp_path):
    prefix = f"govcrawl-test-{uuid.uuid4().hex[:8]}"
    cfg = EsConfig.load({"ELASTICSEARCH_INDEX_PREFIX": prefix,
                         "ELASTICSEARCH_SPOOL_DIR": str(tmp_path / "spool"),
                         "ELASTICSEARCH_FLUSH_INTERVAL": 0.1})
    client = EsClient(cfg)
    client.info()
    yield cfg, client
    for path in (f"/_data_stream/{cfg.pages_stream}", f"/{cfg.findings_index}",
                 f"/{cfg.verdicts_index}"):
        client.request("DELETE", path, ok=(404,))
    for name in templates.all_templates(prefix, "cjk"):
        client.request("DELETE", f"/_index_template/{name}", ok=(404,))
    client.close()


def _search(client: EsClient, index: str, query: dict) -> list[dict]:
    client.request("POST", f"/{index}/_refresh")
    _, body = client.request("POST", f"/{index}/_search", {"query": query, "size": 50})
    return [h["_source"] for h in body["hits"]["hits"]]


def test_index_search_and_rerun_on_a_real_cluster(real):
    cfg, client = real
    analyzer, names = templates.install(client, cfg.prefix, cfg.analyzer)
    assert len(names) == 3

    def run(inspection: int, seen: str) -> None:
        ix = Indexer(cfg)
        ix.start()
        for i in range(5):
            d = docs.finding_source(finding(i).to_dict(), inspection_id=inspection,
                                    as_of="2024-03-01", seen=seen, site={"id": "6105000001",
                                                                         "region": "渭南市"})
            ix.submit(*docs.finding_action(cfg.findings_index, d))
        page = docs.page_source({"url": "http://127.0.0.1:1/p.html", "status": 200,
                                 "pub_date": "2024-02-19 10:30", "title": "关于再接再厉的通知"},
                                inspection_id=inspection, as_of="2024-03-01", fetched=seen,
                                site={"id": "6105000001"})
        ix.submit(*docs.page_action(cfg.pages_stream, inspection, page))
        stats = ix.close()
        assert stats["rejected"] == 0 and stats["spooled"] == 0, stats

    run(1, "2024-03-01T01:00:00.000Z")
    run(2, "2024-03-02T01:00:00.000Z")  # a re-run: updates, keeps first_seen
    run(1, "2024-03-01T01:00:00.000Z")  # an old replay: changes nothing
    assert client.count(cfg.findings_index) == 5
    assert client.count(cfg.pages_stream) == 2
    d = client.get_doc(cfg.findings_index, finding(0).key)
    assert d is not None
    f = d["govcrawl"]["finding"]
    assert f["first_seen"] == "2024-03-01T01:00:00.000Z"
    assert f["last_seen"] == "2024-03-02T01:00:00.000Z"
    assert f["first_inspection"] == 1 and d["govcrawl"]["inspection"]["id"] == 2
    # exact (keyword) and Chinese text search on the flagged wording
    exact = _search(client, cfg.findings_index, {"term": {"govcrawl.finding.text": "再接再励3"}})
    assert len(exact) == 1
    text = _search(client, cfg.findings_index, {"match_phrase": {
        "govcrawl.finding.text.text": "接再励"}})
    assert len(text) == 5
    assert Spool(cfg.spool_path()).counts() == {"pending": 0, "rejected": 0}
