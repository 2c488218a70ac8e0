"""The bulletin's numbers against a hand count of the history in report_history.py, and
its files (.xlsx via openpyxl, .docx via python-docx, .json, 整改通知)."""

from __future__ import annotations

import json

import openpyxl
import pytest
from docx import Document
from .report_history import ID, SCRIPT_TITLE

from govcrawl.report import write_report
from govcrawl.report import text as T
from govcrawl.report.model import build_bulletin
from govcrawl.store import Store

NAME = {"a1": "甲市人民政府", "a2": "甲市民政局", "a3": "甲市教育局", "b1": "乙县人民政府",
        "b2": "乙县财政局", "c1": "丙区人民政府"}


@pytest.fixture()
def q3(history_store):
    path, ids = history_store
    store = Store(path, readonly=True)
    return build_bulletin(store, "latest", date="2024-09-27", issuer="某市人民政府办公室"), ids


def test_site_totals_hand_count(q3):
    b, ids = q3
    t = b.sites.totals
    # 6 registered, 5 drawn (a3 not), failing: a2 (unreachable), b1 (no channel),
    # b2 (leader name); a1's veto was a false alarm.
    assert (t.running, t.checked, t.failed, t.passed) == (6, 5, 3, 2)
    assert t.rate == 40.0
    # Q2: 6 checked, a2 failing only once a1's false alarm is dropped → 5/6 = 83.33%
    assert (t.prev_period, t.prev_rate, t.change_pp) == ("2024Q2", 83.33, -43.33)
    # per region: 丙区 1/1, 甲市 1/2 (a1 pass, a2 fail), 乙县 0/2
    assert [(g.name, g.checked, g.failed, g.rate) for g in t.groups] == [
        ("丙区", 1, 0, 100.0), ("甲市", 2, 1, 50.0), ("乙县", 2, 2, 0.0)]
    assert t.full_groups == ["丙区"]
    assert b.sites.scope == "sample" and b.sites.sample_seed == 7
    assert b.sites.false_alarms == 1
    assert [(p.period, p.checked, p.failed, p.rate) for p in b.sites.trend] == [
        ("2024Q1", 6, 2, 66.67), ("2024Q2", 6, 1, 83.33), ("2024Q3", 5, 3, 40.0)]


def test_recheck_repeat_and_lifecycle(q3):
    b, _ = q3
    rc = b.sites.recheck
    assert rc.prev_failed == [NAME["a2"]] and rc.not_rectified == [NAME["a2"]]
    assert rc.rectified == [] and rc.unchecked == []
    assert (rc.fixed, rc.still_open, rc.not_rechecked) == (1, 1, 1)  # c1 / a2 / a3
    assert {s.name: s.repeat for s in b.sites.repeat} == {
        NAME["a2"]: "连续三个季度不合格", NAME["b2"]: "年内第二次检查不合格"}
    assert b.lifecycle == {"open": 1, "reopened": 1, "new": 2}


def test_problems_by_category_name_sites_with_evidence(q3):
    b, _ = q3
    groups = {g.category: g for g in b.sites.problems}
    assert set(groups) == {"网站无法访问", "存在严重表述错误", "错别字和禁用慎用表述", "互动回应差"}
    assert all(g.subjects == 1 and g.findings == 1 for g in groups.values())
    severe = groups["存在严重表述错误"].examples[0]
    assert severe.subject == NAME["b2"]
    assert "习近凭" in severe.evidence[0] and "习近平" in severe.evidence[0]
    assert SCRIPT_TITLE in severe.evidence[0]  # page title named, escaped only when rendered
    assert "12.0%" in groups["网站无法访问"].examples[0].evidence[0]


def test_annex_rows_exactly_as_printed(q3):
    b, _ = q3
    assert T.SITE_ANNEX_HEADER == ["序号", "网站名称", "检查结果", "突出问题"]
    assert T.ACCOUNT_ANNEX_HEADER == ["序号", "账号名称", "账号类型", "检查结果", "备注"]
    rows = T.site_annex_rows(b.sites)
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert {r[1]: r[2] for r in rows} == {NAME["a2"]: "不合格", NAME["b1"]: "不合格",
                                          NAME["b2"]: "不合格", NAME["c1"]: "合格"}
    assert [r[2] for r in rows] == ["不合格", "不合格", "不合格", "合格"]  # failing first
    assert dict((r[1], r[3]) for r in rows)[NAME["a2"]] == "监测时间点无法访问"
    assert dict((r[1], r[3]) for r in rows)[NAME["c1"]] == "存在错别字"
    accounts = T.account_annex_rows(b.media)
    assert [(r[1], r[2], r[3]) for r in accounts] == [
        ("丙区融媒", "抖音号", "不合格"), ("甲市民政", "微信公众号", "不合格"),
        ("甲市发布", "新浪微博", "合格")]
    remarks = {r[1]: r[4] for r in accounts}
    assert remarks["甲市民政"] == "14天未更新，连续两个季度不合格"
    assert remarks["甲市发布"] == "已改名（甲市之声）系统中未改名"


def test_media_totals_per_platform(q3):
    b, _ = q3
    t = b.media.totals
    # 5 registered, wx-m5 unreadable (no verdict): 4 checked, m1 and m4 fail
    assert (t.running, t.checked, t.failed, t.rate) == (5, 4, 2, 50.0)
    assert (t.prev_period, t.prev_rate, t.change_pp) == ("2024Q2", 75.0, -25.0)
    assert [(g.name, g.checked, g.failed) for g in t.groups] == [
        ("新浪微博", 1, 0), ("微信公众号", 2, 1), ("抖音号", 1, 1)]
    assert t.full_groups == ["新浪微博"]
    assert b.media.recheck.not_rectified == ["甲市民政"]


