"""Every write path survives any text (issue 27 item 1).

A JSON list whose title holds a lone surrogate (`\\ud800`) once failed a store batch, the
buffer was never cleared and every later batch failed: three sites with 0 pages.  Now a
batch the store refuses for its data is split until the bad row is found, the row is
repaired (surrogates and, for PostgreSQL, NUL become U+FFFD; integers beyond 64 bits NULL)
and recorded as a notice, and the rest is written — in SQLite, PostgreSQL and the
Elasticsearch sink.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from scrapy.utils.test import get_crawler

from govcrawl import db
from govcrawl.es.docs import encode_action
from govcrawl.items import Finding, LinkStatus, ListEntry, PageItem
from govcrawl.pipelines.store import StorePipeline
from govcrawl.store import Store

from .harness import diff, run, snapshot, tracebacks

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]
BAD = "\ud800"  # what json.loads makes of "\ud800": a lone surrogate no UTF-8 can carry


# -- the write path itself ---------------------------------------------------------------

def _rows_sql(conn: Any) -> list[tuple]:
    return [tuple(r) for r in conn.execute("SELECT a, b FROM t ORDER BY rowid" if db.dialect(conn) == "sqlite"
                                           else "SELECT a, b FROM t ORDER BY a NULLS FIRST, b")]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_write_rows_splits_repairs_and_writes_the_rest(backend: str, tmp_path: Path, request: Any) -> None:
    target = str(tmp_path / "t.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    conn = db.connect(target)
    conn.execute("CREATE TABLE t (a BIGINT, b TEXT NOT NULL)")
    rows = [(1, "ok"), (2, f"x{BAD}y"), (2 ** 70, "big"), (4, "nul\x00"), (5, None), (6, {"k": BAD})]
    rows += [(10 + i, f"row {i}") for i in range(50)]
    conn.execute("BEGIN")
    rep = db.write_rows(conn, "INSERT INTO t (a, b) VALUES (?, ?)", rows)
    conn.execute("COMMIT")
    stored = _rows_sql(conn)
    conn.close()
    assert rep.written == len(rows) - 1 and [r for r, _why in rep.dropped] == [(5, None)]  # NOT NULL
    why = dict((r[0], w) for r, w in rep.repaired)
    assert "lone surrogates" in why[2] and "64 bits" in why[None] and "dict stored as text" in why[6]
    assert (2, "x\ufffdy") in stored and (None, "big") in stored and (6, '{"k": "\ufffd"}') in stored
    # NUL: SQLite keeps it, PostgreSQL text cannot hold it
    assert (4, "nul\x00" if backend == "sqlite" else "nul\ufffd") in stored
    assert sum(1 for a, _b in stored if a is not None and a >= 10) == 50


def test_no_sticky_buffer_a_bad_item_never_fails_the_later_batches(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    s = Store(path)
    iid = s.create_inspection(as_of="2024-06-20")
    s.close()
    crawler = get_crawler(settings_dict={"GOVCRAWL_STORE": str(path), "GOVCRAWL_INSPECTION_ID": iid,
                                         "GOVCRAWL_STORE_BATCH": 2})
    sp = StorePipeline.from_crawler(crawler)
    sp.open_spider()
    sid = "6105000001"
    bad = PageItem(iid, sid, "http://127.0.0.1:1/list.json", status=200, page_type="list", title=f"标题{BAD}",
                   text=f"{BAD}再接再励", entries=[ListEntry(f"{BAD}标题", "http://127.0.0.1:1/a.html", "2024-06-18")])
    bad.findings = [Finding("content.typo", "deduct", sid, bad.url, text="再接再励", suggestion="再接再厉", start=1,
                            where="text", evidence={"context": f"{BAD}再接再励"})]
    items = [bad] + [PageItem(iid, sid, f"http://127.0.0.1:1/p{i}.html", status=200, title=f"第{i}页")
                     for i in range(7)]
    items.append(LinkStatus(iid, sid, f"http://127.0.0.1:1/{BAD}.pdf", status=404))
    for it in items:
        sp.process_item(it)
    assert sp.flush() and sp._buffered() == 0
    c = sqlite3.connect(path)
    assert c.execute("SELECT COUNT(*) FROM pages").fetchone()[0] == 8
    assert c.execute("SELECT title FROM pages WHERE url LIKE '%list.json'").fetchone()[0] == "标题\ufffd"
    assert c.execute("SELECT title FROM entries").fetchone()[0] == "\ufffd标题"
    assert json.loads(c.execute("SELECT evidence_json FROM findings").fetchone()[0])["context"] == "\ufffd再接再励"
    assert c.execute("SELECT COUNT(*) FROM link_status").fetchone()[0] == 1
    notes = c.execute("SELECT kind, site_id, message FROM notices ORDER BY message").fetchall()
    assert {n[0] for n in notes} == {"repaired_row"} and {n[1] for n in notes} == {sid}
    assert sorted(m.split(" row for")[0] for _k, _s, m in notes) == [
        "a entries", "a findings", "a link_status", "a pages"]  # the page, its entry, its finding, a link check
    c.close()
    sp.store.close()  # type: ignore[union-attr]


def test_media_posts_with_a_lone_surrogate_are_stored(tmp_path: Path) -> None:
    from govcrawl.media.model import Observation, Post, Profile
    from govcrawl.media.sink import save_account

    store = Store(tmp_path / "s.db")
    iid = store.create_inspection(as_of="2024-06-20", kind="media")
    obs = Observation(account_id="wx-1", profile=Profile(status="ok", name=f"账号{BAD}"),
                      posts=[Post(id="p1", at="2024-06-19", title=f"标题{BAD}", text="正文"),
                             Post(id="p2", at="2024-06-18", title="正常", text=f"{BAD}")],
                      notices=[{"kind": "note", "message": f"说明{BAD}"}])
    save_account(store, iid, {"id": "wx-1", "name": "账号", "platform": "wechat"}, obs,
                 [Finding("media.renamed", "deduct", "wx-1", text=f"账号{BAD}")])
    c = store.conn
    assert [r[0] for r in c.execute("SELECT title FROM posts ORDER BY post_id")] == ["标题\ufffd", "正常"]
    assert c.execute("SELECT current_name FROM accounts").fetchone()[0] == "账号\ufffd"
    assert c.execute("SELECT text FROM findings").fetchone()[0] == "账号\ufffd"
    assert c.execute("SELECT message FROM notices").fetchone()[0] == "说明\ufffd"
    store.close()


def test_elasticsearch_documents_survive_a_lone_surrogate() -> None:
    data = encode_action({"index": {"_id": "k"}}, {"text": f"a{BAD}b", "n": 1})
    assert json.loads(data.splitlines()[1])["text"] == "a\ufffdb"


# -- a sweep over sites whose JSON lists carry such text -----------------------------------

class _Hostile(BaseHTTPRequestHandler):
    """A homepage, a list page filled by script from /api/list, three articles; the JSON
    list carries a lone surrogate and a NUL in its titles."""

    def log_message(self, *args: Any) -> None:
        return None

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        if path == "/":
            body = ('<html><head><meta charset="utf-8"><title>测试局</title></head><body><h1>测试局</h1>'
                    '<a href="/col/list.html">通知公告</a> <a href="/a1.html">工作动态</a></body></html>')
            ctype = "text/html; charset=utf-8"
        elif path == "/col/list.html":
            body = ('<html><head><meta charset="utf-8"><title>通知公告-测试局</title></head><body>'
                    '<div class="crumb">当前位置：首页 &gt; 通知公告</div><ul id="list"></ul><script>\n'
                    'var listUrl = "/api/list?page=1";\nfetch(listUrl).then(function(r){return r.json()})'
                    ".then(function(d){document.getElementById('list').innerHTML=d.list.length});\n"
                    "</script></body></html>")
            ctype = "text/html; charset=utf-8"
        elif path == "/api/list":
            # written by hand: json.dumps would escape the surrogate the same way
            body = ('{"total": 3, "list": ['
                    '{"title": "\\ud800再接再励的通知", "url": "/a1.html", "date": "2024-06-18"},'
                    '{"title": "含\\u0000空字符的通知", "url": "/a2.html", "date": "2024-06-17"},'
                    '{"title": "正常的通知", "url": "/a3.html", "date": "2024-06-16"}]}')
            ctype = "application/json; charset=utf-8"
        elif path in ("/a1.html", "/a2.html", "/a3.html"):
            body = (f'<html><head><meta charset="utf-8"><title>通知{path}</title></head><body><h1>关于工作的通知</h1>'
                    '<div class="info">发布时间：2024-06-18</div><div class="content"><p>各单位要按时完成工作。</p>'
                    '</div></body></html>')
            ctype = "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def hostile_sites(tmp_path_factory: Any) -> Iterator[Path]:
    servers = []
    for _ in range(3):
        srv = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    reg = tmp_path_factory.mktemp("hostile") / "sites.yaml"
    reg.write_text(yaml.safe_dump({"sites": [
        {"id": f"610500000{i}", "name": f"测试局{i}", "url": f"http://127.0.0.1:{s.server_address[1]}/",
         "region": "测试市", "org": f"测试局{i}", "kind": "department"} for i, s in enumerate(servers)]},
        allow_unicode=True), encoding="utf-8")
    try:
        yield reg
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()


def _sweep_hostile(registry: Path, store: str, log: Path, *extra: str) -> str:
    s = run(registry, store, log, *extra, "-s", "GOVCRAWL_STORE_BATCH=3")
    out = s.text()
    assert s.rc == 0, out[-3000:]
    assert tracebacks(out) == 0, out[-3000:]
    assert "row(s) repaired" in out
    return out


def _check_store(store: str) -> None:
    snap = snapshot(store)
    assert snap["status"] == "finished"
    paths = sorted({u.split("/", 3)[3] for u, *_ in snap["pages"]})
    assert paths == ["", "a1.html", "a2.html", "a3.html", "api/list?page=1", "col/list.html"]
    assert len(snap["pages"]) == 3 * 6  # every page of every site
    titles = {t for _p, _pos, t, _u, _d in snap["entries"]}
    assert "\ufffd再接再励的通知" in titles and "正常的通知" in titles
    assert len(snap["entries"]) == 9 and len(snap["verdicts"]) == 3
    c = db.connect(store, readonly=True)
    try:
        repaired = c.execute("SELECT COUNT(*) FROM notices WHERE kind='repaired_row'").fetchone()[0]
    finally:
        c.close()
    assert repaired >= 3  # one entries row per site at least


def test_sweep_json_list_with_lone_surrogate_sqlite(hostile_sites: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    _sweep_hostile(hostile_sites, store, tmp_path / "sweep.log")
    _check_store(store)


@pytest.mark.postgres
def test_sweep_json_list_with_lone_surrogate_and_nul_postgresql(hostile_sites: Path, tmp_path: Path,
                                                                 pg_url: str) -> None:
    _sweep_hostile(hostile_sites, pg_url, tmp_path / "sweep.log")
    _check_store(pg_url)
    titles = {t for _p, _pos, t, _u, _d in snapshot(pg_url)["entries"]}
    assert "含\ufffd空字符的通知" in titles  # NUL: PostgreSQL text cannot hold it


def test_sweep_json_list_with_lone_surrogate_elasticsearch(hostile_sites: Path, tmp_path: Path) -> None:
    from govcrawl.es.fakeserver import FakeElasticsearch
    from govcrawl.es.spool import Spool

    fake = FakeElasticsearch().start()
    try:
        store = str(tmp_path / "s.db")
        out = _sweep_hostile(hostile_sites, store, tmp_path / "sweep.log", "-s", f"ELASTICSEARCH_URL={fake.url}",
                             "-s", "ELASTICSEARCH_FLUSH_INTERVAL=0.1")
        c = sqlite3.connect(store)
        keys = {r[0] for r in c.execute("SELECT key FROM findings")}
        pages = c.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
        c.close()
        assert keys and set(fake.docs("govcrawl-findings")) == keys
        assert len(fake.docs("govcrawl-pages")) == pages
        assert "could not build documents" not in out
        assert Spool(tmp_path / "s.db.es-spool").counts() == {"pending": 0, "rejected": 0}
    finally:
        fake.stop()


def test_diff_sees_lost_and_duplicated_rows() -> None:
    """The suite's comparison itself: a lost row and a duplicated row are both reported."""
    want = {t: [("a",), ("b",)] for t in ("pages", "findings", "link_status", "entries", "links", "columns",
                                          "verdicts")}
    got = dict(want, pages=[("a",)], findings=[("a",), ("b",), ("b",)])
    d = diff(got, want)
    assert d["pages"]["lost"] == 1 and d["findings"]["duplicated"] == 1 and d["links"]["lost"] == 0
