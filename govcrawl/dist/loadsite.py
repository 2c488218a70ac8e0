"""Generated government-style sites on loopback ports, for the distributed tests and benchmarks.

Smaller and more controllable than govcrawl.demo: every site is a homepage, a few
columns of paginated lists and their articles (meta tags of 《政府网站发展指引》, dated
entries, images, attachments, one broken outside link).  The server

- answers ETag / Last-Modified and 304 to conditional requests (switchable), so
  incremental sweeps can be measured;
- waits `latency` seconds per request in its own thread, so a sweep can be made
  site-bound instead of CPU-bound;
- counts every request per (method, URL), so tests can say "every page fetched once";
- can change some articles between two sweeps (`touch`).

Everything is computed from `as_of` and `seed`, never from the clock.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import format_datetime
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import yaml

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a48f0000000049454e44ae426082")
COLUMN_NAMES = ["工作动态", "通知公告", "政策文件", "人事信息", "规划计划", "统计信息"]
WORDS = ["推进", "落实", "全面", "深化改革", "优化营商环境", "乡村振兴", "民生保障", "安全生产",
         "生态环境", "基层治理", "数字政府", "便民服务", "重点项目", "专项行动", "督查检查"]
TEMPLATES = ("plain", "cms")
TYPOS = ["再接再励", "截止目前", "发展机智"]  # ordinary typos the wording checker knows


@dataclass
class Article:
    path: str
    title: str
    day: date
    version: int = 0
    attachment: bool = False
    broken_link: bool = False


@dataclass
class Column:
    key: str
    name: str
    articles: list[Article] = field(default_factory=list)


@dataclass
class LoadSite:
    sid: str
    name: str
    columns: list[Column]
    port: int = 0
    per_page: int = 20

    def list_pages(self, col: Column) -> int:
        return max(1, -(-len(col.articles) // self.per_page))


class LoadWorld:
    """N sites × C columns × A articles; ~ N × (1 + C × (A + A/20)) pages."""

    def __init__(self, as_of: date, *, sites: int = 3, columns: int = 3, articles: int = 30,
                 seed: int = 1, template: str = "plain") -> None:
        if template not in TEMPLATES:
            raise ValueError(f"template must be one of {', '.join(TEMPLATES)}, not {template!r}")
        self.as_of = as_of
        self.seed = seed
        self.template = template
        self._chrome: dict[str, tuple[str, str]] = {}
        rnd = random.Random(seed)
        self.sites: list[LoadSite] = []
        for i in range(sites):
            cols = []
            for c in range(columns):
                col = Column(f"col{c}", COLUMN_NAMES[c % len(COLUMN_NAMES)])
                for a in range(articles):
                    age = a * (1 + c) // 2 + rnd.randint(0, 2)
                    title = "关于" + "".join(rnd.sample(WORDS, 2)) + f"的通知（第{a + 1}号）"
                    col.articles.append(Article(
                        f"/{col.key}/art{a}.html", title, as_of - timedelta(days=age),
                        attachment=a % 7 == 0, broken_link=a % 11 == 5))
                cols.append(col)
            self.sites.append(LoadSite(f"61050{i:05d}", f"测试市第{i + 1}局", cols))

    def page_count(self) -> int:
        return sum(1 + sum(s.list_pages(c) + len(c.articles) for c in s.columns) for s in self.sites)

    def touch(self, fraction: float, seed: int = 2) -> list[str]:
        """Change the text of a fraction of the articles (as a night's edits would)."""
        rnd = random.Random(seed)
        changed = []
        for s in self.sites:
            for c in s.columns:
                for a in c.articles:
                    if rnd.random() < fraction:
                        a.version += 1
                        changed.append(f"http://127.0.0.1:{s.port}{a.path}")
        return changed

    def registry(self) -> dict[str, Any]:
        return {"sites": [{"id": s.sid, "name": s.name,
                           "url": f"http://127.0.0.1:{s.port}/", "region": "测试市", "org": s.name,
                           "kind": "department"} for s in self.sites]}

    def write_registry(self, path: Any) -> Any:
        from pathlib import Path

        p = Path(path)
        p.write_text(yaml.safe_dump(self.registry(), allow_unicode=True, sort_keys=False), encoding="utf-8")
        return p

    # -- rendering ---------------------------------------------------------------------
    def head(self, s: LoadSite, title: str, metas: dict[str, str]) -> str:
        tags = {"SiteName": s.name, "SiteDomain": f"127.0.0.1:{s.port}", "SiteIDCode": s.sid, **metas}
        m = "".join(f'<meta name="{k}" content="{v}">' for k, v in tags.items())
        style, menu = self.chrome(s)
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{m}{style}'
                f'</head><body><div class="nav"><a href="/">首页</a>'
                + "".join(f'<a href="/{c.key}/index.html">{c.name}</a>' for c in s.columns) + "</div>" + menu)

    def chrome(self, s: LoadSite) -> tuple[str, str]:
        """What a CMS template repeats on every page of a site ("cms" template only): an
        inline stylesheet and script (font size, navigation, visit counter) and a two-level
        navigation menu of ~120 links, about 22 KB, as on the usual TRS / 大汉 site.  The
        "plain" template has none of it (3–5 KB pages)."""
        if self.template == "plain":
            return "", ""
        if s.sid in self._chrome:
            return self._chrome[s.sid]
        cols = s.columns
        css = "".join(f".menu .m{i} a{{color:#1a5fb4;font-size:14px;line-height:32px;padding:0 {i % 9}px}}"
                      f".menu .m{i}:hover{{background:#f0f4fa}}" for i in range(90))
        js = "".join(f"function menu{i}(open){{var d=document.getElementById('sub{i}');"
                     f"if(d){{d.style.display=open?'block':'none';}}}}" for i in range(80))
        js += "function fontSize(n){document.querySelector('.article').style.fontSize=n+'px';}"
        items = []
        for i in range(24):
            col = cols[i % len(cols)]
            subs = "".join(f'<li><a href="/{col.key}/index.html">{col.name}·{k + 1}</a></li>' for k in range(4))
            items.append(f'<li class="m{i}" onmouseover="menu{i}(1)" onmouseout="menu{i}(0)">'
                         f'<a href="/{col.key}/index.html">{col.name}</a><ul id="sub{i}">{subs}</ul></li>')
        self._chrome[s.sid] = (f"<style>{css}</style><script>{js}</script>",
                               f'<div class="menu"><ul>{"".join(items)}</ul></div>')
        return self._chrome[s.sid]

    def foot(self, s: LoadSite) -> str:
        return (f'<div class="footer"><p>主办单位：{s.name} 联系电话：029-12345678</p>'
                f"<p>网站标识码：{s.sid} 陕ICP备12345678号 陕公网安备 61050002000123号</p>"
                '<p><a href="/jiucuo.html">我为政府网站找错</a></p></div></body></html>')

    def render(self, s: LoadSite, path: str) -> tuple[int, bytes, str, str]:
        """(status, body, content type, version tag) for a GET of `path` on site `s`."""
        html = "text/html; charset=utf-8"
        if path in ("/", "/index.html"):
            items = []
            for c in s.columns:
                for a in c.articles[:5]:
                    items.append(f'<li><a href="{a.path}">{a.title}</a><span>{a.day.isoformat()}</span></li>')
            body = (self.head(s, s.name, {}) + '<div class="main"><ul>' + "".join(items) +
                    '</ul><a href="/interact/index.html">我要写信</a></div>' + self.foot(s))
            return 200, body.encode(), html, "home"
        if path.endswith(".png"):
            return 200, PNG, "image/png", "png"
        if path.startswith("/files/"):
            return 200, b"%PDF-1.4\n% generated\n", "application/pdf", "pdf"
        for c in s.columns:
            if not path.startswith(f"/{c.key}/"):
                continue
            leaf = path.rsplit("/", 1)[-1]
            if leaf == "index.html" or leaf.startswith("index_"):
                n = 0 if leaf == "index.html" else int(leaf[6:-5] or 0)
                total = s.list_pages(c)
                if n >= total:
                    break
                chunk = c.articles[n * s.per_page:(n + 1) * s.per_page]
                lis = "".join(f'<li><a href="{a.path}">{a.title}</a><span>{a.day.isoformat()}</span></li>'
                              for a in chunk)
                pager = "".join(f'<a href="/{c.key}/{"index.html" if k == 0 else f"index_{k}.html"}">{k + 1}</a>'
                                for k in range(total))
                body = (self.head(s, f"{c.name}-{s.name}", {
                    "ColumnName": c.name, "ColumnDescription": c.name, "ColumnKeywords": c.name,
                    "ColumnType": c.name}) +
                    f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/{c.key}/index.html">'
                    f'{c.name}</a></div><ul class="list">{lis}</ul><div class="pages">{pager}</div>'
                    + self.foot(s))
                return 200, body.encode(), html, f"list{n}-{sum(a.version for a in chunk)}"
            for a in c.articles:
                if a.path == path:
                    return 200, self.article(s, c, a).encode(), html, f"art-{a.version}"
            break
        return 404, "<html><body>404 页面不存在</body></html>".encode(), html, "404"

    def article(self, s: LoadSite, c: Column, a: Article) -> str:
        rnd = random.Random(f"{self.seed}{s.sid}{a.path}{a.version}")
        paras = []
        for _ in range(14):  # ~1 500 characters, the length of a usual notice
            paras.append("，".join("".join(rnd.choice(WORDS) for _ in range(5)) for _ in range(4)) + "。")
        if rnd.random() < 0.2:
            paras.append(f"全体干部要{rnd.choice(TYPOS)}，把各项工作做细做实。")
        if a.version:
            paras.append(f"（本文于第{a.version}次修订）")
        extra = f'<p><img src="/img/{a.path.rsplit("/", 1)[-1][:-5]}.png" alt="{a.title}"></p>'
        if a.attachment:
            extra += f'<p>附件：<a href="/files{a.path[:-5]}.pdf">{a.title}.pdf</a></p>'
        if a.broken_link:
            extra += '<p><a href="http://127.0.0.1:9/gone.html">相关链接</a></p>'
        return (self.head(s, f"{a.title}-{s.name}", {
            "ArticleTitle": a.title, "PubDate": f"{a.day.isoformat()} 09:00",
            "ContentSource": s.name, "ColumnName": c.name, "ColumnType": c.name}) +
            f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/{c.key}/index.html">'
            f'{c.name}</a> &gt; 正文</div><div class="article"><h1>{a.title}</h1>'
            f'<div class="info">发布时间：{a.day.isoformat()} 来源：{s.name}</div>'
            + "".join(f"<p>{p}</p>" for p in paras) + extra + "</div>" + self.foot(s))


