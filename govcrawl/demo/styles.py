"""The CMS families the demo imitates: TRS WCM, 大汉 hanweb, 开普云 ucap, a JSON-list site.

Each differs from `Site` only in URLs, list markup and how a list reaches the
browser (a `createPageHTML` call, a `dataproxy.jsp` XML endpoint, `?page=N`
links, a JSON endpoint, or data only a script can decode).
"""

from __future__ import annotations

import json
from urllib.parse import quote

from govcrawl.demo.model import Column, Item, Req, Resp, Site, esc, fmt_date


class TrsSite(Site):
    """TRS WCM: index.html, index_1.html … written by createPageHTML (no <a> to them)."""

    style = "trs"

    # TRS ships the pager function in a site-wide script; the crawler must read the call.
    site_script = ('<script>function createPageHTML(n,c,p,e){var h="";for(var i=0;i<n;i++){'
                   'var f=i==0?p+"."+e:p+"_"+i+"."+e;h+=(i==c?"<span>"+(i+1)+"</span>":'
                   '"<a href=\\""+f+"\\">"+(i+1)+"</a>");}document.write("<div class=\\"page\\">"+h+"</div>");}'
                   "</script>\n")

    def list_html(self, col: Column, chunk: list[Item]) -> str:
        if col.ctype == "letter":
            return self.letter_list(col, chunk)
        # TRS writes article links relative to the column directory: ./202402/t2024…html
        return '<ul class="list">' + "".join(
            self.entry(col, it, "./" + it.path[len(col.path):]) for it in chunk) + "</ul>"


