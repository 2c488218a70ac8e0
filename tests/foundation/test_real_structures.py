"""Page understanding on structures seen on real government templates (written by us,
modelled on what the real-page benchmark's pages do): header clocks, sidebars with dates,
event fields, 成文/生成日期, header crumbs, generic <title>s, logos in <h1>, desktop + mobile
copies of a block, collapsed menus, <select> link lists, share widgets, 找错 / CMS credits.
"""

from __future__ import annotations

from datetime import date

from govcrawl.checks.hacked.analysis import analyze
from govcrawl.checks.hacked.judge import TextJudge
from govcrawl.checks.hacked.rules import HackedRules
from govcrawl.checks.hacked.signals import HostJudge, load_signals
from govcrawl.checks.page import check_fake_date, check_tags
from govcrawl.extract.page import parse_page
from govcrawl.items import PageItem

AS_OF = date(2024, 6, 20)
URL = "http://www.sfs.gov.cn/xwzx/gzdt/202406/t20240612_1.html"
HOME = "http://www.sfs.gov.cn/"


def page(body: str, head: str = "", title: str = "示范市人民政府") -> str:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title>{head}</head><body>"
            "<div class='top'><h1 class='logo'><img src='/logo.png' alt='示范市人民政府'>示范市人民政府</h1>"
            "<span id='clock'>今天是：2024年6月20日 星期四</span>"
            "<div class='crumb-top'><a href='/'>网站首页</a> &gt; 详情页</div></div>"
            f"{body}"
            "<div class='side'><h3>热点新闻</h3><ul><li><a href='/a/1.html'>市长调研工业企业</a><span>2024-06-19</span></li>"
            "<li><a href='/a/2.html'>全市防汛工作会议召开</a><span>2024-06-18</span></li></ul></div>"
            "<div class='footer'>主办：示范市人民政府办公室</div></body></html>")


ARTICLE = ("<div class='position'>当前位置：<a href='/'>首页</a> &gt; <a href='/xwzx/'>新闻中心</a> &gt; "
           "<a href='/xwzx/gzdt/'>工作动态</a></div>"
           "<div class='article'><h2>示范市召开全市安全生产工作会议</h2>"
           "<div class='info'>发布时间：2024-06-12 10:30 来源：市应急管理局</div>"
           "<div class='TRS_Editor'><p>6月11日，示范市召开全市安全生产工作会议，部署当前安全生产重点工作。</p>"
           "<p>会议要求各地各部门压紧压实责任。</p></div></div>")


def parse(html: str):
    return parse_page(URL, html.encode(), content_type="text/html", site_home=HOME, as_of=AS_OF)


def test_headline_date_and_column_past_clock_sidebar_and_header_crumb() -> None:
    p = parse(page(ARTICLE))
    assert p.page_type == "article"
    assert p.title == "示范市召开全市安全生产工作会议"  # not the generic <title>, not the logo
    assert p.doc_title == "示范市人民政府"
    assert (p.pub_date, p.pub_date_source) == ("2024-06-12", "label")  # not the clock, not the sidebar
    assert p.breadcrumb == ["首页", "新闻中心", "工作动态"]  # not 网站首页 > 详情页
    assert p.column == "工作动态"


def test_article_title_tag_wins_and_column_tag_is_only_a_cross_check() -> None:
    head = ("<meta name='ArticleTitle' content='示范市召开全市安全生产工作会议'>"
            "<meta name='ColumnName' content='通知公告'><meta name='PubDate' content='2024-06-12 10:30'>")
    p = parse(page(ARTICLE, head=head, title="示范市人民政府门户网站"))
    assert p.title == "示范市召开全市安全生产工作会议"
    assert p.column == "工作动态"  # the visible breadcrumb, not the tag
    item = PageItem(inspection_id=1, site_id="9901000001", url=URL, page_type=p.page_type, meta=p.meta,
                    breadcrumb=p.breadcrumb, column=p.column, pub_date=p.pub_date, status=200,
                    content_type="text/html")
    bad = [f for f in check_tags(item, "9901000001") if f.rule == "tag.invalid"]
    assert [(f.target, f.text) for f in bad] == [("ColumnName", "通知公告")]


