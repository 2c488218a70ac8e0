"""Platform exports (CSV / XLSX / JSON) through the importer and `govcrawl media-import`."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from govcrawl.media.importer import ExportError, read_export
from govcrawl.media.model import CLOSED, INTERACTION_NONE

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = {"id": "wx-rs", "name": "示范人社", "platform": "wechat", "org": "示范市人社局"}

POSTS_CSV = """标题,发布时间,是否原创,链接,内容
二季度就业见习岗位发布,2024-06-18 09:30,原创,https://mp.example/s/1,示范市人社局发布见习岗位1200个。
转载：全国职业技能大赛开幕,2024-06-10 08:00,转载,https://mp.example/s/2,来源：新华社 大赛在京开幕。
社保卡补办指南,2024/06/01 10:00,,https://mp.example/s/3,（示范人社原创）社保卡补办流程。
"""
MESSAGES_CSV = """留言时间,留言内容,回复时间,回复内容
2024-06-15 10:00,请问见习补贴什么时候发？,2024-06-15 16:00,本月底发放。
2024-06-12 10:00,社保卡补办要带什么？,2024-06-14 10:00,带身份证。
"""


def test_csv_posts_and_messages(tmp_path):
    (tmp_path / "posts.csv").write_text(POSTS_CSV, encoding="utf-8-sig")
    (tmp_path / "msgs.csv").write_text(MESSAGES_CSV, encoding="gb18030")
    obs = read_export(["posts.csv", "msgs.csv"], ACCOUNT, base=tmp_path)
    assert [p.original for p in obs.posts] == [True, False, True]
    assert obs.posts[0].at == "2024-06-18T09:30:00" and obs.posts[2].at == "2024-06-01T10:00:00"
    assert [m.answered_at for m in obs.messages] == ["2024-06-15T16:00:00", "2024-06-14T10:00:00"]
    assert obs.checkable and obs.source == "import"


def test_json_export_with_account_state(tmp_path):
    p = tmp_path / "export.json"
    p.write_text(json.dumps({"account": {"name": "示范人社", "status": "已注销", "interaction": "none"},
                             "posts": [{"发布时间": "2024-06-19 10:00", "标题": "通知"}]},
                            ensure_ascii=False), encoding="utf-8")
    obs = read_export(p, ACCOUNT)
    assert obs.profile.status == CLOSED and obs.profile.interaction == INTERACTION_NONE


def test_xlsx_export(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["发布时间", "标题", "类型"])
    ws.append(["2024-06-19 10:00", "夏季防溺水提示", "原创"])
    wb.save(tmp_path / "e.xlsx")
    obs = read_export(tmp_path / "e.xlsx", ACCOUNT)
    assert obs.posts[0].title == "夏季防溺水提示" and obs.posts[0].original is True


@pytest.mark.parametrize("content,name,pattern", [
    ("标题,发布时间\n好,明天上午\n", "a.csv", r"a.csv:2: unreadable publication time '明天上午'"),
    ("标题,作者\n好,张三\n", "b.csv", r"b.csv:1: header lacks 发布时间"),
    ("标题,发布时间,是否原创\n好,2024-06-01,也许\n", "c.csv", r"c.csv:2: 原创 '也许'"),
    ('{"posts": [{"标题": "x", "发布时间": "2024-06-01"}', "d.json", r"d.json:1: malformed JSON"),
    ('{"account": {"status": "睡着了"}}', "e.json", r"e.json: account status '睡着了' unknown"),
    ("", "f.csv", r"f.csv: empty export"),
])
def test_bad_exports_name_file_and_row(tmp_path, content, name, pattern):
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(ExportError, match=pattern):
        read_export(tmp_path / name, ACCOUNT)


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "govcrawl", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_media_import_command(tmp_path):
    (tmp_path / "posts.csv").write_text(POSTS_CSV, encoding="utf-8")
    (tmp_path / "old.csv").write_text("标题,发布时间,是否原创\n旧闻,2024-05-01 10:00,是\n", encoding="utf-8")
    reg = tmp_path / "reg.yaml"
    reg.write_text(yaml.safe_dump({"accounts": [
        {"id": "wx-rs", "name": "示范人社", "platform": "wechat", "settings": {"export": "posts.csv"}},
        {"id": "wx-old", "name": "示范老干部", "platform": "微信公众号",
         "settings": {"export": "old.csv", "label": "微信服务号"}},
    ]}, allow_unicode=True), encoding="utf-8")
    store = tmp_path / "s.db"
    p = _cli("media-import", "--store", str(store), "--registry", str(reg), "--as-of", "2024-06-20",
             "--period", "2024Q2", "--no-wording")
    assert p.returncode == 0, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    by = {d["account_id"]: d for d in lines}
    assert by["wx-rs"]["result"] == "合格"
    assert by["wx-old"]["result"] == "不合格" and by["wx-old"]["problems"] == ["14天未更新"]
    c = sqlite3.connect(store)
    assert c.execute("SELECT kind, period, status FROM inspections").fetchall() == [
        ("media", "2024Q2", "finished")]
    labels = dict(c.execute("SELECT account_id, json_extract(data_json, '$.platform_label')"
                            " FROM accounts").fetchall())
    assert labels == {"wx-rs": "微信公众号", "wx-old": "微信服务号"}
    # bad input: one line, exit 2, store untouched
    (tmp_path / "bad.csv").write_text("标题,发布时间\nx,昨天下午\n", encoding="utf-8")
    p2 = _cli("media-import", "--store", str(store), "--registry", str(reg), "--account", "wx-rs",
              str(tmp_path / "bad.csv"))
    assert p2.returncode == 2 and len(p2.stderr.strip().splitlines()) == 1, p2.stderr
    assert "bad.csv:2" in p2.stderr
    assert c.execute("SELECT COUNT(*) FROM inspections").fetchone()[0] == 1
