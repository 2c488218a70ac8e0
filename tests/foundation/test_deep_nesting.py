"""Issue 27 item 4: no nesting depth hides text from the checks.

libxml2 stops building the tree at 256 nested elements; text an attacker nests deeper would
be invisible to every check while a browser shows it.  A 100,000-deep page: its text and
its link reach the extractor, and the real sweep finds the spam in it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from govcrawl.extract.page import parse_page

ROOT = Path(__file__).resolve().parents[2]
DEPTH = 100_000
SPAM = "澳门金沙娱乐城官网"


def deep_page(depth: int = DEPTH) -> bytes:
    return ("<html><head><meta charset='utf-8'><title>示范市工作动态</title></head><body>"
            "<h1>示范市工作动态</h1><p>发布时间：2024-06-12</p>" + "<div>" * depth
            + f"<p>{SPAM}</p><a href='http://www.spam-casino.example/'>真人百家乐开户</a>"
            + "</div>" * depth + "<p>正文结束</p></body></html>").encode()


def test_text_and_links_below_any_depth_are_extracted() -> None:
    p = parse_page("http://127.0.0.1:1/a/t1.html", deep_page(), content_type="text/html",
                   in_site=lambda u: u.startswith("http://127.0.0.1:1/"))
    assert SPAM in p.full_text and "正文结束" in p.full_text
    assert p.full_text.index(SPAM) < p.full_text.index("正文结束")
    assert [lk.url for lk in p.links if lk.external] == ["http://www.spam-casino.example/"]


def test_sweep_finds_spam_nested_100k_deep(tmp_path: Path) -> None:
    pages = {"/": b"<html><head><meta charset='utf-8'><title>home</title></head><body>"
                  b"<a href='/a/t1.html'>item</a></body></html>", "/a/t1.html": deep_page()}

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a: object) -> None:
            pass

        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    reg = tmp_path / "reg.yaml"
    reg.write_text(f"sites:\n  - id: '9901000001'\n    name: 示范市\n    url: {base}/\n", encoding="utf-8")
    store = tmp_path / "s.sqlite"
    try:
        r = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={reg}", "-a", f"store={store}",
             "-a", "as_of=2024-06-20", "-s", "LOG_LEVEL=WARNING", "-s", "GOVCRAWL_BROWSER=False",
             "-s", "GOVCRAWL_LINK_CHECK=False", "-s", "GOVCRAWL_TYPO=False", "-s", "GOVCRAWL_HACKED_SAMPLE=0",
             "-s", "GOVCRAWL_ALLOW_ADDRESSES=127.0.0.0/8"],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
            env={**os.environ, "SCRAPY_SETTINGS_MODULE": "govcrawl.settings",
                 "GOVCRAWL_ALLOW_ADDRESSES": "127.0.0.0/8"})
    finally:
        srv.shutdown()
    assert r.returncode == 0, r.stderr[-2000:]
    c = sqlite3.connect(store)
    rows = c.execute("SELECT rule, text, url FROM findings WHERE url LIKE '%/a/t1.html'").fetchall()
    assert any(rule == "content.illegal" and text and "金沙" in text for rule, text, _ in rows), rows
    assert any(rule in ("link.unsafe", "content.illegal") and "百家乐" in (text or "") or rule == "link.unsafe"
               for rule, text, _ in rows), rows
