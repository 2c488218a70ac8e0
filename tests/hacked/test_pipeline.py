"""HackedPagePipeline in a real Scrapy crawl against local servers that cloak.

The site (127.0.0.1) serves a spam title and hidden links to Baiduspider only, builds a
spam link with a script static decoding cannot follow, redirects visitors coming from
baidu.com to an outside spam page, and links an outside page (127.0.0.2) whose content is
spam; one page is the clean control.  The crawl runs in a subprocess (Twisted's reactor
cannot restart inside one test process).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from . import hacked_fixtures as F

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
OUTSIDE_HOST = "127.0.0.2"


def _site_pages(outside: str) -> dict[str, Any]:
    home_browser = F.page(F.ARTICLE + '<a href="/p1.html">一</a><a href="/p2.html">二</a>'
                          '<a href="/p3.html">三</a><a href="/p4.html">四</a>', title=F.CLEAN_TITLE)
    home_spider = F.page(F.ARTICLE + '<a href="/p1.html">一</a><div style="display:none">'
                         '<a href="http://www.amjs8888.com/">澳门金沙娱乐城</a>'
                         '<a href="http://www.ky8899ty.com/">开云体育</a></div>', title=F.SPAM_TITLE)
    # a link built through a loop: static folding cannot follow it, the browser can
    p1 = F.page(F.ARTICLE + """<div id="box"></div><script>
function d(a){var s="";for(var i=0;i<a.length;i++){s+=String.fromCharCode(a[i]-3);}return s;}
var a=document.createElement("a");
a.href=d([%s]);
a.textContent=d([%s]);
document.getElementById("box").appendChild(a);
</script>""" % (",".join(str(ord(c) + 3) for c in "http://www.qx7kzp3w.net/"),
                ",".join(str(ord(c) + 3) for c in "澳门金沙娱乐城")), title="页面一")
    p2 = F.page(F.ARTICLE + """<script>
