"""The deterministic model behind the demo sites: columns, items, requests, responses.

Pages are rendered on request from this model (nothing is written to disk), so a
20k-page benchmark world costs a few megabytes of small objects.  `Site` holds what
every CMS style shares (head with the 发展指引 meta tags, nav, breadcrumb, footer
identity, letters); the style modules override list and article markup and URLs.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator
from urllib.parse import parse_qsl, urlsplit

from govcrawl.demo import text as T

if TYPE_CHECKING:  # pragma: no cover
    from govcrawl.demo.world import World

esc = html.escape


@dataclass
class Req:
    """One HTTP request as the sites see it."""

    method: str
    raw: str  # path + query as requested
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.raw).path or "/"

    @property
    def query(self) -> dict[str, str]:
        q = dict(parse_qsl(urlsplit(self.raw).query, keep_blank_values=True))
        if self.method == "POST" and self.body:
            q.update(parse_qsl(self.body.decode("latin-1"), keep_blank_values=True))
        return q

    @property
    def ua(self) -> str:
        return self.headers.get("user-agent", "")


@dataclass
class Resp:
    """A response; `stream` yields the body in chunks for huge pages."""

    status: int = 200
    body: bytes = b""
    ctype: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0
    stream: Callable[[], Iterator[bytes]] | None = None
    length: int | None = None  # Content-Length of a stream (None: close-delimited)


@dataclass(frozen=True)
class Ref:
    """A URL on one of the world's hosts, resolved to http://127.0.0.1:port/... once bound."""

    host: str
    path: str


@dataclass
class Item:
    """A dated entry of a column: an article, or a letter of an interaction column."""

    id: int
    title: str
    when: datetime
    column: "Column"
    path: str = ""
    kind: str = "article"  # article | letter
    body: list[str] | None = None  # fixed paragraphs; None: generated from the seed
    inject: str | None = None  # a planted sentence added to the body
    meta: dict[str, str | None] = field(default_factory=dict)  # overrides; None drops a tag
    visible_date: str | None = None  # replaces the visible date line ("" = no date at all)
    list_date: str | None = None  # replaces the date shown in lists ("" = none)
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (path, label)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text) after the body
    images: list[str] = field(default_factory=list)
    source: str = ""
    reply: datetime | None = None  # letters
    asker: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def day(self) -> date:
        return self.when.date()


@dataclass
class Column:
    key: str
    name: str
    path: str  # host-relative URL of the column's first list page
    ctype: str  # news | notice | policy | personnel | plan | stats | msgstats | letter | other
    parent: str  # first breadcrumb level (政务公开, 新闻中心, 互动交流 ...)
    cid: int
    items: list[Item] = field(default_factory=list)  # newest first
    per_page: int = 20
    blank: bool = False
    date_fmt: str = "iso"  # iso | bracket | cn | md
    browser_only: bool = False
    on_home: bool = True
    brief_letters: bool = False  # letters list shows title and 来信时间 only (no reply fields)

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.items) // self.per_page))


COLUMN_TYPE_LABEL = {
    "news": "动态要闻", "notice": "通知公告", "policy": "政策文件", "personnel": "人事信息",
    "plan": "规划计划", "stats": "统计数据", "msgstats": "互动交流", "letter": "互动交流",
    "other": "信息公开",
}


def fmt_date(d: date, fmt: str) -> str:
    if fmt == "bracket":
        return f"[{d:%Y-%m-%d}]"
    if fmt == "cn":
        return T.cn_date(d)
    if fmt == "md":
        return f"{d:%m-%d}"
    return f"{d:%Y-%m-%d}"


# A 1x1 PNG for logos, badges and article pictures.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5d2f6"
    "e10000000049454e44ae426082")
CSS = b"body{font-family:SimSun,serif;margin:0}.nav li{display:inline-block;margin:0 8px}" \
      b".sub{display:none}.nav li:hover .sub{display:block}.footer{text-align:center;color:#666}"


