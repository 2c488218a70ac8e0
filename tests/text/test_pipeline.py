"""WordingPipeline on PageItems (no crawl needed)."""

from pathlib import Path

from scrapy.utils.test import get_crawler

from govcrawl.items import LinkStatus, PageItem
from govcrawl.pipelines.wording import WordingPipeline

ROOT = Path(__file__).resolve().parents[2]


def make(settings=None):
    s = {"GOVCRAWL_LEXICONS": str(ROOT / "lexicons")}
    s.update(settings or {})
    return WordingPipeline.from_crawler(get_crawler(settings_dict=s))


def page(**kw):
    base = dict(inspection_id=1, site_id="6105000001", url="http://127.0.0.1:8000/a.html",
                as_of="2024-05-01", content_type="text/html")
    base.update(kw)
    return PageItem(**base)


def test_checks_title_meta_text_attrs(monkeypatch):
    from govcrawl import text as gtext

    checker = gtext.get_checker(ROOT / "lexicons", typo=False)
    p = make()
    p.checker = checker  # the small (no typo) checker keeps the test fast
    item = page(title="澳門金沙娛樂城", meta={"keywords": "365bet,凯发娱乐", "description": "正常描述"},
                text="国务院总理李强主持会议。再接再励。再接再励。", attr_texts=["习近凭同志"],
                pub_date="2022-06-01 10:00")
    out = p.process_item(item)
    assert out is item
    got = {(f.where, f.rule, f.text) for f in item.findings}
    assert ("title", "content.illegal", "澳門金沙娛樂") in got or ("title", "content.illegal", "澳門金沙") in got
    assert ("meta", "content.illegal", "365bet") in got
    assert ("text", "content.leader_title", "国务院总理李强") in got  # pub_date 2022: not yet premier
    assert ("attr", "content.leader_name", "习近凭") in got
    typo = [f for f in item.findings if f.rule == "content.typo"]
    assert len(typo) == 1 and typo[0].count == 2
    for f in item.findings:
        assert f.site_id == "6105000001" and f.url.endswith("/a.html") and f.key


def test_as_of_used_without_pub_date():
    from govcrawl import text as gtext

    p = make()
    p.checker = gtext.get_checker(ROOT / "lexicons", typo=False)
    item = page(text="国务院总理李强主持会议。", as_of="2024-05-01")
    p.process_item(item)
    assert not item.findings


def test_other_items_and_disabled_pass_through():
    p = make({"GOVCRAWL_CHECKS": False})
    item = page(title="澳门金沙")
    assert p.process_item(item) is item and not item.findings
    ls = LinkStatus(inspection_id=1, site_id="x", target="http://127.0.0.1/", status=200)
    assert make().process_item(ls) is ls


def test_open_spider_builds_checker_from_settings():
    p = make({"GOVCRAWL_TYPO": False})
    p.open_spider(None)
    assert p.checker is not None and p.checker.typo is None
    item = page(text="坚持以习近凭同志为核心的党中央。")
    p.process_item(item)
    assert [f.rule for f in item.findings] == ["content.leader_name"]
