"""A site built like the real ones (issue 20): 示范市科学技术局 on a TRS-style template that
carries the interface elements real government templates do, none of which is a finding.

Modelled on what saved real pages show (written for this project, nothing copied):

- header: a clock showing the server's "today" (some days after `as_of`: a sweep runs after
  the inspection date it judges), 无障碍 / 长者模式 / 繁體 switches, a 手机版 and a 微信 QR
  popup, the logo in the `<h1>`, a mobile copy of the header hidden on desktop that repeats
  the 找错 link;
- navigation: every first-level menu collapsed (display:none, opened on hover), a 政府网站
  menu of other government sites, a `<select>` of department sites, a collapsed 友情链接 list
  of government and news sites, a skip link;
- homepage: a carousel (slides after the first hidden), tabs (panels after the first hidden);
- pages: a header crumb of generic words (网站首页 > 详情页) above the real 您现在的位置 crumb,
  a generic `<title>` (the site's name) with the headline in the ArticleTitle tag and a plain
  block, sidebars of other items with newer dates, related items, a share widget opened by
  its trigger, 字体 大中小 / 打印 / 关闭, a photo credit with its own date, 成文日期 and a
  生成日期 after `as_of`, an event notice with 活动时间 / 报名截止时间 after `as_of`;
- every article printed twice, for desktop and for mobile (the mobile copy once carries a
  line of its own: the planted typo the sweep must read);
- footer: the identity items, a visible CMS credit and a hidden mobile footer repeating it.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Callable

from govcrawl.demo import text as T
from govcrawl.demo.model import Column, Item, Req, Resp, Site, esc
from govcrawl.demo.styles import TrsSite

if TYPE_CHECKING:  # pragma: no cover
    from govcrawl.demo.world import World

WEEKDAYS = "一二三四五六日"
HIDE = ' style="display:none"'
CLOCK_AHEAD = 2  # the server's today, days after as_of
# real services such templates link to (never fetched: their hosts are listed in
# world.OUTSIDE_IDENTITY_HOSTS, which the demo passes to the sweep as hosts not to link-check)
GOV_CN = "http://www.gov.cn/"
NEWS_SITES = (("http://www.xinhuanet.com/", "新华网"), ("http://www.people.com.cn/", "人民网"))
WEIBO_SHARE = "http://service.weibo.com/share/share.php"
QZONE_SHARE = "https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey"
CMS_CREDIT = ("http://www.trs.com.cn/", "拓尔思")


class TemplateSite(TrsSite):
    """示范市科学技术局: the TRS site with a real template's chrome around every page."""

    style = "trs-template"

    def __init__(self, *a, **kw) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*a, **kw)
        self.neighbours: list[Site] = []  # other government sites in its menus and dropdowns
        self.mobile_only: dict[int, str] = {}  # item id -> a line only its mobile copy prints
        self.event_lines: dict[int, tuple[str, list[str]]] = {}  # item id -> (info extra, body lines)

    # -- chrome -------------------------------------------------------------------------
    def clock(self) -> str:
        d = self.world.day(CLOCK_AHEAD)
        return f"今天是：{d.year}年{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}"

    site_script = TrsSite.site_script + (
        "<script>function showSub(o){var s=o.getElementsByTagName('div')[0];if(s)s.style.display='block'}"
        "function hideSub(o){var s=o.getElementsByTagName('div')[0];if(s)s.style.display='none'}"
        "function toggle(id){var e=document.getElementById(id);"
        "if(e)e.style.display=e.style.display=='none'?'block':'none'}</script>\n")

    def nav(self) -> str:
        lis = [f'<li class="nav-item"><a href="{self.home}">首页</a></li>']
        for parent, cols in self.column_groups().items():
            subs = "".join(f'<a href="{c.path}">{esc(c.name)}</a>' for c in cols)
            lis.append('<li class="nav-item" onmouseover="showSub(this)" onmouseout="hideSub(this)">'
                       f'<a href="{cols[0].path}">{esc(parent)}</a>'
                       f'<div class="subnav" style="display:none">{subs}</div></li>')
        gov = f'<a href="{GOV_CN}" target="_blank">中国政府网</a>' + "".join(
            f'<a href="{s.url()}" target="_blank">{esc(s.name)}</a>' for s in self.neighbours)
        lis.append('<li class="nav-item" onmouseover="showSub(this)" onmouseout="hideSub(this)">'
                   f'<a href="javascript:void(0);">政府网站</a><div class="subnav" style="display:none">{gov}</div></li>')
        jiucuo = f"https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={self.id}"
        return (
            '<a class="skip" href="#main" style="position:absolute;left:-9999px">跳到主要内容</a>\n'
            f'<div class="topbar"><span class="today">{self.clock()}</span>'
            '<span class="tools"><a href="javascript:void(0);" id="cniil_wza">无障碍</a> | '
            '<a href="javascript:void(0);" class="elder">长者模式</a> | '
            '<a href="javascript:void(0);" class="fanti">繁體</a> | '
            '<a href="javascript:void(0);" onclick="toggle(\'qr-m\')">手机版</a>'
            '<span class="qr-pop" id="qr-m" style="display:none"><img src="/images/qr-m.png" alt="手机版二维码">'
            '扫一扫 手机访问</span> | '
            '<a href="javascript:void(0);" onclick="toggle(\'qr-wx\')">微信</a>'
            '<span class="qr-pop" id="qr-wx" style="display:none"><img src="/images/qr-wx.png" alt="微信公众号二维码">'
            '关注官方微信</span></span></div>\n'
            f'<div class="hd-sj" style="display:none"><a href="{self.home}">首页</a>'
            f'<a href="{jiucuo}">我为政府网站找错</a></div>\n'
            f'<div class="header"><h1 class="logo"><img src="/images/logo.png" alt="{esc(self.name)}">'
            f"{esc(self.name)}</h1>"
            '<form class="search" onsubmit="return false"><input name="q" placeholder="请输入关键字">'
            "<button>搜索</button></form></div>\n"
            f'<ul class="nav">{"".join(lis)}</ul>\n')

    def crumb(self, col: Column) -> str:
        # a header crumb of generic words first (网站首页 > 详情页), then the item's own
        return (f'<div class="top-crumb"><a href="{self.home}">网站首页</a> &gt; 详情页</div>\n'
                f'<div class="location"><span>您现在的位置：</span><a href="{self.home}">首页</a> &gt; '
                f'<a href="{col.path}">{esc(col.parent)}</a> &gt; <a href="{col.path}">{esc(col.name)}</a></div>\n')

    def footer(self) -> str:
        credit = (f'<p class="support">技术支持：<a href="{CMS_CREDIT[0]}" target="_blank">{CMS_CREDIT[1]}</a>'
                  "　建议使用1280×768分辨率浏览</p>")
        jiucuo = f"https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={self.id}"
        mobile = ('<div class="ft-sj" style="display:none">'
                  f'<a href="{jiucuo}">我为政府网站找错</a>'
                  f'<a href="{CMS_CREDIT[0]}">技术支持：{CMS_CREDIT[1]}</a></div>\n')
        return super().footer() + f'<div class="copyright">{credit}</div>\n' + mobile

    def links_block(self) -> str:
        """The 政府网站 dropdown (<select>) and the collapsed 友情链接 list."""
        opts = "".join(f'<option value="{s.url()}">{esc(s.name)}</option>' for s in self.neighbours)
        friends = "".join(f'<li><a href="{u}" target="_blank">{esc(n)}</a></li>'
                          for u, n in ((GOV_CN, "中国政府网"),) + NEWS_SITES)
        friends += "".join(f'<li><a href="{s.url()}" target="_blank">{esc(s.name)}</a></li>' for s in self.neighbours)
        return ('<div class="w1200 mt10">'
                '<select onchange="if(this.value){window.open(this.value)}"><option value="">——市直部门网站——</option>'
                f'<option value="{GOV_CN}">中国政府网</option>{opts}</select>'
                '<div class="box-l"><h4>友情链接</h4>'  # opened on hover by the stylesheet
                f'<ul style="display:none">{friends}</ul></div></div>\n')

    def sidebar(self, skip: Item | None = None) -> str:
        """Other items with their dates (newer than the item beside them, most of the time)."""
        boxes = []
        for col in [c for c in self.columns if c.ctype in ("news", "notice") and c.items][:2]:
            items = [it for it in col.items if it is not skip][:5]
            lis = "".join(f'<li><a href="{it.path}" title="{esc(it.title)}">{esc(it.title)}</a>'
                          f"<span>{it.day:%Y-%m-%d}</span></li>" for it in items)
            boxes.append(f'<div class="side-box"><h3>{esc(col.name)}</h3><ul>{lis}</ul></div>')
        return '<div class="sidebar">' + "".join(boxes) + "</div>\n"

    def layout(self, title: str, main: str, *, kind: str, col: Column | None = None,
               it: Item | None = None, extra_head: str = "", tail: str = "") -> str:
        crumb = self.crumb(col) if col is not None else ""
        side = self.sidebar(it) if kind != "homepage" else ""
        return (self.head(title, self.metas(kind, col, it), extra_head)
                + "<body>\n" + self.nav() + crumb
                + f'<div class="container"><div id="main" class="main">\n{main}\n</div>\n{side}</div>\n'
                + self.links_block() + self.footer()
                + "</body>\n</html>\n" + tail)

    # -- pages --------------------------------------------------------------------------
    def homepage(self, req: Req) -> Resp:
        news = [c for c in self.columns if c.ctype == "news" and c.items]
        slides = [it for c in news for it in c.items[:3]][:3]
        swiper = "".join(
            f'<div class="swiper-slide"{"" if k == 0 else HIDE}>'
            f'<a href="{it.path}" target="_blank"><img src="/images/slide{k + 1}.png" alt="{esc(it.title)}">'
            f"<p>{esc(it.title)}</p></a></div>" for k, it in enumerate(slides))
        carousel = (f'<div class="swiper-container banner"><div class="swiper-wrapper">{swiper}</div>'
                    '<div class="swiper-pagination">' + "".join(
                        f'<span class="dot" onclick="void(0)">{k + 1}</span>' for k in range(len(slides)))
                    + "</div></div>\n")
        tab_cols = [c for c in self.columns if c.on_home and c.items and not c.blank][:3]
        titles = "".join(f'<li class="{"on" if k == 0 else ""}" onmouseover="void(0)">{esc(c.name)}</li>'
                         for k, c in enumerate(tab_cols))
        panels = "".join(
            f'<div class="tab-con"{"" if k == 0 else HIDE}><ul>'
            + "".join(self.home_entry(c, it) for it in c.items[:6])
            + f'</ul><a class="more" href="{c.path}">更多</a></div>' for k, c in enumerate(tab_cols))
        tabs = f'<div class="tab-box"><ul class="tab-title">{titles}</ul>{panels}</div>\n'
        blocks = []
        for c in self.columns:
            if c in tab_cols or not c.on_home or not c.items:
                continue
            lis = "".join(self.home_entry(c, it) for it in c.items[:6])
            blocks.append(f'<div class="block"><h3><a href="{c.path}">{esc(c.name)}</a>'
                          f'<a class="more" href="{c.path}">更多</a></h3><ul>{lis}</ul></div>')
        main = carousel + tabs + "\n".join(blocks) + self.home_extra
        return self.respond(self.layout(self.home_title or self.name, main, kind="homepage"))

    def article(self, req: Req, it: Item) -> Resp:
        if it.kind == "letter":
            return self.letter(req, it)
        col = it.column
        rng = random.Random(f"{self.world.seed}:{it.id}:tpl")
        ps = self.paras(it)
        info_extra, event = self.event_lines.get(it.id, ("", []))
        body = "".join(f"<p>{esc(p)}</p>" for p in ps + event)
        shot = it.day - timedelta(days=1)
        photo = (f'<p style="text-align:center"><img src="/images/photo{it.id % 3 + 1}.png" alt="{esc(it.title)}"></p>'
                 f'<p class="img-note">图为活动现场。（{esc(T.person(rng))} 摄于{T.cn_date(shot)}）</p>'
                 if col.ctype == "news" else "")
        generated = self.world.day(CLOCK_AHEAD)
        info = (f'<div class="article-info">{info_extra}<span>发布时间：{it.when:%Y-%m-%d %H:%M}</span>'
                f"<span>来源：{esc(it.source)}</span><span>浏览次数：{it.id % 700 + 58}</span>"
                '<span class="font">【字体：<a href="javascript:void(0);">大</a> <a href="javascript:void(0);">中</a> '
                '<a href="javascript:void(0);">小</a>】</span><a href="javascript:window.print();">【打印】</a>'
                '<a href="javascript:window.close();">【关闭】</a></div>')
        url = esc(self.url(it.path))
        share = ('<div class="share"><span class="share-btn" onclick="toggle(\'bdshare\')">分享到：</span>'
                 '<div class="bdsharebuttonbox" id="bdshare" style="display:none">'
                 f'<a class="bds_tsina" href="{WEIBO_SHARE}?url={url}" target="_blank">新浪微博</a>'
                 f'<a class="bds_qzone" href="{QZONE_SHARE}?url={url}" target="_blank">QQ空间</a>'
                 '<a class="bds_weixin" href="javascript:void(0);">微信</a></div></div>')
        older = [x for x in col.items if x.when < it.when][:3]
        related = ('<div class="related"><h3>相关阅读</h3><ul>' + "".join(
            f'<li><a href="{x.path}">{esc(x.title)}</a><span>{x.day:%Y-%m-%d}</span></li>' for x in older)
            + "</ul></div>") if older else ""
        pc = (f'<div class="pc-article hidden-xs"><div class="article-title">{esc(it.title)}</div>\n{info}\n'
              f'<div class="TRS_Editor">{photo}{body}</div>\n'
              f'<p class="gen-date">本页生成日期：{generated:%Y-%m-%d}</p>\n{share}\n{related}</div>\n')
        mobile_body = "".join(f"<p>{esc(p)}</p>" for p in ps + event)
        if it.id in self.mobile_only:
            mobile_body += f"<p>{esc(self.mobile_only[it.id])}</p>"
        mobile = (f'<div class="m-article visible-xs"><h2 class="m-title">{esc(it.title)}</h2>'
                  f'<p class="m-time">{it.when:%Y-%m-%d}</p><div class="m-con">{mobile_body}</div></div>\n')
        # a generic <title>: the headline is in the ArticleTitle tag and the page's blocks
        return self.respond(self.layout(self.name, pc + mobile, kind="article", col=col, it=it))