class _Quiet(ThreadingHTTPServer):
    """No traceback when a client drops a connection (link checks stop after the headers).

    A deep listen backlog: with the default of 5, a burst of connections to one site is
    answered by SYN retries seconds later, which looks like a slow site."""

    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class LoadServer:
    """Serves a LoadWorld: one ThreadingHTTPServer per site on 127.0.0.1."""

    def __init__(self, world: LoadWorld, *, latency: float = 0.0, conditional: bool = True,
                 count_ua: str = "GovCrawl", linkchecker_unthrottled: bool = False) -> None:
        self.world = world
        # LinkChecker waits 0.1-0.6 s between two requests to one host unless the server
        # answers with a "LinkChecker" header; the peer benchmark lifts that cap
        self.linkchecker_unthrottled = linkchecker_unthrottled
        # only requests whose User-Agent starts with this are counted (the hacked-page
        # checks re-fetch a sample as a search spider and as a browser, on purpose)
        self.count_ua = count_ua
        self.latency = latency
        self.conditional = conditional
        self.hits: Counter[tuple[str, str]] = Counter()
        self.not_modified = 0
        self.active: Counter[str] = Counter()  # site id -> requests being answered now
        self.peak: Counter[str] = Counter()  # site id -> most answered at once
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []

    def start(self) -> "LoadServer":
        for s in self.world.sites:
            srv = _Quiet(("127.0.0.1", 0), self._handler(s))
            srv.daemon_threads = True
            s.port = srv.server_address[1]
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            t.start()
            self._servers.append(srv)
            self._threads.append(t)
        return self

    def stop(self) -> None:
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()

    def __enter__(self) -> "LoadServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def page_hits(self, method: str = "GET") -> Counter[str]:
        with self._lock:
            return Counter({u: n for (m, u), n in self.hits.items() if m == method})

    def reset(self) -> None:
        with self._lock:
            self.hits.clear()
            self.not_modified = 0
            self.peak.clear()

    def _handler(self, site: LoadSite) -> type:
        server = self
        world = self.world

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as two writes

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self, with_body: bool) -> None:
                path = self.path.split("?", 1)[0].split("#", 1)[0]
                url = f"http://127.0.0.1:{site.port}{path}"
                counted = (self.headers.get("User-Agent") or "").startswith(server.count_ua)
                if counted:
                    with server._lock:
                        server.hits[(self.command, url)] += 1
                        server.active[site.sid] += 1
                        server.peak[site.sid] = max(server.peak[site.sid], server.active[site.sid])
                try:
                    self._answer(path, with_body)
                finally:
                    if counted:
                        with server._lock:
                            server.active[site.sid] -= 1

            def _answer(self, path: str, with_body: bool) -> None:
                if server.latency:
                    time.sleep(server.latency)
                status, body, ctype, tag = world.render(site, path)
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                modified = format_datetime(datetime(world.as_of.year, world.as_of.month, world.as_of.day,
                                                    tzinfo=timezone.utc), usegmt=True)
                if status == 200 and server.conditional and self.headers.get("If-None-Match") == etag:
                    with server._lock:
                        server.not_modified += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(status)
                if server.linkchecker_unthrottled:
                    self.send_header("LinkChecker", "unthrottled")
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if status == 200 and server.conditional:
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", modified)
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_GET(self) -> None:
                self._serve(True)

            def do_HEAD(self) -> None:
                self._serve(False)

        return Handler
