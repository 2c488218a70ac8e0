"""A real Scrapy crawl (subprocess) over a local site, indexing into the fake server,
which is killed mid-crawl and brought back: every finding ends up indexed once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from govcrawl.es.fakeserver import FakeElasticsearch
from govcrawl.es.spool import Spool

REPO = Path(__file__).resolve().parents[2]
SPIDER = Path(__file__).with_name("es_crawl_spider.py")
PAGES = 20
GATE_AT = 10


def wait_for(cond, what: str, limit: float = 60.0) -> None:
    """Poll for an event (generous limit; nothing here is timed)."""
    end = time.monotonic() + limit
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def site_server(gate: threading.Event):
    class Site(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            n = int(self.path.strip("/").removeprefix("p").removesuffix(".html") or 0)
            if n == GATE_AT:
                gate.wait(60)  # hold the crawl here while the test kills Elasticsearch
            nxt = f'<a class="next" href="/p{n + 1}.html">下一页</a>' if n + 1 < PAGES else ""
            html = (f"<html><head><title>第{n}页</title></head><body>"
                    f"<p class='bad'>再接再励{n}</p><p class='bad'>再接再励{n}b</p>{nxt}"
                    "</body></html>").encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def test_crawl_with_elasticsearch_killed_midway(tmp_path):
    gate = threading.Event()
    site = site_server(gate)
    fake = FakeElasticsearch().start()
    spool = tmp_path / "spool"
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(SPIDER),
           "-a", f"start=http://127.0.0.1:{site.server_address[1]}/p0.html",
           "-s", f"ELASTICSEARCH_URL={fake.url}", "-s", f"ELASTICSEARCH_SPOOL_DIR={spool}",
           "-s", "ELASTICSEARCH_FLUSH_INTERVAL=0.05", "-s", "ELASTICSEARCH_RETRY_BACKOFF=0.01",
           "-s", "ELASTICSEARCH_MAX_RETRIES=2", "-s", "ELASTICSEARCH_BULK_SIZE=5"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: len(fake.docs("govcrawl-pages")) >= GATE_AT or proc.poll() is not None,
                 "the first pages to be indexed")
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        fake.stop()  # Elasticsearch dies mid-crawl
        gate.set()
        wait_for(lambda: Spool(spool).has_pending() or proc.poll() is not None,
                 "the crawl to spool during the outage")
        fake.start()  # and comes back
        out, _ = proc.communicate(timeout=120)
        log = out.decode("utf-8", "replace")
        assert proc.returncode == 0, log
        findings = fake.docs("govcrawl-findings")
        assert len(findings) == PAGES * 2, log
        assert {d["govcrawl"]["finding"]["text"] for d in findings.values()} == {
            f"再接再励{n}{s}" for n in range(PAGES) for s in ("", "b")}
        assert len(fake.docs("govcrawl-pages")) == PAGES
        assert Spool(spool).counts() == {"pending": 0, "rejected": 0}
        assert "Elasticsearch unavailable" in log  # the outage was really seen
    finally:
        gate.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        fake.stop()
        site.shutdown()
        site.server_close()
