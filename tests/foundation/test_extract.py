"""Page understanding on saved HTML (no Scrapy, no network)."""

from datetime import date

from govcrawl.extract.dates import find_pub_date, parse_date
from govcrawl.extract.page import (
    canonical_url, entries_from_dataproxy, entries_from_json, parse_page, trs_pages,
)

AS_OF = date(2024, 6, 20)
LIST = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>通知公告_示范市人民政府</title><meta name="SiteName" content="示范市人民政府">
<meta name="ColumnName" content="通知公告"><meta name="SiteIDCode" content="9901000001"></head>
<body><div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/xxgk/tzgg/">通知公告</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">政务公开</a> &gt; <a href="./">通知公告</a></div>
<ul class="list"><li><a href="./202402/t20240219_1.html" title="关于做好春节期间工作的通知">关于做好春节期间…</a><span>2024-02-19</span></li>
<li><a href="./202402/t20240218_2.html">关于2023年度考核的公示</a><span>[2024-02-18]</span></li>
<li><a href="./202401/t20240110_3.html">示范市召开会议</a><span>01-10</span></li></ul>
<script>createPageHTML(3, 0, "index", "html");</script>
<div style="display:none"><a href="http://spam.invalid/">澳门金沙</a></div>
<div class="footer">主办单位：示范市人民政府办公室 网站标识码：9901000001</div></body></html>"""

BASE = "http://127.0.0.1:8000/"


def in_site(u: str) -> bool:
    return u.startswith(BASE)


def test_gbk_list_page_declared_only_in_meta():
    body = LIST.encode("gbk")
    p = parse_page(BASE + "xxgk/tzgg/index.html", body, content_type="text/html", site_home=BASE,
                   in_site=in_site, as_of=AS_OF)
    assert p.encoding == "gb18030"
    assert p.title == "通知公告_示范市人民政府"
    assert p.meta["SiteIDCode"] == "9901000001"
    assert p.breadcrumb == ["首页", "政务公开", "通知公告"]
    assert p.column == "通知公告" and p.page_type == "list"
    assert [(e.title, e.date) for e in p.entries] == [
        ("关于做好春节期间工作的通知", "2024-02-19"), ("关于2023年度考核的公示", "2024-02-18"),
        ("示范市召开会议", "2024-01-10")]
    assert p.pagination == [BASE + "xxgk/tzgg/index.html", BASE + "xxgk/tzgg/index_1.html",
                            BASE + "xxgk/tzgg/index_2.html"]
    spam = [lk for lk in p.links if "spam" in lk.url][0]
    assert spam.hidden and spam.external and spam.hidden_reason
    assert "澳门金沙" not in p.text  # hidden text is not visible text
    assert "主办单位" in p.full_text and "主办单位" not in p.text  # footer is boilerplate


def test_article_date_source_and_body():
    html = """<html><head><meta charset="utf-8"><title>示范市召开会议</title>
    <meta name="ArticleTitle" content="示范市召开会议"><meta name="PubDate" content="2024-02-19 10:30"></head>
    <body><div class="header">示范市人民政府 2024年6月20日 星期四</div>
    <h1>示范市召开会议</h1><div class="info">发布时间：2024-02-19 10:30 来源：市政府办公室</div>
    <div class="TRS_Editor"><p>会议强调，要持续推进各项工作落实落细，确保取得实效。</p></div></body></html>"""
    p = parse_page(BASE + "a/t1.html", html.encode(), content_type="text/html; charset=utf-8",
                   site_home=BASE, as_of=AS_OF)
    assert p.page_type == "article"
    assert p.pub_date == "2024-02-19" and p.pub_time == "10:30"
    assert p.source == "市政府办公室"
    assert p.text.startswith("会议强调")


def test_undecodable_bytes_and_empty_body_do_not_crash():
    p = parse_page(BASE + "x.html", b"\xff\xfe\xfa<html><body>\x00\x01abc</body></html>",
                   content_type="text/html", site_home=BASE)
    assert p.is_html
    p = parse_page(BASE + "x.html", b"", content_type="text/html", site_home=BASE)
    assert p.text == ""


def test_attachment_not_parsed():
    p = parse_page(BASE + "files/a.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert not p.is_html and p.page_type == "attachment"


def test_dataproxy_and_json_entries():
    xml = """<datastore><totalrecord>2</totalrecord><recordset>
    <record><![CDATA[<li><a href="/art/2024/6/1/art_1.html">民政工作动态</a><span>2024-06-01</span></li>]]></record>
    <record><![CDATA[<li><a href="/art/2024/5/1/art_2.html">养老服务通知</a><span>2024-05-01</span></li>]]></record>
    </recordset></datastore>"""
    entries, total = entries_from_dataproxy(xml, BASE + "module/web/jpage/dataproxy.jsp", AS_OF)
    assert total == 2 and [e.date for e in entries] == ["2024-06-01", "2024-05-01"]
    js = '{"total": 30, "pageSize": 10, "data": {"list": [{"title": "通知", "url": "/a/1.html", "pubDate": "2024-06-02"}]}}'
    entries, paging = entries_from_json(js, BASE + "api/list?page=1", AS_OF)
    assert entries[0].url == BASE + "a/1.html" and entries[0].date == "2024-06-02"
    assert paging == {"total": 30, "size": 10}


def test_trs_new_signature_and_session_ids():
    assert trs_pages("createPageHTML('page_div', 2, 1, 'index', 'shtml', 20);", BASE + "c/index_1.shtml") == [
        BASE + "c/index.shtml", BASE + "c/index_1.shtml"]
    assert canonical_url(BASE + "a.jsp;jsessionid=ABC123?id=5&PHPSESSID=zz#top") == BASE + "a.jsp?id=5"


def test_dates_in_odd_formats():
    for s in ("二〇二四年二月十九日", "2024.2.19", "24-02-19", "2024年2月19日", "[2024-02-19]"):
        assert parse_date(s, AS_OF) == date(2024, 2, 19), s
    assert parse_date("2024-02-30", AS_OF) is None
    assert parse_date("12-25", AS_OF) == date(2023, 12, 25)  # month-day takes the year before as_of
    assert find_pub_date("标题 发布日期：2024年2月19日 浏览次数", AS_OF)[0] == date(2024, 2, 19)