class Site:
    """A registered site: its identity, columns and the markup they share."""

    style = "generic"
    site_script = ""  # the CMS's site-wide script, in every page's <head>

    def __init__(self, world: "World", *, sid: str, name: str, host: str, prefix: str = "/",
                 kind: str = "department", region: str = "示范市", org: str = "",
                 encoding: str = "utf-8", place: str = "", missing_identity: Iterable[str] = (),
                 phone: str = "0999-12345678", icp: str = "示ICP备19000001号-1",
                 police: str = "99010002000101") -> None:
        self.world = world
        self.id = sid
        self.name = name
        self.host = host
        self.prefix = prefix
        self.kind = kind
        self.region = region
        self.org = org or name
        self.encoding = encoding
        self.place = place or region
        self.missing_identity = set(missing_identity)
        self.phone = phone
        self.icp = icp
        self.police = police
        self.columns: list[Column] = []
        self.routes: dict[str, Callable[[Req], Resp]] = {}
        self.required: set[str] = set()  # host-relative paths a complete sweep must fetch
        self.optional: set[str] = set()  # fetchable but not required (aliases, endpoints)
        self.browser_only: set[str] = set()  # required only when the browser is on
        self.attachments: set[str] = set()
        self.assets: set[str] = set()
        self.endpoints: set[str] = set()  # URL prefixes of list data (XML/JSON), not pages
        self.friends: list["Site"] = []  # 友情链接 to other government sites
        self.extra_nav: list[tuple[str, str]] = []  # (href, text)
        self.home_extra = ""  # extra homepage markup (department list, planted things)
        self.home_title: str | None = None
        self.unreachable = False

    # -- URLs -------------------------------------------------------------------------
    def p(self, rel: str) -> str:
        """Host-relative path of `rel` under this site's prefix."""
        return self.prefix + rel.lstrip("/")

    def ref(self, path: str) -> Ref:
        return Ref(self.host, path)

    def url(self, path: str = "") -> str:
        return self.world.resolve(Ref(self.host, path or self.prefix))

    @property
    def home(self) -> str:
        return self.prefix

    @property
    def domain(self) -> str:
        return self.world.netloc(self.host)

    # -- model building ---------------------------------------------------------------
    def add_column(self, key: str, name: str, ctype: str, parent: str, n: int, *,
                   newest_age: int = 1, spacing: tuple[int, int] | None = None,
                   path: str | None = None, **kw: Any) -> Column:
        """A column with `n` items, the newest `newest_age` days before as_of."""
        col = Column(key=key, name=name, path=path or self.p(f"{key}/"), ctype=ctype,
                     parent=parent, cid=self.world.next_cid(), **kw)
        rng = random.Random(f"{self.world.seed}:{self.id}:{key}")
        spacing = spacing or {"news": (1, 3), "notice": (4, 15), "policy": (8, 30),
                              "personnel": (10, 40), "plan": (25, 60), "stats": (28, 33),
                              "msgstats": (28, 33), "letter": (2, 6)}.get(ctype, (5, 20))
        age = newest_age
        for _ in range(n):
            d = self.world.day(-age)
            when = T.at(d, rng)
            topic, issue = rng.choice(T.TOPICS), rng.choice(T.LETTER_ISSUES)
            title = T.title_for(ctype, rng, d, self.place, topic=topic, issue=issue)
            col.items.append(Item(id=self.world.next_id(), title=title, when=when, column=col,
                                  kind="letter" if ctype == "letter" else "article",
                                  source=self.org, extra={"topic": topic, "issue": issue}))
            age += rng.randint(*spacing)
        if ctype == "letter":
            for it in col.items:
                it.asker = rng.choice(T.SURNAMES) + "**"
                it.reply = datetime.combine(self.world.workday_after(it.day, rng.choice((1, 2))),
                                            datetime.min.time()).replace(hour=rng.randint(9, 17))
        self.columns.append(col)
        return col

    def add_item(self, col: Column, age: int, title: str, **kw: Any) -> Item:
        """A hand-written (planted or control) item `age` days before as_of."""
        d = self.world.day(-age)
        it = Item(id=self.world.next_id(), title=title, when=datetime(d.year, d.month, d.day, 10, 30),
                  column=col, kind="letter" if col.ctype == "letter" else "article",
                  source=self.org, **kw)
        col.items.append(it)
        col.items.sort(key=lambda i: i.when, reverse=True)
        return it

    def item_path(self, col: Column, it: Item) -> str:
        return f"{col.path}{it.day:%Y%m}/t{it.day:%Y%m%d}_{it.id}.html"

    def list_paths(self, col: Column) -> list[str]:
        """First list page is the column path; later ones index_N.html (TRS convention)."""
        return [col.path] + [f"{col.path}index_{n}.html" for n in range(1, col.pages)]

    def finalize(self) -> None:
        """Compute item URLs and the routing table once every column exists."""
        for col in self.columns:
            for it in col.items:
                it.path = self.item_path(col, it)
                self.routes[it.path] = (lambda req, it=it: self.render_item(req, it))
                (self.browser_only if col.browser_only else self.required).add(it.path)
                for a, _ in it.attachments:
                    self.attachments.add(a)
            for n, lp in enumerate(self.list_paths(col)):
                self.routes[lp] = (lambda req, col=col, n=n: self.column_page(req, col, n))
                self.required.add(lp)
            if col.ctype == "letter":
                self.add_letters(col)
            if col.path.endswith("/"):
                self.routes[col.path + "index.html"] = self.routes[col.path]
                self.optional.add(col.path + "index.html")
        self.routes[self.home] = self.homepage
        self.routes[self.home + "index.html"] = self.homepage
        self.required.add(self.home)
        self.optional.add(self.home + "index.html")

    # -- serving ----------------------------------------------------------------------
    def handle(self, req: Req) -> Resp | None:
        fn = self.routes.get(req.path)
        return fn(req) if fn else None

    def respond(self, page: str, status: int = 200) -> Resp:
        if self.encoding == "utf-8":
            return Resp(status, page.encode("utf-8"), "text/html; charset=utf-8")
        # GBK sites on old CMSs: the charset only in the page's meta tag.
        return Resp(status, page.encode(self.encoding, errors="xmlcharrefreplace"), "text/html")

    # -- shared markup ----------------------------------------------------------------
    def metas(self, kind: str, col: Column | None = None, it: Item | None = None) -> str:
        tags: dict[str, str | None] = {"SiteName": self.name, "SiteDomain": self.domain,
                                       "SiteIDCode": self.id}
        if col is not None:
            tags.update(ColumnName=col.name, ColumnDescription=f"{self.name}{col.name}栏目",
                        ColumnKeywords=f"{col.name},{col.parent},{self.place}",
                        ColumnType=COLUMN_TYPE_LABEL.get(col.ctype, "其他"))
        if it is not None and kind == "article":
            tags.update(ArticleTitle=it.title, PubDate=f"{it.when:%Y-%m-%d %H:%M}",
                        ContentSource=it.source or self.org)
            tags.update(it.meta)
        return "\n".join(f'<meta name="{k}" content="{esc(v)}">' for k, v in tags.items()
                         if v is not None)

    def head(self, title: str, metas: str, extra: str = "") -> str:
        if self.encoding == "utf-8":
            cs = '<meta charset="utf-8">'
        else:
            cs = f'<meta http-equiv="Content-Type" content="text/html; charset={self.encoding}">'
        return (f"<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n{cs}\n<title>{esc(title)}</title>\n"
                f'<meta name="keywords" content="{esc(self.name)},{esc(self.place)},政务公开">\n'
                f'<meta name="description" content="{esc(self.name)}官方网站">\n'
                f"{metas}\n<link rel=\"stylesheet\" href=\"/css/style.css\">\n{extra}{self.site_script}</head>\n")

    def column_groups(self) -> dict[str, list[Column]]:
        """Columns under their first-level menu (the breadcrumb's parent), in order."""
        groups: dict[str, list[Column]] = {}
        for c in self.columns:
            groups.setdefault(c.parent, []).append(c)
        return groups

    def nav(self) -> str:
        lis = [f'<li><a href="{self.home}">首页</a></li>']
        for parent, cols in self.column_groups().items():
            subs = "".join(f'<li><a href="{c.path}">{esc(c.name)}</a></li>' for c in cols)
            lis.append(f'<li><a href="{cols[0].path}">{esc(parent)}</a><ul class="sub">{subs}</ul></li>')
        lis += [f'<li><a href="{h}">{esc(t)}</a></li>' for h, t in self.extra_nav]
        return ('<a class="skip" href="#main" style="position:absolute;left:-9999px">跳到主要内容</a>\n'
                f'<div class="header"><img src="/images/logo.png" alt="{esc(self.name)}">'
                f"<h1>{esc(self.name)}</h1></div>\n<ul class=\"nav\">{''.join(lis)}</ul>\n")

    def crumb(self, col: Column) -> str:
        return (f'<div class="crumb">当前位置：<a href="{self.home}">首页</a> &gt; '
                f'<a href="{col.path}">{esc(col.parent)}</a> &gt; <a href="{col.path}">{esc(col.name)}</a></div>\n')

    def footer(self) -> str:
        parts = []
        if "conac" not in self.missing_identity:
            parts.append(f'<a href="https://bszs.conac.cn/sitename?method=show&amp;id={self.conac_id}" '
                         f'target="_blank"><img src="/images/red.png" alt="党政机关"></a>')
        if "org" not in self.missing_identity:
            parts.append(f"<p>主办单位：{esc(self.org)}　承办单位：{esc(T.CITY)}大数据中心</p>")
        if "contact" not in self.missing_identity:
            parts.append(f"<p>联系电话：{self.phone}　地址：{esc(self.place)}人民路{int(self.id[-2:]) + 1}号</p>")
        line = []
        if "siteid" not in self.missing_identity:
            line.append(f"网站标识码：{self.id}")
        if "icp" not in self.missing_identity:
            line.append(f'<a href="https://beian.miit.gov.cn/" target="_blank">{self.icp}</a>')
        if "police" not in self.missing_identity:
            line.append(f'<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode={self.police}" '
                        f'target="_blank"><img src="/images/ga.png" alt="">示公网安备 {self.police}号</a>')
        parts.append("<p>" + "　".join(line) + "</p>")
        if "jiucuo" not in self.missing_identity:
            parts.append(f'<p><a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={self.id}" '
                         f'target="_blank">我为政府网站找错</a></p>')
        return '<div class="footer">\n' + "\n".join(parts) + "\n</div>\n"

    @property
    def conac_id(self) -> str:
        return f"{int(self.id) * 7919 % 10**16:016X}"[:16]

    def layout(self, title: str, main: str, *, kind: str, col: Column | None = None,
               it: Item | None = None, extra_head: str = "", tail: str = "") -> str:
        crumb = self.crumb(col) if col is not None else ""
        return (self.head(title, self.metas(kind, col, it), extra_head)
                + "<body>\n" + self.nav() + crumb
                + f'<div id="main" class="main">\n{main}\n</div>\n' + self.footer()
                + "</body>\n</html>\n" + tail)

    # -- pages ------------------------------------------------------------------------
    def entry(self, col: Column, it: Item, href: str | None = None) -> str:
        d = it.list_date if it.list_date is not None else fmt_date(it.day, col.date_fmt)
        span = f"<span>{esc(d)}</span>" if d else ""
        return f'<li><a href="{href or it.path}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a>{span}</li>'

    def home_entry(self, col: Column, it: Item) -> str:
        return self.entry(col, it)

    def homepage(self, req: Req) -> Resp:
        blocks = []
        for col in self.columns:
            if not col.on_home or col.browser_only:
                continue
            if col.blank or not col.items:
                lis = "<li>暂无信息</li>"
            else:
                lis = "".join(self.home_entry(col, it) for it in col.items[:6])
            blocks.append(f'<div class="block"><h3><a href="{col.path}">{esc(col.name)}</a>'
                          f'<a class="more" href="{col.path}">更多</a></h3><ul>{lis}</ul></div>')
        friends = ""
        if self.friends:
            friends = '<div class="links"><h3>友情链接</h3>' + "".join(
                f'<a href="{f.url()}" target="_blank">{esc(f.name)}</a>' for f in self.friends) + "</div>"
        main = "\n".join(blocks) + self.home_extra + friends
        return self.respond(self.layout(self.home_title or self.name, main, kind="homepage"))

    def list_html(self, col: Column, chunk: list[Item]) -> str:
        if col.ctype == "letter":
            return self.letter_list(col, chunk)
        return '<ul class="list">' + "".join(self.entry(col, it) for it in chunk) + "</ul>"

    @staticmethod
    def col_dir(col: Column) -> str:
        return col.path if col.path.endswith("/") else col.path.rsplit("/", 1)[0] + "/"

    def pager(self, col: Column, n: int) -> str:
        return f'<script>createPageHTML({col.pages}, {n}, "index", "html");</script>'

    def column_page(self, req: Req, col: Column, n: int) -> Resp:
        if col.blank or not col.items:
            body = '<ul class="list"><li class="empty">暂无信息</li></ul>'
        else:
            chunk = col.items[n * col.per_page:(n + 1) * col.per_page]
            body = self.list_html(col, chunk) + "\n" + self.pager(col, n)
        main = f"<h2>{esc(col.name)}</h2>\n{body}"
        return self.respond(self.layout(f"{col.name}-{self.name}", main, kind="list", col=col))

    def paras(self, it: Item) -> list[str]:
        if it.body is not None:
            ps = list(it.body)
        else:
            rng = random.Random(f"{self.world.seed}:{it.id}")
            kind = it.column.ctype if it.column.ctype in ("notice", "policy", "personnel", "plan",
                                                          "stats", "msgstats") else "news"
            ps = T.paragraphs(kind, rng, it.day, self.place, topic=it.extra.get("topic"))
        if it.inject:
            ps.insert(min(2, len(ps)), it.inject)
        return ps

    def article_inner(self, it: Item) -> str:
        ps = "".join(f"<p>{esc(p)}</p>" for p in self.paras(it))
        imgs = "".join(f'<p style="text-align:center"><img src="{src}" alt="{esc(it.title)}"></p>'
                       for src in it.images)
        att = ""
        if it.attachments:
            att = '<div class="attach">附件：' + "".join(
                f'<p><a href="{a}">{esc(lbl)}</a></p>' for a, lbl in it.attachments) + "</div>"
        links = "".join(f'<p><a href="{h}">{esc(t)}</a></p>' for h, t in it.links)
        return imgs + ps + att + links

    def date_line(self, it: Item) -> str:
        if it.visible_date is not None:
            return it.visible_date
        return f"发布日期：{it.day:%Y-%m-%d}"

    def render_item(self, req: Req, it: Item) -> Resp:
        return self.article(req, it)

    def article(self, req: Req, it: Item) -> Resp:
        if it.kind == "letter":
            return self.letter(req, it)
        col = it.column
        info = f'<div class="info"><span>{esc(self.date_line(it))}</span><span>来源：{esc(it.source)}</span></div>'
        main = (f'<h1 class="title">{esc(it.title)}</h1>\n{info}\n'
                f'<div class="TRS_Editor">{self.article_inner(it)}</div>')
        return self.respond(self.layout(f"{it.title}-{self.name}", main, kind="article", col=col, it=it))

    def letter(self, req: Req, it: Item) -> Resp:
        col = it.column
        rng = random.Random(f"{self.world.seed}:{it.id}")
        rows = [("信件标题", esc(it.title)), ("来信人", esc(it.asker)),
                ("来信时间", f"{it.when:%Y-%m-%d}"),
                ("来信内容", esc(T.letter_text(rng, it.extra.get("issue"))))]
        if it.reply is not None:
            rows += [("回复单位", esc(self.org)), ("回复时间", f"{it.reply:%Y-%m-%d}"),
                     ("回复内容", esc(T.reply_text(rng)))]
        else:
            rows += [("办理状态", "办理中"), ("回复时间", ""), ("回复内容", "")]
        table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        main = f'<h1 class="title">{esc(it.title)}</h1>\n<table class="letter">{table}</table>'
        return self.respond(self.layout(f"{it.title}-{self.name}", main, kind="interaction", col=col))

    def letter_list(self, col: Column, chunk: list[Item]) -> str:
        write = f'<p><a class="write" href="{self.col_dir(col)}write.html">我要写信</a></p>'
        if col.brief_letters:  # some CMSs list letters without any reply field
            lis = "".join(f'<li><a href="{it.path}">{esc(it.title)}</a><span>{it.when:%Y-%m-%d}</span></li>'
                          for it in chunk)
            return write + f'<ul class="list">{lis}</ul>'
        rows = ["<tr><th>信件标题</th><th>来信时间</th><th>回复时间</th><th>状态</th></tr>"]
        for it in chunk:
            rep = f"{it.reply:%Y-%m-%d}" if it.reply else ""
            st = "已回复" if it.reply else "办理中"
            rows.append(f'<tr><td><a href="{it.path}">{esc(it.title)}</a></td><td>{it.when:%Y-%m-%d}</td>'
                        f"<td>{rep}</td><td>{st}</td></tr>")
        return write + '<table class="letters">' + "".join(rows) + "</table>"

    def write_page(self, req: Req, col: Column) -> Resp:
        main = (f"<h2>{esc(col.name)} · 我要写信</h2>\n"
                f'<form method="post" action="{self.col_dir(col)}submit.do"><p>姓名：<input name="name"></p>'
                '<p>联系电话：<input name="tel"></p><p>标题：<input name="title"></p>'
                '<p>内容：<textarea name="content"></textarea></p><p><button type="submit">提交</button></p></form>')
        return self.respond(self.layout(f"我要写信-{col.name}-{self.name}", main, kind="interaction", col=col))

    def add_letters(self, col: Column) -> None:
        """Letters columns get a write form (a working consultation channel)."""
        w = self.col_dir(col) + "write.html"
        self.routes[w] = lambda req, col=col: self.write_page(req, col)
        self.required.add(w)