def test_bulletin_text_states_the_numbers(q3):
    b, _ = q3
    text = "\n".join(blk.text for blk in T.bulletin_blocks(b))
    assert b.title == "关于2024年第三季度政府网站与政务新媒体抽查情况的通报"
    for s in ("从正在运行的6个政府网站中按地区和类型分层抽查5个", "合格2个，不合格3个",
              "抽查合格率为40%", "较2024年第二季度下降43.33个百分点", "丙区网站合格率为100%",
              "丙区（100%，1/1）、甲市（50%，1/2）、乙县（0%，0/2）",
              "“甲市民政局”网站连续三个季度不合格", "“乙县财政局”网站年内第二次检查不合格",
              "“甲市民政局”网站未按要求完成整改", "已整改1个，仍未整改1个，本期未复查1个",
              "对正在运行的5个政务新媒体中的4个进行检查", "合格率为50%，较2024年第二季度下降25个百分点",
              "新浪微博账号合格率为100%", "经人工复核排除误报1处", "某市人民政府办公室", "2024年9月27日"):
        assert s in text, s
    assert "中华人民共合国" not in text  # the dismissed false alarm is not reported again


def test_previous_quarter_bulletin(history_store):
    path, ids = history_store
    b = build_bulletin(Store(path, readonly=True), period="2024Q2")
    t = b.sites.totals
    assert (t.checked, t.failed, t.rate) == (6, 1, 83.33)
    assert (t.prev_rate, t.change_pp) == (66.67, 16.67)  # 5/6 − 4/6, not 83.33 − 66.67
    rc = b.sites.recheck
    assert rc.prev_failed == [NAME["a2"], NAME["b2"]] or rc.prev_failed == [NAME["b2"], NAME["a2"]]
    assert rc.rectified == [NAME["b2"]] and rc.not_rectified == [NAME["a2"]]
    assert b.title == "关于2024年第二季度政府网站与政务新媒体检查情况的通报"


def test_files_open_and_carry_the_annexes(history_store, tmp_path):
    path, _ = history_store
    files = write_report(Store(path, readonly=True), tmp_path / "out", date="2024-09-27")
    wb = openpyxl.load_workbook(files.xlsx)
    s1, s2 = wb.worksheets[0], wb.worksheets[1]
    assert s1.title.startswith("附件1") and s2.title.startswith("附件2")
    assert [c.value for c in s1[2]] == ["序号", "网站名称", "检查结果", "突出问题"]
    assert [c.value for c in s2[2]] == ["序号", "账号名称", "账号类型", "检查结果", "备注"]
    assert s1.max_row == 2 + 4 and s2.max_row == 2 + 3
    assert s1.column_dimensions["B"].width >= 20
    assert "整改清单" in wb.sheetnames
    rect = wb["整改清单"]
    # open findings: a2, b1, b2, c1 (sites) + m1, m4, m2 (accounts); a1 dismissed
    assert rect.max_row == 1 + 7
    doc = Document(str(files.docx))
    paras = "\n".join(p.text for p in doc.paragraphs)
    assert "一、总体情况" in paras and "二、存在的主要问题" in paras and "附件1" in paras
    assert [c.text for c in doc.tables[0].rows[0].cells] == T.SITE_ANNEX_HEADER
    assert [c.text for c in doc.tables[1].rows[0].cells] == T.ACCOUNT_ANNEX_HEADER
    assert len(doc.tables[0].rows) == 1 + 4
    data = json.loads(files.json.read_text(encoding="utf-8"))
    assert data["sites"]["totals"]["rate"] == 40.0
    names = sorted(p.name for p in files.rectification)
    assert names == sorted([f"{ID[k]}.docx" for k in ("a2", "b1", "b2", "c1")]
                           + ["dy-m4.docx", "wb-m2.docx", "wx-m1.docx"])
    notice = Document(str(files.rectification[[p.name for p in files.rectification]
                                              .index(f"{ID['b2']}.docx")]))
    body = "\n".join(p.text for p in notice.paragraphs)
    assert "乙县财政局" in body and "年内第二次检查不合格" in body
    row = [c.text for c in notice.tables[0].rows[1].cells]
    assert row[1] == "存在严重表述错误" and "p1.html" in row[2]
    assert row[4] == "将“习近凭”改为“习近平”" and row[5] == "整改后复现"


def test_an_inspection_that_checked_nothing_says_so(tmp_path):
    store = Store(tmp_path / "empty.sqlite")
    iid = store.create_inspection(as_of="2024-06-20", period="2024Q2",
                                  registry={"sites": [{"id": "6101000001", "name": "甲市人民政府"}]})
    store.finish_inspection(iid)
    b = build_bulletin(store)
    assert (b.sites.totals.running, b.sites.totals.checked, b.sites.totals.failed) == (1, 0, 0)
    assert b.media is None and T.site_annex_rows(b.sites) == []
    text = "\n".join(blk.text for blk in T.bulletin_blocks(b))
    assert "本期未取得任何政府网站的检查结果" in text and "合格率为" not in text
    files = write_report(store, tmp_path / "out")
    assert openpyxl.load_workbook(files.xlsx).worksheets[0].max_row == 2
