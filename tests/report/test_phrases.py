"""Evidence, location and action sentences for findings shaped as the checks emit them."""

from __future__ import annotations

from govcrawl.items import Finding
from govcrawl.report import phrases as P

SID = "9901000001"


def test_stale_column_names_the_newest_item_and_its_age():
    f = Finding("column.stale_news", "deduct", SID, url="http://127.0.0.1:9/gzdt/", column="工作动态",
                evidence={"newest_date": "2024-05-31", "age_days": 20,
                          "newest_item": {"title": "全市防汛工作会议召开", "date": "2024-05-31"}})
    assert P.evidence(f) == "“工作动态”栏目最新信息《全市防汛工作会议召开》发布于2024-05-31，距检查日已20天"
    assert P.where(f) == "“工作动态”栏目，http://127.0.0.1:9/gzdt/"
    assert "更新该栏目" in P.action(f)
    assert P.problem_phrases([f]) == ["个别栏目更新不及时"]
    assert P.problem_phrases([f, f]) == ["多个栏目更新不及时"]


def test_wording_link_tag_identity_unreachable():
    w = Finding("content.leader_name", "veto", SID, url="http://127.0.0.1:9/a.html", text="习近凭",
                suggestion="习近平", where="title")
    assert P.evidence(w, "要闻") == "将“习近平”误写为“习近凭”（页面《要闻》）"
    assert P.where(w, "要闻") == "页面《要闻》，页面标题，http://127.0.0.1:9/a.html"
    assert P.action(w) == "将“习近凭”改为“习近平”"
    link = Finding("link.broken", "deduct", SID, url="http://127.0.0.1:9/a.html",
                   target="http://127.0.0.1:9/x.pdf", text="申请表", evidence={"status": 404})
    assert P.evidence(link) == ("链接“申请表”（http://127.0.0.1:9/x.pdf）无法打开（状态码404），"
                                "位于http://127.0.0.1:9/a.html")
    tag = Finding("tag.invalid", "deduct", SID, url="http://127.0.0.1:9/a.html", target="SiteIDCode",
                  text="9901000010", suggestion=SID, evidence={"tag": "SiteIDCode"})
    assert P.action(tag) == f"将SiteIDCode标签的值“9901000010”改为“{SID}”"
    ident = Finding("identity.missing", "deduct", SID, url="http://127.0.0.1:9/", target="ICP备案编号",
                    suggestion="ICP备案编号", evidence={"item": "ICP备案编号"})
    assert P.evidence(ident) == "首页底部缺少ICP备案编号"
    assert P.action(ident) == "在首页底部补充ICP备案编号"
    down = Finding("site.unreachable", "veto", SID, evidence={
        "error": "DownloadConnectionRefusedError: Connection was refused by other side: 111"})
    assert P.evidence(down) == "检查时首页无法访问（连接被拒绝）"
    fake = Finding("content.fake_date", "veto", SID, text="2024-06-25",
                   evidence={"pub_date": "2024-06-25", "as_of": "2024-06-20"})
    assert P.evidence(fake) == "信息发布日期标为2024-06-25，晚于检查日2024-06-20"


def test_media_phrases_and_unknown_rules():
    renamed = Finding("media.renamed", "deduct", "wx-1", text="新名", evidence={"current_name": "新名"})
    assert P.problem_phrases([renamed]) == ["已改名（新名）系统中未改名"]
    assert P.where(renamed) == "账号整体"
    assert P.category_of("media.renamed", media=True) == "已改名但系统中未改名"
    odd = Finding("x.new_rule", "deduct", SID, url="http://127.0.0.1:9/", category="新问题")
    assert P.category_of(odd.rule) == "其他问题"
    assert P.problem_phrases([odd]) == ["新问题"]
    assert P.action(odd) == "核实并整改"