def build_template_site(w: "World", n: Callable[[int], int]) -> TemplateSite:
    """示范市科学技术局 (9901000008): fresh columns, a letters channel, one event notice with
    future 活动时间 / 报名截止时间, one typo printed only in an article's mobile copy."""
    s = w.add_site(TemplateSite(w, sid="9901000008", name="示范市科学技术局", host="kjj",
                                kind="department", org="示范市科学技术局", region="示范市", place="示范市",
                                phone="0999-12340008", police="99010002000108"))
    news = s.add_column("xwzx/kjdt", "科技动态", "news", "新闻中心", n(40), newest_age=1)
    s.add_column("xwzx/qxdt", "区县动态", "news", "新闻中心", n(25), newest_age=2)
    notices = s.add_column("zwgk/tzgg", "通知公告", "notice", "政务公开", n(20), newest_age=3)
    s.add_column("zwgk/zcwj", "政策文件", "policy", "政务公开", n(10), newest_age=6)
    s.add_column("hdjl/jzxx", "局长信箱", "letter", "互动交流", n(8), newest_age=2, on_home=False)

    # an event notice: 成文日期 before, 活动时间 and 报名截止时间 after as_of
    ev = s.add_item(notices, 4, "关于举办2024年示范市科技活动周的通知")
    written = ev.day - timedelta(days=2)
    start, deadline = w.day(10), w.day(5)
    s.event_lines[ev.id] = (f"<span>成文日期：{written:%Y-%m-%d}</span>", [
        f"活动时间：{T.cn_date(start)}至{T.cn_date(start + timedelta(days=6))}",
        "活动地点：示范市科技馆、各区县科普教育基地",
        f"报名开始时间：{ev.day:%Y-%m-%d}",
        f"报名截止时间：{deadline:%Y-%m-%d}",
        "请各单位按要求报送参展项目，联系人及电话详见附件。"])
    w.control("event_fields_after_as_of", s, item=ev,
              note="活动时间 / 报名截止时间 after as_of, 成文日期, a 生成日期 after as_of, a header clock "
                   "after as_of, sidebars with newer dates: the item's own date is its 发布时间",
              rules=["content.fake_date", "tag.invalid"])
    # a typo only the mobile copy of an article prints
    it = s.add_item(news, 5, "市科技局召开科技成果转化工作座谈会")
    s.mobile_only[it.id] = "会议要求，各单位要再接再励，推动更多科技成果在本地转化落地。"
    w.plant("content.typo", s, item=it, text="再接再励", suggestion="再接再厉",
            note="only in the article's mobile copy (desktop + mobile blocks)")
    w.control("template_homepage", s, path=s.home,
              note="carousel, tabs, collapsed menus, <select> of sites, 友情链接, 找错 / 无障碍 / 长者模式 / "
                   "CMS credit, header clock, mobile copies of header and footer",
              rules=["content.hidden_link", "link.unsafe", "link.broken", "content.fake_date", "tag.invalid",
                     "identity.missing"])
    w.control("template_article", s, item=it, note="generic <title>, header crumb, share widget, sidebars",
              rules=["content.hidden_link", "link.unsafe", "content.fake_date", "tag.invalid"])
    return s