def test_event_fields_and_document_dates_are_their_own_fields() -> None:
    body = ("<div class='position'>当前位置：<a href='/'>首页</a> &gt; <a href='/tzgg/'>通知公告</a></div>"
            "<h1>关于举办2024年全市职业技能大赛的通知</h1>"
            "<div class='info'>成文日期：2024-05-30 发布日期：2024-06-03</div>"
            "<div id='zoom'><p>报名开始时间：2024-06-10</p><p>报名截止时间：2024-07-15</p>"
            "<p>比赛时间：2024年7月20日</p><p>页面生成日期：2024-08-01</p></div>")
    p = parse(page(body, title="关于举办2024年全市职业技能大赛的通知_示范市人民政府"))
    assert p.title == "关于举办2024年全市职业技能大赛的通知"
    assert (p.pub_date, p.pub_date_source) == ("2024-06-03", "label")
    assert p.other_dates["成文日期"] == "2024-05-30"
    assert any(k.endswith("截止时间") for k in p.other_dates)
    item = PageItem(inspection_id=1, site_id="9901000001", url=URL, page_type=p.page_type, meta=p.meta,
                    pub_date=p.pub_date, status=200, content_type="text/html",
                    extra={"pub_date_source": p.pub_date_source})
    assert check_fake_date(item, AS_OF) == []  # the future 截止时间 and 生成日期 are no publication date


def test_unlabelled_date_under_the_headline_is_read_but_never_vetoes() -> None:
    body = ("<h1>示范市召开全市安全生产工作会议</h1><div class='info'>来源：示范日报 2024-07-30 08:03</div>"
            "<div class='TRS_Editor'><p>会议部署当前安全生产重点工作，要求各地各部门压紧压实责任。</p></div>")
    p = parse(page(body, title="示范市召开全市安全生产工作会议-示范市人民政府"))
    assert (p.pub_date, p.pub_date_source) == ("2024-07-30", "headline")
    item = PageItem(inspection_id=1, site_id="9901000001", url=URL, page_type="article", pub_date=p.pub_date,
                    status=200, content_type="text/html", extra={"pub_date_source": p.pub_date_source})
    (f,) = check_fake_date(item, AS_OF)
    assert f.severity == "notice"


def test_desktop_and_mobile_copies_read_once_and_mobile_only_text_read() -> None:
    body = (ARTICLE +
            "<style>.m-article{display:none}</style>"
            "<div class='m-article'><p>6月11日，示范市召开全市安全生产工作会议，部署当前安全生产重点工作。</p>"
            "<p>手机版独有的一段文字再接再励。</p></div>")
    p = parse(page(body))
    full = p.full_text
    assert full.count("部署当前安全生产重点工作") == 1
    assert "再接再励" in full
    # the main text (what the typo checks read) carries the line only the mobile copy has
    assert "再接再励" in p.text and p.text.count("部署当前安全生产重点工作") == 1
    # a mobile menu is no copy of the content: its words stay out of the main text
    p = parse(page(body + "<div class='m-nav'><a href='/zwgk/'>政务公开栏目导航入口</a></div>"))
    assert "政务公开栏目导航入口" not in p.text


def test_visible_text_separates_cells_items_and_breaks() -> None:
    body = ("<table><tr><td>甲单位</td><td>乙单位</td></tr></table><ul><li>一项</li><li>二项</li></ul>"
            "<p>上一行<br>下一行</p>")
    p = parse(page(body))
    for a, b in (("甲单位", "乙单位"), ("一项", "二项"), ("上一行", "下一行")):
        i, j = p.full_text.index(a), p.full_text.index(b)
        assert "\n" in p.full_text[i:j]


def _rules() -> HackedRules:
    return HackedRules(TextJudge(), HostJudge(load_signals()))


def hidden_findings(html: str):
    a = analyze(html, URL, lambda u: u.startswith(HOME))
    return [f for f in _rules().page("9901000001", URL, AS_OF, a, [])
            if f.rule in ("content.hidden_link", "link.unsafe")]


def test_interface_elements_are_no_hidden_links() -> None:
    body = (ARTICLE +
            # a menu opened on hover: visible trigger, hidden list of other government sites
            "<ul class='nav'><li><a href='/zwgk/'>政务公开</a><div style='display:none'>"
            "<a href='http://www.gov.cn/'>中国政府网</a><a href='http://www.xyz-province.gov.cn/'>省政府</a></div></li></ul>"
            # 友情链接 as a <select>
            "<select onchange='window.open(this.value)'><option value='http://news.example-daily.com/'>示范日报</option></select>"
            # a friendly-link list collapsed behind its title
            "<div class='links'><span>部门网站</span><ul style='display:none'>"
            "<li><a href='http://www.sfsjy.edu.cn/'>示范市第一中学</a></li>"
            "<li><a href='http://www.sfrb.com.cn/'>示范日报社</a></li></ul></div>"
            # a share widget, the 找错 link and the CMS credit, hidden until asked for
            "<div class='bdsharebuttonbox' style='display:none'><a href='http://service.weibo.com/share/share.php'>"
            "新浪微博</a><a href='http://sns.qzone.qq.com/cgi-bin/qzshare'>QQ空间</a></div>"
            "<div style='display:none'><a href='https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=9901000001'>"
            "我为政府网站找错</a><a href='http://www.hanweb.com/'>技术支持：大汉网络</a></div>"
            # a photo credit in the body
            "<p>（摄影：李明 2024年6月11日）</p>")
    assert hidden_findings(page(body)) == []