class HanwebSite(Site):
    """大汉 hanweb: column pages fetch their records from dataproxy.jsp as XML."""

    style = "hanweb"
    webid = 2
    group = 3  # pages per XML request, as jpage.js asks for

    @property
    def dataproxy(self) -> str:
        return self.p("module/web/jpage/dataproxy.jsp")

    def add_column(self, key: str, name: str, ctype: str, parent: str, n: int, **kw):  # type: ignore[override]
        col = super().add_column(key, name, ctype, parent, n, **kw)
        col.path = self.p(f"col/col{col.cid}/index.html")
        col.per_page = 15
        return col

    def item_path(self, col: Column, it: Item) -> str:
        d = it.day
        return self.p(f"art/{d.year}/{d.month}/{d.day}/art_{col.cid}_{it.id}.html")

    def list_paths(self, col: Column) -> list[str]:
        return [col.path]

    def proxy_url(self, col: Column, start: int) -> str:
        end = start + col.per_page * self.group - 1
        return (f"{self.dataproxy}?webid={self.webid}&columnid={col.cid}&unitid={col.cid + 7000}"
                f"&startrecord={start}&endrecord={end}&perpage={col.per_page}")

    def finalize(self) -> None:
        super().finalize()
        self.routes[self.dataproxy] = self.proxy
        self.endpoints.add(self.dataproxy)
        self.routes[self.p("module/web/jpage/jpage.js")] = self.jpage_js
        for col in self.columns:
            if col.ctype != "letter":
                step = col.per_page * self.group
                for start in range(1, max(1, len(col.items)) + 1, step):
                    self.optional.add(self.proxy_url(col, start))

    def column_page(self, req: Req, col: Column, n: int) -> Resp:
        if col.ctype == "letter":
            return super().column_page(req, col, n)
        unit = col.cid + 7000
        if col.blank or not col.items:
            inner = '<div class="default_pgContainer"><p class="nodata">暂无信息</p></div>'
        else:
            inner = f'<div class="default_pgContainer" id="div{unit}"></div>'
        body = (f"<h2>{esc(col.name)}</h2>\n<div id=\"{unit}\">{inner}</div>\n"
                f'<script type="text/javascript" src="{self.p("module/web/jpage/jpage.js")}"></script>\n'
                f'<script type="text/javascript">new JPage({{url:"{self.proxy_url(col, 1)}",'
                f'columnid:{col.cid},unitid:{unit},webid:{self.webid},perpage:{col.per_page},'
                f'totalRecord:{0 if col.blank else len(col.items)},container:"div{unit}"}});</script>')
        return self.respond(self.layout(f"{col.name}-{self.name}", body, kind="list", col=col))

    def jpage_js(self, req: Req) -> Resp:
        js = ("function JPage(o){fetch(o.url).then(function(r){return r.text()}).then(function(t){"
              "var x=new DOMParser().parseFromString(t,'text/xml');var h='';"
              "x.querySelectorAll('record').forEach(function(r){h+=r.textContent});"
              "var c=document.getElementById(o.container);if(c){c.innerHTML='<ul>'+h+'</ul>'}})}")
        return Resp(200, js.encode(), "application/javascript")

    def proxy(self, req: Req) -> Resp:
        q = req.query
        col = next((c for c in self.columns if str(c.cid) == q.get("columnid", "")), None)
        if col is None:
            return Resp(200, b'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>0'
                             b"</totalrecord><recordset></recordset></datastore>", "text/xml;charset=UTF-8")
        try:
            per = max(1, int(q.get("perpage") or col.per_page))
            start = max(1, int(q.get("startrecord") or 1))
            end = int(q.get("endrecord") or start + per * self.group - 1)
        except ValueError:
            return Resp(400, b"bad request", "text/plain")
        items = [] if col.blank else col.items
        chunk = items[start - 1:end]
        recs = "".join(f"<record><![CDATA[{self.entry(col, it)}]]></record>\n" for it in chunk)
        nxt = ""
        if end < len(items):
            nxt = f'<a href="{esc(self.proxy_url(col, end + 1))}"></a>'
        total_pages = max(1, -(-len(items) // per))
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<nextgroup><![CDATA[{nxt}]]></nextgroup>\n'
               f"<recordset>\n{recs}</recordset>\n<totalrecord>{len(items)}</totalrecord>\n"
               f"<totalpage>{total_pages}</totalpage>\n<perpage>{per}</perpage>\n</datastore>\n")
        return Resp(200, xml.encode("utf-8"), "text/xml;charset=UTF-8")

    def article(self, req: Req, it: Item) -> Resp:
        if it.kind == "letter":
            return self.letter(req, it)
        info = (f'<table class="info"><tr><td>{esc(self.date_line(it))}</td>'
                f"<td>信息来源：{esc(it.source)}</td><td>浏览次数：{it.id % 900 + 37}</td></tr></table>")
        main = (f'<div class="title">{esc(it.title)}</div>\n{info}\n'
                f'<div id="zoom">{self.article_inner(it)}</div>')
        return self.respond(self.layout(f"{it.title}-{self.name}", main, kind="article",
                                        col=it.column, it=it))

    def date_line(self, it: Item) -> str:
        if it.visible_date is not None:
            return it.visible_date
        return f"发布日期：{it.when:%Y-%m-%d %H:%M}"


class UcapSite(Site):
    """开普云 ucap: #UCAP-CONTENT bodies, ?page=N lists, varied date formats."""

    style = "ucap"

    def add_column(self, key: str, name: str, ctype: str, parent: str, n: int, **kw):  # type: ignore[override]
        col = super().add_column(key, name, ctype, parent, n, **kw)
        col.path = self.p(f"{key}/index.html")
        col.per_page = 15
        return col

    def item_path(self, col: Column, it: Item) -> str:
        return f"{self.col_dir(col)}content/post_{it.id}.html"

    def list_paths(self, col: Column) -> list[str]:
        return [col.path] + [f"{col.path}?page={n + 1}" for n in range(1, col.pages)]

    def finalize(self) -> None:
        super().finalize()
        for col in self.columns:
            self.optional.add(col.path + "?page=1")

    def handle(self, req: Req) -> Resp | None:
        for col in self.columns:
            if req.path == col.path:
                try:
                    n = int(req.query.get("page") or 1) - 1
                except ValueError:
                    n = 0
                if not 0 <= n < col.pages:
                    return self.respond(self.layout("页面不存在", "<p>页面不存在</p>", kind="other"), 404)
                return self.column_page(req, col, n)
        return super().handle(req)

    def pager(self, col: Column, n: int) -> str:
        if col.pages <= 1:
            return f'<div class="page">共{len(col.items)}条 1/1页</div>'
        links = [f'<a href="?page={i + 1}">{i + 1}</a>' if i != n else f"<span>{i + 1}</span>"
                 for i in range(col.pages)]
        nxt = f'<a href="?page={n + 2}">下一页</a>' if n + 1 < col.pages else ""
        return f'<div class="page">共{len(col.items)}条 {" ".join(links)} {nxt}</div>'

    def entry(self, col: Column, it: Item, href: str | None = None) -> str:
        d = it.list_date if it.list_date is not None else fmt_date(it.day, col.date_fmt)
        return (f'<li><span class="date">{esc(d)}</span><a href="{href or it.path}" '
                f'title="{esc(it.title)}">{esc(it.title)}</a></li>')

    def home_entry(self, col: Column, it: Item) -> str:
        # Homepage lists show 02-19 with the year implied, as many county sites do.
        d = it.list_date if it.list_date is not None else f"{it.day:%m-%d}"
        return (f'<li><span class="date">{esc(d)}</span><a href="{it.path}" '
                f'title="{esc(it.title)}">{esc(it.title)}</a></li>')

    def article(self, req: Req, it: Item) -> Resp:
        if it.kind == "letter":
            return self.letter(req, it)
        main = (f'<div class="article"><h1>{esc(it.title)}</h1>\n'
                f'<div class="property"><span>{esc(self.date_line(it))}</span> '
                f"<span>来源：{esc(it.source)}</span></div>\n"
                f'<div id="UCAP-CONTENT">{self.article_inner(it)}</div></div>')
        return self.respond(self.layout(f"{it.title}_{self.name}", main, kind="article",
                                        col=it.column, it=it))

    def date_line(self, it: Item) -> str:
        if it.visible_date is not None:
            return it.visible_date
        return f"发布时间：{it.when:%Y-%m-%d %H:%M}"


class JsonSite(Site):
    """Lists fetched by script from /api/list; one column decoded by inline script only."""

    style = "json"

    def add_column(self, key: str, name: str, ctype: str, parent: str, n: int, **kw):  # type: ignore[override]
        col = super().add_column(key, name, ctype, parent, n, **kw)
        col.path = self.p(f"col/{col.cid}.html")
        col.per_page = 10
        return col

    def item_path(self, col: Column, it: Item) -> str:
        if col.ctype == "letter":
            return self.p(f"hudong/letter_{it.id}.html")
        return self.p(f"news/{col.cid}/{it.id}.html")

    def list_paths(self, col: Column) -> list[str]:
        return [col.path]

    def api(self, col: Column, page: int) -> str:
        return self.p(f"api/list?channel={col.cid}&page={page}")

    def finalize(self) -> None:
        super().finalize()
        self.routes[self.p("api/list")] = self.api_list
        self.endpoints.add(self.p("api/list"))
        for col in self.columns:
            if col.ctype != "letter" and not col.browser_only:
                for n in range(col.pages):
                    self.optional.add(self.api(col, n + 1))

    def api_list(self, req: Req) -> Resp:
        q = req.query
        col = next((c for c in self.columns if str(c.cid) == q.get("channel", "")
                    and not c.browser_only), None)
        try:
            page = max(1, int(q.get("page") or 1))
        except ValueError:
            page = 1
        if col is None:
            data: dict = {"code": 404, "total": 0, "list": []}
        else:
            chunk = col.items[(page - 1) * col.per_page:page * col.per_page]
            data = {"code": 0, "total": len(col.items), "pages": col.pages, "page": page,
                    "pageSize": col.per_page,
                    "list": [{"title": it.title, "url": it.path, "date": f"{it.day:%Y-%m-%d}"}
                             for it in chunk]}
        return Resp(200, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                    "application/json; charset=utf-8")

    def column_page(self, req: Req, col: Column, n: int) -> Resp:
        if col.ctype == "letter":
            return super().column_page(req, col, n)
        if col.browser_only:
            body = self.decoded_list(col)
        else:
            first = self.api(col, 1)
            body = (f'<ul class="list" id="list{col.cid}"></ul><div class="pager" id="pager{col.cid}"></div>\n'
                    f'<script>\nvar listUrl = "{first}";\n'
                    "function loadList(url){\n"
                    "  fetch(url).then(function(r){return r.json()}).then(function(d){\n"
                    "    var h='';d.list.forEach(function(x){h+='<li><a href=\"'+x.url+'\">'+x.title+'</a><span>'+x.date+'</span></li>'});\n"
                    f"    document.getElementById('list{col.cid}').innerHTML=h;\n"
                    "    var p='';for(var i=1;i<=d.pages;i++){p+='<button data-page=\"'+i+'\">'+i+'</button>'}\n"
                    f"    var g=document.getElementById('pager{col.cid}');g.innerHTML=p;\n"
                    "    g.onclick=function(e){var n=e.target.getAttribute('data-page');"
                    "if(n){loadList(listUrl.replace(/page=\\d+/,'page='+n))}};\n"
                    "  });\n}\nloadList(listUrl);\n</script>")
        return self.respond(self.layout(f"{col.name}-{self.name}", f"<h2>{esc(col.name)}</h2>\n{body}",
                                        kind="list", col=col))

    def decoded_list(self, col: Column) -> str:
        """Items only a browser sees: JSON percent-encoded and reversed, undone in script."""
        data = json.dumps([[it.title, it.path, f"{it.day:%Y-%m-%d}"] for it in col.items],
                          ensure_ascii=False)
        blob = quote(data, safe="")[::-1]
        return (f'<ul class="list" id="list{col.cid}"></ul>\n<script>\n(function(){{var s="{blob}";'
                "var a=JSON.parse(decodeURIComponent(s.split('').reverse().join('')));var h='';"
                "a.forEach(function(x){h+='<li><a href=\"'+x[1]+'\">'+x[0]+'</a><span>'+x[2]+'</span></li>'});"
                f"document.getElementById('list{col.cid}').innerHTML=h;}})();\n</script>")

    def article(self, req: Req, it: Item) -> Resp:
        if it.kind == "letter":
            return self.letter(req, it)
        main = (f'<div class="detail"><h1>{esc(it.title)}</h1>\n'
                f'<p class="meta">{esc(self.date_line(it))}　来源：{esc(it.source)}</p>\n'
                f'<div class="article-content">{self.article_inner(it)}</div></div>')
        return self.respond(self.layout(f"{it.title} - {self.name}", main, kind="article",
                                        col=it.column, it=it))

    def date_line(self, it: Item) -> str:
        if it.visible_date is not None:
            return it.visible_date
        return f"{it.day:%Y-%m-%d}"
