from datetime import date

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from govcrawl.checks.page import check_fake_date, check_identity, check_tags
from govcrawl.items import Link, PageItem, SiteDone
from govcrawl.pipelines.pagechecks import PageChecksPipeline

S = "9901000001"
AS_OF = date(2024, 6, 20)
SITE_META = {"SiteName": "示范市人民政府", "SiteDomain": "127.0.0.1", "SiteIDCode": S}
FOOTER = ("主办单位：示范市人民政府办公室 联系电话：0913-1234567 网站标识码：9901000001 "
          "示ICP备12345678号 示公网安备 99010002000001号 我为政府网站找错")
FOOTER_LINKS = [Link("http://bszs.conac.cn/sitename?method=show&id=ABC", "党政机关", "a", external=True),
                Link("https://beian.miit.gov.cn/", "示ICP备12345678号", external=True),
                Link("http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=99010002000001", "公网安备",
                     external=True),
                Link("https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=9901000001", "找错", external=True)]


def article(**kw):
    meta = {**SITE_META, "ColumnName": "工作动态", "ArticleTitle": "标题",
            "PubDate": "2024-06-18 09:30", "ContentSource": "示范市"}
    meta.update(kw.pop("meta", {}))
    base = dict(inspection_id=1, site_id=S, url="http://127.0.0.1:8001/a/t1.html", as_of="2024-06-20",
                status=200, content_type="text/html", page_type="article", meta=meta,
                breadcrumb=["首页", "新闻中心", "工作动态"], column="工作动态", pub_date="2024-06-18")
    base.update(kw)
    return PageItem(**base)


def home(full_text=FOOTER, links=None):
    return PageItem(inspection_id=1, site_id=S, url="http://127.0.0.1:8001/", page_type="homepage",
                    status=200, meta=dict(SITE_META), full_text=full_text,
                    links=FOOTER_LINKS if links is None else links)


def test_correct_article_has_no_findings():
    it = article()
    assert check_tags(it, S) == [] and check_fake_date(it, AS_OF) == []


def test_missing_tags_one_finding_per_page():
    it = article(meta={"PubDate": "", "ContentSource": ""})
    fs = check_tags(it, S)
    assert [(f.rule, f.target) for f in fs] == [("tag.missing", "PubDate"), ("tag.missing", "ContentSource")]
    lst = PageItem(inspection_id=1, site_id=S, url="http://127.0.0.1:8001/l/", page_type="list",
                   meta={"SiteName": "x"}, status=200)
    fs = check_tags(lst, S)
    assert [f.target for f in fs] == ["SiteDomain", "SiteIDCode", "ColumnName", "ColumnDescription",
                                     "ColumnKeywords", "ColumnType"]


def test_invalid_site_id_pubdate_and_column_name():
    it = article(meta={"SiteIDCode": "9901000009", "PubDate": "2024-06-15 09:30", "ColumnName": "通知公告"})
    fs = {f.target: f for f in check_tags(it, S)}
    assert set(fs) == {"SiteIDCode", "PubDate", "ColumnName"}
    assert fs["SiteIDCode"].text == "9901000009" and fs["SiteIDCode"].suggestion == S
    assert fs["PubDate"].suggestion == "2024-06-18"
    bad_fmt = article(meta={"PubDate": "2024/06/18"})
    (f,) = check_tags(bad_fmt, S)
    assert f.rule == "tag.invalid" and "format" in f.evidence["reason"]


def test_error_pages_and_attachments_are_not_tag_checked():
    assert check_tags(article(status=404, meta={}), S) == []
    assert check_tags(article(page_type="attachment", meta={}), S) == []


LABELLED = {"pub_date_source": "label", "pub_date_label": "发布时间"}


def test_fake_date_future_is_veto_and_contradiction_is_notice():
    (f,) = check_fake_date(article(pub_date="2024-07-30", meta={"PubDate": "2024-07-30 10:00"},
                                   extra=dict(LABELLED)), AS_OF)
    assert f.severity == "veto" and f.evidence["days_ahead"] == 40
    # only the tag is in the future: indirect evidence, a notice (rules.md)
    (f,) = check_fake_date(article(meta={"PubDate": "2024-12-01 10:00"}, extra=dict(LABELLED)), AS_OF)
    assert f.severity == "notice" and f.evidence["source"] == "PubDate tag"
    (f,) = check_fake_date(article(meta={"PubDate": "2024-06-01 10:00"}), AS_OF)
    assert f.severity == "notice"
    # one day of slack for time zones: as_of + 1 is not forged
    assert check_fake_date(article(pub_date="2024-06-21", meta={"PubDate": "2024-06-21 08:00"}), AS_OF) == []


def test_fake_date_veto_needs_the_items_own_labelled_date():
    """A future date that was not read from a 发布时间-type label next to the headline (an
    unlabelled date under it, or an item built without the extractor) is a notice."""
    for extra in ({"pub_date_source": "headline"}, {}):
        (f,) = check_fake_date(article(pub_date="2024-07-30", meta={"PubDate": "2024-06-18 10:00"},
                                       extra=extra), AS_OF)
        assert f.severity == "notice" and "why_notice" in f.evidence


def test_odd_and_impossible_dates_do_not_crash():
    for pub in ("二〇二四年二月十九日", "2024.2.19", "24-02-19", "2024-02-30", "", "无"):
        it = article(pub_date=None, meta={"PubDate": pub})
        check_tags(it, S)
        check_fake_date(it, AS_OF)


def test_identity_complete_and_each_item_missing():
    assert check_identity(home(), S) == []
    fs = check_identity(home(full_text="版权所有 示范市", links=[]), S)
    assert [f.target for f in fs] == ["党政机关网站标识", "主办单位", "联系方式", "网站标识码",
                                                "ICP备案编号", "公安机关备案号", "我为政府网站找错"]
    no_icp = FOOTER.replace("示ICP备12345678号", "").replace("我为政府网站找错", "")
    links = [l for l in FOOTER_LINKS if "miit" not in l.url and "zfwzgl" not in l.url]
    fs = check_identity(home(full_text=no_icp, links=links), S)
    assert sorted(f.target for f in fs) == ["ICP备案编号", "我为政府网站找错"]


def test_identity_wrong_site_code():
    (f,) = check_identity(home(full_text=FOOTER.replace("9901000001", "9901000077")), S)
    assert f.target == "网站标识码" and f.text == "9901000077" and f.suggestion == S


def test_pipeline_off_and_on():
    with pytest.raises(NotConfigured):
        PageChecksPipeline.from_crawler(get_crawler(settings_dict={"GOVCRAWL_CHECKS": False}))
    p = PageChecksPipeline.from_crawler(get_crawler(settings_dict={"GOVCRAWL_CHECKS": True}))
    it = p.process_item(article(meta={"SiteIDCode": "x"}))
    assert [f.rule for f in it.findings] == ["tag.invalid"]
    h = p.process_item(home(full_text=""))
    assert {f.rule for f in h.findings} == {"identity.missing"}
    done = SiteDone(inspection_id=1, site_id=S, as_of="2024-06-20")
    assert p.process_item(done) is done and done.findings == []
