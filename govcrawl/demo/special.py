"""The two awkward sites (hacked, problems) and the hosts that are not government sites.

Spam text here is written for this project to exercise detection: gambling and porn
advertising phrases of the kind attackers inject, nothing more explicit than that.
Spam targets are a loopback "spam host" this demo serves, or names under `.invalid`
(RFC 2606: never resolvable), never real domains.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Callable, Iterator

from govcrawl.demo.model import Item, Ref, Req, Resp, Site, esc
from govcrawl.demo.styles import TrsSite

if TYPE_CHECKING:  # pragma: no cover
    from govcrawl.demo.world import World

CN_DIGITS = "〇一二三四五六七八九"


def cn_numeral_date(d) -> str:
    def num(x: int) -> str:
        if x < 10:
            return CN_DIGITS[x]
        tens, ones = divmod(x, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + ("" if ones == 0 else CN_DIGITS[ones])
    return "".join(CN_DIGITS[int(c)] for c in str(d.year)) + f"年{num(d.month)}月{num(d.day)}日"


# -- the hacked site --------------------------------------------------------------------

class HackedSite(TrsSite):
    """示范市文化和旅游局 after an attacker: spam in title/meta/text, hidden links, cloaking."""

    cloaked: Item | None = None
    # hidden links written into the homepage at request time (ports are known only then)
    hidden_refs: list[tuple[Ref, str]] = []
    hidden_invalid: list[str] = []

    def article(self, req: Req, it: Item) -> Resp:
        resp = super().article(req, it)
        if it is self.cloaked and "baiduspider" in req.ua.lower() \
                and "baidu.com" in req.headers.get("referer", ""):
            # Served only to Baidu's spider arriving from a Baidu search: the classic cloak.
            page = resp.body.decode("utf-8").replace(
                f"<title>{esc(it.title)}-{esc(self.name)}</title>",
                "<title>澳门新葡京官方网站_真人百家乐在线开户_体育投注</title>", 1)
            resp.body = page.encode("utf-8")
        return resp

    def render_item(self, req: Req, it: Item) -> Resp:
        """Meta keyword spam, a script-written link and trailing links, per item."""
        resp = self.article(req, it)
        page = resp.body.decode("utf-8")
        kw = it.extra.get("keywords")
        if kw:
            page = page.replace('<meta name="keywords" content="', f'<meta name="keywords" content="{kw},', 1)
        ref = it.extra.get("fromcharcode")
        if ref is not None:
            link = f'<a href="{self.world.resolve(ref)}" target="_blank">在线赌场</a>'
            codes = ",".join(str(ord(ch)) for ch in link)
            page = page.replace("</div>\n<div class=\"footer\">",
                                f"<script>document.write(String.fromCharCode({codes}));</script></div>\n"
                                '<div class="footer">', 1)
        trailing = it.extra.get("trailing")
        if trailing:
            page += "".join(f'<a href="{self.world.resolve(r)}">{t}</a>\n' for r, t in trailing)
        resp.body = page.encode("utf-8")
        return resp


    def homepage(self, req: Req) -> Resp:
        resp = super().homepage(req)
        links = "".join(f'<a href="{self.world.resolve(r)}">{t}</a>' for r, t in self.hidden_refs)
        links += "".join(f'<a href="{h}">网上赌场</a>' for h in self.hidden_invalid)
        resp.body = resp.body.replace(b"{HIDDEN}", f'<div style="display:none">{links}</div>'.encode("utf-8"))
        return resp


def build_hacked(w: "World", n: Callable[[int], int]) -> HackedSite:
    s = w.add_site(HackedSite(w, sid="9901000004", name="示范市文化和旅游局", host="wlj",
                              kind="department", org="示范市文化和旅游局", region="示范市",
                              place="示范市", phone="0999-12340004", police="99010002000104"))
    w.add_host("spam")
    w.specials["spam"] = SpamHost()
    spam = lambda p: Ref("spam", p)  # noqa: E731
    dt = s.add_column("wldt", "文旅动态", "news", "新闻动态", n(30), newest_age=0)
    s.add_column("tzgg", "通知公告", "notice", "政务公开", n(15), newest_age=2)
    s.add_column("zcwj", "政策文件", "policy", "政务公开", n(10), newest_age=5)
    s.add_column("hdjl/jzxx", "局长信箱", "letter", "互动交流", n(6), newest_age=1, on_home=False)

    # Seed 004 style: porn and gambling phrases injected into the homepage title.
    s.home_title = "示范市文化和旅游局-成人视频免费在线观看-澳门赌场真人百家乐"
    w.plant("content.illegal", s, path=s.home, where="title", text="成人视频免费在线观看")
    w.plant("content.illegal", s, path=s.home, where="title", text="澳门赌场真人百家乐")
    # A display:none block of gambling links to outside hosts, after the footer.
    invalid = ["http://www.k8x7q2vbn3.invalid/", "http://am-js88866.invalid/index.html",
               "http://bet9x4r7tq.invalid/"]
    # (written at request time: ports are known only then; see HackedSite.homepage)
    s.home_extra += "{HIDDEN}"
    s.hidden_refs = [(spam("/"), "澳门金沙娱乐城"), (spam("/bjl.html"), "真人百家乐开户")]
    s.hidden_invalid = invalid
    for ref, text in s.hidden_refs:
        w.plant("content.hidden_link", s, path=s.home, target=ref, text=text, severity="veto")
        w.plant("link.unsafe", s, path=s.home, target=ref)
    for h in invalid:
        w.plant("content.hidden_link", s, path=s.home, target=h, text="网上赌场", severity="veto")
        w.tolerate("link.broken", s, path=s.home, target=h, note=".invalid never resolves")
        w.tolerate("link.unsafe", s, path=s.home, target=h)
    # Controls on the same homepage: an inline-collapsed menu of own links, a script
    # that writes today's date, the skip link every page has, the friendly link.
    s.home_extra += ('<div class="menu"><a href="/wldt/">文旅动态</a><ul style="display:none">'
                     '<li><a href="/tzgg/">通知公告</a></li><li><a href="/zcwj/">政策文件</a></li></ul></div>'
                     '<div class="today"><script>var d=new Date();document.write(d.getFullYear()+"年"+'
                     '(d.getMonth()+1)+"月"+d.getDate()+"日");</script></div>')
    w.control("collapsed_menu", s, path=s.home, note="own menu hidden by inline display:none",
              rules=["content.hidden_link"])
    w.control("skip_link", s, path=s.home, note="hidden skip link to #main on every page",
              rules=["content.hidden_link"])
    w.control("document_write_date", s, path=s.home, note="document.write of today's date",
              rules=["content.hidden_link", "content.illegal"])

    # Meta keywords spam on one article.
    it = s.add_item(dt, 2, "我市举办非遗文化进景区活动")
    it.extra["keywords"] = "棋牌游戏,网上赌场,六合彩开奖结果"
    w.plant("content.illegal", s, item=it, where="meta", text="网上赌场")
    for t in ("棋牌游戏", "六合彩开奖结果"):  # the other spam keywords of the same tag
        w.tolerate("content.illegal", s, item=it, where="meta", text=t)
    # Brand names spliced with dingbats into a sentence.
    it = s.add_item(dt, 3, "全市文旅市场暑期安全检查启动",
                    inject="检查组深入景区、宾馆和娱乐场所，澳★门★金★沙★官★网 逐一排查安全隐患。")
    w.plant("content.illegal", s, item=it, text="澳★门★金★沙", note="dingbats between characters")
    # Full-width and traditional forms.
    it = s.add_item(dt, 4, "我市组织开展旅游服务质量提升培训",
                    inject="培训内容涵盖导游讲解规范、投诉处理流程等。澳門金沙賭場ｂｅｔ３６５體育投注。")
    w.plant("content.illegal", s, item=it, text="澳門金沙賭場", note="traditional forms")
    w.plant("content.illegal", s, item=it, text="ｂｅｔ３６５", note="full-width forms")
    w.tolerate("content.illegal", s, item=it, text="體育投注", note="rest of the same spam sentence")
    # A link written by document.write(String.fromCharCode(...)).
    it = s.add_item(dt, 5, "第三届示范市文化旅游节开幕")
    it.extra["fromcharcode"] = spam("/dw.html")
    w.plant("content.hidden_link", s, item=it, target=spam("/dw.html"), text="在线赌场",
            note="written by document.write(String.fromCharCode(...))")
    w.tolerate("content.illegal", s, item=it, text="在线赌场", note="the anchor text the script writes")
    w.tolerate("link.unsafe", s, item=it, target=spam("/dw.html"))
    # Cloaking: a different (spam) title only for Baiduspider coming from baidu.com.
    it = s.add_item(dt, 1, "我市公布首批文化旅游消费示范街区名单")  # newest: in the homepage sample
    s.cloaked = it
    w.plant("content.illegal", s, item=it, where="title", text="真人百家乐在线开户",
            note="cloaked: only with User-Agent Baiduspider and a baidu.com Referer",
            evidence={"cloaking": True})
    # Seed 000 style: visible spam links trailing after </html>.
    it = s.add_item(dt, 7, "示范市博物馆推出暑期研学课程")
    it.extra["trailing"] = [(spam("/lhc.html"), "六合彩开奖结果"), (spam("/qp.html"), "棋牌游戏平台")]
    for ref, text in it.extra["trailing"]:
        w.plant("content.illegal", s, item=it, text=text, note="spam links after </html>")
        w.plant("link.unsafe", s, item=it, target=ref)
    w.out_of_scope += [spam(f"/deep/{k}.html") for k in range(3)]
    return s


class SpamHost:
    """The attacker's sites: gambling pages linking deeper into themselves."""

    def handle(self, req: Req) -> Resp | None:
        if req.path == "/favicon.ico":
            return None
        k = int(hashlib.md5(req.path.encode()).hexdigest(), 16) % 3
        page = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>澳门金沙娱乐城-真人百家乐-网上赌场</title>"
                "</head><body><h1>澳门金沙娱乐城</h1><p>真人百家乐 在线开户 六合彩开奖结果 棋牌游戏平台</p>"
                f'<a href="/deep/{k}.html">立即注册</a></body></html>')
        return Resp(200, page.encode("utf-8"), "text/html; charset=utf-8")


