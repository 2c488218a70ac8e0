import pytest

from govcrawl.checks.rules import LexiconError, load_column_rules, parse_column_rules


def test_shipped_table_loads_and_classifies():
    r = load_column_rules()
    assert r.classify("工作动态")[0] == "news"
    assert r.classify("要闻")[0] == "news"
    assert r.classify("通知公告")[0] == "notice"
    assert r.classify("政策文件")[0] == "notice"
    assert r.classify("人事信息")[0] == "other"
    assert r.classify("留言统计")[0] == "stats"
    assert r.classify("领导信箱")[0] == "interaction"
    assert r.classify("机构职能")[0] == "static"
    assert r.classify("随便什么")[0] == "unknown"
    # the ColumnType tag decides when the name says nothing
    assert r.classify("本地快讯栏", "通知公告")[0] in ("news", "notice")
    assert r.classify("专栏一", "通知公告")[0] == "notice"


def test_bad_type_names_file_and_line():
    text = "rules:\n  - type: news\n    names: [动态]\n  - type: bogus\n    names: [x]\n"
    with pytest.raises(LexiconError, match=r"t\.yaml:4: type 'bogus'"):
        parse_column_rules(text, "t.yaml")


def test_bad_pattern_and_days():
    with pytest.raises(LexiconError, match=r"t\.yaml:2: bad pattern"):
        parse_column_rules("rules:\n  - type: news\n    pattern: '(['\n", "t.yaml")
    with pytest.raises(LexiconError, match="stale_days"):
        parse_column_rules("rules:\n  - type: other\n    names: [a]\n    stale_days: -3\n", "t.yaml")
    with pytest.raises(LexiconError, match="unknown key"):
        parse_column_rules("rules:\n  - type: other\n    nmes: [a]\n", "t.yaml")
    with pytest.raises(LexiconError, match="YAML syntax"):
        parse_column_rules("rules: [\n", "t.yaml")
