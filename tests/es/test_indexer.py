"""The bulk indexer over real HTTP against the fake server: batching, retries,
per-document failures, dropped connections, spool and replay."""

from __future__ import annotations

import logging

from elasticsearch import Elasticsearch

from govcrawl.es import docs, templates
from govcrawl.es.client import EsClient
from govcrawl.es.fakeserver import FakeElasticsearch
from govcrawl.es.indexer import Indexer
from govcrawl.es.spool import Spool

from .util import finding

AS_OF = "2024-03-01"


def actions(cfg, n: int, start: int = 0):
    out = []
    for i in range(start, start + n):
        f = finding(i).to_dict()
        doc = docs.finding_source(f, inspection_id=1, as_of=AS_OF, seen="2024-03-01T01:00:00.000Z",
                                  site={"id": f["site_id"]})
        out.append(docs.finding_action(cfg.findings_index, doc))
    return out


def run(cfg, acts, **kw) -> Indexer:
    ix = Indexer(cfg, **kw)
    ix.start()
    for meta, body in acts:
        ix.submit(meta, body)
    ix.close()
    return ix


def keys(n: int, start: int = 0) -> set[str]:
    return {finding(i).key for i in range(start, start + n)}


def test_official_client_needs_compat_headers_and_ours_sends_them(fake, cfg_for):
    # The 9.x client as it comes asks for compatible-with=9, which an 8.x cluster refuses
    # (the fake answers like one); our wrapper asks the version first.
    plain = Elasticsearch(fake.url)
    try:
        plain.info()
        refused = False
    except Exception as e:  # BadRequestError
        refused = "media_type_header_exception" in str(e)
    assert refused
    c = EsClient(cfg_for(fake.url))
    assert c.info()["version"]["number"] == fake.version
    assert c._compat == 8


def test_nine_x_server_with_official_client(cfg_for):
    with FakeElasticsearch(version="9.1.0") as fake9:
        assert Elasticsearch(fake9.url).info()["version"]["number"] == "9.1.0"
        c = EsClient(cfg_for(fake9.url))
        c.info()
        assert c._compat == 9
        name, _ = templates.install(c, "govcrawl")
        assert name == "cjk"


def test_batches_by_count_and_bytes(fake, cfg_for):
    cfg = cfg_for(fake.url, ELASTICSEARCH_BULK_SIZE=10, ELASTICSEARCH_FLUSH_INTERVAL=5)
    ix = run(cfg, actions(cfg, 25))
    assert set(fake.docs("govcrawl-findings")) == keys(25)
    assert fake.bulk_requests == 3  # 10 + 10 + 5
    one = len(docs.encode_action(*actions(cfg, 1)[0]))
    fake2 = FakeElasticsearch().start()
    try:
        cfg2 = cfg_for(fake2.url, ELASTICSEARCH_BULK_SIZE=1000,
                       ELASTICSEARCH_BULK_BYTES=max(1024, one * 4 + 10),
                       ELASTICSEARCH_FLUSH_INTERVAL=5)
        run(cfg2, actions(cfg2, 12))
        assert len(fake2.docs("govcrawl-findings")) == 12
        assert fake2.bulk_requests >= 3  # cut by bytes, not by count
    finally:
        fake2.stop()
    assert ix.stats.indexed == 25 and ix.stats.spooled == 0


def test_whole_request_429_and_503_are_retried(fake, cfg_for):
    cfg = cfg_for(fake.url)
    fake.fail_next(1, status=429)
    fake.fail_next(1, status=503)
    ix = run(cfg, actions(cfg, 20))
    assert set(fake.docs("govcrawl-findings")) == keys(20)
    assert ix.stats.retried >= 20 and ix.stats.spooled == 0 and ix.stats.failures == 2


def test_per_document_429_retried_and_400_kept_as_rejected(fake, cfg_for, caplog):
    cfg = cfg_for(fake.url)
    bad = finding(3).key
    busy = {finding(5).key, finding(6).key}
    seen_busy: set[str] = set()

    def hook(op, index, doc_id, body):
        if doc_id == bad:
            return 400, {"type": "document_parsing_exception", "reason": "failed to parse field"}
        if doc_id in busy and doc_id not in seen_busy:
            seen_busy.add(doc_id)
            return 429, {"type": "es_rejected_execution_exception", "reason": "queue full"}
        return None

    fake.item_hook = hook
    with caplog.at_level(logging.WARNING):
        ix = run(cfg, actions(cfg, 10))
    assert set(fake.docs("govcrawl-findings")) == keys(10) - {bad}
    assert ix.stats.rejected == 1 and ix.stats.retried == 2
    spool = Spool(cfg.spool_path())
    assert spool.counts() == {"pending": 0, "rejected": 1}
    assert "document_parsing_exception" in caplog.text
    # The cause fixed (mapping changed), the rejected document goes in on replay.
    fake.item_hook = None
    Indexer(cfg).replay(rejected=True)
    assert set(fake.docs("govcrawl-findings")) == keys(10)
    assert spool.counts() == {"pending": 0, "rejected": 0}