def test_injection_hidden_commercial_link_is_a_deduction_with_its_technique() -> None:
    body = ARTICLE + "<div style='position:absolute;left:-3000px'><a href='http://www.cheap-loans-shop.com/'>精品推荐</a></div>"
    (f,) = hidden_findings(page(body))
    assert (f.rule, f.severity) == ("content.hidden_link", "deduct")
    assert f.evidence["technique"] == "moved off-screen" and "not_interface" in f.evidence


def test_crumb_labels_in_their_many_wordings_are_stripped() -> None:
    for label in ("您现在所在的位置：", "您当前所在位置：", "您的当前位置：", "您现在的位置是：", "位置：",
                  "Current location:"):
        body = (f"<div class='dqwz'><span>{label}</span><a href='/'>首页</a> &gt; "
                "<a href='/zwgk/'>政务公开</a> &gt; <a href='/zwgk/jcws/'>基层卫生</a></div>"
                "<h1>关于开展家庭医生签约服务的通知</h1><div class='info'>发布日期：2024-05-11</div>"
                "<div class='TRS_Editor'><p>各区卫生健康委：现将有关事项通知如下，请认真贯彻执行。</p></div>")
        p = parse(page(body, title="关于开展家庭医生签约服务的通知"))
        assert p.breadcrumb == ["首页", "政务公开", "基层卫生"], label
        assert p.column == "基层卫生", label


def test_a_list_page_whose_crumb_ends_with_its_own_name_is_that_column() -> None:
    # an interaction column's list: 首页 > 互动交流 > 领导信箱, headline 领导信箱
    rows = "".join(f"<li><a href='/hdjl/ldxx/202406/t2024060{i}_1.html'>关于小区路灯长期不亮的咨询{i}</a>"
                   f"<span>2024-06-0{i}</span></li>" for i in range(1, 6))
    body = ("<div class='position'>当前位置：<a href='/'>首页</a> &gt; <a href='/hdjl/'>互动交流</a> &gt; "
            f"<a href='/hdjl/ldxx/'>领导信箱</a></div><h2>领导信箱</h2><ul class='list'>{rows}</ul>")
    p = parse_page("http://www.sfs.gov.cn/hdjl/ldxx/", page(body, title="领导信箱_示范市人民政府").encode(),
                   content_type="text/html", site_home=HOME, as_of=AS_OF)
    assert p.page_type == "interaction"
    assert p.column == "领导信箱"
    # an item of its own under it names the column above it
    letter = ("<div class='position'>当前位置：<a href='/'>首页</a> &gt; <a href='/hdjl/'>互动交流</a> &gt; "
              "<a href='/hdjl/ldxx/'>领导信箱</a> &gt; 关于小区路灯长期不亮的咨询</div>"
              "<h1>关于小区路灯长期不亮的咨询</h1><div>来信时间：2024-06-01 发布日期：2024-06-03</div>"
              "<div class='TRS_Editor'><p>小区路灯已经一个月不亮，居民夜间出行不便，请尽快维修。</p></div>")
    assert parse(page(letter)).column == "领导信箱"


def test_title_site_column_item_with_the_headline_in_a_plain_block() -> None:
    body = ("<div class='position'>当前位置：<a href='/'>首页</a> &gt; <a href='/xwzx/'>新闻中心</a></div>"
            "<div class='art-title'>示范市举办第十届全民阅读节</div><div class='info'>日期：2024-04-23</div>"
            "<div class='TRS_Editor'><p>4月23日，示范市第十届全民阅读节在市图书馆开幕。</p></div>")
    for title in ("示范市人民政府-新闻中心-示范市举办第十届全民阅读节",
                  "示范市举办第十届全民阅读节_新闻中心_示范市人民政府"):
        p = parse(page(body, title=title))
        assert p.title == "示范市举办第十届全民阅读节", title
        assert p.pub_date == "2024-04-23"


def test_a_hidden_block_is_no_dropdown_because_some_text_is_near_it() -> None:
    # an injected off-screen block at the top level of <body>, beside the skip link and a
    # paragraph: nothing opens it, so it is judged (a deduction towards a commercial site)
    body = ("<a href='#main'>跳到主要内容</a><p>欢迎访问</p>"
            "<div style='position:absolute;left:-3000px'><a href='http://www.cheap-loans-shop.com/'>精品推荐</a></div>"
            + ARTICLE)
    (f,) = hidden_findings(page(body))
    assert (f.rule, f.severity) == ("content.hidden_link", "deduct")
    # the same block right after a visible trigger inside a box is a dropdown
    body = ("<div class='box3'><a href='/zwgk/'>相关网站</a>"
            "<div style='display:none'><a href='http://www.cheap-loans-shop.com/'>精品推荐</a></div></div>" + ARTICLE)
    assert hidden_findings(page(body)) == []
