"""Registry loading and validation: every problem is one line naming file and row."""

from pathlib import Path

import openpyxl
import pytest

from govcrawl.registry import RegistryError, ScopeMap, load_registry

GOOD = """
sites:
  - id: "9901000001"
    name: 示范市人民政府
    url: http://www.example.gov.cn/
    region: 示范市
    kind: portal
  - id: "9901000002"
    name: 示范市民政局
    url: http://www.example.gov.cn/bmwz/mzj/
    scope: [http://www.example.gov.cn/bmwz/mzj/]
    region: 示范市
    kind: department
accounts:
  - id: wx-1
    name: 示范发布
    platform: wechat
    url: http://127.0.0.1:1/feed
"""


def write(tmp_path: Path, text: str, name: str = "reg.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_yaml_loads_sites_and_accounts(tmp_path):
    reg = load_registry(write(tmp_path, GOOD))
    assert [s.id for s in reg.sites] == ["9901000001", "9901000002"]
    assert reg.sites[0].scope == ("http://www.example.gov.cn/",)
    assert reg.accounts[0].platform == "wechat"


@pytest.mark.parametrize("row, message", [
    ('  - id: "12345"\n    name: a\n    url: http://a.gov.cn/\n', "malformed 网站标识码"),
    ('  - id: "9901000009"\n    name: a\n', "no homepage URL"),
    ('  - id: "9901000009"\n    name: a\n    url: ftp://a/\n', "invalid homepage URL"),
    ('  - id: "9901000009"\n    name: a\n    url: http://a.gov.cn/\n    kind: blog\n', "unknown kind"),
    ('  - id: "9901000001"\n    name: dup\n    url: http://b.gov.cn/\n', "duplicate 网站标识码"),
])
def test_bad_rows_name_file_and_row(tmp_path, row, message):
    text = GOOD.replace("accounts:", row + "accounts:")
    p = write(tmp_path, text)
    with pytest.raises(RegistryError) as e:
        load_registry(p)
    msg = str(e.value)
    assert message in msg and str(p) in msg and "sites[3]" in msg
    assert "\n" not in msg


def test_yaml_syntax_error_names_line(tmp_path):
    p = write(tmp_path, "sites:\n  - id: [\n")
    with pytest.raises(RegistryError, match=r"reg\.yaml:\d+: YAML syntax error"):
        load_registry(p)


def test_central_department_id_is_valid(tmp_path):
    p = write(tmp_path, 'sites:\n  - id: "bm07000001"\n    name: 部委\n    url: http://x.gov.cn/\n')
    assert load_registry(p).sites[0].id == "bm07000001"


def test_csv_export_with_chinese_headers(tmp_path):
    p = tmp_path / "sites.csv"
    p.write_text("网站名称,网站标识码,首页网址,主办单位,所属地区,网站类型\n"
                 "示范市人民政府,9901000001,http://www.example.gov.cn/,示范市人民政府办公室,示范市,政府门户网站\n"
                 "示范市教育局,9901000003,http://jyj.example.gov.cn/,示范市教育局,示范市,部门网站\n",
                 encoding="gb18030")
    reg = load_registry(p)
    assert [(s.id, s.kind, s.region) for s in reg.sites] == [
        ("9901000001", "portal", "示范市"), ("9901000003", "department", "示范市")]


def test_xlsx_export_bad_row_named(tmp_path):
    p = tmp_path / "sites.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["网站名称", "网站标识码", "首页网址", "主办单位", "所属地区", "网站类型"])
    ws.append(["示范市人民政府", "9901000001", "http://www.example.gov.cn/", "办公室", "示范市", "门户"])
    ws.append(["坏行", "99010000", "http://bad.gov.cn/", "办公室", "示范市", "部门"])
    wb.save(p)
    with pytest.raises(RegistryError, match=r"sites\.xlsx:3: malformed"):
        load_registry(p)


def test_department_under_portal_path_is_not_swallowed(tmp_path):
    reg = load_registry(write(tmp_path, GOOD))
    scope = ScopeMap(reg.sites)
    assert scope.owner("http://www.example.gov.cn/xxgk/index.html") == "9901000001"
    assert scope.owner("http://www.example.gov.cn/bmwz/mzj/gzdt/index.html") == "9901000002"
    assert scope.owner("http://www.example.gov.cn/bmwz/mzjx/") == "9901000001"
    assert scope.owner("http://other.gov.cn/") is None