def test_dropped_connection_after_apply_does_not_duplicate(fake, cfg_for):
    cfg = cfg_for(fake.url)
    fake.drop_next(1, after_apply=True)  # applied, the answer lost: the indexer resends
    fake.drop_next(1, after_apply=False)  # dropped before applying
    acts = actions(cfg, 8)
    page = docs.page_source({"url": "http://127.0.0.1:1/p.html", "status": 200},
                            inspection_id=1, as_of=AS_OF, fetched="2024-03-01T01:00:00.000Z",
                            site={"id": "6105000001"})
    acts.append(docs.page_action(cfg.pages_stream, 1, page))
    ix = run(cfg, acts)
    assert set(fake.docs("govcrawl-findings")) == keys(8)
    assert len(fake.docs("govcrawl-pages")) == 1
    assert ix.stats.duplicates == 1  # the page record's second create got 409
    assert ix.stats.spooled == 0


def test_down_at_start_spools_then_next_start_replays(cfg_for, tmp_path):
    fake = FakeElasticsearch()
    fake.start()
    url = fake.url
    fake.stop()  # nothing listens on the port now
    cfg = cfg_for(url, ELASTICSEARCH_MAX_RETRIES=1)
    ix = run(cfg, actions(cfg, 30))
    assert ix.stats.spooled == 30 and ix.stats.indexed == 0
    assert Spool(cfg.spool_path()).counts()["pending"] == 30
    fake.start()  # same port, back up
    try:
        ix2 = run(cfg, actions(cfg, 5, start=30))  # the next run replays first
        assert set(fake.docs("govcrawl-findings")) == keys(35)
        assert ix2.stats.replayed == 30
        assert Spool(cfg.spool_path()).counts() == {"pending": 0, "rejected": 0}
    finally:
        fake.stop()


def test_credentials_never_logged(fake, cfg_for, caplog):
    secret = "s3cr3t-key-value"
    cfg = cfg_for(fake.url, ELASTICSEARCH_API_KEY=secret)
    seen_auth = []
    orig = fake.bulk

    def spy(lines, default_index):
        return orig(lines, default_index)

    fake.bulk = spy  # type: ignore[method-assign]
    with caplog.at_level(logging.DEBUG):
        fake.fail_next(2, status=503)
        run(cfg, actions(cfg, 3))
        seen_auth.append(repr(cfg))
        seen_auth.append(cfg.describe())
    assert secret not in caplog.text
    assert all(secret not in s for s in seen_auth)
    assert "api key" in cfg.describe()
    pw = cfg_for("http://elastic:hunter2pw@127.0.0.1:9/")
    assert "hunter2pw" not in repr(pw) and "hunter2pw" not in pw.describe()
    # user-info in the URL: used for basic auth, never in a log line
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        url = fake.url.replace("http://", "http://elastic:hunter2pw@")
        ix = run(cfg_for(url), actions(cfg, 2))
        fake.stop()
        run(cfg_for(url, ELASTICSEARCH_MAX_RETRIES=0), actions(cfg, 1))
    assert ix.stats.indexed == 2
    assert "hunter2pw" not in caplog.text


def test_process_exit_without_close_spools_instead_of_hanging(tmp_path):
    import subprocess
    import sys

    spool_dir = tmp_path / "spool"
    code = (
        "from govcrawl.es.config import EsConfig\n"
        "from govcrawl.es.indexer import Indexer\n"
        f"cfg = EsConfig.load({{'ELASTICSEARCH_URL': 'http://127.0.0.1:9', "
        f"'ELASTICSEARCH_SPOOL_DIR': {str(spool_dir)!r}, 'ELASTICSEARCH_MAX_RETRIES': 0, "
        f"'ELASTICSEARCH_FLUSH_INTERVAL': 5}}, env={{}})\n"
        "ix = Indexer(cfg)\n"
        "ix.start()\n"
        "for i in range(10):\n"
        "    ix.submit({'index': {'_index': 'x', '_id': str(i)}}, {'a': i})\n"
        "# the crawl dies here without closing the indexer\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "draining at exit" in r.stderr
    assert Spool(spool_dir).counts() == {"pending": 10, "rejected": 0}


def test_wrong_credentials_spool_instead_of_rejecting(fake, cfg_for, caplog):
    cfg = cfg_for(fake.url)
    fake.fail_next(1, status=401, path="/")  # GET / answered 401
    with caplog.at_level(logging.ERROR):
        ix = run(cfg, actions(cfg, 4))
    assert "refused the credentials" in caplog.text
    assert ix.stats.rejected == 0
    # kept as pending (not rejected) unless the close-time replay already delivered them
    assert ix.stats.spooled == 4
    Indexer(cfg).replay()
    assert set(fake.docs("govcrawl-findings")) == keys(4)


def test_request_too_large_is_split(fake, cfg_for):
    cfg = cfg_for(fake.url)
    fake.fail_next(1, status=413)
    ix = run(cfg, actions(cfg, 6))
    assert set(fake.docs("govcrawl-findings")) == keys(6)
    assert ix.stats.rejected == 0 and ix.stats.spooled == 0


def test_worker_crash_loses_nothing(fake, cfg_for, monkeypatch):
    cfg = cfg_for(fake.url)
    ix = Indexer(cfg)

    def boom(*a, **kw):
        raise RuntimeError("bug in the worker")

    monkeypatch.setattr(ix, "_send", boom)
    ix.start()
    acts = actions(cfg, 6)
    for a in acts[:3]:
        ix.submit(*a)
    ix._thread.join(timeout=30)  # the worker died on its first batch
    for a in acts[3:]:
        ix.submit(*a)  # queued after its death
    ix.close()
    assert Spool(cfg.spool_path()).counts()["pending"] == 6
    monkeypatch.undo()
    Indexer(cfg).replay()
    assert set(fake.docs("govcrawl-findings")) == keys(6)