class OutsideHost:
    """A host outside every scope: only a redirect that leaves scope points here."""

    def handle(self, req: Req) -> Resp | None:
        page = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>外部网站</title></head>"
                "<body><p>这是一个外部网站。</p></body></html>")
        return Resp(200, page.encode("utf-8"), "text/html; charset=utf-8")


# -- the problems site -----------------------------------------------------------------

ATTACHMENTS = {
    ".pdf": ("application/pdf", b"%PDF-1.4\n% demo attachment\n" + b"0" * 2048 + b"\n%%EOF\n"),
    ".doc": ("application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096),
    ".xls": ("application/vnd.ms-excel", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 3072),
    ".zip": ("application/zip", b"PK\x05\x06" + b"\0" * 18),
}
HUGE = 50 * 1024 * 1024


class ProblemSite(TrsSite):
    """示范市交通运输局: traps, redirects, huge and slow pages, attachments, broken links."""

    slow: Item | None = None
    broken: Item | None = None  # the article whose links are broken

    def handle(self, req: Req) -> Resp | None:
        p = req.path
        if p == "/rl/calendar.html":
            return self.calendar(req)
        if p.startswith("/bsfw/list.jsp"):
            return self.session_page(req)
        if p == "/r/a.html":
            return Resp(302, b"", headers=[("Location", "/r/b.html")])
        if p == "/r/b.html":
            return Resp(302, b"", headers=[("Location", "/r/a.html")])
        if p == "/r/out.html":
            return Resp(302, b"", headers=[("Location", self.world.resolve(Ref("outside", "/landing.html")))])
        if p == "/error/500.html":
            return Resp(500, "<html><body>服务器内部错误</body></html>".encode("utf-8"))
        if p in ("/files/big.html", "/files/big-nolength.html"):
            return self.huge(with_length=p == "/files/big.html")
        if p.startswith("/files/"):
            ext = p[p.rfind("."):]
            if ext in ATTACHMENTS:
                ctype, body = ATTACHMENTS[ext]
                return Resp(200, body, ctype)
        if p == "/xwzx/bad-bytes.html":
            return self.bad_bytes()
        return super().handle(req)

    def article(self, req: Req, it: Item) -> Resp:
        resp = super().article(req, it)
        if it is self.slow:
            resp.delay = 3.0
        return resp

    def render_item(self, req: Req, it: Item) -> Resp:
        resp = self.article(req, it)
        if it is self.broken:
            refused = self.world.resolve(Ref("refused", "/index.html"))
            resp.body = resp.body.replace(b'href="REFUSED"', f'href="{refused}"'.encode())
        return resp

    def calendar(self, req: Req) -> Resp:
        month = req.query.get("month", f"{self.world.as_of:%Y-%m}")
        try:
            y, m = (int(x) for x in month.split("-"))
        except ValueError:
            y, m = self.world.as_of.year, self.world.as_of.month
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        py, pm = (y - 1, 12) if m == 1 else (y, m - 1)
        main = (f"<h2>办事日历 {y}年{m}月</h2><p>本月无特别安排，窗口正常受理业务。</p>"
                f'<a href="/rl/calendar.html?month={py}-{pm:02d}">上个月</a> '
                f'<a href="/rl/calendar.html?month={ny}-{nm:02d}">下个月</a>')
        return self.respond(self.layout(f"办事日历-{self.name}", main, kind="other"))

    def session_page(self, req: Req) -> Resp:
        sid = req.path.partition(";jsessionid=")[2] or "0"
        nxt = hashlib.md5(sid.encode()).hexdigest()[:16].upper()
        main = ("<h2>办事服务</h2><p>请选择需要办理的事项。</p>"
                f'<a href="/bsfw/list.jsp;jsessionid={nxt}">刷新列表</a>')
        return self.respond(self.layout(f"办事服务-{self.name}", main, kind="other"))

    def huge(self, with_length: bool) -> Resp:
        chunk = ("<p>" + "交通运输数据" * 170 + "</p>\n").encode("utf-8")

        def gen() -> Iterator[bytes]:
            yield b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>\xe6\x95\xb0\xe6\x8d\xae</title></head><body>"
            sent = 0
            while sent < HUGE:
                piece = chunk[:HUGE - sent]
                sent += len(piece)
                yield piece

        head = len(b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>\xe6\x95\xb0\xe6\x8d\xae</title></head><body>")
        return Resp(200, b"", "text/html; charset=utf-8", stream=gen,
                    length=head + HUGE if with_length else None)

    def bad_bytes(self) -> Resp:
        page = self.layout(f"数据开放-{self.name}", "<h2>数据开放</h2><p>交通运输数据开放目录MARK</p>",
                           kind="other")
        raw = page.encode("utf-8").replace(b"MARK", b"\xff\xfe\x80\x81 \xc3\x28 \xe6\x95")
        return Resp(200, raw, "text/html; charset=utf-8")


def build_problems(w: "World", n: Callable[[int], int], *, slow: bool = True,
                   huge: bool = True) -> ProblemSite:
    s = w.add_site(ProblemSite(w, sid="9901000003", name="示范市交通运输局", host="jtj",
                               kind="department", org="示范市交通运输局", region="示范市",
                               place="示范市", phone="0999-12340003", police="99010002000103"))
    w.add_host("outside")
    w.specials["outside"] = OutsideHost()
    w.closed_hosts.append("refused")
    dt = s.add_column("xwzx/jtdt", "交通动态", "news", "新闻动态", n(20), newest_age=0)
    tz = s.add_column("xxgk/tzgg", "通知公告", "notice", "政务公开", n(10), newest_age=3)
    lx = s.add_column("hdjl/jzxx", "局长信箱", "letter", "互动交流", n(5), newest_age=2, on_home=False,
                      brief_letters=True)
    w.control("letters_list_without_reply_fields", s, path=lx.path,
              note="list shows title and 来信时间 only; replies are on the detail pages (all within 2 days)",
              rules=["interaction.unanswered", "interaction.slow_reply", "interaction.no_channel"])
    links = ['<div class="service"><h3>便民服务</h3>',
             '<a href="/rl/calendar.html">办事日历</a>', '<a href="/bsfw/list.jsp">办事服务</a>',
             '<a href="/r/a.html">网上办事</a>', '<a href="/r/out.html">政务服务网</a>',
             '<a href="/xwzx/bad-bytes.html">数据开放</a>']
    if huge:
        links += ['<a href="/files/big.html">数据下载</a>', '<a href="/files/big-nolength.html">历史数据</a>']
    s.home_extra += " ".join(links) + "</div>"
    s.required |= {"/rl/calendar.html", "/bsfw/list.jsp", "/xwzx/bad-bytes.html"}
    s.optional |= {"/r/a.html", "/r/b.html", "/r/out.html"}
    if huge:
        s.optional |= {"/files/big.html", "/files/big-nolength.html"}
        w.traps.append({"site_id": s.id, "kind": "huge", "url": Ref("jtj", "/files/big.html"),
                        "note": "50 MB with Content-Length: the crawler must cap it"})
        w.traps.append({"site_id": s.id, "kind": "huge", "url": Ref("jtj", "/files/big-nolength.html"),
                        "note": "50 MB, no Content-Length (close-delimited)"})
    w.traps.append({"site_id": s.id, "kind": "calendar", "url": Ref("jtj", "/rl/calendar.html"),
                    "pattern": "/rl/calendar.html?month=", "note": "next month forever"})
    w.traps.append({"site_id": s.id, "kind": "session", "url": Ref("jtj", "/bsfw/list.jsp"),
                    "pattern": "/bsfw/list.jsp;jsessionid=", "note": "a new session id on every page"})
    w.traps.append({"site_id": s.id, "kind": "redirect_loop", "url": Ref("jtj", "/r/a.html")})
    w.traps.append({"site_id": s.id, "kind": "redirect_out", "url": Ref("jtj", "/r/out.html"),
                    "target": Ref("outside", "/landing.html"), "note": "record, never follow"})
    w.out_of_scope.append(Ref("outside", "/landing.html"))
    w.traps.append({"site_id": s.id, "kind": "undecodable", "url": Ref("jtj", "/xwzx/bad-bytes.html")})

    if slow:
        it = s.add_item(dt, 1, "我市公交线网优化调整方案公布")
        s.slow = it
        w.control("slow_page", s, item=it, note="answers after 3 s; fine",
                  rules=["link.broken", "site.unreachable"])
    # Attachments of every common type on a notice.
    it = s.add_item(tz, 5, "关于公布2024年度道路运输企业质量信誉考核结果的通知")
    y = w.as_of.year
    it.attachments = [(f"/files/{y}/kaohe{ext}", f"附件{k + 1}：考核结果{ext}")
                      for k, ext in enumerate(ATTACHMENTS)]
    for a, _ in it.attachments:
        w.control("attachment", s, path=a, note="non-HTML attachment: status and size only",
                  rules=["link.broken"])
    # Broken links: internal 404, a 500, a refused outside host, an image 404.
    it = s.add_item(dt, 8, "全市交通运输系统安全生产月活动启动")
    it.links = [("/xxgk/missing.html", "安全生产月活动方案"), ("/error/500.html", "活动报名系统"),
                ("REFUSED", "省交通运输厅网站")]
    it.images = ["/images/missing.png"]
    s.broken = it
    for target in (Ref("jtj", "/xxgk/missing.html"), Ref("jtj", "/error/500.html"),
                   Ref("refused", "/index.html"), Ref("jtj", "/images/missing.png")):
        w.plant("link.broken", s, item=it, target=target)
    w.control("broken_but_harmless", s, item=it, target=Ref("refused", "/index.html"),
              note="a dead government link on a loopback port: broken, not unsafe (every demo "
                   "host is a raw loopback address)", rules=["link.unsafe", "content.hidden_link"])
    # Odd, missing and impossible dates (robustness: no crash).
    odd = [("", 40, "交通运输行业职业技能竞赛圆满落幕"),
           ("cn", 44, "我市完成农村公路危桥改造"),
           ("dot", 48, "全市出租汽车服务质量提升行动总结"),
           ("short", 52, "我市开展道路运输车辆技术检测"),
           ("bad", 56, "关于开展交通运输执法领域突出问题专项整治的通知")]
    for kind, age, title in odd:
        it = s.add_item(dt, age, title)
        d = it.day
        it.visible_date = {"": "", "cn": f"发布日期：{cn_numeral_date(d)}",
                           "dot": f"发布日期：{d.year}.{d.month}.{d.day}",
                           "short": f"发布日期：{d:%y-%m-%d}",
                           "bad": f"发布日期：{d.year}-02-30"}[kind]
        if kind == "bad":
            w.tolerate("tag.invalid", s, item=it, target="PubDate", note="visible date 02-30 is impossible")
        w.control("odd_date", s, item=it, note=f"date format {kind or 'none'}: no crash",
                  rules=["content.fake_date"])
    return s


# -- a site whose every link is broken ---------------------------------------------------

class BrokenSite(Site):
    """示范市档案馆: only a homepage; every link on it fails (404, 500, refused)."""

    style = "broken"
    targets: list[Ref] = []

    def finalize(self) -> None:
        self.routes[self.home] = self.homepage
        self.required.add(self.home)

    def nav(self) -> str:
        lis = "".join(f'<li><a href="{r.path}">{t}</a></li>' for r, t in self.menu)
        return (f'<div class="header"><img src="/images/missing.png" alt="{esc(self.name)}">'
                f"<h1>{esc(self.name)}</h1></div>\n<ul class=\"nav\">{lis}</ul>\n")

    def homepage(self, req: Req) -> Resp:
        refused = self.world.resolve(Ref("refused", "/dag/"))
        main = ('<div class="block"><h3>馆藏介绍</h3><p>示范市档案馆是集中管理全市党政机关档案的'
                "公益性文化事业单位，承担档案接收、保管、利用和编研等职责。</p></div>"
                f'<div class="links"><h3>相关链接</h3><a href="{refused}">省档案馆</a>'
                '<a href="/error/500.html">档案查询系统</a></div>')
        return self.respond(self.layout(self.name, main, kind="homepage"))

    @property
    def menu(self) -> list[tuple[Ref, str]]:
        return [(Ref(self.host, p), t) for p, t in (
            ("/dagz/", "档案工作"), ("/tzgg/", "通知公告"), ("/zcfg/", "政策法规"),
            ("/dacx/", "档案查询"), ("/hdjl/gzxx/", "馆长信箱"))]

    def handle(self, req: Req) -> Resp | None:
        if req.path == "/error/500.html":
            return Resp(500, "<html><body>服务器内部错误</body></html>".encode("utf-8"))
        return super().handle(req)


def build_broken(w: "World") -> BrokenSite:
    s = w.add_site(BrokenSite(w, sid="9901000007", name="示范市档案馆", host="daj", kind="department",
                              org="示范市档案馆", region="示范市", place="示范市",
                              phone="0999-12340007", police="99010002000107"))
    targets = [r for r, _ in s.menu] + [Ref("daj", "/images/missing.png"), Ref("daj", "/error/500.html"),
                                        Ref("refused", "/dag/")]
    s.targets = targets
    for t in targets:
        w.plant("link.broken", s, path=s.home, target=t)
    w.plant("interaction.no_channel", s, path=s.home, note="its only channel (馆长信箱) is a dead link")
    w.plant("site.homepage_not_updated", s, path=s.home, note="no dated item anywhere on the site")
    for rule in ("column.blank", "column.stale_news", "column.stale_notice", "column.stale_other"):
        w.tolerate(rule, s, note="columns whose pages do not open")
    return s
