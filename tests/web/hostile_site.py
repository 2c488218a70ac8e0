"""A tiny government site with a hostile streak, served on loopback for the evidence and
review tests, and a second server standing for "anywhere outside the site".

- `/a.html`: a banned term in the title, a leader's name written wrong in the text; the
  title also holds a literal `<script>` (escaped in the HTML, so it is text the crawler
  reads); a page script that would call the outside server; a stylesheet the tests'
  egress policy refuses.
- `/b.html`: a spam link written by an obfuscated script (document.write of
  String.fromCharCode), and a script that would call the outside server.
- `/gone.html`: a standard formulation written wrong; answers 500 from its second request
  on (the page changed after the crawl: its screenshot cannot be taken).

Every finding comes from the lexicons, so the sweep can run without the typo model.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

SITE_ID = "9909000001"
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
                      "9c63f8cfc000000301010000c9fe92ef0000000049454e44ae426082")
SCRIPT_TITLE = "<script>window.__pwned=1</script>北朝鲜代表团来访-测试县人民政府"
META = ('<meta name="SiteName" content="测试县人民政府"><meta name="SiteDomain" content="127.0.0.1">'
        f'<meta name="SiteIDCode" content="{SITE_ID}">')


def _article(title_html: str, body: str, extra: str = "", head: str = "") -> str:
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{title_html}</title>{META}{head}'
            '<meta name="ArticleTitle" content="测试县召开会议"><meta name="PubDate" content="2024-06-18 09:00">'
            '<meta name="ContentSource" content="测试县人民政府办公室"></head><body>'
            '<div class="crumb">当前位置：<a href="/">首页</a> &gt; 工作动态</div>'
            '<h1>测试县召开会议</h1><p>发布时间：2024-06-18 来源：测试县人民政府办公室</p>'
            f'<div class="TRS_Editor">{body}</div>{extra}</body></html>')


def _written(html: str) -> str:
    codes = ",".join(str(ord(c)) for c in html)
    return f"<script>document.write(String.fromCharCode({codes}));</script>"


def pages(outside: str) -> dict[str, str]:
    beacon = f'<script>fetch("{outside}/beacon");new Image().src="{outside}/pixel.png";</script>'
    return {
        "/": (f'<!doctype html><html><head><meta charset="utf-8"><title>测试县人民政府</title>{META}'
              '</head><body><h1>测试县人民政府</h1><ul>'
              '<li><a href="/a.html">测试县召开全县工作会议</a> 2024-06-18</li>'
              '<li><a href="/b.html">测试县开展安全生产检查</a> 2024-06-17</li>'
              '<li><a href="/gone.html">测试县部署防汛工作</a> 2024-06-16</li></ul>'
              '<p>主办单位：测试县人民政府办公室 联系电话：0999-1234567</p></body></html>'),
        "/a.html": _article(
            "&lt;script&gt;window.__pwned=1&lt;/script&gt;北朝鲜代表团来访-测试县人民政府",
            "<p>会议要求，全县各级各部门要深入学习贯彻习近凭总书记重要讲话精神，推动各项工作取得新成效。</p>"
            "<p>会议指出，要压实责任，确保各项措施落地见效。</p>", beacon,
            head='<link rel="stylesheet" href="/refused-by-policy.css">'),
        "/b.html": _article(
            "测试县开展安全生产检查-测试县人民政府",
            "<p>近日，测试县开展安全生产大检查，排查隐患一百余处。</p>"
            + _written('<a href="http://bet-k8x7q2.invalid/" style="display:block">在线赌场</a>'),
            beacon),
        # not linked: a page whose images arrive slowly (the renders keep the site's concurrency)
        "/images.html": _article(
            "测试县图片新闻-测试县人民政府",
            "<p>测试县开展植树活动，全县干部职工参加。</p>"
            + "".join(f'<img src="/slow/{i}.png" width="40" height="40">' for i in range(6))),
        "/gone.html": _article(
            "测试县部署防汛工作-测试县人民政府",
            "<p>会议强调，要维护中华人民共合国宪法权威，全县已完成防汛物资储备。</p>"),
    }


class _Server:
    def __init__(self, routes: dict[str, str] | None = None, fail_after: dict[str, int] | None = None):
        self.routes = routes or {}
        self.fail_after = fail_after or {}
        self.hits: Counter[str] = Counter()
        self.inflight = 0
        self.max_inflight = 0
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                with lock:
                    outer.inflight += 1
                    outer.max_inflight = max(outer.max_inflight, outer.inflight)
                try:
                    self._get()
                finally:
                    with lock:
                        outer.inflight -= 1

            def _get(self) -> None:
                path = self.path.split("?")[0]
                outer.hits[path] += 1
                if path.startswith("/slow/"):
                    time.sleep(0.2)
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(len(PIXEL)))
                    self.end_headers()
                    self.wfile.write(PIXEL)
                    return
                body = outer.routes.get(path)
                limit = outer.fail_after.get(path)
                if body is not None and limit is not None and outer.hits[path] > limit:
                    self.send_response(500)
                    self.end_headers()
                    return
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"not found")
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_HEAD = do_GET  # noqa: N815

            def log_message(self, *a: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "_Server":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class HostileSite:
    """Both servers: `site` (the registered site) and `outside` (must never be called)."""

    def __enter__(self) -> "HostileSite":
        self.outside = _Server().__enter__()
        self.site = _Server(pages(self.outside.url), fail_after={"/gone.html": 1}).__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.site.__exit__(*exc)
        self.outside.__exit__(*exc)

    def write_registry(self, path: Path) -> Path:
        path.write_text(yaml.safe_dump({"sites": [{
            "id": SITE_ID, "name": "测试县人民政府", "url": self.site.url + "/", "region": "测试县",
            "org": "测试县人民政府办公室", "kind": "portal"}]}, allow_unicode=True), encoding="utf-8")
        return path