var r = document.referrer;
if (r.indexOf("baidu.com") > 0) { window.location.href = "http://%s/landing.html"; }
</script>""" % outside, title="页面二")
    p3 = F.page(F.ARTICLE + f'<a href="http://{outside}/shop.html">便民服务</a>', title="页面三")
    # an article the homepage does not link, cloaked for Baiduspider only
    p5 = (F.page(F.ARTICLE, title=F.CLEAN_TITLE), F.page(F.ARTICLE, title=F.SPAM_TITLE))
    return {"/": (home_browser, home_spider), "/p1.html": p1, "/p2.html": p2, "/p3.html": p3,
            "/p4.html": F.CONTROLS, "/p5.html": p5}


def _outside_pages() -> dict[str, Any]:
    spam = F.page("<h1>澳门金沙娱乐城</h1><p>百家乐 六合彩 真人娱乐 注册送彩金</p>", title="澳门金沙娱乐城官网")
    return {"/landing.html": spam, "/shop.html": spam}


def _serve(host: str, pages: dict[str, Any], log: list[tuple[str, str, str]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            ua = self.headers.get("User-Agent", "")
            log.append((host, self.path, ua))
            body = pages.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            if isinstance(body, tuple):
                body = body[1] if "Baiduspider" in ua else body[0]
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    srv = ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    log: list[tuple[str, str, str]] = []
    try:
        outside = _serve(OUTSIDE_HOST, _outside_pages(), log)
    except OSError as e:
        pytest.skip(f"cannot bind {OUTSIDE_HOST} (loopback alias needed for an 'outside' host): {e}")
    o = f"{OUTSIDE_HOST}:{outside.server_address[1]}"
    site = _serve("127.0.0.1", _site_pages(o), log)
    base = f"http://127.0.0.1:{site.server_address[1]}"
    yield base, log
    site.shutdown()
    outside.shutdown()


def crawl(base: str, tmp: Path, *, sample: int, render: bool, **settings: Any) -> dict[str, Any]:
    out = tmp / "out.json"
    urls = [base + "/"] + [f"{base}/p{i}.html" for i in range(1, 6)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT)]),
               HARNESS_SETTINGS=json.dumps(settings))
    proc = subprocess.run([sys.executable, str(HERE / "crawl_harness.py"), str(out), str(sample),
                           "1" if render else "0", *urls], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=240)
    assert proc.returncode == 0 and out.exists(), proc.stderr[-3000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    # findings by the page they are about (sample findings ride on the homepage item)
    data["by_path"] = {"/" + it["url"].split("/", 3)[3]: [] for it in data["items"]}
    for it in data["items"]:
        for f in it["findings"]:
            path = "/" + f["url"].split("/", 3)[3]
            data["by_path"].setdefault(path, []).append((f["rule"], f["severity"], f["where"]))
    return data


def test_cloaking_and_outside_pages_without_browser(servers: Any, tmp_path: Path) -> None:
    base, log = servers
    data = crawl(base, tmp_path, sample=10, render=False)
    got = data["by_path"]
    assert ("content.illegal", "veto", "cloaking title") in got["/"], got["/"]
    assert ("content.hidden_link", "veto", "cloaking link") in got["/"], got["/"]
    assert ("content.hidden_link", "veto", "script") in got["/p2.html"], got["/p2.html"]  # static: referrer check
    assert ("link.unsafe", "veto", "link") in got["/p3.html"], got["/p3.html"]  # the outside page is spam
    assert got["/p4.html"] == [], got["/p4.html"]
    assert got["/p1.html"] == [], "static reading cannot see the loop-built link"
    assert got["/p5.html"] == [], "not linked from the homepage: outside the sample"
    # the re-fetches went out as Baiduspider and as a browser
    uas = {ua for _, path, ua in log if path == "/"}
    assert any("Baiduspider" in ua for ua in uas) and any("Chrome/" in ua for ua in uas)
    assert data["stats"].get("govcrawl/hacked/renders", 0) == 0


def test_sample_size_setting(servers: Any, tmp_path: Path) -> None:
    base, log = servers
    before = len(log)
    data = crawl(base, tmp_path, sample=1, render=False)
    spider_paths = {p for _, p, ua in log[before:] if "Baiduspider" in ua}
    assert spider_paths == {"/"}, spider_paths  # the homepage only
    assert data["stats"]["govcrawl/hacked/sampled_pages"] == 1
    assert data["by_path"]["/p5.html"] == []  # outside the sample: not seen


def test_every_page_as_baiduspider(servers: Any, tmp_path: Path) -> None:
    base, log = servers
    before = len(log)
    data = crawl(base, tmp_path, sample=1, render=False, GOVCRAWL_HACKED_CLOAK_ALL_PAGES=True)
    spider_paths = {p for _, p, ua in log[before:] if "Baiduspider" in ua}
    assert spider_paths == {"/", "/p1.html", "/p2.html", "/p3.html", "/p4.html", "/p5.html"}
    assert ("content.illegal", "veto", "cloaking title") in data["by_path"]["/p5.html"]
    assert data["by_path"]["/p4.html"] == []


@pytest.mark.browser
def test_rendering_sample(servers: Any, tmp_path: Path) -> None:
    chromium = os.environ.get("GOVCRAWL_CHROMIUM", "/usr/bin/chromium")
    if not (Path(chromium).exists() or shutil.which("chromium")):
        pytest.skip(f"no Chromium at {chromium}: the rendering sample cannot run")
    base, _ = servers
    data = crawl(base, tmp_path, sample=10, render=True)
    got = data["by_path"]
    assert data["stats"].get("govcrawl/hacked/renders", 0) >= 5, data["stats"]
    assert data["stats"].get("govcrawl/hacked/render_unavailable", 0) == 0, data["stats"]
    assert ("content.hidden_link", "veto", "rendering link") in got["/p1.html"], got["/p1.html"]
    assert ("content.hidden_link", "veto", "rendering redirect") in got["/p2.html"], got["/p2.html"]
    assert ("content.illegal", "veto", "rendering title") in got["/p2.html"], got["/p2.html"]
    assert got["/p4.html"] == [], got["/p4.html"]
